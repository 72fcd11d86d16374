// The portal's decisions that need no storage, network or crypto: the wording of refusals, how a pull
// pages, how a push stays exactly-once and whether one user update or user create applies. The reference server
// (server/) and the in-memory portal the app's tests sync against (src/lib/testing/) both decide with
// these functions, so the app is tested against the rules it meets in production, worded the same.
import type { z } from 'zod/mini';
import {
	canonicalRole,
	checkEmailFormat,
	checkGoogleDomain,
	checkName,
	checkNewUsername,
	checkNotForeignAccount,
	checkPassword,
	missingForAdd,
	quote,
	requiredToAdd,
	unknownRoleMessage
} from '../domain/field-rules';
import { FIELD_LABELS, userKey, type Institution, type Parent, type User, type UserRecord, type VisibleField } from '../domain/types';
import {
	PROTOCOL_VERSION,
	PULL_PAGE_MAX,
	type Mutation,
	type MutationResult,
	type PullResponse,
	type PushRequest,
	type UserCreate,
	type UserUpdate
} from './protocol';
import { outcomeOfCreate, outcomeOfUpdate } from './upload-history';
import type { PortalRowOutcome } from '../domain/history';

// ---- session ---------------------------------------------------------------------------------

export const SESSION_MESSAGES = {
	// One message for unknown user and wrong password, so usernames cannot be enumerated.
	wrongCredentials: 'Wrong username or password',
	unauthenticated: 'Not signed in, or the session has expired; sign in again'
} as const;

// ---- request bodies --------------------------------------------------------------------------

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses a body with a protocol schema; the message names the bad fields' paths, never echoes values. */
export function parseRequest<T extends z.ZodMiniType>(schema: T, body: unknown): Checked<z.infer<T>> {
	const result = schema.safeParse(body);
	if (result.success) return { ok: true, value: result.data };
	const details = result.error.issues
		.slice(0, 5)
		.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
		.join('; ');
	return { ok: false, message: `Invalid request: ${details}` };
}

/**
 * The refusal (426) for a push of another protocol version. Checked before the schema so an old client
 * learns to update instead of seeing a field error.
 */
export function protocolVersionProblem(body: unknown): string | null {
	const version = typeof body === 'object' && body !== null ? (body as { protocolVersion?: unknown }).protocolVersion : undefined;
	if (version === PROTOCOL_VERSION) return null;
	return `This server speaks sync protocol version ${PROTOCOL_VERSION}; reload the app to update it`;
}

// ---- pull ------------------------------------------------------------------------------------

export const DEFAULT_PULL_LIMIT = 2000;

export interface PullWindow {
	/** Users with a rev above this come back. */
	from: number;
	limit: number;
}

function integerParam(name: string, raw: string | null, fallback: number, min: number): Checked<number> {
	if (raw === null || raw === '') return { ok: true, value: fallback };
	const value = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(value) || value < min) return { ok: false, message: `Query parameter ${name} must be an integer ≥ ${min}` };
	return { ok: true, value };
}

/**
 * Which users a pull asks for, from its query values (null when absent). `highestRev` is the highest
 * rev the portal has handed out.
 */
export function pullWindow(cursor: string | null, limit: string | null, highestRev: number): Checked<PullWindow> {
	const since = integerParam('cursor', cursor, 0, 0);
	if (!since.ok) return since;
	const size = integerParam('limit', limit, DEFAULT_PULL_LIMIT, 1);
	if (!size.ok) return size;
	// No rev above highestRev was ever handed out by this state, so such a cursor comes from state that
	// was lost (a restore from an older backup). Changes made since would carry revs below it and never
	// reach that client: send everything again instead, from which the client's copy comes out whole.
	return { ok: true, value: { from: since.value > highestRev ? 0 : since.value, limit: Math.min(size.value, PULL_PAGE_MAX) } };
}

/** The answer to a pull: `users` are the window's users in rev order, `total` all users the admin sees. */
export function pullResponse(users: UserRecord[], window: PullWindow, hasMore: boolean, total: number): PullResponse {
	const last = users[users.length - 1];
	return { protocolVersion: PROTOCOL_VERSION, users, cursor: String(last ? last.rev : window.from), hasMore, total };
}

// ---- push: exactly-once ----------------------------------------------------------------------

/**
 * Mutation ids are per client *and admin*: keyed this way, one admin can never read another admin's stored
 * results by replaying ids, and two admins sharing a browser profile cannot collide.
 */
export function clientKey(adminUsername: string, clientId: string): string {
	return `${adminUsername.toLowerCase()}\u0000${clientId}`;
}

/** Why the ids of one push are not consecutive, or null. */
export function nonConsecutiveIds(mutations: readonly Mutation[]): string | null {
	const first = mutations[0].id;
	for (let i = 0; i < mutations.length; i++) {
		if (mutations[i].id !== first + i) {
			return `Mutation ids in a push must be consecutive; mutations.${i}.id is ${mutations[i].id}, expected ${first + i}`;
		}
	}
	return null;
}

/** The refusal (409) of a push whose first id skips ahead of what the client had applied, or null. */
export function pushGap(request: PushRequest, lastAppliedId: number): { expectedId: number; message: string } | null {
	const expectedId = lastAppliedId + 1;
	const first = request.mutations[0].id;
	if (first <= expectedId) return null;
	return { expectedId, message: `Mutation ${first} arrived but ${expectedId} was expected next; resend from ${expectedId}` };
}

export interface PushAnswers {
	/** One per mutation, in order. */
	results: MutationResult[];
	/** The results of the mutations processed now (not replays), in order. */
	fresh: MutationResult[];
}

/**
 * Answers a push's mutations in order: an id the client already had applied gets its earlier result
 * again and no second effect; a later one is applied. Call after pushGap found no gap.
 */
export async function answerPush(
	mutations: readonly Mutation[],
	lastAppliedId: number,
	replay: (m: Mutation) => MutationResult,
	apply: (m: Mutation) => MutationResult | Promise<MutationResult>
): Promise<PushAnswers> {
	const results: MutationResult[] = [];
	const fresh: MutationResult[] = [];
	for (const m of mutations) {
		if (m.id <= lastAppliedId) {
			results.push(replay(m));
			continue;
		}
		const result = await apply(m);
		results.push(result);
		fresh.push(result);
	}
	return { results, fresh };
}

/** The answer a replayed upload.record part gets when its stored answer was pruned: it was recorded then. */
export function recordedResult(m: Pick<Mutation, 'id'>): MutationResult {
	return { id: m.id, status: 'recorded' };
}

/** An upload.record part the history does not take: the device drops it, so the wording is for the log. */
export function refusedRecord(m: Pick<Mutation, 'id'>, reason: string): MutationResult {
	return { id: m.id, status: 'rejected', code: 'validation', reason };
}

// ---- push: one user update -------------------------------------------------------------------

/** What deciding a user update reads from the portal. Reads must see earlier mutations of the same push. */
export interface PortalView<U extends User> {
	readonly roles: readonly string[];
	/** The institution when it is a child of `parentAccountId`; undefined for unknown and foreign accounts alike. */
	childInstitution(parentAccountId: string, accountId: string): Institution | undefined;
	/** Case-insensitive on username. */
	user(accountId: string, username: string): U | undefined;
	/** Whether a user of the parent other than the one with userKey `key` has this email (case-insensitive). */
	emailTakenByOther(parentAccountId: string, email: string, key: string): boolean;
}

export type RejectionCode = Extract<MutationResult, { status: 'rejected' }>['code'];

export type UpdateDecision<U extends User> =
	| { status: 'rejected'; code: RejectionCode; reason: string }
	| {
			status: 'applied';
			/** The user as stored before the update. */
			current: U;
			/** The visible fields after the update (role in its canonical spelling). */
			next: Pick<User, VisibleField>;
			/** True when the mutation sets a (valid) password. */
			setsPassword: boolean;
	  };

export function notFoundReason(m: Pick<UserUpdate, 'accountId' | 'username'>): string {
	return `User ${m.username} not found in account ${m.accountId}`;
}

/**
 * Whether a user update applies for an admin of `parent`, re-checking everything the client's preflight
 * checked: scope, existence, field rules, conflicts against the client's base, email uniqueness.
 */
export function decideUserUpdate<U extends User>(portal: PortalView<U>, parent: Parent, m: UserUpdate): UpdateDecision<U> {
	const reject = (code: RejectionCode, reason: string): UpdateDecision<U> => ({ status: 'rejected', code, reason });

	// Unknown and foreign accounts get the same answer, so nothing about other parents can be probed.
	const institution = portal.childInstitution(parent.accountId, m.accountId);
	const foreign = checkNotForeignAccount(m.accountId, institution, parent.name);
	if (foreign || !institution) return reject('forbidden', foreign ?? '');
	const current = portal.user(m.accountId, m.username);
	if (!current) return reject('not_found', notFoundReason(m));

	const checked = checkFields(m.changes, current, institution, portal.roles);
	if (checked.reasons.length > 0) return reject('validation', checked.reasons.join('; '));
	const { next } = checked;

	const conflict = conflictReason(m, current, next);
	if (conflict) return reject('conflict', conflict);

	if (
		next.email.toLowerCase() !== current.email.toLowerCase() &&
		portal.emailTakenByOther(parent.accountId, next.email, userKey(current.accountId, current.username))
	) {
		return reject('validation', `Email ${quote(next.email)} is already used by another user`);
	}
	return { status: 'applied', current, next, setsPassword: m.changes.password !== undefined };
}

/** Every changed field's rule, so one answer names all of a row's problems; `next` holds the valid values. */
function checkFields(
	changes: UserUpdate['changes'],
	user: User,
	institution: Institution,
	roles: readonly string[]
): { reasons: string[]; next: Pick<User, VisibleField> } {
	const reasons: string[] = [];
	const next = { name: user.name, email: user.email, role: user.role };
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
		const role = canonicalRole(changes.role, roles);
		if (role === null) reasons.push(unknownRoleMessage(changes.role, roles));
		else next.role = role;
	}
	if (changes.password !== undefined) {
		const reason = checkPassword(changes.password, user.username);
		if (reason) reasons.push(reason);
	}
	return { reasons, next };
}

const CONFLICT_FIELDS = ['name', 'email', 'role'] as const satisfies readonly VisibleField[];

// A field conflicts only if someone else changed it since the client looked AND the client wants a
// different value than what is there now; agreeing with the other edit is not a conflict.
function conflictReason(m: UserUpdate, current: User, next: Pick<User, VisibleField>): string | null {
	const conflicts = CONFLICT_FIELDS.filter(
		(f) => m.changes[f] !== undefined && m.base[f] !== undefined && m.base[f] !== current[f] && next[f] !== current[f]
	);
	if (conflicts.length === 0) return null;
	const labels = conflicts.map((f) => FIELD_LABELS[f]);
	const subject = labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
	return `${subject} ${labels.length === 1 ? 'was' : 'were'} changed by someone else since this file was checked`;
}

// ---- push: one user create -------------------------------------------------------------------

export type CreateDecision =
	| { status: 'rejected'; code: RejectionCode; reason: string }
	| {
			status: 'applied';
			/** The new user (role in its canonical spelling, username as sent). */
			next: User;
			/** True when the mutation sets a (valid) password; Google sign-in accounts ignore one. */
			setsPassword: boolean;
	  };

/** The rejection of a create whose username someone took after the file was checked. */
export function takenSinceReason(m: Pick<UserCreate, 'accountId' | 'username'>): string {
	return `Username ${m.username} was taken in account ${m.accountId} since this file was checked. Choose another username and upload the row again.`;
}

/**
 * Whether a user create applies for an admin of `parent`, re-checking everything the client's preflight
 * checked: scope, the username free (case-insensitive), the new-username rule, required fields per
 * sign-in method, field rules and email uniqueness within the parent.
 */
export function decideUserCreate<U extends User>(portal: PortalView<U>, parent: Parent, m: UserCreate): CreateDecision {
	const reject = (code: RejectionCode, reason: string): CreateDecision => ({ status: 'rejected', code, reason });
	const institution = portal.childInstitution(parent.accountId, m.accountId);
	const foreign = checkNotForeignAccount(m.accountId, institution, parent.name);
	if (foreign || !institution) return reject('forbidden', foreign ?? '');
	if (portal.user(m.accountId, m.username)) return reject('conflict', takenSinceReason(m));

	const { fields } = m;
	const reasons: string[] = [];
	const username = checkNewUsername(m.username);
	if (username) reasons.push(username);
	const required = requiredToAdd(institution);
	for (const field of required) if ((fields[field] ?? '') === '') reasons.push(missingForAdd(field, institution, portal.roles));
	if (fields.name !== '') {
		const reason = checkName(fields.name);
		if (reason) reasons.push(reason);
	}
	if (fields.email !== '') {
		const reason = checkEmailFormat(fields.email) ?? checkGoogleDomain(fields.email, institution);
		if (reason) reasons.push(reason);
	}
	const role = fields.role === '' ? '' : canonicalRole(fields.role, portal.roles);
	if (role === null) reasons.push(unknownRoleMessage(fields.role, portal.roles));
	const setsPassword = institution.signIn !== 'google' && fields.password !== undefined && fields.password !== '';
	if (setsPassword) {
		const reason = checkPassword(fields.password!, m.username);
		if (reason) reasons.push(reason);
	}
	if (reasons.length > 0) return reject('validation', reasons.join('; '));
	if (fields.email !== '' && portal.emailTakenByOther(parent.accountId, fields.email, userKey(m.accountId, m.username))) {
		return reject('validation', `Email ${quote(fields.email)} is already used by another user`);
	}
	return {
		status: 'applied',
		next: { accountId: m.accountId, username: m.username, name: fields.name, email: fields.email, role: role ?? '' },
		setsPassword
	};
}

// ---- push: either user mutation ----------------------------------------------------------------

export type UserMutationDecision<U extends User> =
	| { status: 'rejected'; code: RejectionCode; reason: string; outcome: PortalRowOutcome }
	| {
			status: 'applied';
			/** The user as stored before; undefined for a create. */
			current: U | undefined;
			/** The user after the mutation (visible fields; role in its canonical spelling). */
			next: User;
			setsPassword: boolean;
			outcome: PortalRowOutcome;
	  };

/**
 * A user update or create decided, with the answer its upload's history keeps for the row: the one
 * entry point the reference server and the in-memory portal apply user mutations through.
 */
export function decideUserMutation<U extends User>(
	portal: PortalView<U>,
	parent: Parent,
	m: UserUpdate | UserCreate
): UserMutationDecision<U> {
	if (m.kind === 'user.create') {
		const decision = decideUserCreate(portal, parent, m);
		const outcome = outcomeOfCreate(decision);
		return decision.status === 'rejected' ? { ...decision, outcome } : { ...decision, current: undefined, outcome };
	}
	const decision = decideUserUpdate(portal, parent, m);
	const outcome = outcomeOfUpdate(m, decision);
	if (decision.status === 'rejected') return { ...decision, outcome };
	const { current, next, setsPassword } = decision;
	return { status: 'applied', current, next: { accountId: current.accountId, username: current.username, ...next }, setsPassword, outcome };
}

/** The answer to a rejected mutation. */
export function rejectedResult(m: Pick<Mutation, 'id'>, decision: { code: RejectionCode; reason: string }): MutationResult {
	return { id: m.id, status: 'rejected', code: decision.code, reason: decision.reason };
}

/** The password a user mutation sets, if any (a create's empty one sets none). */
export function passwordOf(m: UserUpdate | UserCreate): string | undefined {
	return m.kind === 'user.update' ? m.changes.password : m.fields.password || undefined;
}
