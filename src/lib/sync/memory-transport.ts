// The test variant of PortalTransport: an in-memory portal with the sync contract's semantics
// (per-client last applied id, replay of stored results, gap refusal, field-level conflicts, email
// uniqueness) and switches to fail the next requests or drop an answer after applying. The real rules
// live in server/.
import type { Institution, UserRecord } from '../domain/types';
import { userKey } from '../domain/types';
import { PROTOCOL_VERSION, type MutationResult, type PullResponse, type PushRequest, type PushResponse, type SessionInfo } from './protocol';
import { TransportError, type PortalTransport } from './transport';

export class MemoryPortal implements PortalTransport {
	users = new Map<string, UserRecord>();
	rev = 0;
	lastApplied = new Map<string, number>();
	results = new Map<string, MutationResult>();
	appliedCount = 0;
	pushes = 0;
	/** Fail this many next requests with this error kind. */
	failNext: { count: number; kind: 'offline' | 'server' | 'unauthenticated' } = { count: 0, kind: 'server' };
	/** Apply the next push, then throw as if the connection dropped before the answer. */
	dropAfterApply = 0;

	constructor(
		readonly institutionList: Institution[],
		users: Omit<UserRecord, 'rev'>[],
		readonly info: SessionInfo = { protocolVersion: PROTOCOL_VERSION, admin: { username: 'admin' }, parent: { accountId: '100', name: 'Springfield Public Schools' }, roles: ['Student', 'Teacher'] }
	) {
		for (const user of users) this.users.set(userKey(user.accountId, user.username), { ...user, rev: ++this.rev });
	}

	private gate(): void {
		if (this.failNext.count > 0) {
			this.failNext.count--;
			const kind = this.failNext.kind;
			throw new TransportError(kind, `injected ${kind}`, kind === 'server' ? 503 : kind === 'unauthenticated' ? 401 : 0);
		}
	}

	async signIn(): Promise<SessionInfo> {
		this.gate();
		return this.info;
	}
	async session(): Promise<SessionInfo | null> {
		this.gate();
		return this.info;
	}
	async signOut(): Promise<void> {}
	async institutions(): Promise<Institution[]> {
		this.gate();
		return this.institutionList;
	}

	async pull(cursor: string, limit: number): Promise<PullResponse> {
		this.gate();
		const since = Number(cursor);
		const changed = [...this.users.values()].filter((u) => u.rev > since).sort((a, b) => a.rev - b.rev);
		const page = changed.slice(0, limit);
		return { protocolVersion: PROTOCOL_VERSION, users: page, cursor: String(page.at(-1)?.rev ?? since), hasMore: changed.length > limit, total: this.users.size };
	}

	async push(request: PushRequest): Promise<PushResponse> {
		this.gate();
		this.pushes++;
		const client = request.clientId;
		let last = this.lastApplied.get(client) ?? 0;
		if (request.mutations[0].id > last + 1) throw new TransportError('gap', 'gap', 409, { expectedId: last + 1 });
		const results: MutationResult[] = [];
		for (const m of request.mutations) {
			const key = `${client}:${m.id}`;
			if (m.id <= last) {
				results.push(this.results.get(key)!);
				continue;
			}
			const user = this.users.get(userKey(m.accountId, m.username));
			let result: MutationResult;
			if (!user) result = { id: m.id, status: 'rejected', code: 'not_found', reason: `User ${m.username} not found in account ${m.accountId}` };
			else {
				// As on the server: agreeing with someone else's edit is not a conflict.
				const conflicts = (['name', 'email', 'role'] as const).filter((f) => m.changes[f] !== undefined && m.base[f] !== undefined && m.base[f] !== user[f] && m.changes[f] !== user[f]);
				const email = m.changes.email;
				const taken =
					email !== undefined &&
					email.toLowerCase() !== user.email.toLowerCase() &&
					[...this.users.values()].some((u) => u.email.toLowerCase() === email.toLowerCase() && userKey(u.accountId, u.username) !== userKey(user.accountId, user.username));
				if (conflicts.length) {
					const label = { name: 'Name', email: 'Email', role: 'Role' };
					result = { id: m.id, status: 'rejected', code: 'conflict', reason: `${conflicts.map((f) => label[f]).join(', ')} was changed by someone else since this file was checked` };
				} else if (taken) {
					result = { id: m.id, status: 'rejected', code: 'validation', reason: `Email "${email}" is already used by another user` };
				} else {
					const { password: _password, ...visible } = m.changes;
					const next = { ...user, ...visible, rev: ++this.rev };
					this.users.set(userKey(m.accountId, m.username), next);
					this.appliedCount++;
					result = { id: m.id, status: 'applied', user: next };
				}
			}
			this.results.set(key, result);
			results.push(result);
			last = m.id;
		}
		this.lastApplied.set(client, last);
		if (this.dropAfterApply > 0) {
			this.dropAfterApply--;
			throw new TransportError('offline', 'connection dropped');
		}
		return { protocolVersion: PROTOCOL_VERSION, results, lastAppliedId: last };
	}

	/** Someone else edits a user on the server. */
	edit(accountId: string, username: string, changes: Partial<Pick<UserRecord, 'name' | 'email' | 'role'>>): void {
		const key = userKey(accountId, username);
		this.users.set(key, { ...this.users.get(key)!, ...changes, rev: ++this.rev });
	}
}
