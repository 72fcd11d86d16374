// The portal's upload history: every applied upload of a parent account, its rows completed with the
// portal's own answer to each row's change (with the values before and after, for undo), kept for a
// number of days. The reference server and the in-memory portal both keep it in an UploadHistoryBook
// and change it only through a HistoryDraft's delta, so they answer the same; the server writes the delta
// into its journal before applying it (durable before visible), and applying a delta twice changes nothing.
import {
	historyCounts,
	historyRow,
	type AppliedChange,
	type FieldChanges,
	type HistoryRow,
	type PortalRowOutcome,
	type RecordMeta,
	type UploadSummary
} from '../domain/history';
import type { User, VisibleField } from '../domain/types';
import type { Checked, CreateDecision } from './portal-rules';
import { UPLOAD_ROWS_PAGE_MAX, UPLOADS_PAGE_MAX, type UploadRecord, type UserUpdate } from './protocol';

export const DEFAULT_HISTORY_DAYS = 30;
const DAY_MS = 86_400_000;

export interface StoredUpload {
	id: string;
	parentAccountId: string;
	/** Whose outbox sent it (clientKey): its rows' answers are found under that key. */
	clientKey: string;
	/** Order of arrival, newest highest: the list's order and cursor. */
	seq: number;
	receivedAt: number;
	admin: string;
	meta: RecordMeta;
	parts: number;
	/** Parts received so far; they arrive in order. */
	received: number;
	rows: HistoryRow[];
	undoneBy?: string;
}

/** The portal's answers to one upload's row changes, until its record arrives and takes them. */
export interface PendingOutcomes {
	at: number;
	byId: Map<number, PortalRowOutcome>;
}

/** A change to the history: what a push adds. Absolute, so applying it twice gives the same history. */
export interface HistoryDelta {
	outcomes: { batch: string; at: number; id: number; outcome: PortalRowOutcome }[];
	parts: { upload: Omit<StoredUpload, 'rows' | 'received' | 'undoneBy'>; part: number; rows: HistoryRow[] }[];
	undone: { key: string; by: string }[];
}

export function emptyDelta(): HistoryDelta {
	return { outcomes: [], parts: [], undone: [] };
}

export function isEmptyDelta(d: HistoryDelta): boolean {
	return d.outcomes.length === 0 && d.parts.length === 0 && d.undone.length === 0;
}

function uploadKey(parentAccountId: string, id: string): string {
	return `${parentAccountId}\u0000${id}`;
}

function batchKey(clientKey: string, batchId: string): string {
	return `${clientKey}\u0000${batchId}`;
}

export function expired(receivedAt: number, now: number, days: number): boolean {
	return receivedAt + days * DAY_MS <= now;
}

/** What the portal answered to a user update, for the history: the fields it changed, before and after. */
export function outcomeOfUpdate(
	m: Pick<UserUpdate, 'changes'>,
	decision:
		{ status: 'rejected'; reason: string } | { status: 'applied'; current: User; next: Pick<User, VisibleField>; setsPassword: boolean }
): PortalRowOutcome {
	if (decision.status === 'rejected') return { status: 'rejected', reason: decision.reason };
	const fields: FieldChanges = {};
	for (const field of ['name', 'email', 'role'] as const) {
		if (m.changes[field] === undefined) continue;
		const before = decision.current[field];
		const after = decision.next[field];
		if (before !== after) fields[field] = { before, after };
	}
	const change: AppliedChange = {
		accountId: decision.current.accountId,
		username: decision.current.username,
		fields,
		password: decision.setsPassword
	};
	return { status: 'applied', change };
}

/** What the portal answered to a user create, for the history: every field of the new user, from blank. */
export function outcomeOfCreate(decision: CreateDecision): PortalRowOutcome {
	if (decision.status === 'rejected') return { status: 'rejected', reason: decision.reason };
	const { next } = decision;
	const fields: FieldChanges = {};
	for (const field of ['name', 'email', 'role'] as const) if (next[field] !== '') fields[field] = { before: '', after: next[field] };
	return {
		status: 'applied',
		change: { accountId: next.accountId, username: next.username, fields, password: decision.setsPassword, created: true }
	};
}

export class UploadHistoryBook {
	readonly uploads = new Map<string, StoredUpload>();
	readonly outcomes = new Map<string, PendingOutcomes>();
	seq = 0;
	/** Batch keys of complete uploads: answers for them are not kept again when a journal is replayed. */
	private readonly complete = new Set<string>();

	apply(delta: HistoryDelta): void {
		for (const { batch, at, id, outcome } of delta.outcomes) {
			if (this.complete.has(batch)) continue;
			let pending = this.outcomes.get(batch);
			if (!pending) this.outcomes.set(batch, (pending = { at, byId: new Map() }));
			pending.byId.set(id, outcome);
		}
		for (const { upload, part, rows } of delta.parts) {
			const key = uploadKey(upload.parentAccountId, upload.id);
			let stored = this.uploads.get(key);
			if (!stored && part === 0) {
				stored = { ...upload, received: 0, rows: [] };
				this.uploads.set(key, stored);
			}
			// Parts arrive in order; one already here (a replayed journal line) is skipped.
			if (!stored || stored.received !== part) continue;
			for (const row of rows) stored.rows.push(row);
			stored.received = part + 1;
			this.seq = Math.max(this.seq, upload.seq);
			// Complete: the answers it took are no longer needed.
			if (stored.received === stored.parts) this.markComplete(stored);
		}
		for (const { key, by } of delta.undone) {
			const stored = this.uploads.get(key);
			if (stored) stored.undoneBy = by;
		}
	}

	private markComplete(upload: StoredUpload): void {
		const batch = batchKey(upload.clientKey, upload.id);
		this.outcomes.delete(batch);
		this.complete.add(batch);
	}

	/** Forgets uploads (and answers waiting for a record) older than `days`. */
	prune(now: number, days: number): void {
		for (const [key, upload] of this.uploads) {
			if (!expired(upload.receivedAt, now, days)) continue;
			this.uploads.delete(key);
			this.complete.delete(batchKey(upload.clientKey, upload.id));
		}
		for (const [key, pending] of this.outcomes) if (expired(pending.at, now, days)) this.outcomes.delete(key);
	}

	private visible(parentAccountId: string, id: string, now: number, days: number): StoredUpload | undefined {
		const upload = this.uploads.get(uploadKey(parentAccountId, id));
		if (!upload || upload.received !== upload.parts || expired(upload.receivedAt, now, days)) return undefined;
		return upload;
	}

	/** The parent's complete uploads, newest first, after the cursor `before`. */
	list(
		parentAccountId: string,
		before: number | null,
		limit: number,
		now: number,
		days: number
	): { uploads: UploadSummary[]; next: string | null } {
		const found: StoredUpload[] = [];
		for (const upload of this.uploads.values()) {
			if (upload.parentAccountId !== parentAccountId || upload.received !== upload.parts) continue;
			if (expired(upload.receivedAt, now, days) || (before !== null && upload.seq >= before)) continue;
			found.push(upload);
		}
		found.sort((a, b) => b.seq - a.seq);
		const page = found.slice(0, limit);
		return { uploads: page.map(summary), next: found.length > limit ? String(page[page.length - 1].seq) : null };
	}

	rows(
		parentAccountId: string,
		id: string,
		offset: number,
		limit: number,
		now: number,
		days: number
	): { upload: UploadSummary; rows: HistoryRow[]; nextOffset: number | null } | undefined {
		const upload = this.visible(parentAccountId, id, now, days);
		if (!upload) return undefined;
		const rows = upload.rows.slice(offset, offset + limit);
		return { upload: summary(upload), rows, nextOffset: offset + limit < upload.rows.length ? offset + limit : null };
	}

	toJSON(): SerializedHistory {
		return {
			seq: this.seq,
			uploads: [...this.uploads.values()],
			outcomes: [...this.outcomes].map(([batch, p]) => ({ batch, at: p.at, byId: [...p.byId] }))
		};
	}

	static fromJSON(data: SerializedHistory | undefined): UploadHistoryBook {
		const book = new UploadHistoryBook();
		if (!data) return book;
		book.seq = data.seq;
		for (const u of data.uploads) {
			book.uploads.set(uploadKey(u.parentAccountId, u.id), u);
			if (u.received === u.parts) book.complete.add(batchKey(u.clientKey, u.id));
		}
		for (const o of data.outcomes) book.outcomes.set(o.batch, { at: o.at, byId: new Map(o.byId) });
		return book;
	}
}

export interface SerializedHistory {
	seq: number;
	uploads: StoredUpload[];
	outcomes: { batch: string; at: number; byId: [number, PortalRowOutcome][] }[];
}

function summary(u: StoredUpload): UploadSummary {
	return {
		...u.meta,
		id: u.id,
		admin: u.admin,
		receivedAt: u.receivedAt,
		counts: historyCounts(u.rows),
		...(u.undoneBy ? { undoneBy: u.undoneBy } : {})
	};
}

export interface HistoryScope {
	adminUsername: string;
	parentAccountId: string;
	clientKey: string;
}

/**
 * One push's changes to the history, read through: what it added is seen by its later mutations, and
 * the book is left alone until the caller applies `delta` (once durable, on the server).
 */
export class HistoryDraft {
	readonly delta = emptyDelta();
	private readonly progress = new Map<string, { received: number; parts: number; meta: RecordMeta; seq: number }>();
	private readonly pendingOutcomes = new Map<string, Map<number, PortalRowOutcome>>();
	private seq: number;

	constructor(
		private readonly book: UploadHistoryBook,
		private readonly now: number
	) {
		this.seq = book.seq;
	}

	/** Keeps a user update's or create's answer for its upload's record. */
	noteOutcome(scope: HistoryScope, m: Pick<UserUpdate, 'id' | 'batchId'>, outcome: PortalRowOutcome): void {
		const batch = batchKey(scope.clientKey, m.batchId);
		this.delta.outcomes.push({ batch, at: this.now, id: m.id, outcome });
		let map = this.pendingOutcomes.get(batch);
		if (!map) this.pendingOutcomes.set(batch, (map = new Map()));
		map.set(m.id, outcome);
	}

	private outcome(batch: string, id: number): PortalRowOutcome | undefined {
		return this.pendingOutcomes.get(batch)?.get(id) ?? this.book.outcomes.get(batch)?.byId.get(id);
	}

	/** Adds a part of an upload's record, or says why not (in words for the log; the device drops the part). */
	addPart(scope: HistoryScope, m: UploadRecord): Checked<null> {
		const key = uploadKey(scope.parentAccountId, m.batchId);
		const stored = this.book.uploads.get(key);
		const known =
			this.progress.get(key) ?? (stored && { received: stored.received, parts: stored.parts, meta: stored.meta, seq: stored.seq });
		if (known && known.received === known.parts) return { ok: false, message: `Upload ${m.batchId} is already in the history` };
		if (!known && m.part !== 0) return { ok: false, message: `Part ${m.part} of upload ${m.batchId} arrived before its first part` };
		if (known && (m.part !== known.received || m.parts !== known.parts)) {
			return {
				ok: false,
				message: `Part ${m.part} of ${m.parts} of upload ${m.batchId} does not follow part ${known.received - 1} of ${known.parts}`
			};
		}
		const meta = known?.meta ?? m.meta!;
		const seq = known?.seq ?? ++this.seq;
		const batch = batchKey(scope.clientKey, m.batchId);
		const rows = m.rows.map((row) => historyRow(row, row.m === undefined ? undefined : this.outcome(batch, row.m)));
		const receivedAt = stored?.receivedAt ?? this.now;
		this.delta.parts.push({
			upload: {
				id: m.batchId,
				parentAccountId: scope.parentAccountId,
				clientKey: scope.clientKey,
				seq,
				receivedAt,
				admin: stored?.admin ?? scope.adminUsername,
				meta,
				parts: m.parts
			},
			part: m.part,
			rows
		});
		this.progress.set(key, { received: m.part + 1, parts: m.parts, meta, seq });
		// An undo, once whole, marks the upload it took back (only within the same parent).
		if (m.part + 1 === m.parts && meta.undoOf) {
			const original = uploadKey(scope.parentAccountId, meta.undoOf.id);
			if (this.book.uploads.has(original) || this.progress.has(original)) this.delta.undone.push({ key: original, by: m.batchId });
		}
		return { ok: true, value: null };
	}
}

/** The list's query: `before` a cursor from an earlier page (or none), `limit` 1..UPLOADS_PAGE_MAX. */
export function uploadsWindow(before: string | null, limit: string | null): Checked<{ before: number | null; limit: number }> {
	const cursor = before === null || before === '' ? null : /^\d{1,15}$/.test(before) ? Number(before) : NaN;
	if (Number.isNaN(cursor)) return { ok: false, message: 'Query parameter before must be a cursor from an earlier page' };
	const size = limit === null || limit === '' ? 50 : /^\d{1,6}$/.test(limit) ? Number(limit) : 0;
	if (size < 1) return { ok: false, message: 'Query parameter limit must be an integer ≥ 1' };
	return { ok: true, value: { before: cursor, limit: Math.min(size, UPLOADS_PAGE_MAX) } };
}

/** One upload's rows query: `offset` ≥ 0, `limit` 1..UPLOAD_ROWS_PAGE_MAX. */
export function uploadRowsWindow(offset: string | null, limit: string | null): Checked<{ offset: number; limit: number }> {
	const from = offset === null || offset === '' ? 0 : /^\d{1,9}$/.test(offset) ? Number(offset) : -1;
	if (from < 0) return { ok: false, message: 'Query parameter offset must be an integer ≥ 0' };
	const size = limit === null || limit === '' ? UPLOAD_ROWS_PAGE_MAX : /^\d{1,6}$/.test(limit) ? Number(limit) : 0;
	if (size < 1) return { ok: false, message: 'Query parameter limit must be an integer ≥ 1' };
	return { ok: true, value: { offset: from, limit: Math.min(size, UPLOAD_ROWS_PAGE_MAX) } };
}

/** The 404 for an upload that is not in this parent's history (unknown, another parent's, or expired alike). */
export function uploadNotFound(id: string): string {
	return `Upload ${id} is not in the upload history (uploads are kept for a limited number of days)`;
}
