// The portal the app's unit tests sync against, held in memory: it passes the same contract suite as
// the reference server (portal-contract.ts) because it decides with the server's own pure rules
// (src/lib/sync/portal-rules.ts); only storage differs. Switches let tests fail the next requests or
// lose an answer after the push was applied. Passwords are kept as given: nothing here leaves the test.
import type { Dataset } from '../domain/dataset';
import { canonicalRole, unknownRoleMessage } from '../domain/field-rules';
import { DEFAULT_LARGE_CHANGE, type LargeChangeThreshold } from '../domain/large-change';
import { userKey, type Institution, type Parent, type UserRecord, type VisibleField } from '../domain/types';
import {
	answerPush,
	clientKey,
	decideUserMutation,
	nonConsecutiveIds,
	parseRequest,
	passwordOf,
	protocolVersionProblem,
	pullResponse,
	pullWindow,
	pushGap,
	recordedResult,
	refusedRecord,
	rejectedResult,
	SESSION_MESSAGES,
	type PortalView
} from '../sync/portal-rules';
import {
	DEFAULT_HISTORY_DAYS,
	HistoryDraft,
	uploadNotFound,
	uploadRowsWindow,
	uploadsWindow,
	UploadHistoryBook,
	type HistoryScope
} from '../sync/upload-history';
import {
	PROTOCOL_VERSION,
	pushRequestSchema,
	signInRequestSchema,
	type MutationResult,
	type PullResponse,
	type PushRequest,
	type PushResponse,
	type SessionInfo,
	type SignInRequest,
	type UploadRowsResponse,
	type UploadsResponse,
	type UserCreate,
	type UserUpdate
} from '../sync/protocol';
import { TransportError, type PortalTransport } from '../sync/transport';

type Admin = Dataset['admins'][number];

const SPRINGFIELD: SessionInfo = {
	protocolVersion: PROTOCOL_VERSION,
	admin: { username: 'admin' },
	parent: { accountId: '100', name: 'Springfield Public Schools' },
	roles: ['Student', 'Teacher']
};

/** The password of the admin a one-parent portal starts signed in as. */
export const MEMORY_ADMIN_PASSWORD = 'memory-portal-admin';

function oneParentDataset(institutions: Institution[], users: Omit<UserRecord, 'rev'>[], info: SessionInfo): Dataset {
	return {
		parents: [info.parent],
		institutions,
		roles: info.roles,
		users,
		admins: [{ username: info.admin.username, password: MEMORY_ADMIN_PASSWORD, parentAccountId: info.parent.accountId }]
	};
}

function rejected(status: number, message: string): TransportError {
	return new TransportError('rejected', message, status);
}

export class MemoryPortal implements PortalTransport {
	/** By userKey. Records are replaced on change, never mutated. */
	users = new Map<string, UserRecord>();
	/** The highest rev handed out. */
	rev = 0;
	/** The last applied mutation id by clientKey. */
	lastApplied = new Map<string, number>();
	/** Every push answer, by clientKey and mutation id. */
	results = new Map<string, MutationResult>();
	appliedCount = 0;
	pushes = 0;
	/** Fail this many next requests with this error kind. */
	failNext: { count: number; kind: 'offline' | 'server' | 'unauthenticated' } = { count: 0, kind: 'server' };
	/** Apply the next push, then throw as if the connection dropped before the answer. */
	dropAfterApply = 0;
	readonly history = new UploadHistoryBook();
	/** The clock the history's expiry reads; tests move it. */
	now: () => number = Date.now;
	historyDays = DEFAULT_HISTORY_DAYS;
	largeChange: LargeChangeThreshold = { ...DEFAULT_LARGE_CHANGE };

	private readonly parents = new Map<string, Parent>();
	private readonly institutionsById = new Map<string, Institution>();
	private readonly roles: readonly string[];
	/** By lower-case username, as sign-in matches them. */
	private readonly admins = new Map<string, Admin>();
	private readonly passwords = new Map<string, string>();
	private signedIn: Admin | null = null;
	private readonly view: PortalView<UserRecord>;

	/** A portal holding `dataset`, signed out. */
	constructor(dataset: Dataset);
	/** One parent's portal, signed in as `info.admin` (password MEMORY_ADMIN_PASSWORD). */
	constructor(institutions: Institution[], users: Omit<UserRecord, 'rev'>[], info?: SessionInfo);
	constructor(source: Dataset | Institution[], users: Omit<UserRecord, 'rev'>[] = [], info: SessionInfo = SPRINGFIELD) {
		const dataset = Array.isArray(source) ? oneParentDataset(source, users, info) : source;
		for (const parent of dataset.parents) this.parents.set(parent.accountId, { accountId: parent.accountId, name: parent.name });
		// Compared with an email's domain, which is lower-cased; the server stores them this way too.
		for (const i of dataset.institutions) {
			this.institutionsById.set(i.accountId, { ...i, googleDomains: i.googleDomains.map((d) => d.toLowerCase()) });
		}
		this.roles = [...dataset.roles];
		for (const admin of dataset.admins) this.admins.set(admin.username.toLowerCase(), admin);
		for (const u of dataset.users) {
			const key = userKey(u.accountId, u.username);
			this.users.set(key, { accountId: u.accountId, username: u.username, name: u.name, email: u.email, role: u.role, rev: ++this.rev });
			if (u.password !== undefined) this.passwords.set(key, u.password);
		}
		if (Array.isArray(source)) this.signedIn = this.admins.get(info.admin.username.toLowerCase()) ?? null;
		this.view = {
			roles: this.roles,
			childInstitution: (parentAccountId, accountId) => this.childInstitution(parentAccountId, accountId),
			user: (accountId, username) => this.users.get(userKey(accountId, username)),
			emailTakenByOther: (parentAccountId, email, key) => this.emailTakenByOther(parentAccountId, email, key)
		};
	}

	private gate(): void {
		if (this.failNext.count > 0) {
			this.failNext.count--;
			const kind = this.failNext.kind;
			throw new TransportError(kind, `injected ${kind}`, kind === 'server' ? 503 : kind === 'unauthenticated' ? 401 : 0);
		}
	}

	private requireParent(): { admin: Admin; parent: Parent } {
		const admin = this.signedIn;
		const parent = admin && this.parents.get(admin.parentAccountId);
		if (!admin || !parent) throw new TransportError('unauthenticated', SESSION_MESSAGES.unauthenticated, 401);
		return { admin, parent };
	}

	private sessionInfo(admin: Admin, parent: Parent): SessionInfo {
		return {
			protocolVersion: PROTOCOL_VERSION,
			admin: { username: admin.username },
			parent: { ...parent },
			roles: [...this.roles],
			largeChange: { ...this.largeChange }
		};
	}

	private childInstitution(parentAccountId: string, accountId: string): Institution | undefined {
		const institution = this.institutionsById.get(accountId);
		return institution?.parentAccountId === parentAccountId ? institution : undefined;
	}

	private usersOf(parentAccountId: string): UserRecord[] {
		return [...this.users.values()].filter((u) => this.institutionsById.get(u.accountId)?.parentAccountId === parentAccountId);
	}

	private emailTakenByOther(parentAccountId: string, email: string, key: string): boolean {
		if (email === '') return false;
		const wanted = email.toLowerCase();
		return this.usersOf(parentAccountId).some((u) => u.email.toLowerCase() === wanted && userKey(u.accountId, u.username) !== key);
	}

	async signIn(request: SignInRequest): Promise<SessionInfo> {
		this.gate();
		const parsed = parseRequest(signInRequestSchema, request);
		if (!parsed.ok) throw rejected(400, parsed.message);
		const admin = this.admins.get(parsed.value.username.toLowerCase());
		const parent = admin && this.parents.get(admin.parentAccountId);
		if (!admin || !parent || admin.password !== parsed.value.password) {
			throw new TransportError('unauthenticated', SESSION_MESSAGES.wrongCredentials, 401);
		}
		this.signedIn = admin;
		return this.sessionInfo(admin, parent);
	}

	async session(): Promise<SessionInfo | null> {
		this.gate();
		if (!this.signedIn) return null;
		const { admin, parent } = this.requireParent();
		return this.sessionInfo(admin, parent);
	}

	async signOut(): Promise<void> {
		this.gate();
		this.signedIn = null;
	}

	async institutions(): Promise<Institution[]> {
		this.gate();
		const { parent } = this.requireParent();
		return [...this.institutionsById.values()]
			.filter((i) => i.parentAccountId === parent.accountId)
			.map((i) => ({ ...i, googleDomains: [...i.googleDomains] }));
	}

	async pull(cursor: string, limit: number): Promise<PullResponse> {
		this.gate();
		const { parent } = this.requireParent();
		const wanted = pullWindow(cursor, String(limit), this.rev);
		if (!wanted.ok) throw rejected(400, wanted.message);
		const visible = this.usersOf(parent.accountId);
		const changed = visible.filter((u) => u.rev > wanted.value.from).sort((a, b) => a.rev - b.rev);
		const page = changed.slice(0, wanted.value.limit).map((u) => ({ ...u }));
		return pullResponse(page, wanted.value, changed.length > page.length, visible.length);
	}

	async push(request: PushRequest): Promise<PushResponse> {
		this.gate();
		this.pushes++;
		const { admin, parent } = this.requireParent();
		const versionProblem = protocolVersionProblem(request);
		if (versionProblem) throw rejected(426, versionProblem);
		const parsed = parseRequest(pushRequestSchema, request);
		if (!parsed.ok) throw rejected(400, parsed.message);
		const { clientId, mutations } = parsed.value;
		const idsProblem = nonConsecutiveIds(mutations);
		if (idsProblem) throw rejected(400, idsProblem);

		const client = clientKey(admin.username, clientId);
		const last = this.lastApplied.get(client) ?? 0;
		const gap = pushGap(parsed.value, last);
		if (gap) throw new TransportError('gap', gap.message, 409, { expectedId: gap.expectedId });
		const draft = new HistoryDraft(this.history, this.now());
		const scope: HistoryScope = { adminUsername: admin.username, parentAccountId: parent.accountId, clientKey: client };
		const { results, fresh } = await answerPush(
			mutations,
			last,
			(m) => this.results.get(`${client}:${m.id}`)!,
			(m) => {
				if (m.kind !== 'upload.record') return this.apply(parent, scope, draft, m);
				const added = draft.addPart(scope, m);
				return added.ok ? recordedResult(m) : refusedRecord(m, added.message);
			}
		);
		this.history.apply(draft.delta);
		for (const result of fresh) this.results.set(`${client}:${result.id}`, result);
		const lastAppliedId = fresh.at(-1)?.id ?? last;
		this.lastApplied.set(client, lastAppliedId);

		if (this.dropAfterApply > 0) {
			this.dropAfterApply--;
			throw new TransportError('offline', 'connection dropped');
		}
		return { protocolVersion: PROTOCOL_VERSION, results, lastAppliedId };
	}

	private apply(parent: Parent, scope: HistoryScope, draft: HistoryDraft, m: UserUpdate | UserCreate): MutationResult {
		const decision = decideUserMutation(this.view, parent, m);
		draft.noteOutcome(scope, m, decision.outcome);
		if (decision.status === 'rejected') return rejectedResult(m, decision);
		// A new rev even when nothing visible changes, as on the server: a rev names one version of a user.
		const next: UserRecord = { ...decision.next, rev: ++this.rev };
		const key = userKey(next.accountId, next.username);
		this.users.set(key, next);
		if (decision.setsPassword) this.passwords.set(key, passwordOf(m)!);
		this.appliedCount++;
		return { id: m.id, status: 'applied', user: { ...next } };
	}

	async uploads(before: string | null, limit: number): Promise<UploadsResponse> {
		this.gate();
		const { parent } = this.requireParent();
		const wanted = uploadsWindow(before, String(limit));
		if (!wanted.ok) throw rejected(400, wanted.message);
		const page = this.history.list(parent.accountId, wanted.value.before, wanted.value.limit, this.now(), this.historyDays);
		return structuredClone({ protocolVersion: PROTOCOL_VERSION, ...page });
	}

	async uploadRows(id: string, offset: number, limit: number): Promise<UploadRowsResponse> {
		this.gate();
		const { parent } = this.requireParent();
		const wanted = uploadRowsWindow(String(offset), String(limit));
		if (!wanted.ok) throw rejected(400, wanted.message);
		const found = this.history.rows(parent.accountId, id, wanted.value.offset, wanted.value.limit, this.now(), this.historyDays);
		if (!found) throw rejected(404, uploadNotFound(id));
		return structuredClone({ protocolVersion: PROTOCOL_VERSION, ...found });
	}

	// ---- test hooks ------------------------------------------------------------------------------

	/** Someone else edits a user on the portal with another tool: no field rules, but a known role and a new rev. */
	edit(accountId: string, username: string, changes: Partial<Pick<UserRecord, VisibleField>>): void {
		const key = userKey(accountId, username);
		const current = this.users.get(key);
		if (!current) throw new Error(`User ${username} not found in account ${accountId}`);
		const next: UserRecord = { ...current, ...changes, rev: ++this.rev };
		if (changes.role !== undefined) {
			const role = canonicalRole(changes.role, this.roles);
			if (role === null) throw new Error(unknownRoleMessage(changes.role, this.roles));
			next.role = role;
		}
		this.users.set(key, next);
	}

	/** Someone else adds a user on the portal with another tool (a username this device has not seen yet). */
	add(user: Omit<UserRecord, 'rev'>): void {
		const key = userKey(user.accountId, user.username);
		if (this.users.has(key)) throw new Error(`Username ${user.username} is already taken in account ${user.accountId}`);
		this.users.set(key, { ...user, rev: ++this.rev });
	}

	/** The user as the portal holds it, or undefined. */
	user(accountId: string, username: string): UserRecord | undefined {
		const user = this.users.get(userKey(accountId, username));
		return user && { ...user };
	}

	passwordMatches(accountId: string, username: string, password: string): boolean {
		return this.passwords.get(userKey(accountId, username)) === password;
	}
}
