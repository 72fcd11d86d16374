// Users, stored as chunk records of up to USERS_PER_CHUNK users of one account (see db.ts for why).
// Nothing outside this module knows about chunks: callers read and write plain UserRecords.
import { userKey, type UserRecord, type VisibleField } from '../domain/types';
import { db, guarded, USERS_PER_CHUNK, type PortalCopy, type PortalDb, type UserChunk } from './db';
import { bumpUsersVersion } from './meta-repo';

function chunkId(accountId: string, seq: number): string {
	return `${accountId}:${String(seq).padStart(6, '0')}`;
}

function groupByAccount<T extends { accountId: string }>(items: readonly T[]): Map<string, T[]> {
	const byAccount = new Map<string, T[]>();
	for (const item of items) {
		let list = byAccount.get(item.accountId);
		if (!list) byAccount.set(item.accountId, (list = []));
		list.push(item);
	}
	return byAccount;
}

function toChunks(users: UserRecord[]): UserChunk[] {
	const chunks: UserChunk[] = [];
	for (const [accountId, list] of groupByAccount(users)) {
		for (let i = 0, seq = 0; i < list.length; i += USERS_PER_CHUNK, seq++) {
			chunks.push({ id: chunkId(accountId, seq), accountId, users: list.slice(i, i + USERS_PER_CHUNK) });
		}
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

/**
 * Stores users of one account, sorted, as that account's chunks, after clearUsersInTx. Must run inside a
 * transaction covering userChunks: a full download replaces the users account by account this way, so it
 * never holds more than one account's users at a time.
 */
export async function putAccountUsersInTx(users: UserRecord[], database: PortalDb = db()): Promise<void> {
	await database.userChunks.bulkPut(toChunks(users.sort(compareUsers)));
}

/** Must run inside a transaction covering userChunks; see putAccountUsersInTx. */
export async function clearUsersInTx(database: PortalDb = db()): Promise<void> {
	await database.userChunks.clear();
}

/** Reads all users at once; for the worker, where one long task blocks nobody. */
export async function loadAllUsers(database: PortalDb = db()): Promise<UserRecord[]> {
	return snapshotUsers(await loadUserSnapshot(database));
}

/**
 * The stored users exactly as they were at meta.usersVersion `version`, read in one transaction.
 * Apply hands it back to patchUsersInTx, which then skips re-reading (and deserialising) every chunk
 * when the version is still current (deserialising 100,000 users is a large share of Apply's cost).
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

/** What patchUsersInTx writes. */
export interface UsersUpdate {
	/** Changes to existing users, matched case-insensitively; several for one user apply in order. */
	patches: readonly UserPatch[];
	/** Users to insert. */
	added?: readonly UserRecord[];
	/** Users to take away (an add the portal rejected), matched case-insensitively. */
	removed?: readonly Pick<UserRecord, 'accountId' | 'username'>[];
	/**
	 * The stored users as the caller read them: while still current (same usersVersion, checked inside this
	 * transaction) the chunks come from it instead of the database. Never modified, only copied where they change.
	 */
	snapshot?: UserSnapshot;
}

/**
 * Applies patches to existing users and inserts new ones. Must run inside a transaction covering
 * userChunks and meta, so it commits with the caller's other writes.
 * Returns the keys of patches whose user was not found.
 */
export async function patchUsersInTx(update: UsersUpdate, database: PortalDb = db()): Promise<string[]> {
	const patchesByAccount = groupPatches(update.patches);
	const addedByAccount = groupByAccount(update.added ?? []);
	const removedByAccount = new Map<string, Set<string>>();
	for (const [accountId, list] of groupByAccount(update.removed ?? [])) {
		removedByAccount.set(accountId, new Set(list.map((u) => u.username.toLowerCase())));
	}
	const { snapshot } = update;
	// Dexie promises are awaited right here, never inside an async helper: an extra native await between
	// requests can let the transaction commit early.
	const current =
		snapshot && ((await database.meta.get('usersVersion'))?.value as number | undefined) === snapshot.version
			? chunksByAccount(snapshot.chunks)
			: undefined;
	const missing: string[] = [];
	const changed: UserChunk[] = [];
	for (const accountId of new Set([...patchesByAccount.keys(), ...addedByAccount.keys(), ...removedByAccount.keys()])) {
		const known = current ? [...(current.get(accountId) ?? [])] : undefined;
		const ids = known
			? known.map((c) => c.id)
			: ((await database.userChunks.where('accountId').equals(accountId).primaryKeys()) as string[]).sort();
		const chunks = new AccountChunks(accountId, ids, known);
		// From the database, one chunk per read and only until every patch found its user: on the page
		// (sync settling 500 changes) each read is its own short task instead of one read of 10,000 users.
		const pending = patchesByAccount.get(accountId) ?? new Map<string, UserPatch[]>();
		const removing = removedByAccount.get(accountId) ?? new Set<string>();
		for (let i = 0; i < ids.length && (pending.size || removing.size); i++) {
			if (!chunks.isLoaded(i)) chunks.load(i, await database.userChunks.get(ids[i]));
			chunks.patch(i, pending);
			chunks.remove(i, removing);
		}
		for (const list of pending.values()) missing.push(userKey(list[0].accountId, list[0].username));
		const added = addedByAccount.get(accountId);
		if (added) {
			const last = ids.length - 1;
			if (last >= 0 && !chunks.isLoaded(last)) chunks.load(last, await database.userChunks.get(ids[last]));
			chunks.append(added);
		}
		changed.push(...chunks.changed());
	}
	if (changed.length) {
		await database.userChunks.bulkPut(changed);
		await bumpUsersVersion(database);
	}
	return missing;
}

/** By account, then by lower-case username, in the order given. */
function groupPatches(patches: readonly UserPatch[]): Map<string, Map<string, UserPatch[]>> {
	const byAccount = new Map<string, Map<string, UserPatch[]>>();
	for (const patch of patches) {
		let map = byAccount.get(patch.accountId);
		if (!map) byAccount.set(patch.accountId, (map = new Map()));
		const key = patch.username.toLowerCase();
		const list = map.get(key);
		if (list) list.push(patch);
		else map.set(key, [patch]);
	}
	return byAccount;
}

/**
 * One account's chunks during a patch, in key order. The caller loads them (inside its transaction); a
 * chunk is copied before its first change, so stored and snapshot chunks are never modified.
 */
class AccountChunks {
	private readonly chunks: (UserChunk | undefined)[];
	private readonly owned = new Set<number>();

	constructor(
		private readonly accountId: string,
		private readonly ids: string[],
		known?: UserChunk[]
	) {
		this.chunks = known ?? new Array<UserChunk | undefined>(ids.length);
	}

	isLoaded(i: number): boolean {
		return this.chunks[i] !== undefined;
	}

	load(i: number, chunk: UserChunk | undefined): void {
		this.chunks[i] = chunk;
	}

	private loaded(i: number): UserChunk {
		const chunk = this.chunks[i];
		if (!chunk) throw new Error(`Users chunk ${this.ids[i]} disappeared during a write`);
		return chunk;
	}

	private own(i: number): UserChunk {
		if (!this.owned.has(i)) {
			const chunk = this.loaded(i);
			this.chunks[i] = { ...chunk, users: chunk.users.slice(), ...(chunk.portal ? { portal: new Map(chunk.portal) } : {}) };
			this.owned.add(i);
		}
		return this.chunks[i]!;
	}

	/** Applies the pending patches of the users chunk `i` holds, and takes them out of `pending`. */
	patch(i: number, pending: Map<string, UserPatch[]>): void {
		const source = this.loaded(i);
		const users = source.users;
		for (let j = 0; j < users.length; j++) {
			const key = users[j].username.toLowerCase();
			const list = pending.get(key);
			if (!list) continue;
			pending.delete(key);
			let user = users[j];
			let copy = source.portal?.get(key);
			for (const patch of list) ({ user, copy } = patchUser(user, copy, patch));
			const chunk = this.own(i);
			chunk.users[j] = user;
			if (copy) (chunk.portal ??= new Map()).set(key, copy);
			else chunk.portal?.delete(key);
		}
	}

	/** Takes the users chunk `i` holds whose lower-case username is in `removing` out of it, and out of `removing`. */
	remove(i: number, removing: Set<string>): void {
		if (removing.size === 0) return;
		const users = this.loaded(i).users;
		for (let j = users.length - 1; j >= 0; j--) {
			const key = users[j].username.toLowerCase();
			if (!removing.has(key)) continue;
			removing.delete(key);
			const chunk = this.own(i);
			chunk.users.splice(j, 1);
			chunk.portal?.delete(key);
		}
	}

	/** Appends users to the last chunk (which must be loaded), starting a new chunk whenever one is full. */
	append(users: readonly UserRecord[]): void {
		for (const user of users) {
			const last = this.ids.length - 1;
			if (last < 0 || this.loaded(last).users.length >= USERS_PER_CHUNK) {
				const seq = last < 0 ? 0 : Number(this.ids[last].split(':')[1]) + 1;
				this.ids.push(chunkId(this.accountId, seq));
				this.chunks.push({ id: this.ids[this.ids.length - 1], accountId: this.accountId, users: [] });
				this.owned.add(this.ids.length - 1);
			}
			this.own(this.ids.length - 1).users.push(user);
		}
	}

	/** The chunks that changed, in key order, ready to write. */
	changed(): UserChunk[] {
		return [...this.owned]
			.sort((a, b) => a - b)
			.map((i) => {
				const chunk = this.chunks[i]!;
				if (chunk.portal?.size === 0) delete chunk.portal;
				return chunk;
			});
	}
}

function chunksByAccount(chunks: readonly UserChunk[]): Map<string, UserChunk[]> {
	const map = groupByAccount(chunks);
	// Key order, as the database would return them.
	for (const list of map.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return map;
}

export async function patchUsers(patches: UserPatch[], added: UserRecord[] = [], database: PortalDb = db()): Promise<string[]> {
	return guarded(() => database.transaction('rw', database.userChunks, database.meta, () => patchUsersInTx({ patches, added }, database)));
}
