// Sync scheduling for the whole app: when to run a pass (the portal answering again, new outbox work,
// a timer), in exactly one tab at a time (Web Locks), with capped exponential backoff plus jitter when
// the portal answers with an error (or Retry-After, when it says how long), and what the admin sees:
// pending count, last success, notices. A portal that does not answer at all is connectivity's
// business: no pass is tried until its probe gets an answer, then one runs at once.
import type { BatchRecord } from '../storage/db';
import { watch } from '../storage/live';
import { getMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import type { SyncPassResult } from '../sync/engine';
import { TransportError } from '../sync/transport';
import { describe, session } from './session.svelte';
import { connectivity } from './connectivity.svelte';
import { pwa } from './pwa.svelte';
import { retryWait } from './retry-wait';
import { syncPass } from './sync-pass';

export { BACKOFF, backoffDelay, retryWait } from './retry-wait';

const LOCK = 'portal-outbox-sync';

export interface Notice {
	id: string;
	text: string;
	batchId?: string;
}

export class SyncState {
	/** Null until the outbox was read: "All changes synced" must never show before we know. */
	pending = $state<number | null>(null);
	lastSyncAt = $state<number | null>(null);
	running = $state(false);
	error = $state<string | null>(null);
	retryAt = $state<number | null>(null);
	notices = $state<Notice[]>([]);

	private attempt = 0;
	/** While the portal asked us to wait (an error answer or Retry-After), nothing automatic runs earlier. */
	private backoffUntil = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private stops: (() => void)[] = [];
	private listeners = new Set<(batch: BatchRecord) => void>();
	private passListeners = new Set<(result: SyncPassResult) => void>();

	constructor() {
		session.on('ready', () => this.start());
		session.on('ended', () => this.stop());
		// Background Sync fires when the browser thinks the network is back: ask the portal, then sync.
		pwa.onSyncRequested(() => {
			connectivity.recheck();
			this.nudge();
		});
	}

	start(): void {
		this.stop();
		this.stops.push(
			watch(pendingMutationCount, (n) => {
				const grew = n > (this.pending ?? 0);
				this.pending = n;
				if (grew) this.nudge();
			}),
			watch(
				() => getMeta('lastSyncAt'),
				(t) => (this.lastSyncAt = t ?? null)
			),
			connectivity.onReachable(() => this.nudge())
		);
		this.nudge();
	}

	stop(): void {
		for (const stop of this.stops) stop();
		this.stops = [];
		clearTimeout(this.timer);
		this.pending = null;
	}

	onBatchFinished(listener: (batch: BatchRecord) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Told after every sync pass that reached the portal (e.g. the history refreshes when it recorded uploads). */
	onPassFinished(listener: (result: SyncPassResult) => void): () => void {
		this.passListeners.add(listener);
		return () => this.passListeners.delete(listener);
	}

	/**
	 * A pass soon, unless the portal asked us to wait: every automatic trigger (new work, the portal
	 * answering again, Background Sync, sign-in) comes through here, so none can shorten a backoff.
	 */
	nudge(): void {
		if (Date.now() < this.backoffUntil) return;
		this.schedule(0);
	}

	private schedule(delayMs: number): void {
		clearTimeout(this.timer);
		this.retryAt = delayMs > 0 ? Date.now() + delayMs : null;
		this.timer = setTimeout(() => void this.run(), delayMs);
	}

	/** One sync pass now, if no other tab is syncing. Resolves when this tab's pass ends. */
	async run(): Promise<void> {
		if (session.status !== 'ready' || session.expired) return;
		if (!connectivity.worthTrying) return;
		const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
		if (!locks) return this.pass();
		// ifAvailable: a tab that finds the lock taken leaves the work to the holder and watches via liveQuery.
		await locks.request(LOCK, { ifAvailable: true }, async (lock) => {
			if (lock) await this.pass();
		});
	}

	private async pass(): Promise<void> {
		if (this.running) return;
		this.running = true;
		try {
			const result = await syncPass();
			this.attempt = 0;
			this.backoffUntil = 0;
			this.error = null;
			this.retryAt = null;
			for (const batch of result.finishedBatches) {
				for (const listener of this.listeners) listener(batch);
			}
			for (const listener of this.passListeners) listener(result);
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'offline') {
				// No answer: the status pill says so, and connectivity nudges us the moment the portal answers.
				// Where the browser has Background Sync, it also wakes a background tab when the network is back.
				this.error = null;
				void pwa.requestBackgroundSync();
			} else if (error instanceof TransportError && error.kind === 'unauthenticated') {
				this.error = describe(error);
				session.markExpired();
			} else if (!(error instanceof TransportError) || error.retryable) {
				this.error = describe(error);
				const wait = retryWait(error, this.attempt++);
				this.backoffUntil = Date.now() + wait;
				this.schedule(wait);
			} else {
				this.error = describe(error);
			}
		} finally {
			this.running = false;
		}
	}

	notify(notice: Notice): void {
		this.notices = [...this.notices.filter((n) => n.id !== notice.id), notice];
	}

	dismiss(id: string): void {
		this.notices = this.notices.filter((n) => n.id !== id);
	}
}

export const sync = new SyncState();
