// Owns an upload while the admin checks and fixes it in the preview: the file's rows as read (never
// changed), the edits typed in the preview on top of them, and the preview of the rows as edited.
//
// Saving an edit checks again only the rows whose outcome can change: the edited row, and the rows that
// name its user (Account ID + Username) or give its new email, before and after the edit. The indexes the
// full check builds for the rules across rows (positions per user and per new email) find them, so a save
// costs about the same on 100,000 rows as on 10, and its result equals a full check of the edited sheet
// (checked-upload.test.ts compares the two over random edits). Pure: no I/O.
import { findHeaderIndex, isBlankRow, mapHeader, TEMPLATE_FIELDS, type ColumnField } from './header-map';
import {
	checkOneRow,
	checkSheet,
	countRow,
	duplicateIssue,
	mappedColumns,
	rowsForDisplay,
	sharedEmailIssue,
	summarizeEmailGroup,
	type EmailGroup,
	type Preview,
	type PreviewInput,
	type PreviewMatching,
	type RowChecks
} from './preview';
import { addIssue, finishRow, readField, trimCell, type FieldEdit, type RowOutcome, type RuleContext } from './row-rules';
import { FIELD_LABELS } from './types';

/** The fields the row editor shows with their values (Password is typed, never shown). */
export const EDIT_FIELDS = ['accountId', 'username', 'name', 'email', 'role'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];
export type RowValues = Record<EditField, string>;

/** What the admin changed in one row: only the values that differ from the file's. */
export interface RowEdit {
	values: Partial<RowValues>;
	/** A password typed in the editor; kept in memory here (a stored draft keeps it sealed). */
	password?: string;
}

export class CheckedUpload {
	/** The preview of the rows as edited. */
	preview!: Preview;
	private checks: RowChecks | undefined;
	/** The sheet as edited: the file's rows, with a copy holding the typed values in place of each edited row. */
	private readonly rows: string[][];
	private readonly edits = new Map<number, RowEdit>();
	/**
	 * The columns every check uses once the header is usable: the admin's matching, or what the header
	 * names. A field typed in the editor that the file has no column for gets one, past the widest row.
	 */
	private readonly matching: PreviewMatching | undefined;
	private readonly headerIndex: number;
	private width: number;
	private order: RowOutcome[] | undefined;

	private constructor(
		private readonly input: PreviewInput,
		private ctx: RuleContext
	) {
		this.rows = input.rows.slice();
		this.headerIndex = findHeaderIndex(input.rows);
		const map = mapHeader(input.rows);
		if (input.matching) this.matching = { columns: { ...input.matching.columns }, notes: input.matching.notes };
		else if (map && map.errors.length === 0) this.matching = { columns: { ...map.columns }, notes: map.warnings };
		let width = 0;
		for (const row of input.rows) if (row.length > width) width = row.length;
		this.width = width;
	}

	/** Checks the file with `edits` (e.g. a draft kept from before a reload) already in place. */
	static check(
		input: PreviewInput,
		ctx: RuleContext,
		edits: Iterable<[number, RowEdit]> = [],
		onProgress?: (checked: number, total: number) => void
	): CheckedUpload {
		const upload = new CheckedUpload(input, ctx);
		if (upload.matching) for (const [row, edit] of edits) if (upload.isDataRow(row)) upload.place(row, edit);
		upload.checkAll(onProgress);
		return upload;
	}

	/** Everything checked again, e.g. against users a sync changed; the edits stay. */
	recheck(ctx: RuleContext): void {
		this.ctx = ctx;
		this.checkAll();
	}

	get editedRows(): number {
		return this.edits.size;
	}

	/** The edits, by spreadsheet row number. */
	rowEdits(): IterableIterator<[number, RowEdit]> {
		return this.edits.entries();
	}

	/** The sheet as the edits make it (header row first, as read): what a full check of the edits reads. */
	editedSheet(): string[][] {
		return this.rows;
	}

	/** The columns the checks read, including those added for edited fields the file has no column for. */
	get matchingUsed(): PreviewMatching | undefined {
		return this.matching;
	}

	/** Errors first, then warnings, then the rest (file order within each), as the preview lists them. */
	displayOrder(): RowOutcome[] {
		return (this.order ??= rowsForDisplay(this.preview));
	}

	/** The row's values as the editor shows them: the file's, with this preview's edits. */
	values(row: number): RowValues {
		const cells = this.rows[row - 1] ?? [];
		const columns = this.matching?.columns ?? this.preview.columnMap;
		const out = {} as RowValues;
		for (const field of EDIT_FIELDS) out[field] = readField(cells, columns, field);
		return out;
	}

	passwordEdited(row: number): boolean {
		return this.edits.get(row)?.password !== undefined;
	}

	/** The outcome of spreadsheet row `row`, or undefined when it is not a user row of the preview. */
	outcome(row: number): RowOutcome | undefined {
		const d = this.position(row);
		return d < 0 ? undefined : this.preview.rows[d];
	}

	/**
	 * Saves the editor's values for one row and checks again what they can change. `values` replace the
	 * row's values (a value equal to the file's is no edit); an empty or missing `password` keeps the
	 * password the row has (the file's, or one typed before). Returns the row's new outcome.
	 */
	edit(row: number, values: Partial<RowValues>, password?: string): RowOutcome {
		const checks = this.checks;
		const d = this.position(row);
		if (!checks || !this.matching || d < 0) throw new Error(`Row ${row} is not a user row of this file; upload the file again.`);
		const previous = this.edits.get(row);
		const counts = this.preview.counts;
		const outcomes = checks.outcomes;

		// The rows sharing the edited row's user or new email before the edit; the edited row's share of the counts goes first.
		const affected = new Set<number>([d]);
		const oldKey = checks.keys[d];
		const oldEmail = checks.newEmails[d];
		for (const p of checks.sameUser.members(oldKey)) affected.add(p);
		for (const p of checks.sameNewEmail.members(oldEmail)) affected.add(p);
		for (const p of affected) countRow(counts, outcomes[p], -1);

		this.place(row, { values: { ...previous?.values, ...values }, password: password || previous?.password });
		if (oldKey !== undefined) checks.sameUser.remove(oldKey, d);
		if (oldEmail !== undefined) checks.sameNewEmail.remove(oldEmail, d);
		const mapped = mappedColumns(this.matching.columns);
		checkOneRow(checks, d, this.rows[row - 1], row, this.matching.columns, mapped, this.ctx);
		const newKey = checks.keys[d];
		const newEmail = checks.newEmails[d];
		if (newKey !== undefined) checks.sameUser.add(newKey, d);
		if (newEmail !== undefined) checks.sameNewEmail.add(newEmail, d);

		// ...and the rows sharing them after it.
		for (const p of [...checks.sameUser.members(newKey), ...checks.sameNewEmail.members(newEmail)]) {
			if (affected.has(p)) continue;
			affected.add(p);
			countRow(counts, outcomes[p], -1);
		}
		// Their cells did not change: checked again only to shed the findings across rows, worded anew below.
		for (const p of affected) {
			if (p !== d) checkOneRow(checks, p, this.rows[outcomes[p].row - 1], outcomes[p].row, this.matching.columns, mapped, this.ctx);
		}

		const emailGroups = new Map<string, EmailGroup>();
		for (const p of [...affected].sort((a, b) => a - b)) {
			const outcome = outcomes[p];
			const sameUser = checks.sameUser.members(checks.keys[p]);
			if (sameUser.length > 1) addIssue(outcome, 'errors', duplicateIssue(outcomes, sameUser, p));
			const email = checks.newEmails[p];
			if (email !== undefined) {
				let group = emailGroups.get(email);
				if (!group) emailGroups.set(email, (group = summarizeEmailGroup(checks, checks.sameNewEmail.members(email))));
				const issue = group.group.length > 1 ? sharedEmailIssue(checks, group, p) : undefined;
				if (issue) addIssue(outcome, 'errors', issue);
			}
			finishRow(outcome);
			const edit = this.edits.get(outcome.row);
			if (edit) outcome.edits = this.fieldEdits(outcome.row, edit);
			countRow(counts, outcome, 1);
		}
		this.order = undefined;
		return outcomes[d];
	}

	private checkAll(onProgress?: (checked: number, total: number) => void): void {
		const { preview, checks } = checkSheet({ ...this.input, rows: this.rows, matching: this.matching }, this.ctx, onProgress);
		// The preview reads our columns, not a copy: a column added for a later edit shows in it (and in the results).
		if (this.matching) preview.columnMap = this.matching.columns;
		this.preview = preview;
		this.checks = checks;
		this.order = undefined;
		for (const [row, edit] of this.edits) {
			const d = this.position(row);
			if (d >= 0) preview.rows[d].edits = this.fieldEdits(row, edit);
		}
	}

	private isDataRow(row: number): boolean {
		const index = row - 1;
		return Number.isInteger(row) && index > this.headerIndex && index < this.input.rows.length && !isBlankRow(this.input.rows[index]);
	}

	/** Index into preview.rows of spreadsheet row `row` (rows are in file order), or -1. */
	private position(row: number): number {
		const rows = this.preview.rows;
		let lo = 0;
		let hi = rows.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (rows[mid].row < row) lo = mid + 1;
			else hi = mid;
		}
		return lo < rows.length && rows[lo].row === row ? lo : -1;
	}

	/** Puts an edit's values into a copy of the file's row, or the file's row back when nothing differs from it. */
	private place(row: number, edit: RowEdit): void {
		const source = this.input.rows[row - 1];
		const columns = this.matching!.columns;
		const values: Partial<RowValues> = {};
		let any = false;
		for (const field of EDIT_FIELDS) {
			const typed = edit.values[field];
			if (typed === undefined) continue;
			const value = trimCell(typed);
			if (value === readField(source, columns, field)) continue;
			values[field] = value;
			any = true;
		}
		const password = edit.password ? edit.password : undefined;
		if (!any && password === undefined) {
			this.edits.delete(row);
			this.rows[row - 1] = source;
			return;
		}
		const cells = source.slice();
		for (const field of EDIT_FIELDS) if (values[field] !== undefined) this.setField(cells, field, values[field]);
		if (password !== undefined) this.setField(cells, 'password', password);
		this.rows[row - 1] = cells;
		this.edits.set(row, password === undefined ? { values } : { values, password });
	}

	private setField(cells: string[], field: EditField | 'password', value: string): void {
		const columns = this.matching!.columns;
		if (field === 'name' && columns.name === undefined && (columns.firstName !== undefined || columns.lastName !== undefined)) {
			// Name read from First name and Last name: the whole name goes into the first of them and the other
			// is emptied, so the two read back as exactly what was typed.
			const into = columns.firstName ?? columns.lastName!;
			setCell(cells, into, value);
			if (columns.firstName !== undefined && columns.lastName !== undefined) setCell(cells, columns.lastName, '');
			return;
		}
		setCell(cells, columns[field] ?? this.addColumn(field), value);
	}

	/** A column for a field the file lacks, headed with the field's label (the results workbook shows it). */
	private addColumn(field: ColumnField): number {
		const index = this.width++;
		const header = this.rows[this.headerIndex].slice();
		while (header.length < index) header.push('');
		header[index] = FIELD_LABELS[field];
		this.rows[this.headerIndex] = header;
		this.matching!.columns[field] = index;
		if (this.preview) this.preview.header = header;
		return index;
	}

	private fieldEdits(row: number, edit: RowEdit): FieldEdit[] {
		const source = this.input.rows[row - 1];
		const columns = this.matching!.columns;
		const out: FieldEdit[] = [];
		for (const field of TEMPLATE_FIELDS) {
			if (field === 'password') {
				if (edit.password !== undefined) out.push({ field, was: '' });
			} else if (edit.values[field] !== undefined) out.push({ field, was: readField(source, columns, field) });
		}
		return out;
	}
}

function setCell(cells: string[], index: number, value: string): void {
	while (cells.length < index) cells.push('');
	cells[index] = value;
}
