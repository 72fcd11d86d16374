// Owns every sentence the reader refuses an upload with: what happened to the file and what the admin can
// do next, in their words. One place, so the wording stays consistent and tests can pin each message.
import { formatBytes, formatCount, SpreadsheetError, UNSUPPORTED_MESSAGE } from './errors';
import type { ReadLimits } from './limits';
import { damagedFileMessage } from './zip-guard';

/** How far a sheet reaches, counted from A1 (so the end cell XFD1048576 is 1,048,576 rows × 16,384 columns). */
export interface Extent {
	rows: number;
	columns: number;
}

export function plural(n: number, one: string, many: string): string {
	return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function limitText(limits: Readonly<ReadLimits>): string {
	return `${plural(limits.maxRows, 'row', 'rows')} and ${plural(limits.maxColumns, 'column', 'columns')}`;
}

export function fileTooLarge(fileName: string, bytes: number, limits: Readonly<ReadLimits>): SpreadsheetError {
	return new SpreadsheetError(
		'too-large',
		`The file "${fileName}" is ${formatBytes(bytes, 'up')}; the limit is ${formatBytes(limits.maxFileBytes)}. Split it into smaller files and upload each one.`
	);
}

export function emptyFile(fileName: string): SpreadsheetError {
	return new SpreadsheetError('empty-file', `The file "${fileName}" is empty (0 bytes). Choose the saved spreadsheet and try again.`);
}

/** Something unexpected failed underneath (kept as the cause). */
export function couldNotRead(fileName: string, cause: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'unsupported',
		`The file "${fileName}" could not be read: it may be damaged, or in a form we do not know. Open it in Excel or LibreOffice, save it as .xlsx or .csv, and upload the saved file.`,
		{ cause }
	);
}

export function unsupported(fileName: string, cause?: unknown): SpreadsheetError {
	return new SpreadsheetError('unsupported', `${UNSUPPORTED_MESSAGE}: "${fileName}".`, { cause });
}

export function damaged(fileName: string, cause: unknown): SpreadsheetError {
	return new SpreadsheetError('unsupported', damagedFileMessage(fileName), { cause });
}

export function encrypted(fileName: string, cause?: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'encrypted',
		`"${fileName}" is protected with a password, so it cannot be read. Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save, and upload again.`,
		{ cause }
	);
}

export function zipEncrypted(fileName: string): SpreadsheetError {
	return new SpreadsheetError(
		'encrypted',
		`"${fileName}" is a password-protected archive, so it cannot be read. Upload the spreadsheet itself, saved without a password.`
	);
}

export function sheetTooLarge(sheetName: string, extent: Extent, limits: Readonly<ReadLimits>): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`Sheet "${sheetName}" spans ${plural(extent.rows, 'row', 'rows')} × ${plural(extent.columns, 'column', 'columns')}; the limit is ${limitText(limits)}. Delete the empty rows and columns at the end and save again.`
	);
}

export function csvTooLarge(fileName: string, limit: 'rows' | 'columns', row: number, limits: Readonly<ReadLimits>, cause: unknown): SpreadsheetError {
	const what = limit === 'rows' ? `more than ${plural(limits.maxRows, 'row', 'rows')}` : `more than ${plural(limits.maxColumns, 'column', 'columns')} (row ${formatCount(row)})`;
	return new SpreadsheetError(
		'sheet-too-large',
		`The file "${fileName}" has ${what}; the limit is ${limitText(limits)}. Delete the empty rows and columns at the end and save again.`,
		{ cause }
	);
}

export function expandedTooMuch(where: string, what: string, limits: Readonly<ReadLimits>, advice: string): SpreadsheetError {
	return new SpreadsheetError('sheet-too-large', `${where} ${what}; we expand at most ${formatCount(limits.maxExpandedCells)} cells. ${advice}`);
}

export function tooManyMergedCells(fileName: string, cells: number, merged: number): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`"${fileName}" is a web page with ${formatCount(cells)} cells, ${formatCount(merged)} of them merged: too many merged cells to read. Open it in Excel, unmerge the cells, save it as .xlsx, and upload that file.`
	);
}

export function usersSheetEmpty(fileName: string, sheetName: string): SpreadsheetError {
	return new SpreadsheetError('no-data', `The "${sheetName}" sheet of "${fileName}" is empty. Put the headers in row 1 and one user per row below them.`);
}

export function noData(fileName: string, sheets: number): SpreadsheetError {
	return new SpreadsheetError(
		'no-data',
		sheets > 1
			? `"${fileName}" has no sheet with any data. Put the headers in row 1 of a sheet named "Users" and one user per row below them.`
			: `"${fileName}" has no data. Put the headers in row 1 and one user per row below them.`
	);
}
