// The upload history the portal keeps: what a device sends about an applied upload (its record, cut
// into parts that each fit a push), how the portal completes each row with its own answer to the row's
// change, and the per-row facts an undo needs. Pure; the protocol's schemas describe the same shapes.
import type { ColumnMap } from './header-map';
import { QUEUED_REASON, summarize, type FinalStatus, type ResultSummary } from './results';
import { FIELD_LABELS, type VisibleField } from './types';
import type { BulkAction } from './bulk-action';

export const VISIBLE_FIELDS: readonly VisibleField[] = ['name', 'email', 'role'];

/** One field an upload changed, as the portal applied it. */
export interface FieldChange {
	before: string;
	after: string;
}
export type FieldChanges = Partial<Record<VisibleField, FieldChange>>;

/** Who an applied row changed and how: what the portal saw when it applied the row's change. */
export interface AppliedChange {
	accountId: string;
	/** As the portal spells it. */
	username: string;
	fields: FieldChanges;
	/** True when the row set a password (never the password itself). */
	password: boolean;
	/** The row added the user: every field's `before` is '' (undo leaves added users alone). */
	created?: true;
}

/** What the device says about one row: the portal completes rows that carry a mutation id `m`. */
export interface RecordRow {
	row: number;
	/** The file's values; the Password column holds the mask, never a password. */
	cells: string[];
	status: FinalStatus;
	reason: string;
	changed: string[];
	/** The id of the row's user.update or user.create mutation (per device), when the row was sent. */
	m?: number;
}

/** One row of an upload as the portal keeps it: the device's row with the portal's final word. */
export interface HistoryRow {
	row: number;
	cells: string[];
	status: FinalStatus;
	reason: string;
	changed: string[];
	/** Set for rows the portal applied. */
	applied?: AppliedChange;
}

/** What the portal answered to one row's change. */
export type PortalRowOutcome = { status: 'applied'; change: AppliedChange } | { status: 'rejected'; reason: string };

export interface UploadMeta {
	fileName: string;
	sheetName: string;
	/** When the admin applied it, by the device's clock (ms since the epoch). */
	uploadedAt: number;
	admin: string;
	header: string[];
	columnMap: ColumnMap;
	/** Set on an undo: the upload it takes back. */
	undoOf?: { id: string; fileName: string };
	/** Set when the admin confirmed the large-change gate by typing this number of users. */
	largeChangeConfirmed?: number;
	/** What the upload did; absent for User Update. */
	action?: BulkAction;
}

/** An upload in the portal's history list. */
export interface UploadSummary extends UploadMeta {
	id: string;
	/** When the portal received it (its clock): expiry counts from here. */
	receivedAt: number;
	counts: ResultSummary;
	/** The id of the undo that took this upload back, once the portal has it. */
	undoneBy?: string;
}

/** What a device says about its upload; the portal adds the admin from the session that sends it. */
export type RecordMeta = Omit<UploadMeta, 'admin'>;

/** A part of an upload's record; part 0 carries the upload's facts. */
export interface UploadRecordPart {
	part: number;
	parts: number;
	meta?: RecordMeta;
	rows: RecordRow[];
}

/** Longest cell kept in history: enough for every template field, and a part stays far below a push body's limit. */
export const RECORD_CELL_MAX = 500;
/**
 * A part's rows together stay under about this many characters of JSON: under a 1 MB push body even when
 * every character takes 3 bytes of UTF-8 and rejections lengthen some reasons after the cut.
 */
export const RECORD_PART_CHARS = 250_000;
/** What a reason counts for when parts are cut: a rejection after Apply may replace a shorter one. */
const REASON_ALLOWANCE = 100;
export const RECORD_PART_ROWS = 2000;

function cut(value: string): string {
	return value.length <= RECORD_CELL_MAX ? value : `${value.slice(0, RECORD_CELL_MAX - 1)}…`;
}

function cutAll(cells: readonly string[]): string[] {
	let long = false;
	for (const c of cells) if (c.length > RECORD_CELL_MAX) long = true;
	return long ? cells.map(cut) : (cells as string[]);
}

/** The "waiting to be sent" note belongs to this device's view; the portal's rows say what happened. */
export function withoutQueuedNote(reason: string): string {
	if (!reason.includes(QUEUED_REASON)) return reason;
	return reason
		.split('; ')
		.filter((part) => part !== QUEUED_REASON)
		.join('; ');
}

/**
 * Characters of a row's JSON, give or take escapes: counted, not serialised, since Apply cuts 100,000
 * rows. A part is cut at Apply and sent after the portal answered its rows, so the reason counts for at
 * least REASON_ALLOWANCE.
 */
function approximateSize(row: Pick<RecordRow, 'cells' | 'changed' | 'reason'>): number {
	let size = 96 + Math.max(REASON_ALLOWANCE, Math.min(row.reason.length, RECORD_CELL_MAX));
	for (const cell of row.cells) size += Math.min(cell.length, RECORD_CELL_MAX) + 3;
	for (const label of row.changed) size += label.length + 3;
	return size;
}

/** Where each part of an upload's record starts (indexes into its rows); always at least one part. */
export function recordPartStarts(rows: readonly Pick<RecordRow, 'cells' | 'changed' | 'reason'>[]): number[] {
	const starts = [0];
	let chars = 0;
	let count = 0;
	for (let i = 0; i < rows.length; i++) {
		const size = approximateSize(rows[i]);
		if (count > 0 && (chars + size > RECORD_PART_CHARS || count >= RECORD_PART_ROWS)) {
			starts.push(i);
			chars = 0;
			count = 0;
		}
		chars += size;
		count++;
	}
	return starts;
}

/** One part of an upload's record, its rows as history keeps them (long cells cut, no device-only note). */
export function recordPart(meta: RecordMeta, rows: readonly RecordRow[], part: number, parts: number): UploadRecordPart {
	return {
		part,
		parts,
		...(part === 0
			? { meta: { ...meta, header: meta.header.map(cut), fileName: cut(meta.fileName), sheetName: cut(meta.sheetName) } }
			: {}),
		rows: rows.map((row) => ({ ...row, cells: cutAll(row.cells), reason: cut(withoutQueuedNote(row.reason)) }))
	};
}

/** Characters a part may take when it is sent: 3 bytes each at most, so under a 1 MB push body. */
export const RECORD_PART_MAX_CHARS = 300_000;

/**
 * A part as it is sent: if rejections since Apply lengthened its reasons past RECORD_PART_MAX_CHARS, each
 * reason is shortened to what the cut allowed for it, which brings the part back under (its id is already
 * taken, so it cannot be split any more).
 */
export function fitRecordPart(part: UploadRecordPart): UploadRecordPart {
	if (JSON.stringify(part).length <= RECORD_PART_MAX_CHARS) return part;
	const short = (reason: string) => (reason.length <= REASON_ALLOWANCE ? reason : `${reason.slice(0, REASON_ALLOWANCE - 1)}…`);
	return { ...part, rows: part.rows.map((row) => ({ ...row, reason: short(row.reason) })) };
}

/** Cuts an upload's record into parts that each fit one push, in row order. */
export function recordParts(meta: RecordMeta, rows: readonly RecordRow[]): UploadRecordPart[] {
	const starts = recordPartStarts(rows);
	return starts.map((start, i) => recordPart(meta, rows.slice(start, starts[i + 1] ?? rows.length), i, starts.length));
}

/** A device's row completed with the portal's answer to its change, if the portal gave one. */
export function historyRow(row: RecordRow, outcome: PortalRowOutcome | undefined): HistoryRow {
	const base = { row: row.row, cells: row.cells, reason: row.reason, changed: row.changed };
	if (!outcome) return { ...base, status: row.status };
	if (outcome.status === 'rejected') return { ...base, status: 'Failed', reason: outcome.reason, changed: [] };
	return { ...base, status: outcome.change.created ? 'Added' : 'Updated', applied: outcome.change };
}

export function historyCounts(rows: readonly HistoryRow[]): ResultSummary {
	return summarize(rows);
}

/** The changed fields of an applied change, by label ("Name, Email"). */
export function changedLabels(change: AppliedChange): string[] {
	const labels = VISIBLE_FIELDS.filter((f) => change.fields[f] !== undefined).map((f) => FIELD_LABELS[f]);
	if (change.password) labels.push(FIELD_LABELS.password);
	return labels;
}

/** "Undo of roster.xlsx" for an undo, else the file name. */
export function uploadTitle(upload: Pick<UploadMeta, 'fileName' | 'undoOf'>): string {
	return upload.undoOf ? `Undo of ${upload.undoOf.fileName}` : upload.fileName;
}
