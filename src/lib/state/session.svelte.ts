// Who is signed in on this device, and the lifecycle of their local copy: restore on start (offline
// first: local data shows before the server answers), sign in and download, expiry, sign out.
import type { SessionInfo } from '../sync/protocol';
import { TransportError } from '../sync/transport';
import type { DownloadProgress } from '../sync/download';
import { getMeta, setMeta, type LocalOwner } from '../storage/meta-repo';

export type { LocalOwner };
import { onVersionChange, StorageError, wipeDatabase } from '../storage/db';
import { pendingMutationCount } from '../storage/outbox-repo';
import { transport } from './services';
import { dataWorker } from '../worker/client';

export type SessionStatus = 'loading' | 'signed-out' | 'downloading' | 'ready';

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
	/** The server said our session is gone: local data stays, the admin is asked to sign in again. */
	expired = $state(false);
	error = $state<string | null>(null);
	progress = $state<DownloadProgress | null>(null);
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
		if (!sameOwner) await wipeDatabase();
		this.status = 'downloading';
		this.progress = { received: 0, total: 0 };
		try {
			await setMeta('owner', owner);
			// In the worker: storing 100,000 users would otherwise block this thread for a long moment.
			await dataWorker.call('download', undefined, { onProgress: (p) => (this.progress = { received: p.done, total: p.total }) });
			this.owner = owner;
			this.expired = false;
			this.status = 'ready';
			return true;
		} catch (error) {
			this.error = describe(error);
			this.status = 'signed-out';
			return false;
		} finally {
			this.progress = null;
		}
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
