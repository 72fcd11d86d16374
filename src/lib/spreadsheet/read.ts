// Owns reading an uploaded file into the rows of one sheet, every cell as text.
// Decides the format from the bytes (the file name only breaks ties), picks the sheet, and turns
// every failure into a SpreadsheetError an admin can act on. Runs inside the Web Worker: no DOM.
//
// Paths: .xlsx/.xls/.ods/markup -> SheetJS;
// .csv/.tsv/.txt -> csv-decode.ts (no type guessing). Options for SheetJS: dense sheets for speed,
// cellDates:false so dates stay numbers with their format (we render them), cellNF for the formats.
import { CFB, read as sheetjsRead, type WorkBook, type WorkSheet, type CellObject } from 'xlsx';
import { booleanCellText, numberCellText } from './cell-text';
import { readCsv, decodeText, type Delimiter, type TextEncoding } from './csv-decode';
import { SpreadsheetError, UNSUPPORTED_MESSAGE } from './errors';

export type SheetFormat = 'xlsx' | 'xls' | 'ods' | 'csv';
export type SheetChoice = 'named-users' | 'first-non-empty' | 'only';

export interface SheetRead {
	sheetName: string;
	sheetNames: string[];
	chosenBecause: SheetChoice;
	/** Rows as in the sheet (0-based here; the admin's row number is index + 1). Ragged: trailing empty cells
	 * are not stored, holes are ''. Trailing all-empty rows are dropped. Cells are not trimmed. */
	rows: string[][];
	format: SheetFormat;
	/** CSV only. */
	encoding?: TextEncoding;
	/** CSV only. */
	delimiter?: Delimiter;
}

/** The sheet a multi-sheet workbook is read from. */
export const USERS_SHEET = 'Users';

/** A workbook as both readers present it. */
interface SheetSource {
	sheetNames: string[];
	hidden: boolean[];
	readSheet(index: number): string[][];
}

export function readUploadedSheet(bytes: Uint8Array, fileName: string): SheetRead {
	if (bytes.length === 0) throw new SpreadsheetError('empty-file', `The file "${fileName}" is empty (0 bytes). Choose the saved spreadsheet and try again.`);
	const kind = sniff(bytes);
	switch (kind) {
		case 'zip':
			return readZip(bytes, fileName);
		case 'cfb':
			return readCfb(bytes, fileName);
		case 'biff':
			return fromSheetJs(bytes, fileName, 'xls');
		case 'text':
			return readText(bytes, fileName);
		default:
			throw unsupported(fileName);
	}
}

// ---- format detection ---------------------------------------------------------------------------

type Kind = 'zip' | 'cfb' | 'biff' | 'text' | 'binary';

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
	return magic.every((b, i) => bytes[i] === b);
}

function sniff(bytes: Uint8Array): Kind {
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'cfb';
	// A bare BIFF2-4 stream (very old .xls, not in a compound file): BOF record 0x0009/0x0209/0x0409.
	if ((bytes[0] === 0x09 && bytes[1] <= 0x04 && bytes[2] <= 0x10 && bytes[3] === 0x00) || (bytes[0] === 0x09 && bytes[1] === 0x08)) return 'biff';
	const known: number[][] = [
		[0x25, 0x50, 0x44, 0x46], // %PDF
		[0x89, 0x50, 0x4e, 0x47], // PNG
		[0xff, 0xd8, 0xff], // JPEG
		[0x47, 0x49, 0x46, 0x38], // GIF
		[0x7b, 0x5c, 0x72, 0x74], // {\rt (RTF)
		[0x1f, 0x8b], // gzip
		[0x52, 0x61, 0x72, 0x21], // Rar!
		[0x37, 0x7a, 0xbc, 0xaf] // 7z
	];
	if (known.some((m) => startsWith(bytes, m))) return 'binary';
	return 'text';
}

function extension(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

function unsupported(fileName: string, cause?: unknown): SpreadsheetError {
	return new SpreadsheetError('unsupported', `${UNSUPPORTED_MESSAGE}: "${fileName}".`, { cause });
}

function encrypted(fileName: string, cause?: unknown): SpreadsheetError {
	return new SpreadsheetError(
		'encrypted',
		`"${fileName}" is protected with a password, so it cannot be read. Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save, and upload again.`,
		{ cause }
	);
}

function isPasswordError(error: unknown): boolean {
	return error instanceof Error && /password|encrypt/i.test(error.message);
}

// ---- readers ------------------------------------------------------------------------------------

function readZip(bytes: Uint8Array, fileName: string): SheetRead {
	// SheetJS tells .xlsx from .ods itself; the guess only labels the format if it cannot say.
	return fromSheetJs(bytes, fileName, looksLikeOpenDocument(bytes) ? 'ods' : 'xlsx');
}

/** ODF puts an uncompressed "mimetype" entry first: a cheap look at the first local header, no unzipping. */
function looksLikeOpenDocument(bytes: Uint8Array): boolean {
	const head = new TextDecoder('latin1').decode(bytes.subarray(30, 100));
	return head.startsWith('mimetype') && head.includes('application/vnd.oasis.opendocument');
}

function readCfb(bytes: Uint8Array, fileName: string): SheetRead {
	// An encrypted .xlsx is an OLE compound file holding "EncryptedPackage": say so before SheetJS does.
	try {
		const cfb = CFB.read(bytes, { type: 'buffer' });
		if (CFB.find(cfb, 'EncryptedPackage') || CFB.find(cfb, 'EncryptionInfo')) throw encrypted(fileName);
	} catch (error) {
		if (error instanceof SpreadsheetError) throw error;
		throw unsupported(fileName, error);
	}
	return fromSheetJs(bytes, fileName, 'xls');
}

function readText(bytes: Uint8Array, fileName: string): SheetRead {
	// Markup (SpreadsheetML 2003, HTML tables saved as ".xls", flat ODS): SheetJS reads those.
	const head = decodeText(bytes.subarray(0, 512)).text.replace(/^\uFEFF/, '').trimStart();
	if (head.startsWith('<')) {
		const format: SheetFormat = /office:document/.test(head) || extension(fileName) === 'fods' ? 'ods' : 'xls';
		return fromSheetJs(bytes, fileName, format);
	}
	const csv = readCsv(bytes);
	if (looksBinary(csv.rows)) throw unsupported(fileName);
	const source: SheetSource = { sheetNames: [sheetNameFromFile(fileName)], hidden: [false], readSheet: () => csv.rows };
	return { ...pickSheet(source, fileName, 'csv'), encoding: csv.encoding, delimiter: csv.delimiter };
}

// A "CSV" full of NULs or other control characters is some binary format we do not know.
function looksBinary(rows: string[][]): boolean {
	let checked = 0;
	let bad = 0;
	for (const row of rows) {
		for (const cell of row) {
			for (let i = 0; i < cell.length && checked < 4096; i++, checked++) {
				const c = cell.charCodeAt(i);
				if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) bad++;
			}
		}
		if (checked >= 4096) break;
	}
	return bad > 0 && bad * 20 > checked;
}

function sheetNameFromFile(fileName: string): string {
	const base = fileName.replace(/^.*[\\/]/, '');
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(0, dot) : base || 'Sheet1';
}

const SHEETJS_OPTIONS = { dense: true, cellDates: false, cellNF: true, cellText: true, cellHTML: false, raw: true } as const;

function fromSheetJs(bytes: Uint8Array, fileName: string, format: SheetFormat): SheetRead {
	let wb: WorkBook;
	try {
		wb = sheetjsRead(bytes, { ...SHEETJS_OPTIONS });
	} catch (error) {
		if (isPasswordError(error)) throw encrypted(fileName, error);
		throw unsupported(fileName, error);
	}
	if (!wb || !Array.isArray(wb.SheetNames) || wb.SheetNames.length === 0) throw unsupported(fileName);
	return pickSheet(sheetJsSource(wb), fileName, formatOf(wb, format));
}

// SheetJS reads more than the four formats we name; report the family the admin would recognise.
function formatOf(wb: WorkBook, guess: SheetFormat): SheetFormat {
	const type = (wb as { bookType?: string }).bookType ?? '';
	if (/^xls[xmb]$/.test(type)) return 'xlsx';
	if (/^(ods|fods)$/.test(type)) return 'ods';
	if (/^(xls|biff\d|xlml|html)$/.test(type)) return 'xls';
	return guess;
}

/** The sheets of a SheetJS workbook as rows of cell text. */
function sheetJsSource(wb: WorkBook): SheetSource {
	const hidden = wb.SheetNames.map((_, i) => Boolean(wb.Workbook?.Sheets?.[i]?.Hidden));
	return { sheetNames: wb.SheetNames.slice(), hidden, readSheet: (i) => sheetJsRows(wb.Sheets[wb.SheetNames[i]]) };
}

function sheetJsRows(ws: WorkSheet | undefined): string[][] {
	const data = (ws as { '!data'?: (CellObject | undefined)[][] } | undefined)?.['!data'];
	if (!data) return [];
	const rows: string[][] = [];
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
		const row: string[] = [];
		if (cells) {
			for (let c = 0; c < cells.length; c++) {
				const text = sheetJsCellText(cells[c]);
				if (text === '' && c >= row.length) continue;
				while (row.length < c) row.push('');
				row[c] = text;
			}
		}
		rows[r] = row;
	}
	return rows;
}

function sheetJsCellText(cell: CellObject | undefined): string {
	if (!cell || cell.v === undefined || cell.v === null) return '';
	switch (cell.t) {
		case 'n':
			return numberCellText(cell.v as number, typeof cell.z === 'string' ? cell.z : undefined, cell.w);
		case 'b':
			return booleanCellText(Boolean(cell.v));
		case 'e':
			return cell.w ?? '';
		case 'd':
			return cell.w ?? (cell.v instanceof Date ? cell.v.toISOString() : String(cell.v));
		case 'z':
			return '';
		default:
			return String(cell.v);
	}
}

// ---- sheet choice -------------------------------------------------------------------------------

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
 * sheet: in our template the other sheets are Instructions and Accounts, never user rows.
 */
function pickSheet(source: SheetSource, fileName: string, format: SheetFormat): SheetRead {
	const { sheetNames } = source;
	const usersIndex = sheetNames.findIndex((name) => name.trim().toLowerCase() === USERS_SHEET.toLowerCase());
	const base = { sheetNames: sheetNames.slice(), format };
	if (usersIndex >= 0) {
		const rows = dropTrailingEmptyRows(source.readSheet(usersIndex));
		if (isBlankRows(rows))
			throw new SpreadsheetError('no-data', `The "${sheetNames[usersIndex]}" sheet of "${fileName}" is empty. Put the headers in row 1 and one user per row below them.`);
		return { ...base, sheetName: sheetNames[usersIndex], chosenBecause: sheetNames.length === 1 ? 'only' : 'named-users', rows };
	}
	for (let i = 0; i < sheetNames.length; i++) {
		if (source.hidden[i] && sheetNames.length > 1) continue;
		const rows = dropTrailingEmptyRows(source.readSheet(i));
		if (isBlankRows(rows)) continue;
		return { ...base, sheetName: sheetNames[i], chosenBecause: sheetNames.length === 1 ? 'only' : 'first-non-empty', rows };
	}
	throw new SpreadsheetError(
		'no-data',
		sheetNames.length > 1 ? `"${fileName}" has no sheet with any data. Put the headers in row 1 of a sheet named "Users" and one user per row below them.` : `"${fileName}" has no data. Put the headers in row 1 and one user per row below them.`
	);
}
