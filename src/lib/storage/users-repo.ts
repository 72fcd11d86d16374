// Users, stored as chunk records of up to USERS_PER_CHUNK users of one account (see db.ts for why).
// Nothing outside this module knows about chunks: callers read and write plain UserRecords.
import { userKey, type UserRecord, type VisibleField } from '../domain/types';
import { db, guarded, USERS_PER_CHUNK, type PortalCopy, type PortalDb, type UserChunk } from './db';
import { bumpUsersVersion } from './meta-repo';

function chunkId(accountId: string, seq: number): string {
	return `${accountId}:${String(seq).padStart(6, '0')}`;
}

function toChunks(users: UserRecord[]): UserChunk[] {
	const byAccount = new Map<string, UserRecord[]>();
	for (const user of users) {
		let list = byAccount.get(user.accountId);
		if (!list) byAccount.set(user.accountId, (list = []));
		list.push(user);
	}
	const chunks: UserChunk[] = [];
	for (const [accountId, list] of byAccount) {
		for (let i = 0, seq = 0; i < list.length; i += USERS_PER_CHUNK, seq++)
			chunks.push({ id: chunkId(accountId, seq), accountId, users: list.slice(i, i + USERS_PER_CHUNK) });
	}
	return chunks;
}

/** Account, then username case-insensitively: the order the Users tab lists them in. */
export function compareUsers(a: UserRecord, b: UserRecord): number {
	if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
	const x = a.username.toLowerCase();
	const y = b.username.toLowerCase();
	return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Replaces every local user in one transaction: a download either lands whole or not at all.
 * Users are stored sorted, so readers can show chunks as they come without sorting 100,000 users.
 */
export async function replaceAllUsers(users: UserRecord[], database: PortalDb = db()): Promise<void> {
	const chunks = toChunks([...users].sort(compareUsers));
	await guarded(() =>
		database.transaction('rw', database.userChunks, database.meta, async () => {
			await database.userChunks.clear();
			await database.userChunks.bulkPut(chunks);
			await bumpUsersVersion(database);
		})
	);
}

/** Reads all users at once; for the worker, where one long task blocks nobody. */
export async function loadAllUsers(database: PortalDb = db()): Promise<UserRecord[]> {
	return snapshotUsers(await loadUserSnapshot(database));
}

/**
 * The stored users exactly as they were at meta.usersVersion `version`, read in one transaction.
 * Apply hands it back to patchUsersInTx, which then skips re-reading (and deserialising) every chunk
 * when the version is still current: at 100,000 users that read was a quarter of Apply's time.
 */
export interface UserSnapshot {
	version: number | undefined;
	chunks: readonly UserChunk[];
}

export async function loadUserSnapshot(database: PortalDb = db()): Promise<UserSnapshot> {
	return guarded(() =>
		database.transaction('r', database.userChunks, database.meta, async () => {
			const version = (await database.meta.get('usersVersion'))?.value as number | undefined;
			return { version, chunks: await database.userChunks.toArray() };
		})
	);
}

export function snapshotUsers(snapshot: UserSnapshot): UserRecord[] {
	const users: UserRecord[] = [];
	for (const chunk of snapshot.chunks) for (const user of chunk.users) users.push(user);
	return users;
}

export interface UserPatch {
	accountId: string;
	username: string;
	/**
	 * The portal's values (a pull, an applied change): shown, except in fields where a change of this
	 * device is still queued, which keeps showing until answered. With `queued`: this device's change.
	 */
	set: Partial<Pick<UserRecord, 'name' | 'email' | 'role' | 'rev'>>;
	/** `set` is a change of this device, queued for the portal: remember the portal's values it hides. */
	queued?: true;
	/** Fields of the oldest queued change the portal has now answered, applied or rejected. */
	answered?: readonly VisibleField[];
	/**
	 * What an answered field shows when no portal copy was kept for it (a change queued by an earlier
	 * build, or before a full download replaced the users): the change's base values.
	 */
	fallback?: Partial<Record<VisibleField, string>>;
}

const VISIBLE: readonly VisibleField[] = ['name', 'email', 'role'];

/** One patch applied to one user and the portal copy kept for them; returns both, never mutating them. */
function patchUser(user: UserRecord, copy: PortalCopy | undefined, patch: UserPatch): { user: UserRecord; copy: PortalCopy | undefined } {
	const next: UserRecord = { ...user };
	let kept: PortalCopy | undefined = copy ? { ...copy } : undefined;
	for (const field of VISIBLE) {
		const value = patch.set[field];
		if (value === undefined) continue;
		const held = kept?.[field];
		if (patch.queued) {
			(kept ??= {})[field] = held ? { value: held.value, queued: held.queued + 1 } : { value: user[field], queued: 1 };
			next[field] = value;
		} else if (held) kept![field] = { value, queued: held.queued };
		else next[field] = value;
	}
	if (patch.set.rev !== undefined) next.rev = patch.set.rev;
	for (const field of patch.answered ?? []) {
		const held = kept?.[field];
		if (!held) {
			const fallback = patch.fallback?.[field];
			if (fallback !== undefined) next[field] = fallback;
		} else if (held.queued > 1) kept![field] = { value: held.value, queued: held.queued - 1 };
		else {
			next[field] = held.value;
			delete kept![field];
		}
	}
	if (kept && Object.keys(kept).length === 0) kept = undefined;
	return { user: next, copy: kept };
}

/**
 * Applies patches to existing users (matched case-insensitively; several for one user apply in order)
 * and inserts `added` users.
 * Must run inside a transaction covering userChunks and meta, so it commits with the caller's other writes.
 * With a `snapshot` that is still current (same usersVersion, checked inside this transaction) the chunks
 * come from memory instead of the database; they are never modified, only copied where they change.
 * Returns the keys of patches whose user was not found.
 */
export async function patchUsersInTx(patches: UserPatch[], added: UserRecord[] = [], database: PortalDb = db(), snapshot?: UserSnapshot): Promise<string[]> {
	const byAccount = new Map<string, Map<string, UserPatch[]>>();
	for (const patch of patches) {
		let map = byAccount.get(patch.accountId);
		if (!map) byAccount.set(patch.accountId, (map = new Map()));
		const key = patch.username.toLowerCase();
		const list = map.get(key);
		if (list) list.push(patch);
		else map.set(key, [patch]);
	}
	const addedByAccount = new Map<string, UserRecord[]>();
	for (const user of added) {
		let list = addedByAccount.get(user.accountId);
		if (!list) addedByAccount.set(user.accountId, (list = []));
		list.push(user);
	}
	const current = snapshot && ((await database.meta.get('usersVersion'))?.value as number | undefined) === snapshot.version ? chunksByAccount(snapshot.chunks) : undefined;
	const accounts = new Set([...byAccount.keys(), ...addedByAccount.keys()]);
	const missing: string[] = [];
	const changed: UserChunk[] = [];
	for (const accountId of accounts) {
		const known = current ? [...(current.get(accountId) ?? [])] : undefined;
		const ids = known ? known.map((c) => c.id) : ((await database.userChunks.where('accountId').equals(accountId).primaryKeys()) as string[]).sort();
		const chunks: (UserChunk | undefined)[] = known ?? new Array<UserChunk | undefined>(ids.length);
		// From the database, one chunk per read and only until every patch found its user: on the page
		// (sync settling 500 changes) each read is its own short task instead of one read of 10,000 users.
		// (Dexie promises awaited directly, no async helper: an extra native await between requests can let
		// the transaction commit early.)
		const loaded = (i: number): UserChunk => {
			const chunk = chunks[i];
			if (!chunk) throw new Error(`Users chunk ${ids[i]} disappeared during a write`);
			return chunk;
		};
		const owned = new Set<number>();
		const own = (i: number): UserChunk => {
			if (!owned.has(i)) {
				const chunk = chunks[i]!;
				chunks[i] = { ...chunk, users: chunk.users.slice(), ...(chunk.portal ? { portal: new Map(chunk.portal) } : {}) };
				owned.add(i);
			}
			return chunks[i]!;
		};
		const pending = byAccount.get(accountId) ?? new Map<string, UserPatch[]>();
		for (let i = 0; i < ids.length && pending.size; i++) {
			if (!chunks[i]) chunks[i] = await database.userChunks.get(ids[i]);
			const users = loaded(i).users;
			for (let j = 0; j < users.length; j++) {
				const key = users[j].username.toLowerCase();
				const list = pending.get(key);
				if (!list) continue;
				pending.delete(key);
				let user = users[j];
				let copy = loaded(i).portal?.get(key);
				for (const patch of list) ({ user, copy } = patchUser(user, copy, patch));
				const chunk = own(i);
				chunk.users[j] = user;
				if (copy) (chunk.portal ??= new Map()).set(key, copy);
				else chunk.portal?.delete(key);
			}
		}
		for (const list of pending.values()) missing.push(userKey(list[0].accountId, list[0].username));
		for (const user of addedByAccount.get(accountId) ?? []) {
			const last = ids.length - 1;
			if (last >= 0 && !chunks[last]) chunks[last] = await database.userChunks.get(ids[last]);
			if (last < 0 || loaded(last).users.length >= USERS_PER_CHUNK) {
				const seq = last < 0 ? 0 : Number(ids[last].split(':')[1]) + 1;
				ids.push(chunkId(accountId, seq));
				chunks.push({ id: ids[ids.length - 1], accountId, users: [] });
				owned.add(ids.length - 1);
			}
			own(ids.length - 1).users.push(user);
		}
		for (const i of [...owned].sort((a, b) => a - b)) {
			const chunk = chunks[i]!;
			if (chunk.portal?.size === 0) delete chunk.portal;
			changed.push(chunk);
		}
	}
	if (changed.length) {
		await database.userChunks.bulkPut(changed);
		await bumpUsersVersion(database);
	}
	return missing;
}

function chunksByAccount(chunks: readonly UserChunk[]): Map<string, UserChunk[]> {
	const map = new Map<string, UserChunk[]>();
	for (const chunk of chunks) {
		let list = map.get(chunk.accountId);
		if (!list) map.set(chunk.accountId, (list = []));
		list.push(chunk);
	}
	// Key order, as the database would return them.
	for (const list of map.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return map;
}

export async function patchUsers(patches: UserPatch[], added: UserRecord[] = [], database: PortalDb = db()): Promise<string[]> {
	return guarded(() => database.transaction('rw', database.userChunks, database.meta, () => patchUsersInTx(patches, added, database)));
}
