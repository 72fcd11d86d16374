// Owns every sentence the reader refuses an upload with: what happened to the file and what the admin can
// do next, in their words (never a library's name or an internal error, which stays the cause). One place,
// so the wording stays consistent and refusals.test.ts can pin each message.
import { columnName } from './cell-ref';
import { formatBytes, formatCount, SpreadsheetError } from './errors';
import type { CellFormat, ReadLimits } from './limits';

/** Which program's menus to name: the one the admin most likely saved the file with. */
export type App = 'excel' | 'libreoffice';

function plural(n: number, one: string, many: string): string {
	return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** 'Sheet "Users" of "f.xlsx"', or '"f.xlsx"' when the sheet's name is not known yet. */
function where(fileName: string, sheetName: string | undefined): string {
	return sheetName === undefined ? `"${fileName}"` : `Sheet "${sheetName}" of "${fileName}"`;
}

const UPLOAD_THE_SPREADSHEET = 'Upload the spreadsheet itself: an .xlsx, .xls, .ods or .csv file.';
const SAVE_AS_XLSX = 'Open it in Excel or LibreOffice, save it as .xlsx or .csv, and upload the saved file.';
const SPLIT = 'Split the users into several smaller files and upload each one.';

// ---- before reading --------------------------------------------------------------------------------------

export function fileTooLarge(fileName: string, bytes: number, limits: Readonly<ReadLimits>): SpreadsheetError {
	return new SpreadsheetError(
		'too-large',
		`The file "${fileName}" is ${formatBytes(bytes, 'up')}; the limit is ${formatBytes(limits.maxFileBytes)}. Split it into smaller files and upload each one.`
	);
}

export function emptyFile(fileName: string): SpreadsheetError {
	return new SpreadsheetError('empty-file', `The file "${fileName}" is empty (0 bytes). Choose the saved spreadsheet and try again.`);
}

// ---- not a spreadsheet -----------------------------------------------------------------------------------

/** A file of a kind we recognise that is not a spreadsheet: "a PDF document", "a RAR archive", … */
export function notASpreadsheet(fileName: string, what: string, archive = false): SpreadsheetError {
	return new SpreadsheetError(
		'unsupported',
		`"${fileName}" is ${what}, not a spreadsheet. ${archive ? 'Unpack it and upload the spreadsheet inside: an .xlsx, .xls, .ods or .csv file.' : UPLOAD_THE_SPREADSHEET}`
	);
}

/** Bytes in no format we know (neither a spreadsheet nor text). */
export function unknownContent(fileName: string, cause?: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'unsupported',
		`"${fileName}" is not a spreadsheet we can read: its content is in no format we know. If it opens in Excel or LibreOffice, save it from there as .xlsx or CSV UTF-8 and upload the saved file; if not, ask whoever sent it for the spreadsheet again.`,
		{ cause }
	);
}

/** Plain text named like a workbook (.xls, .xlsx, …) that is not a table: an e-mail's placeholder, a note. */
export function textNotASpreadsheet(fileName: string, text: string): SpreadsheetError {
	const lines = text.replace(/(?:\r\n|\r|\n)+$/, '').split(/\r\n|\r|\n/);
	const first = lines.find((line) => line.trim() !== '')?.trim() ?? '';
	const quote = first.length > 80 ? `${first.slice(0, 77).trimEnd()}…` : first;
	return new SpreadsheetError(
		'unsupported',
		`"${fileName}" is not a spreadsheet but a text file of ${plural(lines.length, 'line', 'lines')}${quote ? `, beginning "${quote}"` : ''}. The spreadsheet itself did not arrive (an e-mail or a download may have replaced it): get the file again and upload it.`
	);
}

/** Something unexpected failed underneath, or the parser could not make sense of the file (kept as the cause). */
export function couldNotRead(fileName: string, cause: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'unsupported',
		`The file "${fileName}" could not be read: it may be damaged, or in a form we do not know. ${SAVE_AS_XLSX}`,
		{ cause }
	);
}

/** A damaged container (ZIP or compound file). */
export function damaged(fileName: string, cause: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'unsupported',
		`The file "${fileName}" is not a spreadsheet we can read: it is damaged or incomplete (for example cut off during a download or copy). Open it in Excel or LibreOffice, save it again, and upload the saved file.`,
		{ cause }
	);
}

export function xlsbDamaged(fileName: string, cause: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'unsupported',
		`"${fileName}" is an Excel Binary Workbook (.xlsb) we cannot read: a sheet name or a text in it runs past its end (the file is damaged, or was saved by a pre-release of Excel 2007). Open it in Excel, save it as an Excel Workbook (.xlsx), and upload that file.`,
		{ cause }
	);
}

// ---- passwords -------------------------------------------------------------------------------------------

export function encrypted(fileName: string, app: App, cause?: unknown): SpreadsheetError {
	const steps =
		app === 'libreoffice'
			? 'Open it in LibreOffice Calc, choose File > Save As, untick "Save with password", save, and upload the saved file.'
			: 'Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save, and upload again.';
	return new SpreadsheetError('encrypted', `"${fileName}" is protected with a password, so it cannot be read. ${steps}`, { cause });
}

export function zipEncrypted(fileName: string): SpreadsheetError {
	return new SpreadsheetError(
		'encrypted',
		`"${fileName}" is a password-protected archive, so it cannot be read. Upload the spreadsheet itself, saved without a password.`
	);
}

// ---- too much to read ------------------------------------------------------------------------------------

/** The sheet's last filled row lies beyond maxRows: `at` is that cell, or null when only "below" is known. */
export function rowsBeyondLimit(
	fileName: string,
	sheetName: string | undefined,
	at: { r: number; c: number } | null,
	limits: Readonly<ReadLimits>
): SpreadsheetError {
	const what = at
		? `has data in row ${formatCount(at.r + 1)} (cell ${columnName(at.c)}${at.r + 1})`
		: `has data below row ${formatCount(limits.maxRows)}`;
	return new SpreadsheetError(
		'sheet-too-large',
		`${where(fileName, sheetName)} ${what}; we read at most ${plural(limits.maxRows, 'row', 'rows')}. Delete the rows below your users (or split the users into several files), save, and upload again.`
	);
}

/** The sheet's last filled column lies beyond maxColumns; `at` is that cell. */
export function columnsBeyondLimit(
	fileName: string,
	sheetName: string | undefined,
	at: { r: number; c: number },
	limits: Readonly<ReadLimits>
): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`${where(fileName, sheetName)} has data in column ${columnName(at.c)} (cell ${columnName(at.c)}${at.r + 1}); we read at most ${plural(limits.maxColumns, 'column', 'columns')} (A to ${columnName(limits.maxColumns - 1)}). Delete the columns to the right of your table, save, and upload again.`
	);
}

const FORMAT_NAMES: Record<CellFormat, string> = {
	xlsx: 'an .xlsx file',
	xlsb: 'an Excel Binary Workbook (.xlsb)',
	ods: 'an .ods file',
	xls: 'an .xls file',
	markup: 'a web page or XML file saved as a spreadsheet'
};

export function tooManyCells(fileName: string, cells: number, format: CellFormat, limits: Readonly<ReadLimits>): SpreadsheetError {
	const max = limits.maxCells[format];
	const asXlsx =
		limits.maxCells.xlsx > max ? ` Or save it as .xlsx: from those we read up to ${formatCount(limits.maxCells.xlsx)} cells.` : '';
	return new SpreadsheetError(
		'sheet-too-large',
		`"${fileName}" holds ${plural(cells, 'filled cell', 'filled cells')} (all its sheets together); we read at most ${formatCount(max)} from ${FORMAT_NAMES[format]}. Delete the sheets you do not need, or split the users into several smaller files and upload each one.${asXlsx}`
	);
}

export function tooManySharedStrings(fileName: string, strings: number, limits: Readonly<ReadLimits>): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`"${fileName}" holds ${formatCount(strings)} different texts; we read at most ${formatCount(limits.maxSharedStrings)}. ${SPLIT}`
	);
}

export function tooMuchToUnpack(fileName: string, bytes: number, limits: Readonly<ReadLimits>): SpreadsheetError {
	return new SpreadsheetError(
		'too-large',
		`"${fileName}" unpacks to ${formatBytes(bytes, 'up')} of sheets and text; we read at most ${formatBytes(limits.maxParsedBytes)}. ${SPLIT}`
	);
}

export function xlsbTooMuchText(fileName: string, cause?: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'too-large',
		`"${fileName}" is an Excel Binary Workbook (.xlsb) with more long text than we can read from that format. Open it in Excel, save it as an Excel Workbook (.xlsx), and upload that file.`,
		{ cause }
	);
}

export function csvTooLarge(
	fileName: string,
	limit: 'rows' | 'columns',
	row: number,
	limits: Readonly<ReadLimits>,
	cause: unknown
): SpreadsheetError {
	const message =
		limit === 'rows'
			? `The file "${fileName}" has more than ${plural(limits.maxRows, 'row', 'rows')}; we read at most ${formatCount(limits.maxRows)}. Delete the empty rows at the end, or split the users into several files, and upload again.`
			: `The file "${fileName}" has more than ${plural(limits.maxColumns, 'column', 'columns')} (row ${formatCount(row)}); we read at most ${formatCount(limits.maxColumns)}. Delete the columns to the right of your table, save, and upload again.`;
	return new SpreadsheetError('sheet-too-large', message, { cause });
}

export function expandedTooMuch(where: string, what: string, limits: Readonly<ReadLimits>, advice: string): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`${where} ${what}; we expand at most ${formatCount(limits.maxExpandedCells)} cells. ${advice}`
	);
}

export function tooManyMergedCells(fileName: string, cells: number, merged: number): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`"${fileName}" is a web page with ${formatCount(cells)} cells, ${formatCount(merged)} of them merged: too many merged cells to read. Open it in Excel, unmerge the cells, save it as .xlsx, and upload that file.`
	);
}

// ---- no users --------------------------------------------------------------------------------------------

export function usersSheetEmpty(fileName: string, sheetName: string): SpreadsheetError {
	return new SpreadsheetError(
		'no-data',
		`The "${sheetName}" sheet of "${fileName}" is empty. Put the headers in row 1 and one user per row below them.`
	);
}

export function noData(fileName: string, sheets: number): SpreadsheetError {
	return new SpreadsheetError(
		'no-data',
		sheets > 1
			? `"${fileName}" has no sheet with any data. Put the headers in row 1 of a sheet named "Users" and one user per row below them.`
			: `"${fileName}" has no data. Put the headers in row 1 and one user per row below them.`
	);
}

export function dataOnlyOnHiddenSheets(fileName: string, hiddenWithData: string[], app: App): SpreadsheetError {
	const names = hiddenWithData.map((name) => `"${name}"`).join(', ');
	const show =
		app === 'libreoffice' ? 'In LibreOffice Calc, choose Sheet > Show Sheet' : 'In Excel, right-click a sheet tab, choose Unhide,';
	return new SpreadsheetError(
		'no-data',
		`"${fileName}" has data only on hidden ${hiddenWithData.length === 1 ? 'sheet' : 'sheets'} (${names}). ${show} and show the sheet with the users (or name it "Users"); save, and upload again.`
	);
}
