// Owns which sheet of a workbook holds the users: the one named "Users", else the first visible sheet with
// data. Works on any reader's sheets (SheetJS's, or the one sheet of a CSV) through SheetSource.
import { dataOnlyOnHiddenSheets, noData, usersSheetEmpty, type App } from './refusals';

export type SheetChoice = 'named-users' | 'first-non-empty' | 'only';

/** The sheet a multi-sheet workbook is read from. */
export const USERS_SHEET = 'Users';

/** A sheet's rows. */
export interface SheetContent {
	rows: string[][];
}

/** A workbook as both readers present it. */
export interface SheetSource {
	sheetNames: string[];
	hidden: boolean[];
	/** Throws 'sheet-too-large' when the filled cells reach beyond the limits. */
	readSheet(index: number): SheetContent;
	/** Some cell has non-blank text: cheaper than readSheet, and never refuses. */
	hasData(index: number): boolean;
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

/**
 * The sheet named "Users" (any case, ignoring surrounding spaces) wins; else the first visible sheet
 * with a non-blank cell. A blank "Users" sheet is an error rather than a silent switch to another
 * sheet: in our template the other sheets are Instructions and Accounts, never user rows. Data only on
 * hidden sheets is not read either (the admin may not know it is there), but the message says where it is.
 * `app` names the program whose menus the messages describe.
 */
export function chooseSheet(source: SheetSource, fileName: string, app: App): ChosenSheet {
	const { sheetNames } = source;
	const usersIndex = sheetNames.findIndex((name) => name.trim().toLowerCase() === USERS_SHEET.toLowerCase());
	const chosen = (index: number, rows: string[][], chosenBecause: SheetChoice): ChosenSheet => ({
		sheetNames: sheetNames.slice(),
		sheetName: sheetNames[index],
		chosenBecause,
		rows
	});
	if (usersIndex >= 0) {
		const rows = dropTrailingEmptyRows(source.readSheet(usersIndex).rows);
		if (isBlankRows(rows)) throw usersSheetEmpty(fileName, sheetNames[usersIndex]);
		return chosen(usersIndex, rows, sheetNames.length === 1 ? 'only' : 'named-users');
	}
	for (let i = 0; i < sheetNames.length; i++) {
		if (source.hidden[i] && sheetNames.length > 1) continue;
		const rows = dropTrailingEmptyRows(source.readSheet(i).rows);
		if (isBlankRows(rows)) continue;
		return chosen(i, rows, sheetNames.length === 1 ? 'only' : 'first-non-empty');
	}
	const hiddenWithData = sheetNames.filter((_, i) => source.hidden[i] && source.hasData(i));
	if (hiddenWithData.length > 0) throw dataOnlyOnHiddenSheets(fileName, hiddenWithData, app);
	throw noData(fileName, sheetNames.length);
}
