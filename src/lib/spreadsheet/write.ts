// Owns the workbooks the portal hands to admins: the upload template (optionally pre-filled: "Export
// users"), the "Export Institutions" list, and the results of an upload. All .xlsx, compressed, written
// by xlsx-writer.ts straight into a streaming ZIP.
// Every text cell goes through spreadsheetText (formula guard, cut to what a cell holds); Account ID
// and Username are text cells with number format "@" so Excel keeps leading zeros, also when the admin
// types into the template.
// Passwords are never written: the results show "(set)" where the upload had one.
import { PASSWORD_MASK } from '../domain/apply-plan';
import { actionFilePrefix, actionTitle, addsUsers, type BulkAction } from '../domain/bulk-action';
import { LIMITS, NEW_USERNAME } from '../domain/field-rules';
import { TEMPLATE_HEADERS, type ColumnMap } from '../domain/header-map';
import { spreadsheetText, type FinalRow, type FinalStatus, type ResultSummary } from '../domain/results';
import type { Institution, User } from '../domain/types';
import { writeXlsx, type XlsxCell, type XlsxSheet } from './xlsx-writer';

type Cell = XlsxCell;

const text = (value: string): Cell => spreadsheetText(value);
/** Text cell formatted as Text ("@"): Excel keeps what is typed there as text (leading zeros survive). */
const textAt = (value: string): Cell => ({ text: spreadsheetText(value) });
const num = (value: number): Cell => value;

function sheetOf(name: string, rows: Iterable<readonly Cell[]>, widths: number[], autofilter = false): XlsxSheet {
	return { name, rows, widths, autofilter };
}

function signInText(institution: Institution): string {
	if (institution.signIn !== 'google') return 'Password';
	return `Google sign-in (${institution.googleDomains.map((d) => `@${d}`).join(', ')})`;
}

function sortedInstitutions(institutions: readonly Institution[]): Institution[] {
	return [...institutions].sort((a, b) => a.name.localeCompare(b.name) || a.accountId.localeCompare(b.accountId));
}

// ---- template ---------------------------------------------------------------------------------------

export interface TemplateInput {
	institutions: readonly Institution[];
	roles: readonly string[];
	/** Pre-fill with these users ("Export users"); the Password column stays blank. */
	users?: readonly User[];
	/** The parent account's name, for the Instructions sheet. */
	parentName?: string;
	/** Whose instructions: User Update's unless User Add's (both use the same columns, so one file can do both). */
	action?: BulkAction;
}

/** Rows below the data that are pre-formatted as Text so typed IDs keep their leading zeros. */
export const TEMPLATE_SPARE_ROWS = 1000;

const TEMPLATE_WIDTHS = [12, 24, 30, 36, 20, 16];

/**
 * The upload template. All six columns are Text ("@"), not only Account ID and Username: Excel would
 * otherwise turn a password like "00123456" into the number 123456 or a name like "1-2" into a date.
 */
export function writeTemplate(input: TemplateInput): Promise<Uint8Array> {
	const users = input.users ?? [];
	const rows: (Cell | undefined)[][] = [TEMPLATE_HEADERS.map((h) => text(h))];
	for (const u of users) rows.push([textAt(u.accountId), textAt(u.username), textAt(u.name), textAt(u.email), textAt(''), textAt(u.role)]);
	const blank = () => TEMPLATE_HEADERS.map(() => textAt(''));
	for (let i = 0; i < TEMPLATE_SPARE_ROWS; i++) rows.push(blank());

	return writeXlsx([sheetOf('Users', rows, TEMPLATE_WIDTHS), instructionsSheet(input), institutionsSheet(input.institutions, 'Accounts')]);
}

/**
 * The Instructions sheet. Column descriptions are the help article's words (admins know them), with the
 * rules this portal enforces added after them.
 */
export function instructionLines(input: Pick<TemplateInput, 'roles' | 'parentName' | 'action'>): string[][] {
	if (input.action && addsUsers(input.action)) return addInstructionLines(input);
	const parent = input.parentName ? ` (${input.parentName})` : '';
	const roles = input.roles.join(', ');
	return [
		['Bulk User Update'],
		[],
		[
			`Use the "Users" sheet to update existing users in the child accounts of your parent account${parent}. One user per row; row 1 holds the headers. Do not rename the headers or the "Users" sheet.`
		],
		['A blank cell means "leave unchanged". Only the cells you fill in are changed.'],
		[],
		['Column', 'Required', 'What to enter'],
		[
			'Account ID',
			'Required',
			'Found in the Export Institutions List spreadsheet (and on the "Accounts" sheet of this workbook). This is the numeric identifier for each building and required for each user updated via bulk. You may bulk update as many different users, tied to any number of different accounts as you wish. The account IDs listed in your template must be listed as child accounts under your parent account or they will not be processed. Keep leading zeros: the column is formatted as Text.'
		],
		[
			'Username',
			'Required',
			'The username of the person being updated. The user must already exist in that account; this template does not create users.'
		],
		['Name', 'Optional', `The name of the person being updated. Up to ${LIMITS.nameMax} characters.`],
		[
			'Email',
			'Optional',
			'The email address of the person being updated. If you are using Google sign in, update this to match your Google email addresses. For an account with Google sign-in the email must use that account\'s Google domain (see the "Accounts" sheet). An email address can belong to only one user.'
		],
		[
			'Password',
			'Optional',
			`The new password for the person being updated. ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters, and not the same as the username. Accounts that use Google sign-in ignore this column (users sign in with Google). Passwords are never shown again, not even in the results.`
		],
		['Role', 'Optional', `Any change in role for the person being updated. One of: ${roles}.`],
		[],
		['Number of users'],
		[
			'With the Bulk Upload window open, enter the number of users included in your spreadsheet. This is used as an extra safety precaution to ensure accurate data is added to your account. The number entered should only include actual users on your spreadsheet, and NOT the column header row of the template itself. If the number does not match the file, nothing is updated.'
		],
		[],
		['Results'],
		[
			'Upon completion you will get a message stating the number of rows updated or the number of rows that had errors, and a spreadsheet with this information is downloaded to your computer. It lists every row of your upload with its status (Updated, Unchanged, Failed or Queued) and, if it failed, why it failed.'
		]
	];
}

/** User Add's Instructions: the same columns, with what a new user needs. */
function addInstructionLines(input: Pick<TemplateInput, 'roles' | 'parentName'>): string[][] {
	const parent = input.parentName ? ` (${input.parentName})` : '';
	return [
		['Bulk User Add'],
		[],
		[
			`Use the "Users" sheet to create new users in the child accounts of your parent account${parent}. One user per row; row 1 holds the headers. Do not rename the headers or the "Users" sheet.`
		],
		[
			'To add the users that do not exist yet and update the ones that do from one file, tick both User Add and User Update in the Bulk Upload window: each row is decided by whether its Account ID and Username exist.'
		],
		[],
		['Column', 'Required', 'What to enter'],
		[
			'Account ID',
			'Required',
			'Found in the Export Institutions List spreadsheet (and on the "Accounts" sheet of this workbook). The account must be a child account of your parent account. Keep leading zeros: the column is formatted as Text.'
		],
		[
			'Username',
			'Required',
			`The new user's username: ${NEW_USERNAME.min} to ${NEW_USERNAME.max} characters, ${NEW_USERNAME.allowed}. It must not be taken in that account (in any letter case), and no two rows may add the same username.`
		],
		['Name', 'Required', `The new user's name. Up to ${LIMITS.nameMax} characters.`],
		[
			'Email',
			'Required for Google sign-in',
			`Required for accounts with Google sign-in, and it must use that account's Google domain (see the "Accounts" sheet). Optional otherwise. An email address can belong to only one user of your parent account.`
		],
		[
			'Password',
			'Required for password sign-in',
			`Required for accounts with password sign-in: ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters, and not the same as the username. Accounts that use Google sign-in ignore this column. Passwords are never shown again, not even in the results.`
		],
		['Role', 'Required', `One of: ${input.roles.join(', ')}.`],
		[],
		['Number of users'],
		[
			'With the Bulk Upload window open, enter the number of users included in your spreadsheet, NOT counting the column header row. If the number does not match the file, nothing is added.'
		],
		[],
		['Results'],
		[
			'Upon completion you will get a message stating the number of rows added or the number of rows that had errors, and a spreadsheet with this information is downloaded to your computer. It lists every row of your upload with its status (Added, Updated, Unchanged, Failed or Queued) and, if it failed, why it failed.'
		]
	];
}

function instructionsSheet(input: TemplateInput): XlsxSheet {
	const rows = instructionLines(input).map((line) => line.map((cell) => text(cell)));
	return sheetOf('Instructions', rows, [16, 10, 110]);
}

function institutionsSheet(institutions: readonly Institution[], name: string): XlsxSheet {
	const rows: Cell[][] = [['Account ID', 'Name', 'Sign-in method'].map((h) => text(h))];
	for (const inst of sortedInstitutions(institutions)) rows.push([textAt(inst.accountId), text(inst.name), text(signInText(inst))]);
	return sheetOf(name, rows, [12, 40, 36]);
}

// ---- rows with errors ----------------------------------------------------------------------------------

export interface ErrorRowsInput extends Omit<TemplateInput, 'users'> {
	/** In the template's columns (no password: the Password column stays blank). */
	rows: readonly { values: Record<'accountId' | 'username' | 'name' | 'email' | 'role', string>; reason: string }[];
}

/**
 * "Download rows with errors": the template (Users, Instructions, Accounts) holding only the rows that
 * failed, with their values and a last column Reason. Uploading it back reads Reason as ours and ignores it.
 */
export function writeErrorRows(input: ErrorRowsInput): Promise<Uint8Array> {
	const rows: (Cell | undefined)[][] = [[...TEMPLATE_HEADERS, 'Reason'].map((h) => text(h))];
	for (const { values: v, reason } of input.rows) {
		rows.push([textAt(v.accountId), textAt(v.username), textAt(v.name), textAt(v.email), textAt(''), textAt(v.role), text(reason)]);
	}
	const instructions = instructionLines(input).map((line) => line.map((cell) => text(cell)));
	instructions.splice(4, 0, [
		text(
			'This file holds the rows of an upload that had errors, each with its reason in the last column. Correct the rows (and type new passwords where you want to set them), then upload this file; the Reason column is ignored.'
		)
	]);
	return writeXlsx([
		sheetOf('Users', rows, [...TEMPLATE_WIDTHS, 80]),
		sheetOf('Instructions', instructions, [16, 10, 110]),
		institutionsSheet(input.institutions, 'Accounts')
	]);
}

// ---- institutions -------------------------------------------------------------------------------------

/** "Export Institutions": the admin's child accounts, Account IDs as text. Sorted by name. */
export function writeInstitutions(institutions: readonly Institution[]): Promise<Uint8Array> {
	return writeXlsx([institutionsSheet(institutions, 'Institutions')]);
}

// ---- results ------------------------------------------------------------------------------------------

export interface ResultsInput {
	/** The uploaded header row (preview.header). */
	header: readonly string[];
	/** preview.columnMap: says which columns are Account ID, Username and Password. */
	columnMap: ColumnMap;
	/** finalizeRows(...) output, file order. */
	rows: readonly FinalRow[];
	fileName: string;
	sheetName?: string;
	/** The admin's username. */
	admin: string;
	parentName?: string;
	time: Date;
	summary: ResultSummary;
	/** The blocking reason, when nothing was processed. */
	blocking?: string;
	/** The number of users the admin typed to pass the large-change gate, when the upload needed it. */
	largeChangeConfirmed?: number;
	/** For the results of an undo: the file name of the upload it took back. */
	undoOf?: string;
	/** What the upload did; User Update when absent. */
	action?: BulkAction;
}

/** An undo's rows say what came back: its changes are restorations, the rest was not restored. */
const UNDO_STATUS: Record<FinalStatus, string> = {
	Added: 'Added',
	Updated: 'Restored',
	Unchanged: 'Not restored',
	Failed: 'Not restored',
	Queued: 'Queued'
};

/** What a results cell shows for a given password: the same mask the stored results use. */
export const PASSWORD_SET = PASSWORD_MASK;
const RESULT_COLUMNS = ['Row', 'Status', 'Reason', 'Changed'];
/** Only when some row was edited in the preview: what was edited, with the file's values. */
const EDITED_COLUMN = 'Edited in preview';

/**
 * Sheet "Results": the uploaded rows in file order with their original columns (as edited in the
 * preview), then Row, Status, Reason, Changed, and Edited in preview when a row was. Sheet "Summary":
 * file, time, admin and the counts.
 */
export function writeResults(input: ResultsInput): Promise<Uint8Array> {
	const { header, columnMap, rows } = input;
	// A loop, not Math.max(...rows): spreading 100,000 arguments overflows the stack in a worker.
	let width = header.length;
	let edited = false;
	for (const row of rows) {
		if (row.cells.length > width) width = row.cells.length;
		if (row.edited) edited = true;
	}
	const resultColumns = edited ? [...RESULT_COLUMNS, EDITED_COLUMN] : RESULT_COLUMNS;
	const textColumns = new Set([columnMap.accountId, columnMap.username].filter((c): c is number => c !== undefined));
	const passwordColumn = columnMap.password;

	const headerRow: Cell[] = [];
	for (let c = 0; c < width; c++) headerRow.push(text(header[c] ?? ''));
	for (const h of resultColumns) headerRow.push(text(h));
	// Rows are made as the writer asks for them, so 100,000 rows never exist as cells all at once.
	function* resultRows(): Generator<readonly Cell[]> {
		yield headerRow;
		for (const row of rows) {
			const cells: Cell[] = [];
			for (let c = 0; c < width; c++) {
				let value = row.cells[c] ?? '';
				if (c === passwordColumn) value = value.trim() === '' ? '' : PASSWORD_SET;
				if (textColumns.has(c)) cells.push(textAt(value));
				else cells.push(value === '' ? undefined : text(value));
			}
			const status = input.undoOf === undefined ? row.status : UNDO_STATUS[row.status];
			cells.push(
				num(row.row),
				text(status),
				row.reason ? text(row.reason) : undefined,
				row.changed.length ? text(row.changed.join(', ')) : undefined
			);
			if (edited) cells.push(row.edited ? text(row.edited) : undefined);
			yield cells;
		}
	}
	const widths = [...Array.from({ length: width }, (_, c) => (c === passwordColumn ? 10 : 18)), 6, 11, 80, 24, ...(edited ? [40] : [])];
	const results = sheetOf('Results', resultRows(), widths, true);

	const s = input.summary;
	const counts: Cell[][] =
		input.undoOf === undefined
			? [
					[text('Rows'), num(s.rows)],
					...(input.action && addsUsers(input.action) ? [[text('Added'), num(s.added ?? 0)]] : []),
					[text('Updated'), num(s.updated)],
					[text('Unchanged'), num(s.unchanged)],
					[text('Failed'), num(s.failed)],
					[text('Queued'), num(s.queued)]
				]
			: [
					[text('Rows'), num(s.rows)],
					[text('Restored'), num(s.updated)],
					[text('Not restored'), num(s.unchanged + s.failed)],
					[text('Queued'), num(s.queued)]
				];
	const gate = input.largeChangeConfirmed;
	const summaryRows: Cell[][] = [
		...(input.undoOf !== undefined ? [[text('Undo of'), text(input.undoOf)]] : []),
		...(input.action && input.action !== 'update' ? [[text('Bulk action'), text(actionTitle(input.action))]] : []),
		[text('File'), text(input.fileName)],
		...(input.sheetName ? [[text('Sheet'), text(input.sheetName)]] : []),
		[text('Uploaded'), text(localTimestamp(input.time))],
		[text('Admin'), text(input.admin)],
		...(input.parentName ? [[text('Parent account'), text(input.parentName)]] : []),
		...counts,
		...(gate !== undefined
			? [[text('Large change'), text(`Confirmed: the admin typed ${gate.toLocaleString('en-US')}, the number of users that would change`)]]
			: []),
		...(input.blocking ? [[text('Not processed'), text(input.blocking)]] : [])
	];

	return writeXlsx([results, sheetOf('Summary', summaryRows, [16, 80])]);
}

// ---- file names -------------------------------------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "2025-03-09 14:05:07" in local time. */
export function localTimestamp(date: Date): string {
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function stamp(date: Date): string {
	return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** user-update-errors-YYYYMMDD-HHmmss.xlsx (user-add-…, user-add-update-… by action), local time. */
export function errorsFileName(date: Date, action?: BulkAction): string {
	return `${actionFilePrefix(action)}-errors-${stamp(date)}.xlsx`;
}

/** user-update-results-YYYYMMDD-HHmmss.xlsx (user-add-…, user-add-update-… by action), local time. */
export function resultsFileName(date: Date, action?: BulkAction): string {
	return `${actionFilePrefix(action)}-results-${stamp(date)}.xlsx`;
}

/** user-update-undo-results-YYYYMMDD-HHmmss.xlsx, local time. */
export function undoResultsFileName(date: Date): string {
	return `user-update-undo-results-${stamp(date)}.xlsx`;
}

export function templateFileName(action?: BulkAction): string {
	return `${actionFilePrefix(action)}-template.xlsx`;
}

export function usersExportFileName(date: Date): string {
	return `users-${stamp(date)}.xlsx`;
}

export function institutionsFileName(date: Date): string {
	return `institutions-${stamp(date)}.xlsx`;
}
