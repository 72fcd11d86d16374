// Owns reading an uploaded file into the rows of one sheet, every cell as text: the entry point the worker
// calls. It sends each kind of file (sniff.ts) through its guards to its parser and turns every failure into
// a SpreadsheetError an admin can act on (refusals.ts). Runs inside the Web Worker: no DOM.
//
// Paths: .xlsx/.xlsb/.xls/.ods/markup -> SheetJS; .csv/.tsv/.txt -> csv-decode.ts (no type guessing).
// Options for SheetJS: dense sheets for speed, cellDates:false so dates stay numbers with their format
// (we render them), cellNF for the formats, cellFormula:false (we read cached values; formula
// bookkeeping is quadratic in array formulas).
//
// Hostile input (limits.ts): the size is checked first; ZIP archives are checked from their directory and
// unpacked by zip-guard.ts (never by SheetJS); compound files (.xls) by cfb-guard.ts; what SheetJS would
// expand from a few bytes by expansion-guard.ts, before it parses; the sheet read must fit in
// maxRows × maxColumns before its cells are converted (sheetjs-sheets.ts). Whatever still fails inside
// SheetJS reaches the admin as one sentence about the file (the original error is kept as the cause).
import * as XLSX from 'xlsx';
import { CFB, read as sheetjsRead, type ParsingOptions, type WorkBook } from 'xlsx';
import { checkCompoundFile } from './cfb-guard';
import { chooseSheet, type ChosenSheet, type SheetSource } from './choose-sheet';
import { CsvLimitError, decodeText, readCsv, type Delimiter, type TextEncoding } from './csv-decode';
import { SpreadsheetError } from './errors';
import { checkHtmlSpans, checkOdsRepeats, checkZipExpansion } from './expansion-guard';
import { readLimits, type ReadLimits } from './limits';
import { couldNotRead, csvTooLarge, damaged, emptyFile, encrypted, fileTooLarge, unsupported, zipEncrypted } from './refusals';
import { sheetJsSource } from './sheetjs-sheets';
import { extension, looksBinary, looksLikeOpenDocument, sniff } from './sniff';
import { guardZip, unzip, type ZipFile } from './zip-guard';

export { USERS_SHEET, type SheetChoice } from './choose-sheet';

export type SheetFormat = 'xlsx' | 'xls' | 'ods' | 'csv';

export interface SheetRead extends ChosenSheet {
	format: SheetFormat;
	/** CSV only. */
	encoding?: TextEncoding;
	/** CSV only. */
	delimiter?: Delimiter;
}

/**
 * Reads the sheet to process from an upload. Throws SpreadsheetError only, with a message for the admin;
 * anything unexpected underneath is wrapped (as the cause) in a generic "could not be read" message.
 */
export function readUploadedSheet(bytes: Uint8Array, fileName: string): SheetRead {
	const limits = readLimits();
	if (bytes.length > limits.maxFileBytes) throw fileTooLarge(fileName, bytes.length, limits);
	if (bytes.length === 0) throw emptyFile(fileName);
	try {
		switch (sniff(bytes)) {
			case 'zip':
				return readZip(bytes, fileName, limits);
			case 'cfb':
				return readCfb(bytes, fileName, limits);
			case 'biff':
				return fromSheetJs(bytes, fileName, 'xls', limits);
			case 'text':
				return readText(bytes, fileName, limits);
			default:
				throw unsupported(fileName);
		}
	} catch (error) {
		if (error instanceof SpreadsheetError) throw error;
		throw couldNotRead(fileName, error);
	}
}

function isPasswordError(error: unknown): boolean {
	return error instanceof Error && /password|encrypt/i.test(error.message);
}

/** SheetJS's own zip reader is never used: zip-guard checks the directory, then unpacks with bounds. */
function readZip(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	const dir = guardZip(bytes, fileName, limits);
	if (dir.encrypted) throw zipEncrypted(fileName);
	let files: ZipFile[];
	try {
		files = unzip(bytes, dir);
	} catch (error) {
		throw damaged(fileName, error);
	}
	checkZipExpansion(files, fileName, limits);
	const container = CFB.utils.cfb_new();
	for (const file of files) CFB.utils.cfb_add(container, file.name, file.data, { unsafe: true });
	// SheetJS tells .xlsx from .ods itself; the guess only labels the format if it cannot say.
	const guess: SheetFormat = looksLikeOpenDocument(bytes) ? 'ods' : 'xlsx';
	return fromWorkbook(() => parseZip(container, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1, type: 'array' }), fileName, guess, limits);
}

/** XLSX.parse_zip: SheetJS's workbook parser for an already unpacked archive (exported, not typed). */
const parseZip = (XLSX as unknown as { parse_zip(zip: unknown, options: ParsingOptions): WorkBook }).parse_zip;

function readCfb(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	try {
		checkCompoundFile(bytes);
	} catch (error) {
		throw damaged(fileName, error);
	}
	// An encrypted .xlsx is an OLE compound file holding "EncryptedPackage": say so before SheetJS does.
	try {
		const cfb = CFB.read(bytes, { type: 'buffer' });
		if (CFB.find(cfb, 'EncryptedPackage') || CFB.find(cfb, 'EncryptionInfo')) throw encrypted(fileName);
	} catch (error) {
		if (error instanceof SpreadsheetError) throw error;
		throw unsupported(fileName, error);
	}
	return fromSheetJs(bytes, fileName, 'xls', limits);
}

function readText(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	// Markup (SpreadsheetML 2003, HTML tables saved as ".xls", flat ODS): SheetJS reads those.
	const head = decodeText(bytes.subarray(0, 512)).text.replace(/^\uFEFF/, '').trimStart();
	if (head.startsWith('<')) {
		const format: SheetFormat = /office:document/.test(head) || extension(fileName) === 'fods' ? 'ods' : 'xls';
		const text = decodeText(bytes).text;
		checkOdsRepeats(text, fileName, limits);
		checkHtmlSpans(text, fileName);
		return fromSheetJs(bytes, fileName, format, limits);
	}
	let csv;
	try {
		csv = readCsv(bytes, { maxRows: limits.maxRows, maxColumns: limits.maxColumns });
	} catch (error) {
		if (!(error instanceof CsvLimitError)) throw error;
		throw csvTooLarge(fileName, error.limit, error.row, limits, error);
	}
	if (looksBinary(csv.rows)) throw unsupported(fileName);
	const rows = csv.rows;
	const source: SheetSource = {
		sheetNames: [sheetNameFromFile(fileName)],
		hidden: [false],
		readSheet: () => ({ rows, extent: { rows: rows.length, columns: widest(rows) } })
	};
	return { ...chooseSheet(source, fileName, limits), format: 'csv', encoding: csv.encoding, delimiter: csv.delimiter };
}

function widest(rows: string[][]): number {
	let columns = 0;
	for (const row of rows) if (row.length > columns) columns = row.length;
	return columns;
}

function sheetNameFromFile(fileName: string): string {
	const base = fileName.replace(/^.*[\\/]/, '');
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(0, dot) : base || 'Sheet1';
}

const SHEETJS_OPTIONS = { dense: true, cellDates: false, cellNF: true, cellText: true, cellHTML: false, cellFormula: false, raw: true } as const;

function fromSheetJs(bytes: Uint8Array, fileName: string, format: SheetFormat, limits: Readonly<ReadLimits>): SheetRead {
	return fromWorkbook(() => sheetjsRead(bytes, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1 }), fileName, format, limits);
}

function fromWorkbook(parse: () => WorkBook, fileName: string, format: SheetFormat, limits: Readonly<ReadLimits>): SheetRead {
	let wb: WorkBook;
	try {
		wb = parse();
	} catch (error) {
		if (isPasswordError(error)) throw encrypted(fileName, error);
		throw unsupported(fileName, error);
	}
	if (!wb || !Array.isArray(wb.SheetNames) || wb.SheetNames.length === 0) throw unsupported(fileName);
	return { ...chooseSheet(sheetJsSource(wb, limits), fileName, limits), format: formatOf(wb, format) };
}

// SheetJS reads more than the four formats we name; report the family the admin would recognise.
function formatOf(wb: WorkBook, guess: SheetFormat): SheetFormat {
	const type = (wb as { bookType?: string }).bookType ?? '';
	if (/^xls[xmb]$/.test(type)) return 'xlsx';
	if (/^(ods|fods)$/.test(type)) return 'ods';
	if (/^(xls|biff\d|xlml|html)$/.test(type)) return 'xls';
	return guess;
}
