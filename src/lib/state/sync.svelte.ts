// Sync scheduling for the whole app: when to run a pass (online event, new outbox work, timer,
// Background Sync), in exactly one tab at a time (Web Locks), with capped exponential backoff plus
// jitter on retryable failures, and what the admin sees: pending count, last success, notices.
import type { BatchRecord } from '../storage/db';
import { watch } from '../storage/live';
import { getMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import { syncOnce } from '../sync/engine';
import { TransportError } from '../sync/transport';
import { describe, session } from './session.svelte';
import { pwa } from './pwa.svelte';
import { transport } from './services';

export const BACKOFF = { baseMs: 1000, capMs: 60_000 };
const LOCK = 'portal-outbox-sync';

export function backoffDelay(attempt: number, random = Math.random): number {
	const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** attempt);
	// "Full jitter": spreads retries of many admins hitting one recovering server.
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

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
	private timer: ReturnType<typeof setTimeout> | undefined;
	private stops: (() => void)[] = [];
	private listeners = new Set<(batch: BatchRecord) => void>();

	start(): void {
		this.stop();
		this.stops.push(
			watch(pendingMutationCount, (n) => {
				const grew = n > (this.pending ?? 0);
				this.pending = n;
				if (grew) this.schedule(0);
			}),
			watch(
				() => getMeta('lastSyncAt'),
				(t) => (this.lastSyncAt = t ?? null)
			)
		);
		const online = () => this.schedule(0);
		window.addEventListener('online', online);
		this.stops.push(() => window.removeEventListener('online', online));
		this.schedule(0);
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

	schedule(delayMs: number): void {
		clearTimeout(this.timer);
		this.retryAt = delayMs > 0 ? Date.now() + delayMs : null;
		this.timer = setTimeout(() => void this.run(), delayMs);
	}

	/** One sync pass now, if no other tab is syncing. Resolves when this tab's pass ends. */
	async run(): Promise<void> {
		if (session.status !== 'ready' || session.expired) return;
		if (typeof navigator !== 'undefined' && !navigator.onLine) return;
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
			const result = await syncOnce(transport);
			this.attempt = 0;
			this.error = null;
			this.retryAt = null;
			for (const batch of result.finishedBatches) {
				for (const listener of this.listeners) listener(batch);
			}
		} catch (error) {
			this.error = describe(error);
			if (error instanceof TransportError && error.kind === 'unauthenticated') {
				session.markExpired();
			} else if (!(error instanceof TransportError) || error.retryable) {
				// Where the browser has Background Sync, it wakes us when the network is back, even in a background tab.
				void pwa.requestBackgroundSync();
				const wait = error instanceof TransportError && error.details.retryAfterSeconds ? error.details.retryAfterSeconds * 1000 : backoffDelay(this.attempt++);
				this.schedule(wait);
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
