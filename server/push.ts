// Applying a push on the server: the HTTP-level checks, password hashing, and working out the push
// against a draft of the state. What a push decides (exactly-once replays and gaps, the re-validation of
// each user update and create) lives in src/lib/sync/portal-rules.ts, shared with the in-memory portal the app's
// tests use, so both give the same answers in the same words.
import { checkPassword } from '../src/lib/domain/field-rules';
import type { Parent } from '../src/lib/domain/types';
import type { Mutation, MutationResult, PushRequest, UploadRecord, UserCreate, UserUpdate } from '../src/lib/sync/protocol';
import {
	answerPush,
	clientKey,
	decideUserMutation,
	nonConsecutiveIds,
	notFoundReason,
	passwordOf,
	pushGap,
	recordedResult,
	refusedRecord,
	rejectedResult,
	type PortalView
} from '../src/lib/sync/portal-rules';
import type { HistoryScope } from '../src/lib/sync/upload-history';
import { HttpError } from './http';
import { hashPassword, type ScryptCost } from './passwords';
import { StateDraft, toWire, type CommitRecord, type PortalState, type StoredUser } from './state';

export interface PushScope {
	adminUsername: string;
	parent: Parent;
}

/** Checks what can be checked without state: the idempotency key and that ids are contiguous. */
export function checkPushShape(request: PushRequest, idempotencyKey: string | undefined): void {
	const expectedKey = `${request.clientId}:${request.mutations[0].id}`;
	if (idempotencyKey === undefined) {
		throw new HttpError(400, 'bad_request', `The Idempotency-Key header is required (expected "${expectedKey}")`);
	}
	if (idempotencyKey !== expectedKey) throw new HttpError(400, 'bad_request', `The Idempotency-Key header must be "${expectedKey}"`);
	const problem = nonConsecutiveIds(request.mutations);
	if (problem) throw new HttpError(400, 'bad_request', problem);
}

/**
 * Hashes new passwords before the write lock is taken, so a push full of passwords does not block other
 * admins' pushes for the seconds hashing takes. Ids the client already had applied are skipped.
 */
export async function prehashPasswords(mutations: Mutation[], lastAppliedId: number, cost: ScryptCost): Promise<Map<number, string>> {
	const pending: { id: number; password: string }[] = [];
	for (const m of mutations) {
		if (m.kind === 'upload.record' || m.id <= lastAppliedId) continue;
		const password = passwordOf(m);
		if (password !== undefined && checkPassword(password, m.username) === null) pending.push({ id: m.id, password });
	}
	const hashes = await Promise.all(pending.map((p) => hashPassword(p.password, cost)));
	return new Map(pending.map((p, i) => [p.id, hashes[i]]));
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
export async function applyPush(
	state: PortalState,
	scope: PushScope,
	request: PushRequest,
	hashes: Map<number, string>,
	cost: ScryptCost,
	now = Date.now()
): Promise<PushOutcome> {
	const key = clientKey(scope.adminUsername, request.clientId);
	const client = state.clients.get(key);
	const lastAppliedId = client?.lastAppliedId ?? 0;
	const gap = pushGap(request, lastAppliedId);
	if (gap) throw new HttpError(409, 'gap', gap.message, { expectedId: gap.expectedId });

	const draft = new StateDraft(state, now);
	const view = draftView(draft);
	const history: HistoryScope = { adminUsername: scope.adminUsername, parentAccountId: scope.parent.accountId, clientKey: key };
	const hashFor = async (m: UserUpdate | UserCreate) => hashes.get(m.id) ?? hashPassword(passwordOf(m) as string, cost);
	const { results, fresh } = await answerPush(
		request.mutations,
		lastAppliedId,
		(m) => client?.results.get(m.id) ?? (m.kind === 'upload.record' ? recordedResult(m) : replayFallback(state, scope, m)),
		(m) => (m.kind === 'upload.record' ? recordPart(draft, history, m) : applyUserMutation(draft, view, scope, history, m, hashFor))
	);

	if (fresh.length === 0) return { results, lastAppliedId, record: null };
	const newLastApplied = fresh[fresh.length - 1].id;
	return { results, lastAppliedId: newLastApplied, record: draft.toRecord({ key, lastAppliedId: newLastApplied, results: fresh }) };
}

// The stored result was pruned (older than RESULT_RETENTION ids): the mutation was certainly processed,
// so answer "applied" with what the user looks like now, which is what the client should display anyway.
function replayFallback(state: PortalState, scope: PushScope, m: UserUpdate | UserCreate): MutationResult {
	const user = state.childInstitution(scope.parent.accountId, m.accountId) ? state.getUser(m.accountId, m.username) : undefined;
	if (!user) return { id: m.id, status: 'rejected', code: 'not_found', reason: notFoundReason(m) };
	return { id: m.id, status: 'applied', user: toWire(user) };
}

/** The draft as the push rules read it: every read sees the push's own earlier mutations. */
function draftView(draft: StateDraft): PortalView<StoredUser> {
	const state = draft.base;
	return {
		roles: state.roles,
		childInstitution: (parentAccountId, accountId) => state.childInstitution(parentAccountId, accountId),
		user: (accountId, username) => draft.getUser(accountId, username),
		emailTakenByOther: (parentAccountId, email, key) => draft.emailTakenByOther(parentAccountId, email, key)
	};
}

async function applyUserMutation(
	draft: StateDraft,
	view: PortalView<StoredUser>,
	scope: PushScope,
	history: HistoryScope,
	m: UserUpdate | UserCreate,
	hashFor: (m: UserUpdate | UserCreate) => Promise<string>
): Promise<MutationResult> {
	const decision = decideUserMutation(view, scope.parent, m);
	draft.history.noteOutcome(history, m, decision.outcome);
	if (decision.status === 'rejected') return rejectedResult(m, decision);
	const { current } = decision;
	// Every applied mutation gets a new rev (even one that changes nothing visible), so a rev names exactly
	// one version of a user; journal replay relies on that.
	const next: StoredUser = {
		...decision.next,
		rev: ++draft.seq,
		passwordHash: decision.setsPassword ? await hashFor(m) : (current?.passwordHash ?? null),
		appliedCount: (current?.appliedCount ?? 0) + 1
	};
	draft.putUser(next);
	draft.appliedMutationCount++;
	return { id: m.id, status: 'applied', user: toWire(next) };
}

function recordPart(draft: StateDraft, history: HistoryScope, m: UploadRecord): MutationResult {
	const added = draft.history.addPart(history, m);
	return added.ok ? recordedResult(m) : refusedRecord(m, added.message);
}
