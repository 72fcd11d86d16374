// Owns reading an uploaded file into the rows of one sheet, every cell as text: the entry point the worker
// calls. It sends each kind of file (sniff.ts) through its guards to its parser and turns every failure into
// a SpreadsheetError an admin can act on (refusals.ts). Runs inside the Web Worker: no DOM.
//
// Paths: .xlsx/.xlsb/.xls/.ods/markup -> SheetJS; .csv/.tsv/.txt -> csv-decode.ts (no type guessing).
// Options for SheetJS: dense sheets for speed, cellDates:false so dates stay numbers with their format
// (we render them), cellNF for the formats, cellFormula:false (we read cached values; formula
// bookkeeping is quadratic in array formulas).
//
// Hostile and merely huge input (limits.ts): the size is checked first; ZIP archives are checked from their
// directory and unpacked by zip-guard.ts (never by SheetJS); compound files (.xls) by cfb-guard.ts; then
// expansion-guard.ts counts what the workbook holds and what SheetJS would expand (cell-census.ts) and
// refuses, before SheetJS parses, what would not fit the worker's memory and time. Limits apply to the
// cells that exist, never to the range a sheet declares. Whatever still fails inside SheetJS reaches the
// admin as one sentence about the file (the original error is kept as the cause).
import * as XLSX from 'xlsx';
import { CFB, read as sheetjsRead, type ParsingOptions, type WorkBook } from 'xlsx';
import { checkCompoundFile } from './cfb-guard';
import { readCompoundFile, type CompoundFile } from './cfb-streams';
import { chooseSheet, type ChosenSheet, type SheetSource } from './choose-sheet';
import { CsvLimitError, decodeText, readCsv, type Delimiter, type TextEncoding } from './csv-decode';
import { SpreadsheetError } from './errors';
import { checkOnlySheetReach, checkParsedBytes, guardBiff, guardMarkup, guardZipParts, isUnreadPart } from './expansion-guard';
import { readLimits, type CellFormat, type ReadLimits } from './limits';
import {
	couldNotRead,
	csvTooLarge,
	damaged,
	emptyFile,
	encrypted,
	fileTooLarge,
	notASpreadsheet,
	textNotASpreadsheet,
	unknownContent,
	xlsbDamaged,
	zipEncrypted,
	type App
} from './refusals';
import { sheetJsSource } from './sheetjs-sheets';
import { describeBinary, describeOtherDocument, extension, looksBinary, looksLikeOpenDocument, sniff, WORKBOOK_EXTENSIONS } from './sniff';
import { boundXlsbReads, DamagedPartError } from './xlsb-records';
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
				return readBiff(bytes, fileName, limits);
			case 'text':
				return readText(bytes, fileName, limits);
			default: {
				const known = describeBinary(bytes);
				throw known ? notASpreadsheet(fileName, known.what, known.archive) : unknownContent(fileName);
			}
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
	const other = describeOtherDocument(
		bytes,
		dir.entries.map((e) => e.name)
	);
	if (other) throw notASpreadsheet(fileName, other);
	checkParsedBytes(dir, fileName, limits);
	let files: ZipFile[];
	try {
		// LibreOffice's "Save with password" encrypts content.xml, and the manifest says how: looked at
		// before the encrypted parts are unpacked. (SheetJS would fail with an "ODS Encryption" error, and the
		// admin needs LibreOffice's steps, not Excel's.)
		const [manifest] = unzip(bytes, dir, (entry) => entry.name === 'META-INF/manifest.xml');
		if (manifest && new TextDecoder('latin1').decode(manifest.data).includes('encryption-data')) throw encrypted(fileName, 'libreoffice');
		files = unzip(bytes, dir, (entry) => !isUnreadPart(entry.name));
	} catch (error) {
		if (error instanceof SpreadsheetError) throw error;
		throw damaged(fileName, error);
	}
	const openDocument = looksLikeOpenDocument(bytes) || files.some((f) => f.name === 'content.xml');
	const census = guardZipParts(files, fileName, limits);
	checkOnlySheetReach(census, fileName, limits);
	// The unpacked parts are SheetJS's alone from here, held only by the container, which goes once SheetJS
	// has parsed it (a large sheet's XML is tens of MB): before its cells are turned into rows of text.
	let container: unknown = sheetJsContainer(files, census.format);
	// SheetJS tells .xlsx from .ods itself; the guess only labels the format if it cannot say.
	const guess: SheetFormat = openDocument ? 'ods' : 'xlsx';
	return fromWorkbook(
		() => {
			const parsed = parseZip(container, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1, type: 'array' });
			container = undefined;
			return parsed;
		},
		fileName,
		guess,
		limits
	);
}

/** Takes the unpacked parts out of `files` (emptied) into a container for SheetJS's workbook parser. */
function sheetJsContainer(files: ZipFile[], format: CellFormat): unknown {
	const container: unknown = CFB.utils.cfb_new();
	for (const file of files.splice(0)) {
		if (format === 'xlsb' && /\.bin$/i.test(file.name)) boundXlsbReads(file.data, file.name);
		CFB.utils.cfb_add(container, file.name, file.data, { unsafe: true });
	}
	return container;
}

/** XLSX.parse_zip: SheetJS's workbook parser for an already unpacked archive (exported, not typed). */
const parseZip = (XLSX as unknown as { parse_zip(zip: unknown, options: ParsingOptions): WorkBook }).parse_zip;

function readCfb(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	let file: CompoundFile;
	try {
		checkCompoundFile(bytes);
		file = readCompoundFile(bytes);
	} catch (error) {
		throw damaged(fileName, error);
	}
	const has = (name: string) => file.names.some((n) => n.toLowerCase() === name.toLowerCase());
	// An encrypted .xlsx is an OLE compound file holding "EncryptedPackage": say so before SheetJS does.
	if (has('EncryptedPackage') || has('EncryptionInfo') || has('encryption')) throw encrypted(fileName, 'excel');
	if (has('WordDocument')) throw notASpreadsheet(fileName, 'a Word document');
	if (has('PowerPoint Document')) throw notASpreadsheet(fileName, 'a PowerPoint presentation');
	let stream: Uint8Array | null;
	try {
		stream = file.stream('Workbook') ?? file.stream('Book');
	} catch (error) {
		throw damaged(fileName, error);
	}
	// Other programs' compound files (Quattro Pro, Works): SheetJS knows some of them.
	if (!stream) {
		return fromWorkbook(() => sheetjsRead(bytes, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1 }), fileName, 'xls', limits);
	}
	checkOnlySheetReach(guardBiff(stream, fileName, limits), fileName, limits);
	const workbook = stream;
	return fromWorkbook(
		() => parseXlsStream(workbook, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1, type: 'buffer' }),
		fileName,
		'xls',
		limits
	);
}

/** XLSX.parse_xlscfb: given a bare BIFF stream (not a container), SheetJS's .xls workbook parser. */
const parseXlsStream = (XLSX as unknown as { parse_xlscfb(stream: Uint8Array, options: ParsingOptions): WorkBook }).parse_xlscfb;

/** A bare BIFF2-4 stream: an Excel 2-4 worksheet or workbook. */
function readBiff(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	checkOnlySheetReach(guardBiff(bytes, fileName, limits), fileName, limits);
	return fromWorkbook(() => sheetjsRead(bytes, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1 }), fileName, 'xls', limits);
}

function readText(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	// Markup (SpreadsheetML 2003, HTML tables saved as ".xls", flat ODS): SheetJS reads those. Given as
	// text: from bytes SheetJS decodes UTF-8 into an array of one-character strings first, 40 times the
	// file's size in memory (a 45 MB file took 1.2 GB); and ours knows UTF-16 and Windows-1252 too.
	const head = decodeText(bytes.subarray(0, 512))
		.text.replace(/^\uFEFF/, '')
		.trimStart();
	if (head.startsWith('<')) {
		const format: SheetFormat = /office:document/.test(head) || extension(fileName) === 'fods' ? 'ods' : 'xls';
		const text = decodeText(bytes).text.replace(/^\uFEFF/, '');
		checkOnlySheetReach(guardMarkup(text, fileName, limits), fileName, limits);
		return fromWorkbook(
			() => sheetjsRead(text, { ...SHEETJS_OPTIONS, sheetRows: limits.maxRows + 1, type: 'string' }),
			fileName,
			format,
			limits
		);
	}
	let csv;
	try {
		csv = readCsv(bytes, { maxRows: limits.maxRows, maxColumns: limits.maxColumns });
	} catch (error) {
		if (!(error instanceof CsvLimitError)) throw error;
		throw csvTooLarge(fileName, error.limit, error.row, limits, error);
	}
	if (looksBinary(csv.rows)) throw unknownContent(fileName);
	const rows = csv.rows;
	// Text under a workbook's name is only a spreadsheet if it is a table: one column of text is a note
	// (an e-mail's "attachment not found"), not a CSV someone renamed. No usable upload is lost: every one
	// has at least an Account ID and a Username column.
	if (WORKBOOK_EXTENSIONS.has(extension(fileName)) && rows.every((row) => row.length <= 1)) {
		throw textNotASpreadsheet(fileName, rows.map((row) => row[0] ?? '').join('\n'));
	}
	const source: SheetSource = {
		sheetNames: [sheetNameFromFile(fileName)],
		hidden: [false],
		readSheet: () => ({ rows }),
		hasData: () => rows.some((row) => row.some((cell) => cell.trim() !== ''))
	};
	return { ...chooseSheet(source, fileName, 'excel'), format: 'csv', encoding: csv.encoding, delimiter: csv.delimiter };
}

function sheetNameFromFile(fileName: string): string {
	const base = fileName.replace(/^.*[\\/]/, '');
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(0, dot) : base || 'Sheet1';
}

const SHEETJS_OPTIONS = {
	dense: true,
	cellDates: false,
	cellNF: true,
	cellText: true,
	cellHTML: false,
	cellFormula: false,
	raw: true
} as const;

function fromWorkbook(parse: () => WorkBook, fileName: string, format: SheetFormat, limits: Readonly<ReadLimits>): SheetRead {
	let wb: WorkBook;
	const app: App = format === 'ods' ? 'libreoffice' : 'excel';
	try {
		wb = parse();
	} catch (error) {
		if (error instanceof DamagedPartError) throw xlsbDamaged(fileName, error);
		if (isPasswordError(error)) throw encrypted(fileName, app, error);
		throw couldNotRead(fileName, error);
	}
	if (!wb || !Array.isArray(wb.SheetNames) || wb.SheetNames.length === 0) throw couldNotRead(fileName, new Error('no sheets'));
	return { ...chooseSheet(sheetJsSource(wb, fileName, limits), fileName, app), format: formatOf(wb, format) };
}

// SheetJS reads more than the four formats we name; report the family the admin would recognise.
function formatOf(wb: WorkBook, guess: SheetFormat): SheetFormat {
	const type = (wb as { bookType?: string }).bookType ?? '';
	if (/^xls[xmb]$/.test(type)) return 'xlsx';
	if (/^(ods|fods)$/.test(type)) return 'ods';
	if (/^(xls|biff\d|xlml|html)$/.test(type)) return 'xls';
	return guess;
}
