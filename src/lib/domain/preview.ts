// Owns the preflight of an upload: from the sheet's rows and the admin's "Number of users" to a
// Preview that says, row by row, what would be updated, what is unchanged and what fails and why.
// Nothing is applied here; the caller applies `rows[i].mutation` of the "update" rows, and only when
// `blocking` is null. Pure and linear in the number of rows (100,000 rows in well under a second).
import { columnLetter, headerErrorMessage, isBlankRow, mapHeader, TEMPLATE_HEADERS, type ColumnMap } from './header-map';
import { cellIssue, rowIssue, type Issue } from './issue';
import { LIMITS, quote, tooLong } from './field-rules';
import { addIssue, finishRow, newRowFacts, validateRow, type RowOutcome, type RuleContext } from './row-rules';
import { FIELD_LABELS } from './types';

export interface PreviewInput {
	/** The whole sheet, as read (header row included, cells untrimmed). */
	rows: string[][];
	fileName: string;
	sheetName: string;
	/** What the admin typed as "Number of users". */
	declaredCount: number;
}

export type BlockingCode = 'empty' | 'header' | 'no-users' | 'count-invalid' | 'count-mismatch';

export interface PreviewCounts {
	/** Non-blank data rows (what "Number of users" must equal). */
	rows: number;
	update: number;
	unchanged: number;
	failed: number;
	/** Warnings on rows plus warnings about the header. */
	warnings: number;
}

export interface Preview {
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

/** Up to 5 row numbers of `rows` other than `self` (linear in 6, not in the group size). */
function firstOthers(rows: number[], self: number): number[] {
	const out: number[] = [];
	for (let i = 0; i < rows.length && out.length < 5; i++) if (rows[i] !== self) out.push(rows[i]);
	return out;
}

/** How often buildPreview reports progress: often enough for a smooth bar, rare enough to cost nothing. */
export const PROGRESS_EVERY = 5000;

export function buildPreview(input: PreviewInput, ctx: RuleContext, onProgress?: (checked: number, total: number) => void): Preview {
	const { rows, declaredCount } = input;
	const preview = emptyPreview(input);
	const map = mapHeader(rows);
	if (!map) {
		preview.blocking = {
			code: 'empty',
			message: `The file has no rows. Row 1 must hold the headers (${HEADERS}) and each row below it one user.`
		};
		return preview;
	}
	preview.header = map.header;
	preview.headerRow = map.headerRow;
	preview.columnMap = map.columns;
	preview.headerWarnings = map.warnings;

	const dataIndexes = dataRowIndexes(rows, map.headerIndex);
	preview.counts.rows = dataIndexes.length;

	const headerError = headerErrorMessage(map);
	if (headerError) {
		preview.blocking = { code: 'header', message: headerError };
		preview.counts.warnings = map.warnings.length;
		return preview;
	}
	if (dataIndexes.length === 0) {
		preview.blocking = { code: 'no-users', message: `The file has headers in row ${map.headerRow} but no user rows below them.` };
		return preview;
	}
	// A wrong count blocks Apply but the rows are still checked, so the admin sees every problem at once.
	preview.blocking = declaredCountProblem(declaredCount, dataIndexes.length);

	noteValuesUnderBlankHeaders(rows, dataIndexes, map.header, map.headerRow, preview.headerWarnings);
	const checked = checkEachRow(rows, dataIndexes, map.columns, ctx, onProgress);
	flagDuplicateUsers(checked);
	flagSharedEmails(checked);
	settleRows(preview, checked.outcomes);
	return preview;
}

function emptyPreview({ fileName, sheetName, declaredCount }: PreviewInput): Preview {
	return {
		fileName,
		sheetName,
		header: [],
		headerRow: 0,
		columnMap: {},
		headerWarnings: [],
		declaredCount,
		blocking: null,
		counts: { rows: 0, update: 0, unchanged: 0, failed: 0, warnings: 0 },
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
 * Positions seen more than once per key. The first position of a key sits in a Map of numbers and only
 * keys seen twice (few) get a list: no extra object per row.
 */
class Repeats {
	private readonly first = new Map<string, number>();
	readonly groups = new Map<string, number[]>();

	note(key: string, position: number): void {
		const seen = this.first.get(key);
		if (seen === undefined) this.first.set(key, position);
		else {
			const group = this.groups.get(key);
			if (group) group.push(position);
			else this.groups.set(key, [seen, position]);
		}
	}
}

/** Every data row checked on its own, with what the rules across rows need, in parallel arrays by position. */
interface RowChecks {
	outcomes: RowOutcome[];
	/** userKey per row, when the row names a user of a child account. */
	keys: (string | undefined)[];
	/** The new email as written, per row that gives its user another address. */
	emails: (string | undefined)[];
	sameUser: Repeats;
	sameNewEmail: Repeats;
}

/** Pass 1: every row on its own. */
function checkEachRow(
	rows: string[][],
	dataIndexes: number[],
	columns: ColumnMap,
	ctx: RuleContext,
	onProgress?: (checked: number, total: number) => void
): RowChecks {
	const n = dataIndexes.length;
	const checks: RowChecks = {
		outcomes: new Array(n),
		keys: new Array(n),
		emails: new Array(n),
		sameUser: new Repeats(),
		sameNewEmail: new Repeats()
	};
	const facts = newRowFacts();
	// Mapped columns have their own, far lower limits (row-rules); the others are only carried into the
	// results workbook, and no workbook can hold a cell over Excel's limit.
	const mapped = new Set(Object.values(columns));
	for (let d = 0; d < n; d++) {
		const i = dataIndexes[d];
		const outcome = (checks.outcomes[d] = validateRow(rows[i], i + 1, columns, ctx, facts));
		flagOverlongUnmappedCells(outcome, mapped);
		checks.keys[d] = facts.key;
		checks.emails[d] = facts.email;
		if (facts.key !== undefined) checks.sameUser.note(facts.key, d);
		if (facts.newEmail !== undefined) checks.sameNewEmail.note(facts.newEmail, d);
		if (onProgress && (d + 1) % PROGRESS_EVERY === 0) onProgress(d + 1, n);
	}
	return checks;
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

// Pass 2, rules across rows. Linear: each group is summarised once, however large it is.

/** Rows naming the same user: none of them is processed. */
function flagDuplicateUsers({ outcomes, sameUser }: RowChecks): void {
	for (const group of sameUser.groups.values()) {
		const head = group.slice(0, 6).map((d) => outcomes[d].row);
		for (const d of group) {
			const outcome = outcomes[d];
			const others = rowList(firstOthers(head, outcome.row), group.length - 1);
			addIssue(
				outcome,
				'errors',
				cellIssue(
					outcome.row,
					FIELD_LABELS.username,
					`Duplicate of ${others} (same Account ID and Username); none of these rows is processed`,
					outcome.username
				)
			);
		}
	}
}

/** Rows giving one new address to different users. */
function flagSharedEmails({ outcomes, keys, emails, sameNewEmail }: RowChecks): void {
	for (const group of sameNewEmail.groups.values()) {
		// Rows of one user are already duplicates of each other; only other users' rows conflict.
		const perUser = new Map<string | undefined, number>();
		const firstRowOfUser: { key: string | undefined; row: number }[] = [];
		for (const d of group) {
			const key = keys[d];
			const count = perUser.get(key) ?? 0;
			if (count === 0 && firstRowOfUser.length < 6) firstRowOfUser.push({ key, row: outcomes[d].row });
			perUser.set(key, count + 1);
		}
		if (perUser.size < 2) continue;
		for (const d of group) {
			const outcome = outcomes[d];
			const email = emails[d] ?? '';
			const total = group.length - (perUser.get(keys[d]) ?? 0);
			const shown = firstRowOfUser.filter((u) => u.key !== keys[d]).map((u) => u.row);
			addIssue(
				outcome,
				'errors',
				cellIssue(
					outcome.row,
					FIELD_LABELS.email,
					`Email ${quote(email)} is also in ${rowList(shown, total)}; an email address belongs to one user`,
					email
				)
			);
		}
	}
}

/** Settles every row's status once all rules ran, and counts them. */
function settleRows(preview: Preview, outcomes: RowOutcome[]): void {
	const counts = preview.counts;
	counts.warnings = preview.headerWarnings.length;
	for (const outcome of outcomes) {
		finishRow(outcome);
		counts[outcome.status]++;
		counts.warnings += outcome.warnings.length;
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
