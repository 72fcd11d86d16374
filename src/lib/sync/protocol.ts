// The versioned wire protocol between the app and a portal backend: every request and answer body,
// as zod schemas that both the client (src/lib/sync) and the reference server (server/) validate with.
// Bump PROTOCOL_VERSION on any incompatible change; the server refuses other versions with 426.
// zod/mini rather than classic zod: the page builds these schemas at start-up, and mini's are about half
// the work to construct (no methods attached per schema), and they are built in a start-up task.
import { z } from 'zod/mini';
import { accountIdSchema } from '../domain/account-id';
import { PULL_PAGE_MAX, PUSH_BATCH_MAX, type MutationOutcome } from '../domain/types';
import { institutionSchema, parentSchema } from '../domain/institution';
import type { ColumnField } from '../domain/header-map';
import { RECORD_CELL_MAX, RECORD_PART_ROWS, type HistoryRow, type RecordRow, type UploadSummary } from '../domain/history';
import type { LargeChangeThreshold } from '../domain/large-change';

export const PROTOCOL_VERSION = 1;

/** Page size limits for pull and push (their home is the domain's types); the server clamps, the client stays under. */
export { PULL_PAGE_MAX, PUSH_BATCH_MAX };

// ---- session ---------------------------------------------------------------------------------

export const signInRequestSchema = z.object({
	username: z.string().check(z.minLength(1), z.maxLength(200)),
	password: z.string().check(z.minLength(1), z.maxLength(200))
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

/** The parent's large-change gate; a portal that sends none gets the default (src/lib/domain/large-change.ts). */
export const largeChangeThresholdSchema = z.object({
	percent: z.number().check(z.gte(0), z.lte(100)),
	minUsers: z.int().check(z.nonnegative())
});
true satisfies z.infer<typeof largeChangeThresholdSchema> extends LargeChangeThreshold ? true : false;

export const sessionInfoSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	admin: z.object({ username: z.string() }),
	parent: parentSchema,
	roles: z.array(z.string()),
	largeChange: z.optional(largeChangeThresholdSchema)
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

const mutationId = z.int().check(z.positive());
const batchId = z.string().check(z.minLength(1), z.maxLength(100));

/** What every change to one user carries: its id, its upload, and whose it is. */
const userMutation = {
	id: mutationId,
	batchId,
	accountId: accountIdSchema,
	username: z.string().check(z.minLength(1), z.maxLength(200))
};

export const userUpdateSchema = z.object({
	...userMutation,
	kind: z.literal('user.update'),
	changes: z
		.partial(z.object({ name: changeValue, email: changeValue, password: changeValue, role: changeValue }))
		.check(z.refine((c) => Object.keys(c).length > 0, 'a mutation must change at least one field')),
	/** The values of the changed (visible) fields as the client saw them; a mismatch on the server is a conflict. */
	base: z.partial(z.object({ name: z.string(), email: z.string(), role: z.string() }))
});
export type UserUpdate = z.infer<typeof userUpdateSchema>;

/**
 * Adds a user to a child account: the same ids, exactly-once answers and rejection codes as a
 * user.update. Applied, it answers the created user's state; a username taken (in any letter case)
 * since the file was checked is rejected with code "conflict"; a replay of an applied create gets its
 * stored answer, never "taken". `fields.password` is required for password sign-in and ignored for
 * Google sign-in (never stored or answered).
 */
export const userCreateSchema = z.object({
	...userMutation,
	kind: z.literal('user.create'),
	fields: z.object({ name: changeValue, email: changeValue, role: changeValue, password: z.optional(changeValue) })
});
export type UserCreate = z.infer<typeof userCreateSchema>;

// An applied upload's record for the portal's history: queued in the same outbox as its rows and after
// them, so it goes exactly once and the portal has answered every row before it arrives. Cut into parts
// that each fit a push (src/lib/domain/history.ts); part 0 carries the upload's facts.
const recordText = z.string().check(z.maxLength(RECORD_CELL_MAX));
const finalStatus = z.enum(['Added', 'Updated', 'Unchanged', 'Failed', 'Queued']);
const columnFields = ['accountId', 'username', 'name', 'email', 'password', 'role'] as const satisfies readonly ColumnField[];

export const recordMetaSchema = z.object({
	fileName: z.string().check(z.minLength(1), z.maxLength(RECORD_CELL_MAX)),
	sheetName: recordText,
	uploadedAt: z.int().check(z.nonnegative()),
	header: z.array(recordText).check(z.maxLength(300)),
	columnMap: z.partialRecord(z.enum(columnFields), z.int().check(z.nonnegative())),
	undoOf: z.optional(z.object({ id: batchId, fileName: z.string().check(z.maxLength(RECORD_CELL_MAX)) })),
	largeChangeConfirmed: z.optional(z.int().check(z.nonnegative())),
	/** Absent for User Update (every upload before User Add). */
	action: z.optional(z.enum(['update', 'add', 'add-or-update']))
});

export const recordRowSchema = z.object({
	row: z.int().check(z.positive()),
	cells: z.array(recordText).check(z.maxLength(300)),
	status: finalStatus,
	reason: recordText,
	changed: z.array(z.string().check(z.maxLength(20))).check(z.maxLength(4)),
	m: z.optional(mutationId)
});
true satisfies z.infer<typeof recordRowSchema> extends RecordRow ? true : false;

export const uploadRecordSchema = z
	.object({
		id: mutationId,
		batchId,
		kind: z.literal('upload.record'),
		part: z.int().check(z.nonnegative()),
		parts: z.int().check(z.positive(), z.lte(100_000)),
		meta: z.optional(recordMetaSchema),
		rows: z.array(recordRowSchema).check(z.maxLength(RECORD_PART_ROWS))
	})
	.check(
		z.refine((r) => r.part < r.parts, { message: 'part must be below parts', path: ['part'] }),
		z.refine((r) => (r.part === 0) === (r.meta !== undefined), { message: 'part 0, and only part 0, carries meta', path: ['meta'] })
	);
export type UploadRecord = z.infer<typeof uploadRecordSchema>;

export const mutationSchema = z.discriminatedUnion('kind', [userUpdateSchema, userCreateSchema, uploadRecordSchema]);
export type Mutation = z.infer<typeof mutationSchema>;

export const pushRequestSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	clientId: z.string().check(z.regex(/^[A-Za-z0-9-]{8,64}$/)),
	mutations: z.array(mutationSchema).check(z.minLength(1), z.maxLength(PUSH_BATCH_MAX))
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const mutationResultSchema = z.discriminatedUnion('status', [
	z.object({ id: z.int(), status: z.literal('applied'), user: userWireSchema }),
	/** The answer to an upload.record part: kept in the history. */
	z.object({ id: z.int(), status: z.literal('recorded') }),
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

// ---- upload history ----------------------------------------------------------------------------
// GET /api/uploads?before=C&limit=N: the parent's uploads newest first (every admin and device of the
// parent), at most N (≤ UPLOADS_PAGE_MAX); pass `next` as `before` for older ones. Kept for a number of
// days (30 by default) after the portal received them.
// GET /api/uploads/{id}?offset=O&limit=N: one upload and its rows in file order, at most N (≤ UPLOAD_ROWS_PAGE_MAX).

export const UPLOADS_PAGE_MAX = 100;
export const UPLOAD_ROWS_PAGE_MAX = 5000;

const countsSchema = z.object({
	rows: z.int().check(z.nonnegative()),
	// A portal that predates User Add sends none.
	added: z._default(z.int().check(z.nonnegative()), 0),
	updated: z.int().check(z.nonnegative()),
	unchanged: z.int().check(z.nonnegative()),
	failed: z.int().check(z.nonnegative()),
	queued: z.int().check(z.nonnegative())
});

export const uploadSummarySchema = z.extend(recordMetaSchema, {
	id: batchId,
	admin: z.string(),
	receivedAt: z.int().check(z.nonnegative()),
	counts: countsSchema,
	undoneBy: z.optional(batchId)
});
true satisfies z.infer<typeof uploadSummarySchema> extends UploadSummary ? true : false;

const fieldChange = z.optional(z.object({ before: z.string(), after: z.string() }));

/** One history row; the rows of an answer are checked by isHistoryRow, which must agree with it (tested). */
export const historyRowSchema = z.object({
	row: z.int(),
	cells: z.array(z.string()),
	status: finalStatus,
	reason: z.string(),
	changed: z.array(z.string()),
	applied: z.optional(
		z.object({
			accountId: accountIdSchema,
			username: z.string(),
			fields: z.object({ name: fieldChange, email: fieldChange, role: fieldChange }),
			password: z.boolean(),
			created: z.optional(z.literal(true))
		})
	)
});
true satisfies z.infer<typeof historyRowSchema> extends HistoryRow ? true : false;

const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const FINAL = new Set(['Added', 'Updated', 'Unchanged', 'Failed', 'Queued']);

function isChange(v: unknown): boolean {
	if (v === undefined) return true;
	return typeof v === 'object' && v !== null && isString((v as { before?: unknown }).before) && isString((v as { after?: unknown }).after);
}

/**
 * historyRowSchema as a plain check that builds nothing: an undo of 100,000 rows reads them all, and
 * zod copying each row took as long as fetching them. Same rules; protocol.test.ts holds both to them.
 */
export function isHistoryRow(v: unknown): v is HistoryRow {
	if (typeof v !== 'object' || v === null) return false;
	const r = v as Record<string, unknown>;
	if (!Number.isInteger(r.row) || !isStrings(r.cells) || !FINAL.has(r.status as string) || !isString(r.reason) || !isStrings(r.changed)) {
		return false;
	}
	if (r.applied === undefined) return true;
	const a = r.applied as Record<string, unknown> | null;
	if (typeof a !== 'object' || a === null || !accountIdSchema.safeParse(a.accountId).success || !isString(a.username)) return false;
	if (typeof a.password !== 'boolean' || typeof a.fields !== 'object' || a.fields === null) return false;
	if (a.created !== undefined && a.created !== true) return false;
	const f = a.fields as Record<string, unknown>;
	return isChange(f.name) && isChange(f.email) && isChange(f.role);
}

export const uploadsResponseSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	uploads: z.array(uploadSummarySchema),
	/** Pass as `before` for the next (older) page; null on the last page. */
	next: z.nullable(z.string())
});
export type UploadsResponse = z.infer<typeof uploadsResponseSchema>;

export const uploadRowsResponseSchema = z.object({
	protocolVersion: z.literal(PROTOCOL_VERSION),
	upload: uploadSummarySchema,
	rows: z.custom<HistoryRow[]>((v) => Array.isArray(v) && v.every(isHistoryRow), 'rows must be history rows'),
	/** Pass as `offset` for the next rows; null when these were the last. */
	nextOffset: z.nullable(z.int())
});
export type UploadRowsResponse = z.infer<typeof uploadRowsResponseSchema>;

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
	push: '/api/push',
	uploads: '/api/uploads'
} as const;
