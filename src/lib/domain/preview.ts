// Owns the preflight of an upload: from the sheet's rows and the admin's "Number of users" to a
// Preview that says, row by row, what would be added or updated, what is unchanged and what fails and
// why. Nothing is applied here; the caller applies `rows[i].mutation` of the "update" and "add" rows, and
// only when `blocking` is null. Pure and linear in the number of rows (100,000 rows in well under a second).
import { columnLetter, headerErrorMessage, isBlankRow, mapHeader, REQUIRED_FIELDS, TEMPLATE_HEADERS, type ColumnMap } from './header-map';
import { cellIssue, rowIssue, type Issue } from './issue';
import { LIMITS, quote, tooLong } from './field-rules';
import { addIssue, finishRow, newRowFacts, validateRow, type RowFacts, type RowOutcome, type RuleContext } from './row-rules';
import { FIELD_LABELS } from './types';
import type { BulkAction } from './bulk-action';

export interface PreviewInput {
	/** The whole sheet, as read (header row included, cells untrimmed). */
	rows: string[][];
	fileName: string;
	sheetName: string;
	/** What the admin typed as "Number of users". */
	declaredCount: number;
	/** The columns as matched in Match columns: replaces what the header row's names say. */
	matching?: PreviewMatching;
	/** What the rows do; User Update when absent. */
	action?: BulkAction;
}

export interface PreviewMatching {
	columns: ColumnMap;
	/** File-level notes to show with the preview (ignored columns and the like). */
	notes: Issue[];
}

export type BlockingCode = 'empty' | 'header' | 'no-users' | 'count-invalid' | 'count-mismatch';

export interface PreviewCounts {
	/** Non-blank data rows (what "Number of users" must equal). */
	rows: number;
	update: number;
	add: number;
	unchanged: number;
	failed: number;
	/** Warnings on rows plus warnings about the header. */
	warnings: number;
}

export interface Preview {
	action: BulkAction;
	fileName: string;
	sheetName: string;
	/** The header row's cells as written. Empty when the sheet has no non-blank row. */
	header: string[];
	/** 1-based row number of the header (0 when there is none). */
	headerRow: number;
	columnMap: ColumnMap;
	/** Unknown or ignored columns. */
	headerWarnings: Issue[];
	declaredCount: number;
	/** When set, nothing may be applied; the message says why and what to do. */
	blocking: null | { code: BlockingCode; message: string };
	counts: PreviewCounts;
	/** Non-blank data rows in file order. Empty when the header is unusable. */
	rows: RowOutcome[];
}

const HEADERS = TEMPLATE_HEADERS.join(', ');

function plural(n: number, one: string, many: string): string {
	return `${n} ${n === 1 ? one : many}`;
}

/** "row 7", "rows 7 and 9", "rows 7, 9, 12, 15, 20 and 3 more". `total` counts all the others. */
function rowList(shown: number[], total: number): string {
	if (total === 1) return `row ${shown[0]}`;
	const list = shown.slice(0, 5);
	const more = total - list.length;
	if (more === 0 && list.length === 2) return `rows ${list[0]} and ${list[1]}`;
	return `rows ${list.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** How often buildPreview reports progress: often enough for a smooth bar, rare enough to cost nothing. */
export const PROGRESS_EVERY = 5000;

export function buildPreview(input: PreviewInput, ctx: RuleContext, onProgress?: (checked: number, total: number) => void): Preview {
	return checkSheet(input, ctx, onProgress).preview;
}

/** A checked sheet and what the rules across rows need to check one row again (checked-upload.ts). */
export interface CheckedSheet {
	preview: Preview;
	/** The file-level notes before those about values under blank headers (a re-check adds those again). */
	notes: Issue[];
	/** Undefined when the header made checking rows impossible. */
	checks: RowChecks | undefined;
}

export function checkSheet(input: PreviewInput, ctx: RuleContext, onProgress?: (checked: number, total: number) => void): CheckedSheet {
	const { rows, declaredCount } = input;
	const preview = emptyPreview(input);
	const map = mapHeader(rows);
	if (!map) {
		preview.blocking = {
			code: 'empty',
			message: `The file has no rows. Row 1 must hold the headers (${HEADERS}) and each row below it one user.`
		};
		return { preview, notes: [], checks: undefined };
	}
	const columns = input.matching ? { ...input.matching.columns } : map.columns;
	const notes = input.matching ? input.matching.notes : map.warnings;
	preview.header = map.header;
	preview.headerRow = map.headerRow;
	preview.columnMap = columns;
	preview.headerWarnings = notes.slice();

	const dataIndexes = dataRowIndexes(rows, map.headerIndex);
	preview.counts.rows = dataIndexes.length;

	const headerError = input.matching ? missingColumnsMessage(columns, map.headerRow) : headerErrorMessage(map);
	if (headerError) {
		preview.blocking = { code: 'header', message: headerError };
		preview.counts.warnings = preview.headerWarnings.length;
		return { preview, notes, checks: undefined };
	}
	if (dataIndexes.length === 0) {
		preview.blocking = { code: 'no-users', message: `The file has headers in row ${map.headerRow} but no user rows below them.` };
		return { preview, notes, checks: undefined };
	}
	// A wrong count blocks Apply but the rows are still checked, so the admin sees every problem at once.
	preview.blocking = declaredCountProblem(declaredCount, dataIndexes.length);

	noteValuesUnderBlankHeaders(rows, dataIndexes, map.header, map.headerRow, preview.headerWarnings);
	const checks = checkEachRow(rows, dataIndexes, columns, ctx, input.action ?? 'update', onProgress);
	flagDuplicateUsers(checks);
	flagSharedEmails(checks);
	settleRows(preview, checks.outcomes);
	return { preview, notes, checks };
}

/** The header problem when matched columns leave out Account ID or Username (Continue prevents it). */
function missingColumnsMessage(columns: ColumnMap, headerRow: number): string | null {
	const missing = REQUIRED_FIELDS.filter((f) => columns[f] === undefined);
	if (missing.length === 0) return null;
	const names = missing.map((f) => `"${FIELD_LABELS[f]}"`).join(' and ');
	return `No column of row ${headerRow} is matched to ${names}. Match them in Match columns, or add the columns to the file, and upload again.`;
}

function emptyPreview({ fileName, sheetName, declaredCount, action = 'update' }: PreviewInput): Preview {
	return {
		action,
		fileName,
		sheetName,
		header: [],
		headerRow: 0,
		columnMap: {},
		headerWarnings: [],
		declaredCount,
		blocking: null,
		counts: { rows: 0, update: 0, add: 0, unchanged: 0, failed: 0, warnings: 0 },
		rows: []
	};
}

/** The indexes of the non-blank rows below the header, in file order. */
function dataRowIndexes(rows: string[][], headerIndex: number): number[] {
	const indexes: number[] = [];
	for (let i = headerIndex + 1; i < rows.length; i++) if (!isBlankRow(rows[i])) indexes.push(i);
	return indexes;
}

function declaredCountProblem(declaredCount: number, dataRows: number): Preview['blocking'] {
	if (!Number.isInteger(declaredCount) || declaredCount < 0) {
		return { code: 'count-invalid', message: 'Enter the number of users in the file as a whole number (do not count the header row).' };
	}
	if (declaredCount !== dataRows) {
		return {
			code: 'count-mismatch',
			message: `You entered ${declaredCount}, the file has ${plural(dataRows, 'user row', 'user rows')}. The number should only include actual users, not the header row; correct the number or the file and upload again.`
		};
	}
	return null;
}

/**
 * Positions (into the preview's rows) per key, in file order. A key held by one position (nearly all) is
 * a number in the Map, so the index costs no object per row; only keys held twice or more get a list.
 * Positions can be removed and added again, which is what checking one edited row needs.
 */
export class PositionIndex {
	private readonly map = new Map<string, number | number[]>();

	add(key: string, position: number): void {
		const seen = this.map.get(key);
		if (seen === undefined) this.map.set(key, position);
		else if (typeof seen === 'number') {
			if (seen !== position) this.map.set(key, seen < position ? [seen, position] : [position, seen]);
		} else {
			const at = lowerBound(seen, position);
			if (seen[at] !== position) seen.splice(at, 0, position);
		}
	}

	remove(key: string, position: number): void {
		const seen = this.map.get(key);
		if (seen === undefined) return;
		if (typeof seen === 'number') {
			if (seen === position) this.map.delete(key);
			return;
		}
		const at = lowerBound(seen, position);
		if (seen[at] !== position) return;
		seen.splice(at, 1);
		if (seen.length === 1) this.map.set(key, seen[0]);
	}

	/** The positions holding `key`, in file order (a fresh list for a single position). */
	members(key: string | undefined): readonly number[] {
		if (key === undefined) return NO_POSITIONS;
		const seen = this.map.get(key);
		return seen === undefined ? NO_POSITIONS : typeof seen === 'number' ? [seen] : seen;
	}

	/** Every key held by two positions or more, with its positions in file order. */
	*groups(): Generator<readonly number[]> {
		for (const seen of this.map.values()) if (typeof seen !== 'number') yield seen;
	}
}

const NO_POSITIONS: readonly number[] = Object.freeze([]);

function lowerBound(sorted: readonly number[], value: number): number {
	let lo = 0;
	let hi = sorted.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (sorted[mid] < value) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Every data row checked on its own, with what the rules across rows need, in parallel arrays by position. */
export interface RowChecks {
	/** What the rows do: whether a row adds or updates is decided per row from it. */
	action: BulkAction;
	outcomes: RowOutcome[];
	/** userKey per row, when the row names a user of a child account. */
	keys: (string | undefined)[];
	/** The new email lower-cased, per row that gives its user another address. */
	newEmails: (string | undefined)[];
	/** That email as written. */
	emails: (string | undefined)[];
	sameUser: PositionIndex;
	sameNewEmail: PositionIndex;
}

/** Pass 1: every row on its own. */
function checkEachRow(
	rows: string[][],
	dataIndexes: number[],
	columns: ColumnMap,
	ctx: RuleContext,
	action: BulkAction,
	onProgress?: (checked: number, total: number) => void
): RowChecks {
	const n = dataIndexes.length;
	const checks: RowChecks = {
		action,
		outcomes: new Array(n),
		keys: new Array(n),
		newEmails: new Array(n),
		emails: new Array(n),
		sameUser: new PositionIndex(),
		sameNewEmail: new PositionIndex()
	};
	const facts = newRowFacts();
	const mapped = mappedColumns(columns);
	for (let d = 0; d < n; d++) {
		const i = dataIndexes[d];
		checkOneRow(checks, d, rows[i], i + 1, columns, mapped, ctx, facts);
		if (facts.key !== undefined) checks.sameUser.add(facts.key, d);
		if (facts.newEmail !== undefined) checks.sameNewEmail.add(facts.newEmail, d);
		if (onProgress && (d + 1) % PROGRESS_EVERY === 0) onProgress(d + 1, n);
	}
	return checks;
}

// Mapped columns have their own, far lower limits (row-rules); the others are only carried into the
// results workbook, and no workbook can hold a cell over Excel's limit.
export function mappedColumns(columns: ColumnMap): ReadonlySet<number | undefined> {
	return new Set(Object.values(columns));
}

/** Pass 1 for the row at `position`: its outcome and facts go into `checks` (the indexes are the caller's). */
export function checkOneRow(
	checks: RowChecks,
	position: number,
	cells: string[],
	row: number,
	columns: ColumnMap,
	mapped: ReadonlySet<number | undefined>,
	ctx: RuleContext,
	facts: RowFacts = newRowFacts()
): RowOutcome {
	const outcome = (checks.outcomes[position] = validateRow(cells, row, columns, ctx, facts, checks.action));
	flagOverlongUnmappedCells(outcome, mapped);
	checks.keys[position] = facts.key;
	checks.newEmails[position] = facts.newEmail;
	checks.emails[position] = facts.email;
	return outcome;
}

function flagOverlongUnmappedCells(outcome: RowOutcome, mapped: ReadonlySet<number | undefined>): void {
	const cells = outcome.cells;
	for (let c = 0; c < cells.length; c++) {
		const cell = cells[c];
		if (cell !== undefined && cell.length > LIMITS.cellMax && !mapped.has(c)) {
			const label = `Column ${columnLetter(c)}`;
			addIssue(
				outcome,
				'errors',
				cellIssue(outcome.row, label, tooLong(label, cell.length, LIMITS.cellMax, 'a spreadsheet cell can hold'))
			);
		}
	}
}

// Pass 2, rules across rows. Linear: each group is summarised once, however large it is. Worded one row
// at a time, so that checking an edited row again words its group's rows exactly as a full check does.

/** Rows naming the same user: none of them is processed. */
function flagDuplicateUsers({ outcomes, sameUser }: RowChecks): void {
	for (const group of sameUser.groups()) for (const d of group) addIssue(outcomes[d], 'errors', duplicateIssue(outcomes, group, d));
}

/** The error of the row at position `d`, one of `group` (positions naming the same user, file order). */
export function duplicateIssue(outcomes: readonly RowOutcome[], group: readonly number[], d: number): Issue {
	const outcome = outcomes[d];
	const others: number[] = [];
	for (let i = 0; i < group.length && i < 6 && others.length < 5; i++) if (group[i] !== d) others.push(outcomes[group[i]].row);
	return cellIssue(
		outcome.row,
		FIELD_LABELS.username,
		`Duplicate of ${rowList(others, group.length - 1)} (same Account ID and Username); none of these rows is processed`,
		outcome.username
	);
}

/** Who, among the rows giving one new address, is which user: summarised once per group. */
export interface EmailGroup {
	group: readonly number[];
	rowsPerUser: Map<string | undefined, number>;
	/** The first row of each of the first six users. */
	firstRowOfUser: { key: string | undefined; row: number }[];
}

export function summarizeEmailGroup(checks: Pick<RowChecks, 'outcomes' | 'keys'>, group: readonly number[]): EmailGroup {
	const rowsPerUser = new Map<string | undefined, number>();
	const firstRowOfUser: { key: string | undefined; row: number }[] = [];
	for (const d of group) {
		const key = checks.keys[d];
		const count = rowsPerUser.get(key) ?? 0;
		if (count === 0 && firstRowOfUser.length < 6) firstRowOfUser.push({ key, row: checks.outcomes[d].row });
		rowsPerUser.set(key, count + 1);
	}
	return { group, rowsPerUser, firstRowOfUser };
}

/**
 * The error of the row at `d` when its group gives one address to different users; undefined when the
 * rows all name one user (they are duplicates of each other, said once).
 */
export function sharedEmailIssue(
	checks: Pick<RowChecks, 'outcomes' | 'keys' | 'emails'>,
	summary: EmailGroup,
	d: number
): Issue | undefined {
	if (summary.rowsPerUser.size < 2) return undefined;
	const outcome = checks.outcomes[d];
	const key = checks.keys[d];
	const email = checks.emails[d] ?? '';
	const total = summary.group.length - (summary.rowsPerUser.get(key) ?? 0);
	const shown = summary.firstRowOfUser.filter((u) => u.key !== key).map((u) => u.row);
	return cellIssue(
		outcome.row,
		FIELD_LABELS.email,
		`Email ${quote(email)} is also in ${rowList(shown, total)}; an email address belongs to one user`,
		email
	);
}

/** Rows giving one new address to different users. */
function flagSharedEmails(checks: RowChecks): void {
	for (const group of checks.sameNewEmail.groups()) {
		const summary = summarizeEmailGroup(checks, group);
		if (summary.rowsPerUser.size < 2) continue;
		for (const d of group) addIssue(checks.outcomes[d], 'errors', sharedEmailIssue(checks, summary, d)!);
	}
}

/** Adds (+1) or takes back (-1) a settled row's share of the counts. */
export function countRow(counts: PreviewCounts, outcome: RowOutcome, sign: 1 | -1): void {
	counts[outcome.status] += sign;
	counts.warnings += sign * outcome.warnings.length;
}

/** Settles every row's status once all rules ran, and counts them. */
function settleRows(preview: Preview, outcomes: RowOutcome[]): void {
	const counts = preview.counts;
	counts.warnings = preview.headerWarnings.length;
	for (const outcome of outcomes) {
		finishRow(outcome);
		countRow(counts, outcome, 1);
	}
	preview.rows = outcomes;
}

// A value typed under a column without a header is silently ignored otherwise (e.g. a forgotten "Role").
function noteValuesUnderBlankHeaders(rows: string[][], dataIndexes: number[], header: string[], headerRow: number, warnings: Issue[]) {
	const blank: number[] = [];
	for (let c = 0; c < header.length; c++) if (header[c].trim() === '') blank.push(c);
	const found = new Set<number>();
	for (const i of dataIndexes) {
		const row = rows[i];
		for (const c of blank) if (!found.has(c) && row[c] !== undefined && row[c].trim() !== '') found.add(c);
		for (let c = header.length; c < row.length; c++) if (!found.has(c) && row[c].trim() !== '') found.add(c);
	}
	for (const c of [...found].sort((a, b) => a - b)) {
		warnings.push(
			rowIssue(headerRow, `Column ${columnLetter(c)}`, `Column ${columnLetter(c)} has values but no header; its values are ignored`)
		);
	}
}

/** The preview's rows with errors first, then warnings, then the rest (file order within each group). */
export function rowsForDisplay(preview: Preview): RowOutcome[] {
	// Three stable buckets: linear, where a sort of 100,000 rows is not.
	const failed: RowOutcome[] = [];
	const warned: RowOutcome[] = [];
	const rest: RowOutcome[] = [];
	for (const r of preview.rows) (r.status === 'failed' ? failed : r.warnings.length > 0 ? warned : rest).push(r);
	return failed.concat(warned, rest);
}
