// Test-only machinery, reachable only when the server runs with --faults: injected failures (error
// answers, answers lost after a push was applied, slow answers) and the /api/__test/ endpoints that let
// end-to-end tests play "someone else", inspect state and start over. Without the flag every
// /api/__test/ path is a plain 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { accountIdSchema } from '../src/lib/domain/account-id';
import { canonicalRole, unknownRoleMessage } from '../src/lib/domain/field-rules';
import { notFoundReason } from '../src/lib/sync/portal-rules';
import type { AppContext } from './context';
import { HttpError, readJsonBody, sendJson } from './http';
import { hashPassword, verifyPassword } from './passwords';
import { toTuple, toWire, type StoredUser } from './state';

export class FaultInjector {
	private failNext = 0;
	private failStatus = 503;
	private dropAfterApply = 0;
	private delayMs = 0;
	private retryAfterSeconds = 0;
	private pullLimit = 0;
	private dropPullsAfter = -1;

	configure(update: {
		failNext?: number;
		status?: number;
		dropAfterApply?: number;
		delayMs?: number;
		retryAfterSeconds?: number;
		pullLimit?: number;
		dropPullsAfter?: number;
	}): FaultSettings {
		if (update.pullLimit !== undefined) this.pullLimit = update.pullLimit;
		if (update.dropPullsAfter !== undefined) this.dropPullsAfter = update.dropPullsAfter;
		if (update.retryAfterSeconds !== undefined) this.retryAfterSeconds = update.retryAfterSeconds;
		if (update.failNext !== undefined) this.failNext = update.failNext;
		if (update.status !== undefined) this.failStatus = update.status;
		if (update.dropAfterApply !== undefined) this.dropAfterApply = update.dropAfterApply;
		if (update.delayMs !== undefined) this.delayMs = update.delayMs;
		return this.settings();
	}

	settings(): FaultSettings {
		return {
			failNext: this.failNext,
			status: this.failStatus,
			dropAfterApply: this.dropAfterApply,
			delayMs: this.delayMs,
			retryAfterSeconds: this.retryAfterSeconds,
			pullLimit: this.pullLimit,
			dropPullsAfter: this.dropPullsAfter
		};
	}

	clear(): void {
		this.configure({ failNext: 0, status: 503, dropAfterApply: 0, delayMs: 0, retryAfterSeconds: 0, pullLimit: 0, dropPullsAfter: -1 });
	}

	/** Called before every non-test API request: delays it, or fails it while failNext > 0. */
	async beforeApiRequest(): Promise<void> {
		if (this.delayMs > 0) await sleep(this.delayMs);
		if (this.failNext > 0) {
			this.failNext--;
			const extra = this.retryAfterSeconds > 0 ? { retryAfterSeconds: this.retryAfterSeconds } : {};
			throw new HttpError(this.failStatus, 'fault_injected', `Injected failure (${this.failStatus}) for testing`, extra);
		}
	}

	/** The page size a pull gets: the client's, or smaller so a test's download takes many pages. */
	pullPageSize(requested: number): number {
		return this.pullLimit > 0 ? Math.min(requested, this.pullLimit) : requested;
	}

	/** True when this pull's connection should be dropped unanswered (counting down the pulls still answered). */
	takeDroppedPull(): boolean {
		if (this.dropPullsAfter < 0) return false;
		if (this.dropPullsAfter > 0) {
			this.dropPullsAfter--;
			return false;
		}
		return true;
	}

	/** True when this push's answer should be lost (the push was applied and persisted already). */
	takeDropAfterApply(): boolean {
		if (this.dropAfterApply <= 0) return false;
		this.dropAfterApply--;
		return true;
	}
}

export interface FaultSettings {
	failNext: number;
	status: number;
	dropAfterApply: number;
	delayMs: number;
	/** Sent as Retry-After (header and body) with each injected failure; 0: none. */
	retryAfterSeconds: number;
	/** Largest page a pull answers; 0: the client's limit. */
	pullLimit: number;
	/** Pulls still answered before every further pull's connection is dropped unanswered; -1: never. */
	dropPullsAfter: number;
}

const faultsSchema = z.strictObject({
	failNext: z.number().int().min(0).max(1000).optional(),
	status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
	dropAfterApply: z.number().int().min(0).max(1000).optional(),
	delayMs: z.number().int().min(0).max(60_000).optional(),
	retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
	pullLimit: z.number().int().min(0).max(5000).optional(),
	dropPullsAfter: z.number().int().min(-1).max(100_000).optional()
});

const userRefSchema = z.object({ accountId: accountIdSchema, username: z.string().min(1) });

const editUserSchema = userRefSchema.extend({
	changes: z.strictObject({ name: z.string(), email: z.string(), role: z.string(), password: z.string() }).partial()
});

const checkPasswordSchema = userRefSchema.extend({ password: z.string() });

const addUserSchema = userRefSchema.extend({ name: z.string(), email: z.string(), role: z.string() });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
	const result = schema.safeParse(body);
	if (!result.success) {
		throw new HttpError(400, 'bad_request', result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
	}
	return result.data;
}

function findUser(ctx: AppContext, accountId: string, username: string): StoredUser {
	const user = ctx.store.state.getUser(accountId, username);
	if (!user) throw new HttpError(404, 'not_found', notFoundReason({ accountId, username }));
	return user;
}

export async function handleTestRoute(
	ctx: AppContext,
	faults: FaultInjector,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	const route = `${req.method} ${url.pathname.slice('/api/__test/'.length)}`;
	switch (route) {
		case 'POST faults': {
			sendJson(res, 200, faults.configure(parse(faultsSchema, await readJsonBody(req, ctx.bodyLimit))));
			return;
		}
		case 'POST expire-sessions': {
			sendJson(res, 200, { expired: ctx.sessions.expireAll() });
			return;
		}
		case 'POST edit-user': {
			// "Someone else" editing through another tool: no field rules, just a new rev like any change.
			const { accountId, username, changes } = parse(editUserSchema, await readJsonBody(req, ctx.bodyLimit));
			const user = await ctx.store.withLock(async () => {
				const state = ctx.store.state;
				const current = findUser(ctx, accountId, username);
				const next: StoredUser = { ...current };
				if (changes.name !== undefined) next.name = changes.name;
				if (changes.email !== undefined) next.email = changes.email;
				if (changes.role !== undefined) {
					const role = canonicalRole(changes.role, state.roles);
					if (role === null) throw new HttpError(400, 'bad_request', unknownRoleMessage(changes.role, state.roles));
					next.role = role;
				}
				if (changes.password !== undefined) next.passwordHash = await hashPassword(changes.password, ctx.userPasswordCost);
				next.rev = state.seq + 1;
				await ctx.store.commit({ seq: next.rev, applied: state.appliedMutationCount, users: [toTuple(next)] });
				return next;
			});
			sendJson(res, 200, { user: toWire(user) });
			return;
		}
		case 'POST add-user': {
			// "Someone else" adding a user through another tool (e.g. taking a username a queued add wants).
			const { accountId, username, name, email, role } = parse(addUserSchema, await readJsonBody(req, ctx.bodyLimit));
			const user = await ctx.store.withLock(async () => {
				const state = ctx.store.state;
				if (!state.institutions.has(accountId)) throw new HttpError(404, 'not_found', `No account ${accountId}`);
				if (state.getUser(accountId, username)) {
					throw new HttpError(409, 'conflict', `Username ${username} is already taken in account ${accountId}`);
				}
				const canonical = canonicalRole(role, state.roles);
				if (canonical === null) throw new HttpError(400, 'bad_request', unknownRoleMessage(role, state.roles));
				const next: StoredUser = {
					accountId,
					username,
					name,
					email,
					role: canonical,
					rev: state.seq + 1,
					passwordHash: null,
					appliedCount: 0
				};
				await ctx.store.commit({ seq: next.rev, applied: state.appliedMutationCount, users: [toTuple(next)] });
				return next;
			});
			sendJson(res, 200, { user: toWire(user) });
			return;
		}
		case 'GET state': {
			const user = findUser(ctx, url.searchParams.get('accountId') ?? '', url.searchParams.get('username') ?? '');
			sendJson(res, 200, {
				user: toWire(user),
				hasPassword: user.passwordHash !== null,
				/** Mutations applied to this user; appliedMutationCount counts all users. */
				userAppliedMutationCount: user.appliedCount,
				appliedMutationCount: ctx.store.state.appliedMutationCount,
				seq: ctx.store.state.seq
			});
			return;
		}
		case 'POST check-password': {
			const { accountId, username, password } = parse(checkPasswordSchema, await readJsonBody(req, ctx.bodyLimit));
			const user = findUser(ctx, accountId, username);
			sendJson(res, 200, { matches: user.passwordHash !== null && (await verifyPassword(password, user.passwordHash)) });
			return;
		}
		case 'POST reset': {
			await ctx.store.withLock(() => ctx.store.reseed());
			ctx.throttle.clear();
			faults.clear();
			sendJson(res, 200, { ok: true, seq: ctx.store.state.seq });
			return;
		}
		default:
			throw new HttpError(404, 'not_found', `No test route ${route}`);
	}
}
