// Owns which sheet of a workbook holds the users: the one named "Users", else the first visible sheet with
// data. Works on any reader's sheets (SheetJS's, or the one sheet of a CSV) through SheetSource.
import type { ReadLimits } from './limits';
import { noData, sheetTooLarge, usersSheetEmpty, type Extent } from './refusals';

export type SheetChoice = 'named-users' | 'first-non-empty' | 'only';

/** The sheet a multi-sheet workbook is read from. */
export const USERS_SHEET = 'Users';

/** A sheet's rows, and how far its cells reach. */
export interface SheetContent {
	rows: string[][];
	extent: Extent;
}

/** A workbook as both readers present it. */
export interface SheetSource {
	sheetNames: string[];
	hidden: boolean[];
	/** Throws 'sheet-too-large' when the cells themselves reach beyond the limits. */
	readSheet(index: number): SheetContent;
}

export interface ChosenSheet {
	sheetName: string;
	sheetNames: string[];
	chosenBecause: SheetChoice;
	/** Rows as in the sheet (0-based here; the admin's row number is index + 1). Ragged: trailing empty cells
	 * are not stored, holes are ''. Trailing all-empty rows are dropped. Cells are not trimmed. */
	rows: string[][];
}

function isBlankRows(rows: string[][]): boolean {
	for (const row of rows) for (const cell of row) if (cell.trim() !== '') return false;
	return true;
}

function dropTrailingEmptyRows(rows: string[][]): string[][] {
	let end = rows.length;
	while (end > 0 && rows[end - 1].every((cell) => cell === '')) end--;
	return end === rows.length ? rows : rows.slice(0, end);
}

function exceeds(extent: Extent, limits: Readonly<ReadLimits>): boolean {
	return extent.rows > limits.maxRows || extent.columns > limits.maxColumns;
}

/**
 * The sheet named "Users" (any case, ignoring surrounding spaces) wins; else the first visible sheet
 * with a non-blank cell. A blank "Users" sheet is an error rather than a silent switch to another
 * sheet: in our template the other sheets are Instructions and Accounts, never user rows.
 * The sheet chosen must fit the limits as it declares itself too (a stray formatted cell far away).
 */
export function chooseSheet(source: SheetSource, fileName: string, limits: Readonly<ReadLimits>): ChosenSheet {
	const { sheetNames } = source;
	const usersIndex = sheetNames.findIndex((name) => name.trim().toLowerCase() === USERS_SHEET.toLowerCase());
	const chosen = (index: number, content: SheetContent, rows: string[][], chosenBecause: SheetChoice): ChosenSheet => {
		if (exceeds(content.extent, limits)) throw sheetTooLarge(sheetNames[index], content.extent, limits);
		return { sheetNames: sheetNames.slice(), sheetName: sheetNames[index], chosenBecause, rows };
	};
	if (usersIndex >= 0) {
		const content = source.readSheet(usersIndex);
		const rows = dropTrailingEmptyRows(content.rows);
		if (isBlankRows(rows)) throw usersSheetEmpty(fileName, sheetNames[usersIndex]);
		return chosen(usersIndex, content, rows, sheetNames.length === 1 ? 'only' : 'named-users');
	}
	for (let i = 0; i < sheetNames.length; i++) {
		if (source.hidden[i] && sheetNames.length > 1) continue;
		const content = source.readSheet(i);
		const rows = dropTrailingEmptyRows(content.rows);
		if (isBlankRows(rows)) continue;
		return chosen(i, content, rows, sheetNames.length === 1 ? 'only' : 'first-non-empty');
	}
	throw noData(fileName, sheetNames.length);
}
