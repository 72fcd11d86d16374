// Owns the one error type the spreadsheet layer throws: a machine code for the UI and tests,
// plus a message an admin can act on (what is wrong with the file and what to do).

export type SpreadsheetErrorCode =
	/** 0 bytes. */
	| 'empty-file'
	/** Not a format we read, or a damaged file. */
	| 'unsupported'
	/** Password-protected (encrypted) workbook: the cells cannot be read without the password. */
	| 'encrypted'
	/** A readable file without any non-blank cell (or the chosen sheet is blank). */
	| 'no-data';

export const UNSUPPORTED_MESSAGE = 'This file is not a spreadsheet SheetJS can read (.xlsx, .xls, .ods or .csv)';

export class SpreadsheetError extends Error {
	readonly code: SpreadsheetErrorCode;

	constructor(code: SpreadsheetErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'SpreadsheetError';
		this.code = code;
	}
}

export function isSpreadsheetError(error: unknown): error is SpreadsheetError {
	return error instanceof SpreadsheetError;
}
