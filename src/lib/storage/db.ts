// The app's IndexedDB database (Dexie): versioned schema and the one place a Dexie instance is made.
//
// Layout, and why: IndexedDB pays per record, not per byte. Measured in headless Chromium on a 2-core
// machine, 100,000 single-user records in one transaction take 10-15 s to put and 2.9 s to getAll,
// while the same users as 100 records of 1,000 take 0.4-0.65 s to write and 0.24 s to read. So:
//  - userChunks: users grouped by account in records of at most USERS_PER_CHUNK; the users repo is
//    the only code that knows this, and lookups by (account, username) or email happen in memory
//    over maps built from the chunks.
//  - outbox: pending mutations in push-sized chunk records (PUSH_BATCH_MAX each), ordered by id.
//  - batchRows: each upload's per-row outcomes, again in chunks, so results can be rebuilt later.
//  - historyRows: rows of the portal's upload history this device fetched (an undo or a results
//    workbook of an upload from another device), in chunks, so both work offline afterwards.
//  - stagedUsers: the pages of a full download still in progress, in per-account chunk records, kept
//    apart from userChunks until the last page is stored (storage/download-repo.ts).
//  - institutions, batches, meta: small tables, one record each.
// Every write that touches users also bumps meta.usersVersion, which screens observe with liveQuery
// (Dexie propagates changes across tabs and workers), so a write in the worker refreshes the UI.
import Dexie, { type EntityTable } from 'dexie';
import type { HistoryRow, UploadSummary } from '../domain/history';
import type { FinalStatus, ResultSummary } from '../domain/results';
import type { Institution, SealedSecret, UserRecord } from '../domain/types';
import type { BulkAction } from '../domain/bulk-action';

export const DB_NAME = 'admin-portal';
export const USERS_PER_CHUNK = 1000;

export interface UserChunk {
	/** `${accountId}:${seq}`: seq is per account, so an account's chunks are contiguous in key order. */
	id: string;
	accountId: string;
	users: UserRecord[];
	/**
	 * By lower-case username: the portal's copy of the fields these users show a queued change in (see
	 * users-repo). Only users with queued changes have an entry; most chunks have none. A Map, not an
	 * object: a username like "__proto__" must stay a key.
	 */
	portal?: Map<string, PortalCopy>;
}

/**
 * The portal's value of each field a queued change of this device overrides, and how many queued
 * changes to it wait for an answer. The local copy shows the newest queued value; once the last one is
 * answered it shows the portal's value, which the rejected changes never touched. A mutation's `base`
 * cannot serve: a change queued after another one to the same field was checked against that one's
 * value, which the portal may never have had.
 */
export type PortalCopy = Partial<Record<'name' | 'email' | 'role', { value: string; queued: number }>>;

export interface MetaRecord {
	key: string;
	value: unknown;
}

export interface BatchRecord {
	id: string;
	fileName: string;
	sheetName: string;
	createdAt: number;
	admin: string;
	/** Rows of the uploaded sheet's header, kept to rebuild the results workbook in its original columns. */
	header: string[];
	/** Which uploaded columns hold Account ID, Username, Password…: the results writer needs it. */
	columnMap: Partial<Record<string, number>>;
	parentName: string;
	counts: ResultSummary;
	/** 'applying' while local writes run; 'queued' while mutations wait to sync; 'done' when every row is final. */
	state: 'applying' | 'queued' | 'done';
	finishedAt?: number;
	/** Set on an undo: the upload it takes back. */
	undoOf?: { id: string; fileName: string };
	/** The number of users the admin typed to pass the large-change gate. */
	largeChangeConfirmed?: number;
	/** The portal keeps this upload in its history ('refused': it would not, with its reason in the log). */
	history?: 'recorded' | 'refused';
	/** What the upload did; absent for User Update (and every upload before User Add). */
	action?: BulkAction;
}

export interface BatchRowChunk {
	id: string; // `${batchId}:${seq}` with seq zero-padded so key order is row order
	batchId: string;
	rows: StoredRowResult[];
}

export interface StoredRowResult {
	row: number;
	cells: string[];
	status: FinalStatus;
	reason: string;
	changed: string[];
	/** The outbox mutation id for Queued rows, so sync can finalise them. */
	mutationId?: number;
	/** What the admin edited in the preview, with the file's values (never a password). */
	edited?: string;
}

export interface OutboxChunk {
	/** The first mutation id in the chunk; chunks never overlap and are pushed in key order. */
	id: number;
	/** Every mutation of a chunk comes from this one upload (chunks are cut per upload). */
	batchId: string;
	mutations: StoredMutation[];
	/**
	 * The passwords of `mutations`, sealed as one: a JSON array by position, null where a mutation sets
	 * none. One seal per push, not per password: sealing the 70,000 passwords of a User Add one by one
	 * took 1.4 s of its Apply, and storing as many separate buffers a good part of the rest.
	 */
	passwords?: SealedSecret;
	/**
	 * A part of the upload's record for the portal's history, sent as one upload.record mutation with id
	 * `id` (then `mutations` is empty): the batch's rows `from` up to `to`, read from batchRows when it is
	 * sent. Only the cut is stored: a second copy of 100,000 rows would cost Apply half a second.
	 */
	record?: { part: number; parts: number; from: number; to: number };
}

/**
 * One queued user update, or user create when `create` is set. Kept lean because Apply writes 100,000
 * of them: the batch is the chunk's.
 */
export interface StoredMutation {
	id: number;
	/** Position of the row in its batch's stored results, to finalise it when the server answers. */
	rowIndex: number;
	accountId: string;
	username: string;
	changes: { name?: string; email?: string; role?: string };
	/** The password, encrypted with the device's key, in chunks queued before OutboxChunk.passwords existed. */
	password?: SealedSecret;
	/**
	 * The user's values of the fields this change sets, as they were when the upload was checked: the
	 * server's conflict check, and what a rejection rolls back to. (Apply re-checks the file if users
	 * changed before it commits, so these are also the values the optimistic change replaced.)
	 */
	base: { name?: string; email?: string; role?: string };
	/**
	 * Adds the user (sent as user.create): `changes` holds every field of the new user, who is stored on
	 * this device at once with rev 0 (no portal version yet) and taken away again if the portal rejects it.
	 */
	create?: true;
}

export interface HistoryRowChunk {
	/** `${uploadId}:${seq}`, seq zero-padded so key order is row order. */
	id: string;
	uploadId: string;
	rows: HistoryRow[];
	/** On the first chunk: the upload's facts (file, columns, counts). */
	upload?: UploadSummary;
}

/** Users of one account from one page of a download in progress (see download-repo.ts). */
export interface StagedChunk {
	/** `${accountId}:${page}`, page zero-padded. */
	id: string;
	accountId: string;
	users: UserRecord[];
}

export type PortalDb = Dexie & {
	institutions: EntityTable<Institution, 'accountId'>;
	userChunks: EntityTable<UserChunk, 'id'>;
	batches: EntityTable<BatchRecord, 'id'>;
	batchRows: EntityTable<BatchRowChunk, 'id'>;
	outbox: EntityTable<OutboxChunk, 'id'>;
	meta: EntityTable<MetaRecord, 'key'>;
	historyRows: EntityTable<HistoryRowChunk, 'id'>;
	stagedUsers: EntityTable<StagedChunk, 'id'>;
};

export class StorageError extends Error {
	constructor(
		readonly code: 'quota' | 'versionchange' | 'blocked' | 'unavailable',
		message: string
	) {
		super(message);
		this.name = 'StorageError';
	}
}

export function createDb(name = DB_NAME): PortalDb {
	const db = new Dexie(name) as PortalDb;
	db.version(1).stores({
		institutions: '&accountId',
		userChunks: '&id, accountId',
		batches: '&id, createdAt',
		batchRows: '&id, batchId',
		outbox: '&id, batchId',
		meta: '&key'
	});
	db.version(2).stores({ historyRows: '&id, uploadId' });
	db.version(3).stores({ stagedUsers: '&id, accountId' });
	return db;
}

let shared: PortalDb | undefined;
const versionChangeListeners = new Set<() => void>();

/** The process-wide database. Another tab upgrading the schema closes ours; listeners tell the admin to reload. */
export function db(): PortalDb {
	if (!shared) {
		shared = createDb();
		shared.on('versionchange', () => {
			shared?.close();
			shared = undefined;
			for (const listener of versionChangeListeners) listener();
			return false;
		});
	}
	return shared;
}

export function onVersionChange(listener: () => void): () => void {
	versionChangeListeners.add(listener);
	return () => versionChangeListeners.delete(listener);
}

/** Maps Dexie/IndexedDB failures to messages an admin can act on. */
export function toStorageError(error: unknown): StorageError | unknown {
	const name = (error as { name?: string } | null)?.name ?? '';
	const inner = (error as { inner?: { name?: string } } | null)?.inner?.name ?? '';
	if (name === 'QuotaExceededError' || inner === 'QuotaExceededError') {
		return new StorageError(
			'quota',
			'This browser has run out of storage space for the portal. Free up disk space or allow more site storage, then try again. Nothing was half-saved.'
		);
	}
	if (name === 'DatabaseClosedError' || name === 'VersionChangeError') {
		return new StorageError('versionchange', 'The portal was updated in another tab. Reload this page to continue.');
	}
	if (name === 'OpenFailedError' || name === 'MissingAPIError') {
		return new StorageError('unavailable', 'This browser cannot open the portal\u2019s local database (private mode or storage disabled).');
	}
	return error;
}

/** Runs a storage operation, turning IndexedDB errors into StorageErrors. */
export async function guarded<T>(op: () => Promise<T>): Promise<T> {
	try {
		return await op();
	} catch (error) {
		throw toStorageError(error);
	}
}

/** Deletes the whole local database: used by sign-out so the next admin on this browser sees nothing. */
export async function wipeDatabase(): Promise<void> {
	if (shared) {
		shared.close();
		shared = undefined;
	}
	await Dexie.delete(DB_NAME);
}
