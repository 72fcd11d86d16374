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
	| 'no-data'
	/** Larger than the upload limit (limits.ts maxFileBytes), or more to unpack or decode than we read
	 * (maxParsedBytes, maxXlsbChainedChars). */
	| 'too-large'
	/** A ZIP (.xlsx, .ods) that would expand beyond the limits: too many files, too large, or compressed too
	 * well to be a spreadsheet (a "zip bomb"). Decided from the ZIP directory, before anything is unpacked. */
	| 'compressed-bomb'
	/** The sheet's filled cells reach beyond the rows or columns we read (limits.ts maxRows, maxColumns), the
	 * workbook holds more filled cells or texts than we read (maxCells, maxSharedStrings), or it declares
	 * more repeated or linked cells than we expand (maxExpandedCells). */
	| 'sheet-too-large';

export class SpreadsheetError extends Error {
	readonly code: SpreadsheetErrorCode;

	constructor(code: SpreadsheetErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'SpreadsheetError';
		this.code = code;
	}
}

/** "1,048,576". */
export function formatCount(n: number): string {
	return n.toLocaleString('en-US');
}

/**
 * "73.4 MB", "12.3 GB", "50 MB" (binary units, as limits.ts). `up` rounds up, so a file just over a limit
 * never reads as the limit itself ("50.1 MB", not "50.0 MB").
 */
export function formatBytes(bytes: number, rounding: 'up' | 'nearest' = 'nearest'): string {
	const units: [number, string][] = [
		[1024 ** 3, 'GB'],
		[1024 ** 2, 'MB'],
		[1024, 'KB']
	];
	const [size, unit] = units.find(([size]) => bytes >= size) ?? [1, 'bytes'];
	if (size === 1) return `${formatCount(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
	const value = bytes / size;
	if (Number.isInteger(value)) return `${formatCount(value)} ${unit}`;
	const tenths = rounding === 'up' ? Math.ceil(value * 10) / 10 : Math.round(value * 10) / 10;
	return `${tenths.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${unit}`;
}
