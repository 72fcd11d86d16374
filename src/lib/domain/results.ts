// Owns what the results workbook says about each uploaded row after an apply: the final status,
// the reason and the changed fields, plus totals that always add up. Also the rule that keeps our
// exported text from being run as a formula. Pure: the spreadsheet layer writes what this decides.
import { LIMITS, quote } from './field-rules';
import type { Preview } from './preview';
import type { FieldEdit, RowOutcome } from './row-rules';
import { EDITABLE_FIELDS, FIELD_LABELS, type EditableField } from './types';

export type FinalStatus = 'Added' | 'Updated' | 'Unchanged' | 'Failed' | 'Queued';

/**
 * What happened to an "update" or "add" row's mutation:
 * applied by the server; rejected (the server's reason, e.g. a conflict); queued (saved on this device,
 * not yet confirmed by the server, e.g. offline).
 */
export type ApplyOutcome = { status: 'applied' } | { status: 'rejected'; reason: string } | { status: 'queued'; reason?: string };

export interface FinalRow {
	row: number;
	/** The uploaded cells (the writer masks the password). */
	cells: string[];
	status: FinalStatus;
	/** Empty for a plain success; errors for a failure; warnings otherwise. */
	reason: string;
	/** Labels of the fields written ("Name", "Password"); empty unless Added, Updated or Queued. */
	changed: string[];
	/** The fields edited in the preview with the file's values: `Email: was "x@"; Password`. */
	edited?: string;
}

export interface ResultSummary {
	rows: number;
	added: number;
	updated: number;
	unchanged: number;
	failed: number;
	queued: number;
}

export const QUEUED_REASON = 'Saved on this device, to be sent when the portal is reachable';

function joinReasons(reasons: string[]): string {
	return reasons.join('; ');
}

/** "Email: was "not-an-email"; Password": what the results say about a row's edits (never a password). */
export function describeEdits(edits: readonly FieldEdit[]): string {
	return edits
		.map((e) => (e.field === 'password' ? FIELD_LABELS.password : `${FIELD_LABELS[e.field]}: was ${e.was === '' ? 'blank' : quote(e.was)}`))
		.join('; ');
}

function changedLabels(row: RowOutcome): string[] {
	const changes = row.mutation?.changes ?? {};
	return EDITABLE_FIELDS.filter((f: EditableField) => changes[f] !== undefined).map((f) => FIELD_LABELS[f]);
}

/**
 * The final status of every previewed row, in file order. `outcomeOf` answers for "update" and "add"
 * rows; such a row without an answer is Queued (it was handed to the outbox but not confirmed).
 * A blocked preview applied nothing: every row is Failed with the blocking reason.
 */
export function finalizeRows(preview: Preview, outcomeOf: (row: RowOutcome) => ApplyOutcome | undefined): FinalRow[] {
	return preview.rows.map((row): FinalRow => {
		const base = row.edits ? { row: row.row, cells: row.cells, edited: describeEdits(row.edits) } : { row: row.row, cells: row.cells };
		const warnings = joinReasons(row.warnings.map((w) => w.reason));
		if (preview.blocking) return { ...base, status: 'Failed', reason: `Not processed: ${preview.blocking.message}`, changed: [] };
		if (row.status === 'failed') return { ...base, status: 'Failed', reason: joinReasons(row.errors.map((e) => e.reason)), changed: [] };
		if (row.status === 'unchanged') {
			return { ...base, status: 'Unchanged', reason: warnings || 'No changes: the values match the current ones', changed: [] };
		}
		const outcome = outcomeOf(row);
		if (!outcome || outcome.status === 'queued') {
			return {
				...base,
				status: 'Queued',
				reason: joinReasons([outcome?.reason ?? QUEUED_REASON, ...(warnings ? [warnings] : [])]),
				changed: changedLabels(row)
			};
		}
		if (outcome.status === 'rejected') return { ...base, status: 'Failed', reason: outcome.reason, changed: [] };
		return { ...base, status: row.status === 'add' ? 'Added' : 'Updated', reason: warnings, changed: changedLabels(row) };
	});
}

/** Totals by status; rows = added + updated + unchanged + failed + queued by construction. */
export function summarize(rows: readonly Pick<FinalRow, 'status'>[]): ResultSummary {
	const summary: ResultSummary = { rows: 0, added: 0, updated: 0, unchanged: 0, failed: 0, queued: 0 };
	for (const { status } of rows) {
		summary.rows++;
		if (status === 'Added') summary.added++;
		else if (status === 'Updated') summary.updated++;
		else if (status === 'Unchanged') summary.unchanged++;
		else if (status === 'Failed') summary.failed++;
		else summary.queued++;
	}
	return summary;
}

/**
 * The help article's completion message: "5 rows updated, 1 row had errors." Rows still waiting for the
 * portal are said too: "0 rows updated" alone would read as if the upload did nothing. Added rows lead
 * when there are any ("3 rows added, 0 rows updated, …"); an upload that only updates reads as before.
 */
export function outcomeSentence(
	counts: Pick<ResultSummary, 'updated' | 'failed'> & Partial<Pick<ResultSummary, 'queued' | 'added'>>
): string {
	const rows = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
	const added = counts.added ? `${rows(counts.added)} added, ` : '';
	const queued = counts.queued ? `, ${rows(counts.queued)} queued to sync` : '';
	return `${added}${rows(counts.updated)} updated, ${rows(counts.failed)} had errors${queued}.`;
}

/**
 * Formula injection ("CSV injection") guard for text we write into spreadsheets: a cell starting with
 * = + - @ (formula triggers in Excel, LibreOffice and Google Sheets), or tab / carriage return (which
 * some importers strip before looking for those) is prefixed with a single quote.
 *
 * Why a quote: it is OWASP's recommendation and the spreadsheet convention for "this is text"; the
 * value stays readable and no program evaluates it, even after the admin saves the results as CSV and
 * opens that. The cost is a visible "'" in such cells; our reader removes it again (row-rules
 * restoreNeutralized) so re-uploading an export does not rename "=Smith" to "'=Smith". Our .xlsx cells
 * are string-typed anyway; the prefix protects the copies admins make of them.
 */
export function neutralizeFormula(text: string): string {
	if (text === '') return text;
	const c = text.charCodeAt(0);
	if (c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d) return `'${text}`;
	return text;
}

const CUT_NOTE = `… (shortened: a spreadsheet cell holds at most ${LIMITS.cellMax.toLocaleString('en-US')} characters)`;

/**
 * Text as we write it into a workbook cell: formula-guarded, and never longer than a cell holds.
 * The check fails rows with longer values, but their cells still go into the results as uploaded,
 * and writing the results must never fail after an apply (SheetJS throws on 32,768 characters).
 * The cut comes after the guard, so the quote stays in front and counts towards the limit.
 */
export function spreadsheetText(value: string): string {
	const text = neutralizeFormula(value);
	if (text.length <= LIMITS.cellMax) return text;
	let end = LIMITS.cellMax - CUT_NOTE.length;
	// Never keep half of a character that takes two UTF-16 units (emoji and the like).
	const last = text.charCodeAt(end - 1);
	if (last >= 0xd800 && last <= 0xdbff) end--;
	return text.slice(0, end) + CUT_NOTE;
}
