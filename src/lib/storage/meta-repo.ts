// Small key-value facts about this device's copy of the data: who it belongs to, pull cursor, clocks.
import type { UploadSummary } from '../domain/history';
import type { LargeChangeThreshold } from '../domain/large-change';
import type { DownloadState } from '../domain/staged-download';
import { db, guarded, type PortalDb } from './db';

export interface LocalOwner {
	username: string;
	parentAccountId: string;
	parentName: string;
	roles: string[];
	/** The parent's large-change gate as the portal sent it; absent: the default. */
	largeChange?: LargeChangeThreshold;
}

export interface MetaValues {
	owner: LocalOwner;
	/** Bumped by every write to users; screens observe it to reload their in-memory index. */
	usersVersion: number;
	pullCursor: string;
	/** Set once the first full download completed; until then the local data is not trusted. */
	downloadedAt: number;
	/** A full download in progress: its pages are in stagedUsers (see download-repo.ts). */
	download: DownloadState;
	clientId: string;
	nextMutationId: number;
	/** Mutations waiting in the outbox, kept with every outbox write. */
	outboxCount: number;
	lastSyncAt: number;
	lastSyncError: string;
	/** Non-extractable AES-GCM key that encrypts passwords waiting in the outbox. */
	deviceKey: CryptoKey;
	/** The newest uploads of the portal's history as last fetched, newest first: the history offline. */
	portalUploads: UploadSummary[];
}

export async function getMeta<K extends keyof MetaValues>(key: K, database: PortalDb = db()): Promise<MetaValues[K] | undefined> {
	return guarded(async () => (await database.meta.get(key))?.value as MetaValues[K] | undefined);
}

export async function setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K], database: PortalDb = db()): Promise<void> {
	await guarded(() => database.meta.put({ key, value }));
}

/** Must run inside a transaction that includes `meta`. */
export async function bumpUsersVersion(database: PortalDb = db()): Promise<number> {
	const current = ((await database.meta.get('usersVersion'))?.value as number | undefined) ?? 0;
	await database.meta.put({ key: 'usersVersion', value: current + 1 });
	return current + 1;
}

/** Stores `value` unless the key already has one, atomically; returns whichever value is stored. */
export async function getOrPutMeta<K extends keyof MetaValues>(
	key: K,
	value: MetaValues[K],
	database: PortalDb = db()
): Promise<MetaValues[K]> {
	return guarded(() =>
		database.transaction('rw', database.meta, async () => {
			const existing = (await database.meta.get(key))?.value as MetaValues[K] | undefined;
			if (existing !== undefined) return existing;
			await database.meta.put({ key, value });
			return value;
		})
	);
}
