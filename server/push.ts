// Applying a push: exactly-once bookkeeping per client (replays, gaps) and the server-side re-validation
// of each user update — scope, existence, field rules, conflicts against the client's base, email
// uniqueness — producing the same reasons the client's preflight gives.
import {
	canonicalRole,
	checkEmailFormat,
	checkGoogleDomain,
	checkName,
	checkNotForeignAccount,
	checkPassword,
	quote,
	unknownRoleMessage
} from '../src/lib/domain/field-rules';
import { FIELD_LABELS, userKey, type Parent, type VisibleField } from '../src/lib/domain/types';
import type { Mutation, MutationResult, PushRequest } from '../src/lib/sync/protocol';
import { HttpError } from './http';
import { hashPassword, type ScryptCost } from './passwords';
import { StateDraft, toWire, type CommitRecord, type PortalState, type StoredUser } from './state';

export interface PushScope {
	adminUsername: string;
	parent: Parent;
}

/**
 * Mutation ids are per client *and admin*: keyed this way, one admin can never read another admin's stored
 * results by replaying ids, and two admins sharing a browser profile cannot collide.
 */
export function clientKey(adminUsername: string, clientId: string): string {
	return `${adminUsername.toLowerCase()}\u0000${clientId}`;
}

/** Checks what can be checked without state: the idempotency key and that ids are contiguous. */
export function checkPushShape(request: PushRequest, idempotencyKey: string | undefined): void {
	const first = request.mutations[0].id;
	const expectedKey = `${request.clientId}:${first}`;
	if (idempotencyKey === undefined) throw new HttpError(400, 'bad_request', `The Idempotency-Key header is required (expected "${expectedKey}")`);
	if (idempotencyKey !== expectedKey) throw new HttpError(400, 'bad_request', `The Idempotency-Key header must be "${expectedKey}"`);
	request.mutations.forEach((m, i) => {
		if (m.id !== first + i) throw new HttpError(400, 'bad_request', `Mutation ids in a push must be consecutive; mutations.${i}.id is ${m.id}, expected ${first + i}`);
	});
}

/**
 * Hashes new passwords before the write lock is taken, so a push full of passwords does not block other
 * admins' pushes for the seconds hashing takes. Ids the client already had applied are skipped.
 */
export async function prehashPasswords(mutations: Mutation[], lastAppliedId: number, cost: ScryptCost): Promise<Map<number, string>> {
	const pending = mutations.filter((m) => m.id > lastAppliedId && m.changes.password !== undefined && checkPassword(m.changes.password, m.username) === null);
	const hashes = await Promise.all(pending.map((m) => hashPassword(m.changes.password as string, cost)));
	return new Map(pending.map((m, i) => [m.id, hashes[i]]));
}

export interface PushOutcome {
	results: MutationResult[];
	lastAppliedId: number;
	/** Null when nothing new was processed (a pure replay), so nothing needs writing. */
	record: CommitRecord | null;
}

/**
 * Works out a push against the state without changing it (call inside the store's write lock, then
 * commit `record`, which applies it once durable). Throws a 409 gap if the first id skips ahead of the
 * client's record.
 */
export async function applyPush(state: PortalState, scope: PushScope, request: PushRequest, hashes: Map<number, string>, cost: ScryptCost): Promise<PushOutcome> {
	const key = clientKey(scope.adminUsername, request.clientId);
	const client = state.clients.get(key);
	const lastAppliedId = client?.lastAppliedId ?? 0;
	const expectedId = lastAppliedId + 1;
	if (request.mutations[0].id > expectedId) {
		throw new HttpError(409, 'gap', `Mutation ${request.mutations[0].id} arrived but ${expectedId} was expected next; resend from ${expectedId}`, { expectedId });
	}

	const draft = new StateDraft(state);
	const results: MutationResult[] = [];
	const fresh: MutationResult[] = [];
	for (const m of request.mutations) {
		if (m.id <= lastAppliedId) {
			results.push(client?.results.get(m.id) ?? replayFallback(state, scope, m));
			continue;
		}
		const hash = hashes.get(m.id) ?? (m.changes.password !== undefined ? await hashPassword(m.changes.password, cost) : null);
		const result = applyMutation(draft, scope, m, hash);
		results.push(result);
		fresh.push(result);
	}

	if (fresh.length === 0) return { results, lastAppliedId, record: null };
	const newLastApplied = fresh[fresh.length - 1].id;
	return { results, lastAppliedId: newLastApplied, record: draft.toRecord({ key, lastAppliedId: newLastApplied, results: fresh }) };
}

// The stored result was pruned (older than RESULT_RETENTION ids): the mutation was certainly processed,
// so answer "applied" with what the user looks like now, which is what the client should display anyway.
function replayFallback(state: PortalState, scope: PushScope, m: Mutation): MutationResult {
	const user = state.childInstitution(scope.parent.accountId, m.accountId) ? state.getUser(m.accountId, m.username) : undefined;
	if (!user) return { id: m.id, status: 'rejected', code: 'not_found', reason: notFound(m) };
	return { id: m.id, status: 'applied', user: toWire(user) };
}

function notFound(m: Mutation): string {
	return `User ${m.username} not found in account ${m.accountId}`;
}

function applyMutation(draft: StateDraft, scope: PushScope, m: Mutation, passwordHash: string | null): MutationResult {
	const state = draft.base;
	const reject = (code: 'validation' | 'conflict' | 'not_found' | 'forbidden', reason: string): MutationResult => ({ id: m.id, status: 'rejected', code, reason });

	// Unknown and foreign accounts get the same answer, so nothing about other parents can be probed.
	const institution = state.childInstitution(scope.parent.accountId, m.accountId);
	const foreign = checkNotForeignAccount(m.accountId, institution, scope.parent.name);
	if (foreign || !institution) return reject('forbidden', foreign ?? '');
	const user = draft.getUser(m.accountId, m.username);
	if (!user) return reject('not_found', notFound(m));

	const { changes, base } = m;
	const reasons: string[] = [];
	const next: StoredUser = { ...user };
	if (changes.name !== undefined) {
		const reason = checkName(changes.name);
		if (reason) reasons.push(reason);
		else next.name = changes.name;
	}
	if (changes.email !== undefined) {
		const reason = checkEmailFormat(changes.email) ?? checkGoogleDomain(changes.email, institution);
		if (reason) reasons.push(reason);
		else next.email = changes.email;
	}
	if (changes.role !== undefined) {
		const role = canonicalRole(changes.role, state.roles);
		if (role === null) reasons.push(unknownRoleMessage(changes.role, state.roles));
		else next.role = role;
	}
	if (changes.password !== undefined) {
		const reason = checkPassword(changes.password, user.username);
		if (reason) reasons.push(reason);
		else next.passwordHash = passwordHash;
	}
	if (reasons.length > 0) return reject('validation', reasons.join('; '));

	// A field conflicts only if someone else changed it since the client looked AND the client wants a
	// different value than what is there now; agreeing with the other edit is not a conflict.
	const conflicts = (['name', 'email', 'role'] as const satisfies readonly VisibleField[]).filter(
		(f) => changes[f] !== undefined && base[f] !== undefined && base[f] !== user[f] && next[f] !== user[f]
	);
	if (conflicts.length > 0) {
		const labels = conflicts.map((f) => FIELD_LABELS[f]);
		const subject = labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
		return reject('conflict', `${subject} ${labels.length === 1 ? 'was' : 'were'} changed by someone else since this file was checked`);
	}

	const key = userKey(user.accountId, user.username);
	if (next.email.toLowerCase() !== user.email.toLowerCase() && draft.emailTakenByOther(scope.parent.accountId, next.email, key)) {
		return reject('validation', `Email ${quote(next.email)} is already used by another user`);
	}

	// Every applied mutation gets a new rev (even one that changes nothing visible), so a rev names exactly
	// one version of a user; journal replay relies on that.
	next.rev = ++draft.seq;
	next.appliedCount = user.appliedCount + 1;
	draft.putUser(next);
	draft.appliedMutationCount++;
	return { id: m.id, status: 'applied', user: toWire(next) };
}
