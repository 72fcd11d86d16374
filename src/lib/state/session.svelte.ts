// Who is signed in on this device, and the lifecycle of their local copy: restore on start (offline
// first: local data shows before the server answers), sign in and download, expiry, sign out.
import type { SessionInfo } from '../sync/protocol';
import { TransportError } from '../sync/transport';
import { downloadProgress } from '../domain/staged-download';
import { getMeta, setMeta, type LocalOwner } from '../storage/meta-repo';

export type { LocalOwner };
import { onVersionChange, StorageError, wipeDatabase } from '../storage/db';
import { pendingMutationCount } from '../storage/outbox-repo';
import { transport } from './services';
import { dataWorker } from '../worker/client';
import { connectivity } from './connectivity.svelte';
import { failureError } from './sync-pass';
import { retryWait } from './retry-wait';

export type SessionStatus = 'loading' | 'signed-out' | 'downloading' | 'ready';

/** The first download as the sign-in screen shows it. */
export interface SignInProgress {
	received: number;
	total: number;
	/**
	 * Why the download is waiting, while it waits: 'no-answer' until the portal answers again (reachability
	 * says when), 'portal-error' until a short wait after an error answer is over. Stored pages are kept.
	 */
	waiting: 'no-answer' | 'portal-error' | null;
}

/** Said when a session ends before the download finished: nothing downloaded so far is lost. */
export const SIGN_IN_TO_FINISH = 'Sign in again to finish downloading your users. The users downloaded so far are kept on this device.';

/** 'ready': a local copy is there to show and sync; 'ended': it is gone (sign-out, another admin). */
export type SessionEvent = 'ready' | 'ended';

export class SessionState {
	#status = $state<SessionStatus>('loading');
	#listeners: Record<SessionEvent, Set<() => void>> = { ready: new Set(), ended: new Set() };

	get status(): SessionStatus {
		return this.#status;
	}

	/** Every change of status goes through here, so the data states hear of each start and end exactly once. */
	private set status(next: SessionStatus) {
		const was = this.#status;
		this.#status = next;
		if (was !== 'ready' && next === 'ready') this.#emit('ready');
		if (was === 'ready' && next !== 'ready') this.#emit('ended');
	}

	/**
	 * The data states (users, history, sync) subscribe in their constructors, so no screen has to start
	 * and stop them in the right order. Returns the unsubscribe function.
	 */
	on(event: SessionEvent, listener: () => void): () => void {
		this.#listeners[event].add(listener);
		return () => this.#listeners[event].delete(listener);
	}

	#emit(event: SessionEvent): void {
		for (const listener of this.#listeners[event]) listener();
	}
	owner = $state<LocalOwner | null>(null);
	/** Which first download is current; Stop and sign out moves it on so a running one stops. */
	#downloadRun = 0;
	#wakeDownload: (() => void) | null = null;
	/** The server said our session is gone: local data stays, the admin is asked to sign in again. */
	expired = $state(false);
	error = $state<string | null>(null);
	progress = $state<SignInProgress | null>(null);
	/** Set when another tab upgraded the database: this tab must reload. */
	blocked = $state<string | null>(null);

	constructor() {
		onVersionChange(() => (this.blocked = 'The portal was updated in another tab. Reload this page to continue.'));
	}

	async restore(): Promise<void> {
		try {
			const owner = await getMeta('owner');
			const downloadedAt = await getMeta('downloadedAt');
			if (owner && downloadedAt) {
				this.owner = owner;
				this.status = 'ready';
				void this.verify();
			} else if (owner && (await getMeta('download'))) {
				// The tab closed (or the session ended) mid-download: carry on from the last stored page.
				void this.finishDownload(owner);
			} else {
				this.status = 'signed-out';
			}
		} catch (error) {
			this.error = describe(error);
			this.status = 'signed-out';
		}
	}

	/** Asks the server whether the session still stands; offline answers leave things as they are. */
	async verify(): Promise<boolean> {
		try {
			const info = await transport.session();
			this.expired = info === null;
			return info !== null;
		} catch {
			return true;
		}
	}

	markExpired(): void {
		this.expired = true;
	}

	async signIn(username: string, password: string): Promise<boolean> {
		this.error = null;
		let info: SessionInfo;
		try {
			info = await transport.signIn({ username: username.trim(), password });
		} catch (error) {
			this.error = describe(error);
			return false;
		}
		const owner: LocalOwner = {
			username: info.admin.username,
			parentAccountId: info.parent.accountId,
			parentName: info.parent.name,
			roles: info.roles,
			...(info.largeChange ? { largeChange: info.largeChange } : {})
		};
		const previous = await getMeta('owner').catch(() => undefined);
		const sameOwner = previous?.username === owner.username && previous.parentAccountId === owner.parentAccountId;
		if (this.expired && !sameOwner) {
			// Signing in again must never wipe this admin's waiting changes as a side effect: that takes
			// Sign out, which says what would be lost first.
			await transport.signOut().catch(() => undefined);
			this.error = `This device holds ${previous?.username ?? 'another admin'}'s data and waiting changes. To use another account, sign out first.`;
			return false;
		}
		if (sameOwner && this.expired) {
			// Re-authentication after expiry: keep the local copy and the queue; sync resumes.
			this.expired = false;
			this.owner = owner;
			await setMeta('owner', owner);
			return true;
		}
		// Another admin's data never stays on this device once someone else signs in.
		try {
			if (!sameOwner) await wipeDatabase();
			await setMeta('owner', owner);
		} catch (error) {
			this.error = describe(error);
			return false;
		}
		return this.finishDownload(owner);
	}

	/**
	 * Runs the first download until it completes, however often the connection drops or the portal answers
	 * with an error on the way: each attempt resumes from the last page stored (see sync/download.ts).
	 * Only a refusal (the session ended, a protocol mismatch) stops it, keeping what was stored.
	 */
	private async finishDownload(owner: LocalOwner): Promise<boolean> {
		const run = ++this.#downloadRun;
		// Stop and sign out may come at any await below; the loop must then do nothing more.
		const stopped = () => run !== this.#downloadRun;
		const stop = new Promise<void>((resolve) => (this.#wakeDownload = resolve));
		const held = await getMeta('download').catch(() => undefined);
		if (stopped()) return false;
		this.progress = { ...(held ? downloadProgress(held) : { received: 0, total: 0 }), waiting: null };
		this.status = 'downloading';
		try {
			for (let attempt = 0; ;) {
				// In the worker: storing the users would otherwise block this thread for a long moment.
				const answer = await dataWorker.call('download', undefined, {
					onProgress: (p) => (this.progress = { received: p.done, total: p.total, waiting: null })
				});
				if (stopped()) return false;
				if (answer.outcome) connectivity.report(answer.outcome);
				if (answer.ok) break;
				const error = failureError(answer.failure);
				if (!(error instanceof TransportError) || !error.retryable) throw error;
				const progress: SignInProgress = this.progress ?? { received: 0, total: 0, waiting: null };
				if (error.kind === 'offline') {
					this.progress = { ...progress, waiting: 'no-answer' };
					await Promise.race([connectivity.untilReachable(), stop]);
				} else {
					this.progress = { ...progress, waiting: 'portal-error' };
					await Promise.race([new Promise((resolve) => setTimeout(resolve, retryWait(error, attempt++))), stop]);
				}
				if (stopped()) return false;
			}
			this.owner = owner;
			this.expired = false;
			this.status = 'ready';
			return true;
		} catch (error) {
			if (stopped()) return false;
			this.error = error instanceof TransportError && error.kind === 'unauthenticated' ? SIGN_IN_TO_FINISH : describe(error);
			this.status = 'signed-out';
			return false;
		} finally {
			if (!stopped()) this.progress = null;
		}
	}

	/**
	 * The admin gives up on the first download (the portal is gone for the day, or someone else needs
	 * the device): the worker is stopped mid-page (its open transaction aborts), then Sign out wipes the
	 * pages stored so far with everything else. Nothing can be waiting to sync yet: changes are only
	 * possible once the download is complete.
	 */
	async stopDownloadAndSignOut(): Promise<void> {
		this.#downloadRun++;
		this.#wakeDownload?.();
		dataWorker.cancel();
		this.progress = null;
		await this.signOut();
	}

	/** How many applied changes would be lost by signing out now. */
	pendingChanges(): Promise<number> {
		return pendingMutationCount();
	}

	async signOut(): Promise<void> {
		try {
			await transport.signOut();
		} catch {
			// Offline or already expired: the local wipe below is what protects the next person.
		}
		await wipeDatabase();
		this.owner = null;
		this.expired = false;
		this.status = 'signed-out';
	}
}

export function describe(error: unknown): string {
	if (error instanceof TransportError || error instanceof StorageError) return error.message;
	if (error instanceof Error) return error.message;
	return String(error);
}

export const session = new SessionState();
