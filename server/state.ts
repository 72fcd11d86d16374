// The portal's data in memory: accounts, admins, users with their change sequence, and each client's
// exactly-once record; plus the indexes that keep pulls and email checks cheap at 100,000+ users.
// Persistence (snapshot + journal) lives in store.ts; this module only knows how to (de)serialise itself.
import type { Dataset } from '../src/lib/domain/dataset';
import type { Institution, Parent, UserRecord } from '../src/lib/domain/types';
import { userKey } from '../src/lib/domain/types';
import type { MutationResult } from '../src/lib/sync/protocol';
import { HistoryDraft, isEmptyDelta, UploadHistoryBook, type HistoryDelta, type SerializedHistory } from '../src/lib/sync/upload-history';
import { ADMIN_PASSWORD_COST, USER_PASSWORD_COST, hashPassword, type ScryptCost } from './passwords';

export interface StoredUser extends UserRecord {
	/** scrypt hash string, or null when the user has never had a password set through the portal. */
	passwordHash: string | null;
	/** How many mutations were applied to this user (test hook for exactly-once checks). */
	appliedCount: number;
}

export interface AdminRecord {
	username: string;
	parentAccountId: string;
	passwordHash: string;
}

export interface ClientRecord {
	lastAppliedId: number;
	/** Results by mutation id, oldest first (Map keeps insertion order, which is id order). */
	results: Map<number, MutationResult>;
}

/** Stored results kept per client; a replay older than this gets the user's current state instead. */
export const RESULT_RETENTION = 20_000;

/** A user on disk: a tuple, because 150,000 repeated key names would double the snapshot size. */
export type UserTuple = [
	accountId: string,
	username: string,
	name: string,
	email: string,
	role: string,
	rev: number,
	passwordHash: string | null,
	appliedCount: number
];

/** One durable change: absolute values only, so replaying a record twice gives the same state. */
export interface CommitRecord {
	seq: number;
	applied: number;
	users: UserTuple[];
	client?: { key: string; lastAppliedId: number; results: MutationResult[] };
	/** What the push added to the upload history (answers kept for records, record parts, undone marks). */
	history?: HistoryDelta;
}

export interface Snapshot {
	format: 'portal-state';
	version: 1;
	/** Which journal belongs to this snapshot; a journal of another generation is already folded in. */
	generation: number;
	datasetFingerprint: string;
	seq: number;
	applied: number;
	parents: Parent[];
	institutions: Institution[];
	roles: string[];
	admins: AdminRecord[];
	users: UserTuple[];
	clients: { key: string; lastAppliedId: number; results: MutationResult[] }[];
	/** Absent in snapshots written before the portal kept an upload history. */
	history?: SerializedHistory;
}

export interface PullPage {
	users: StoredUser[];
	hasMore: boolean;
}

export interface SeedCosts {
	user: ScryptCost;
	admin: ScryptCost;
}

export const DEFAULT_SEED_COSTS: SeedCosts = { user: USER_PASSWORD_COST, admin: ADMIN_PASSWORD_COST };

// Per parent: every (rev, user) ever written, in rev order. An update appends a new entry and leaves the
// old one stale (its rev no longer matches the user's), so a pull is a binary search plus a forward scan.
interface RevIndex {
	entries: { rev: number; key: string }[];
	stale: number;
	userCount: number;
}

export class PortalState {
	readonly parents = new Map<string, Parent>();
	readonly institutions = new Map<string, Institution>();
	readonly roles: string[];
	readonly admins = new Map<string, AdminRecord>();
	readonly users = new Map<string, StoredUser>();
	readonly clients = new Map<string, ClientRecord>();
	history = new UploadHistoryBook();
	seq = 0;
	appliedMutationCount = 0;

	private readonly revIndex = new Map<string, RevIndex>();
	// parent + lower-case email → users holding it; a Set because a seeded dataset may already contain duplicates.
	private readonly emailIndex = new Map<string, Set<string>>();

	private constructor(
		parents: Parent[],
		institutions: Institution[],
		roles: string[],
		admins: AdminRecord[],
		readonly datasetFingerprint: string
	) {
		for (const p of parents) {
			this.parents.set(p.accountId, { accountId: p.accountId, name: p.name });
			this.revIndex.set(p.accountId, { entries: [], stale: 0, userCount: 0 });
		}
		for (const i of institutions) this.institutions.set(i.accountId, { ...i, googleDomains: i.googleDomains.map((d) => d.toLowerCase()) });
		this.roles = [...roles];
		for (const a of admins) this.admins.set(a.username.toLowerCase(), a);
	}

	/** A fresh state from a dataset: users get revs after `firstRev` in file order; dataset passwords are hashed. */
	static async fromDataset(dataset: Dataset, fingerprint: string, costs: SeedCosts, firstRev = 0): Promise<PortalState> {
		const admins = await Promise.all(
			dataset.admins.map(async (a) => ({
				username: a.username,
				parentAccountId: a.parentAccountId,
				passwordHash: await hashPassword(a.password, costs.admin)
			}))
		);
		const state = new PortalState(dataset.parents, dataset.institutions, dataset.roles, admins, fingerprint);
		const hashes = await Promise.all(dataset.users.map((u) => (u.password ? hashPassword(u.password, costs.user) : null)));
		state.seq = firstRev;
		dataset.users.forEach((u, i) => {
			state.putUser({
				accountId: u.accountId,
				username: u.username,
				name: u.name,
				email: u.email,
				role: u.role,
				rev: ++state.seq,
				passwordHash: hashes[i],
				appliedCount: 0
			});
		});
		return state;
	}

	static fromSnapshot(s: Snapshot): PortalState {
		if (s.format !== 'portal-state' || s.version !== 1) throw new Error('not a portal state snapshot (format/version mismatch)');
		const state = new PortalState(s.parents, s.institutions, s.roles, s.admins, s.datasetFingerprint);
		// Users are re-inserted in rev order so the rev index comes out sorted.
		const users = [...s.users].sort((a, b) => a[5] - b[5]);
		for (const t of users) state.putUser(fromTuple(t));
		state.seq = s.seq;
		state.appliedMutationCount = s.applied;
		for (const c of s.clients) {
			state.clients.set(c.key, { lastAppliedId: c.lastAppliedId, results: new Map(c.results.map((r) => [r.id, r])) });
		}
		state.history = UploadHistoryBook.fromJSON(s.history);
		return state;
	}

	toSnapshot(generation: number): Snapshot {
		return {
			format: 'portal-state',
			version: 1,
			generation,
			datasetFingerprint: this.datasetFingerprint,
			seq: this.seq,
			applied: this.appliedMutationCount,
			parents: [...this.parents.values()],
			institutions: [...this.institutions.values()],
			roles: this.roles,
			admins: [...this.admins.values()],
			users: [...this.users.values()].map(toTuple),
			clients: [...this.clients].map(([key, c]) => ({ key, lastAppliedId: c.lastAppliedId, results: [...c.results.values()] })),
			history: this.history.toJSON()
		};
	}

	applyRecord(record: CommitRecord): void {
		// The rev index takes revs only in order, and a record lists users in the order its push first
		// touched them, which is not rev order when the push comes back to a user.
		const users = record.users.length > 1 ? [...record.users].sort((a, b) => a[5] - b[5]) : record.users;
		for (const t of users) {
			// Every applied change gets a new rev, so an equal or newer rev means this version is already here.
			const current = this.users.get(userKey(t[0], t[1]));
			if (!current || current.rev < t[5]) this.putUser(fromTuple(t));
		}
		this.seq = Math.max(this.seq, record.seq);
		this.appliedMutationCount = Math.max(this.appliedMutationCount, record.applied);
		if (record.client) {
			const client = this.client(record.client.key);
			for (const r of record.client.results) client.results.set(r.id, r);
			this.setLastApplied(client, record.client.lastAppliedId);
		}
		if (record.history) this.history.apply(record.history);
	}

	// ---- reads -----------------------------------------------------------------------------------

	findAdmin(username: string): AdminRecord | undefined {
		return this.admins.get(username.toLowerCase());
	}

	institutionsOf(parentAccountId: string): Institution[] {
		return [...this.institutions.values()].filter((i) => i.parentAccountId === parentAccountId);
	}

	/** The institution, but only when it is a child of `parentAccountId`: the one scoping check. */
	childInstitution(parentAccountId: string, accountId: string): Institution | undefined {
		const inst = this.institutions.get(accountId);
		return inst && inst.parentAccountId === parentAccountId ? inst : undefined;
	}

	getUser(accountId: string, username: string): StoredUser | undefined {
		return this.users.get(userKey(accountId, username));
	}

	userCount(parentAccountId: string): number {
		return this.revIndex.get(parentAccountId)?.userCount ?? 0;
	}

	/** Users of the parent's institutions with rev > cursor, in rev order, at most `limit`. */
	pull(parentAccountId: string, cursor: number, limit: number): PullPage {
		const index = this.revIndex.get(parentAccountId);
		if (!index) return { users: [], hasMore: false };
		const { entries } = index;
		let lo = 0;
		let hi = entries.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (entries[mid].rev <= cursor) lo = mid + 1;
			else hi = mid;
		}
		const users: StoredUser[] = [];
		for (let i = lo; i < entries.length; i++) {
			const user = this.users.get(entries[i].key);
			if (!user || user.rev !== entries[i].rev) continue;
			if (users.length === limit) return { users, hasMore: true };
			users.push(user);
		}
		return { users, hasMore: false };
	}

	/**
	 * Whether another user of the same parent already has this email (case-insensitive). `superseded`
	 * names users whose stored version does not count, because a draft holds a newer one.
	 */
	emailTakenByOther(parentAccountId: string, email: string, key: string, superseded: (key: string) => boolean = () => false): boolean {
		if (email === '') return false;
		const holders = this.emailIndex.get(emailKey(parentAccountId, email));
		if (!holders) return false;
		for (const holder of holders) if (holder !== key && !superseded(holder)) return true;
		return false;
	}

	client(key: string): ClientRecord {
		let client = this.clients.get(key);
		if (!client) {
			client = { lastAppliedId: 0, results: new Map() };
			this.clients.set(key, client);
		}
		return client;
	}

	// ---- writes ----------------------------------------------------------------------------------

	/** Inserts or replaces a user (the object is replaced, never mutated, so old pull pages stay consistent). */
	putUser(user: StoredUser): void {
		const parent = this.institutions.get(user.accountId)?.parentAccountId;
		if (parent === undefined) throw new Error(`user ${user.username} belongs to unknown institution ${user.accountId}`);
		const key = userKey(user.accountId, user.username);
		const index = this.revIndex.get(parent);
		if (!index) throw new Error(`institution ${user.accountId} belongs to unknown parent ${parent}`);
		const previous = this.users.get(key);
		if (previous) {
			this.unindexEmail(parent, previous.email, key);
			if (previous.rev !== user.rev) index.stale++;
		} else index.userCount++;
		this.users.set(key, user);
		this.indexEmail(parent, user.email, key);
		if (previous?.rev !== user.rev) {
			const last = index.entries[index.entries.length - 1];
			if (last && last.rev >= user.rev) throw new Error(`rev ${user.rev} is not after ${last.rev}; revs must only grow`);
			index.entries.push({ rev: user.rev, key });
		}
		if (index.stale > 1000 && index.stale > index.entries.length / 2) this.compactIndex(index);
	}

	setLastApplied(client: ClientRecord, lastAppliedId: number): void {
		client.lastAppliedId = Math.max(client.lastAppliedId, lastAppliedId);
		const oldest = client.lastAppliedId - RESULT_RETENTION;
		for (const id of client.results.keys()) {
			if (id > oldest) break;
			client.results.delete(id);
		}
	}

	private compactIndex(index: RevIndex): void {
		index.entries = index.entries.filter((e) => this.users.get(e.key)?.rev === e.rev);
		index.stale = 0;
	}

	private indexEmail(parent: string, email: string, key: string): void {
		if (email === '') return;
		const k = emailKey(parent, email);
		let holders = this.emailIndex.get(k);
		if (!holders) this.emailIndex.set(k, (holders = new Set()));
		holders.add(key);
	}

	private unindexEmail(parent: string, email: string, key: string): void {
		if (email === '') return;
		const k = emailKey(parent, email);
		const holders = this.emailIndex.get(k);
		holders?.delete(key);
		if (holders?.size === 0) this.emailIndex.delete(k);
	}
}

/**
 * Changes worked out on top of the state without touching it: reads see the draft's own writes, and
 * the state (so every pull) sees none of them until the record from `toRecord` is durable and applied.
 * A write that fails therefore leaves nothing behind, not even an advanced rev counter.
 */
export class StateDraft {
	seq: number;
	appliedMutationCount: number;
	readonly history: HistoryDraft;
	private readonly changed = new Map<string, StoredUser>();
	// Same keys as the state's email index, for the draft's users only.
	private readonly emails = new Map<string, Set<string>>();

	constructor(
		readonly base: PortalState,
		now = Date.now()
	) {
		this.seq = base.seq;
		this.appliedMutationCount = base.appliedMutationCount;
		this.history = new HistoryDraft(base.history, now);
	}

	getUser(accountId: string, username: string): StoredUser | undefined {
		const key = userKey(accountId, username);
		return this.changed.get(key) ?? this.base.users.get(key);
	}

	putUser(user: StoredUser): void {
		const parent = this.base.institutions.get(user.accountId)?.parentAccountId;
		if (parent === undefined) throw new Error(`user ${user.username} belongs to unknown institution ${user.accountId}`);
		const key = userKey(user.accountId, user.username);
		const previous = this.changed.get(key);
		if (previous && previous.email !== '') this.emails.get(emailKey(parent, previous.email))?.delete(key);
		this.changed.set(key, user);
		if (user.email === '') return;
		const k = emailKey(parent, user.email);
		let holders = this.emails.get(k);
		if (!holders) this.emails.set(k, (holders = new Set()));
		holders.add(key);
	}

	emailTakenByOther(parentAccountId: string, email: string, key: string): boolean {
		if (email === '') return false;
		for (const holder of this.emails.get(emailKey(parentAccountId, email)) ?? []) if (holder !== key) return true;
		return this.base.emailTakenByOther(parentAccountId, email, key, (holder) => this.changed.has(holder));
	}

	toRecord(client?: CommitRecord['client']): CommitRecord {
		return {
			seq: this.seq,
			applied: this.appliedMutationCount,
			users: [...this.changed.values()].map(toTuple),
			...(client ? { client } : {}),
			...(isEmptyDelta(this.history.delta) ? {} : { history: this.history.delta })
		};
	}
}

function emailKey(parent: string, email: string): string {
	return `${parent}\u0000${email.toLowerCase()}`;
}

export function toTuple(u: StoredUser): UserTuple {
	return [u.accountId, u.username, u.name, u.email, u.role, u.rev, u.passwordHash, u.appliedCount];
}

export function fromTuple(t: UserTuple): StoredUser {
	const [accountId, username, name, email, role, rev, passwordHash, appliedCount] = t;
	return { accountId, username, name, email, role, rev, passwordHash, appliedCount };
}

/** The user as the protocol shows it: no password material, ever. */
export function toWire(u: StoredUser): UserRecord {
	return { accountId: u.accountId, username: u.username, name: u.name, email: u.email, role: u.role, rev: u.rev };
}
