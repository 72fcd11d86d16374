// The versioned wire protocol between the app and a portal backend: every request and answer body,
// as zod schemas that both the client (src/lib/sync) and the reference server (server/) validate with.
// Bump PROTOCOL_VERSION on any incompatible change; the server refuses other versions with 426.
// zod/mini rather than classic zod: the page builds these schemas at start-up, and mini's are about half
// the work to construct (no methods attached per schema), and they are built in a start-up task.
import { z } from 'zod/mini';
import { accountIdSchema } from '../domain/account-id';
import { PULL_PAGE_MAX, PUSH_BATCH_MAX, type MutationOutcome } from '../domain/types';
import { institutionSchema, parentSchema } from '../domain/institution';

export const PROTOCOL_VERSION = 1;

/** Page size limits for pull and push (their home is the domain's types); the server clamps, the client stays under. */
export { PULL_PAGE_MAX, PUSH_BATCH_MAX };

// ---- session ---------------------------------------------------------------------------------

export const signInRequestSchema = z.object({
	username: z.string().check(z.minLength(1), z.maxLength(200)),
	password: z.string().check(z.minLength(1), z.maxLength(200))
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export const sessionInfoSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	admin: z.object({ username: z.string() }),
	parent: parentSchema,
	roles: z.array(z.string())
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

// ---- institutions ----------------------------------------------------------------------------

export const institutionsResponseSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	institutions: z.array(institutionSchema)
});
export type InstitutionsResponse = z.infer<typeof institutionsResponseSchema>;

// ---- pull ------------------------------------------------------------------------------------
// GET /api/pull?cursor=C&limit=N. Users come ordered by `rev` (the server's change sequence), so paging
// stays correct while others edit: an edit moves a user to a higher rev, i.e. into a later page.
// The initial download is a pull from cursor "0"; later pulls pass the last cursor and get only changes.

export const userWireSchema = z.object({
	accountId: accountIdSchema,
	username: z.string(),
	name: z.string(),
	email: z.string(),
	role: z.string(),
	rev: z.int().check(z.nonnegative())
});

export const pullResponseSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	users: z.array(userWireSchema),
	/** Pass back to continue; opaque to the client. */
	cursor: z.string(),
	hasMore: z.boolean(),
	/** Total users visible to this admin (for progress on the first download). */
	total: z.int().check(z.nonnegative())
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

// ---- push ------------------------------------------------------------------------------------
// POST /api/push with header Idempotency-Key: <clientId>:<first mutation id>.
// Mutation ids increase by one per client and never repeat. The server applies each mutation at most
// once: it stores the client's last applied id in the same write that applies the change, answers a
// repeat with the stored result, and refuses a gap (409 with `expectedId`).

const changeValue = z.string().check(z.maxLength(1000));

export const mutationSchema = z.object({
	id: z.int().check(z.positive()),
	batchId: z.string().check(z.minLength(1), z.maxLength(100)),
	kind: z.literal('user.update'),
	accountId: accountIdSchema,
	username: z.string().check(z.minLength(1), z.maxLength(200)),
	changes: z
		.partial(z.object({ name: changeValue, email: changeValue, password: changeValue, role: changeValue }))
		.check(z.refine((c) => Object.keys(c).length > 0, 'a mutation must change at least one field')),
	/** The values of the changed (visible) fields as the client saw them; a mismatch on the server is a conflict. */
	base: z.partial(z.object({ name: z.string(), email: z.string(), role: z.string() }))
});
export type Mutation = z.infer<typeof mutationSchema>;

export const pushRequestSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	clientId: z.string().check(z.regex(/^[A-Za-z0-9-]{8,64}$/)),
	mutations: z.array(mutationSchema).check(z.minLength(1), z.maxLength(PUSH_BATCH_MAX))
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const mutationResultSchema = z.discriminatedUnion('status', [
	z.object({ id: z.int(), status: z.literal('applied'), user: userWireSchema }),
	z.object({
		id: z.int(),
		status: z.literal('rejected'),
		code: z.enum(['validation', 'conflict', 'not_found', 'forbidden']),
		/** A sentence an admin understands; never echoes another parent's data. */
		reason: z.string()
	})
]);
export type MutationResult = z.infer<typeof mutationResultSchema>;
// The schema and the domain's type must describe the same answer, both ways.
true satisfies MutationResult extends MutationOutcome ? (MutationOutcome extends MutationResult ? true : false) : false;

export const pushResponseSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	results: z.array(mutationResultSchema),
	lastAppliedId: z.int().check(z.nonnegative())
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

// ---- errors ----------------------------------------------------------------------------------

export const apiErrorSchema = z.object({
	error: z.object({
		code: z.string(),
		message: z.string(),
		/** On 409 gap: the id the server expects next. On 429: seconds to wait. */
		expectedId: z.optional(z.int()),
		retryAfterSeconds: z.optional(z.int())
	})
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const API = {
	session: '/api/session',
	institutions: '/api/institutions',
	pull: '/api/pull',
	push: '/api/push'
} as const;
