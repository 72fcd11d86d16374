// Owns reading an uploaded file into the rows of one sheet, every cell as text.
// Decides the format from the bytes (the file name only breaks ties), picks the sheet, and turns
// every failure into a SpreadsheetError an admin can act on. Runs inside the Web Worker: no DOM.
//
// Paths: .xlsx/.xls/.ods/markup -> SheetJS;
// .csv/.tsv/.txt -> csv-decode.ts (no type guessing). Options for SheetJS: dense sheets for speed,
// cellDates:false so dates stay numbers with their format (we render them), cellNF for the formats,
// cellFormula:false (we read cached values; formula bookkeeping is quadratic in array formulas).
//
// Hostile input (limits.ts): the size is checked first; ZIP archives are checked from their directory and
// unpacked by zip-guard.ts (never by SheetJS); compound files (.xls) are checked for looping sector chains
// and directory links; what SheetJS would expand from a few bytes (ODS repeat counts, hyperlink ranges,
// HTML merged cells) is counted before it parses; the sheet read must fit in maxRows × maxColumns before
// its cells are converted. Whatever still fails inside SheetJS reaches the admin as one sentence about the
// file (the original error is kept as the cause), never as a stack trace.
import * as XLSX from 'xlsx';
import { CFB, read as sheetjsRead, type WorkBook, type WorkSheet, type CellObject, type ParsingOptions } from 'xlsx';
import { booleanCellText, numberCellText } from './cell-text';
import { CsvLimitError, readCsv, decodeText, type Delimiter, type TextEncoding } from './csv-decode';
import { formatBytes, formatCount, SpreadsheetError, UNSUPPORTED_MESSAGE } from './errors';
import { readLimits, type ReadLimits } from './limits';
import { damagedFileMessage, guardZip, unzip, type ZipFile } from './zip-guard';

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

/** How far a sheet reaches, counted from A1 (so the end cell XFD1048576 is 1,048,576 rows × 16,384 columns). */
interface Extent {
	rows: number;
	columns: number;
}

/** A sheet's rows, and how far the sheet says (or its cells show) it reaches. */
interface SheetContent {
	rows: string[][];
	extent: Extent;
}

/** A workbook as both readers present it. */
interface SheetSource {
	sheetNames: string[];
	hidden: boolean[];
	/** Throws 'sheet-too-large' when the cells themselves reach beyond the limits. */
	readSheet(index: number): SheetContent;
}

/**
 * Reads the sheet to process from an upload. Throws SpreadsheetError only, with a message for the admin;
 * anything unexpected underneath is wrapped (as the cause) in a generic "could not be read" message.
 */
export function readUploadedSheet(bytes: Uint8Array, fileName: string): SheetRead {
	const limits = readLimits();
	if (bytes.length > limits.maxFileBytes)
		throw new SpreadsheetError(
			'too-large',
			`The file "${fileName}" is ${formatBytes(bytes.length, 'up')}; the limit is ${formatBytes(limits.maxFileBytes)}. Split it into smaller files and upload each one.`
		);
	if (bytes.length === 0) throw new SpreadsheetError('empty-file', `The file "${fileName}" is empty (0 bytes). Choose the saved spreadsheet and try again.`);
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
		throw new SpreadsheetError(
			'unsupported',
			`The file "${fileName}" could not be read: it may be damaged, or in a form we do not know. Open it in Excel or LibreOffice, save it as .xlsx or .csv, and upload the saved file.`,
			{ cause: error }
		);
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

function zipEncrypted(fileName: string): SpreadsheetError {
	return new SpreadsheetError(
		'encrypted',
		`"${fileName}" is a password-protected archive, so it cannot be read. Upload the spreadsheet itself, saved without a password.`
	);
}

/** SheetJS's own zip reader is never used: zip-guard checks the directory, then unpacks with bounds. */
function readZip(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	const dir = guardZip(bytes, fileName, limits);
	if (dir.encrypted) throw zipEncrypted(fileName);
	let files: ZipFile[];
	try {
		files = unzip(bytes, dir);
	} catch (error) {
		throw new SpreadsheetError('unsupported', damagedFileMessage(fileName), { cause: error });
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

/** ODF puts an uncompressed "mimetype" entry first: a cheap look at the first local header, no unzipping. */
function looksLikeOpenDocument(bytes: Uint8Array): boolean {
	const head = new TextDecoder('latin1').decode(bytes.subarray(30, 100));
	return head.startsWith('mimetype') && head.includes('application/vnd.oasis.opendocument');
}

function readCfb(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): SheetRead {
	try {
		checkCompoundFile(bytes);
	} catch (error) {
		throw new SpreadsheetError('unsupported', damagedFileMessage(fileName), { cause: error });
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

/** Directory entries (streams and storages) of a compound file; an .xls has about ten, with macros a few dozen. */
const MAX_CFB_ENTRIES = 4096;

/**
 * OLE compound files (.xls, encrypted .xlsx): SheetJS's container reader loops without bound on two kinds
 * of damage, appending to an array until V8 aborts the whole process ("invalid size error"; in a browser
 * that takes the tab down with the worker, beyond the reach of any time limit). One flipped byte does it:
 * - a stream whose sector chain (through the FAT) loops: get_sector_list has no cycle check;
 * - a directory whose sibling/child links loop: build_full_paths keeps queueing the same entries, or
 *   keeps prepending a parent's name.
 * Both are walked here first, exactly as SheetJS will walk them, and refused. So are containers that make it
 * copy one region many times (chains that merge, streams larger than the file together). SheetJS's other
 * failures on broken containers are exceptions, which the callers wrap.
 */
function checkCompoundFile(bytes: Uint8Array): void {
	if (bytes.length < 512) return; // SheetJS refuses it itself
	const u16 = (at: number) => bytes[at] | (bytes[at + 1] << 8);
	const i32 = (data: Uint8Array, at: number) => (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8) | ((data[at + 2] ?? 0) << 16) | ((data[at + 3] ?? 0) << 24);
	const major = u16(26);
	if (major !== 3 && major !== 4) return; // SheetJS refuses other versions
	const ssz = major === 3 ? 512 : 4096;
	const perPage = ssz / 4;
	// As SheetJS's sectorify: the file after the header, in ssz pieces (the last one may be short).
	const count = Math.ceil(bytes.length / ssz) - 1;
	const sector = (i: number): Uint8Array | undefined => (Number.isInteger(i) && i >= 0 && i < count ? bytes.subarray((i + 1) * ssz, (i + 2) * ssz) : undefined);
	// FAT sector addresses: 109 in the header (up to the first negative), then the DIFAT chain, whose
	// entries SheetJS takes up to an end-of-chain marker (free-sector markers included).
	const fatPages: number[] = [];
	for (let j = 0; j < 109; j++) {
		const q = i32(bytes, 76 + 4 * j);
		if (q < 0) break;
		fatPages.push(q);
	}
	let difat = i32(bytes, 68);
	let difatCount = i32(bytes, 72);
	if (difatCount > count + 1) throw new Error(`${difatCount} DIFAT sectors in a file of ${count} sectors`);
	for (let level = 0; difat !== -2 && difat !== -1; level++) {
		const page = sector(difat);
		if (!page) break;
		for (let k = 0; k < perPage - 1; k++) {
			const q = i32(page, k * 4);
			if (q === -2) break;
			fatPages.push(q);
		}
		if (difatCount < 1) break;
		difatCount--;
		difat = i32(page, ssz - 4);
		if (level > count) throw new Error('the DIFAT chain loops');
	}
	if (fatPages.filter((p) => sector(p)).length > count) throw new Error('more FAT sectors than sectors');
	// next(j) as SheetJS's get_sector_list computes it; -1 ends the chain. Three colours find cycles in O(n).
	const next = (j: number): number => {
		const page = sector(fatPages[Math.floor((j * 4) / ssz)]);
		if (!page) return -1;
		const v = i32(page, (j * 4) & (ssz - 1));
		return v >= 0 ? v : -1;
	};
	const colour = new Map<number, Uint8Array>(); // per FAT page: 0 unvisited, 1 on the current walk, 2 done
	const state = (j: number): Uint8Array => {
		const p = Math.floor(j / perPage);
		let c = colour.get(p);
		if (!c) colour.set(p, (c = new Uint8Array(perPage)));
		return c;
	};
	const path: number[] = [];
	const targets = new Set<number>();
	fatPages.forEach((p, pageIndex) => {
		if (!sector(p)) return;
		for (let k = 0; k < perPage; k++) {
			// Chains never share sectors: where two meet, SheetJS copies the shared tail once per chain.
			const target = next(pageIndex * perPage + k);
			if (target >= 0) {
				if (targets.has(target)) throw new Error(`two sector chains continue at ${target}`);
				targets.add(target);
			}
			for (let j = pageIndex * perPage + k; j >= 0 && sector(fatPages[Math.floor(j / perPage)]); j = next(j)) {
				const c = state(j);
				const at = j % perPage;
				if (c[at] === 2) break;
				if (c[at] === 1) throw new Error(`the sector chain through ${j} loops`);
				c[at] = 1;
				path.push(j);
			}
			for (const j of path) state(j)[j % perPage] = 2;
			path.length = 0;
		}
	});

	// The directory: the chain from its first sector (as make_sector_list, missing sectors skipped), in
	// 128-byte entries; then build_full_paths's walks over their L/R/C links, bounded.
	const dirStart = i32(bytes, 48);
	if (!sector(dirStart)) return; // SheetJS fails with an exception
	const parts: Uint8Array[] = [];
	const seen = new Set<number>();
	for (let j = dirStart; j >= 0; ) {
		seen.add(j);
		const data = sector(j);
		if (data) parts.push(data);
		const page = sector(fatPages[Math.floor((j * 4) / ssz)]);
		if (!page) break;
		j = i32(page, (j * 4) & (ssz - 1));
		if (seen.has(j)) break;
	}
	const dirLength = parts.reduce((n, p) => n + p.length, 0);
	const entries = Math.ceil(dirLength / 128);
	if (entries > MAX_CFB_ENTRIES) throw new Error(`${entries} directory entries`);
	const dir = new Uint8Array(dirLength);
	parts.reduce((at, p) => (dir.set(p, at), at + p.length), 0);
	const entry = (i: number) => ({
		type: dir[i * 128 + 66] ?? 0,
		L: i32(dir, i * 128 + 68),
		R: i32(dir, i * 128 + 72),
		C: i32(dir, i * 128 + 76),
		size: i32(dir, i * 128 + 120)
	});
	const FI = Array.from({ length: entries }, (_, i) => entry(i));
	// Streams read through the FAT are copied out one by one: together they cannot exceed the file.
	const streamed = FI.reduce((sum, e) => sum + (e.type !== 5 && e.size >= 4096 ? e.size : 0), 0);
	if (streamed > bytes.length) throw new Error(`streams of ${streamed} bytes in a file of ${bytes.length}`);
	// build_full_paths, verbatim but for the bounds (sparse arrays keyed by numbers, as in SheetJS).
	const pl = entries;
	const dad: number[] = [];
	const q: number[] = [];
	let i = 0;
	let L = 0;
	let R = 0;
	let C = 0;
	for (; i < pl; ++i) dad[i] = q[i] = i;
	for (let j = 0; j < q.length; ++j) {
		if (q.length > 4 * pl + 16) throw new Error('the directory tree loops');
		i = q[j];
		if (!FI[i]) return; // SheetJS throws a TypeError here
		({ L, R, C } = FI[i]);
		if (dad[i] === i) {
			if (L !== -1 && dad[L] !== L) dad[i] = dad[L];
			if (R !== -1 && dad[R] !== R) dad[i] = dad[R];
		}
		if (C !== -1) dad[C] = i;
		if (L !== -1 && i != dad[i]) {
			dad[L] = dad[i];
			if (q.lastIndexOf(L) < j) q.push(L);
		}
		if (R !== -1 && i != dad[i]) {
			dad[R] = dad[i];
			if (q.lastIndexOf(R) < j) q.push(R);
		}
	}
	for (i = 1; i < pl; ++i)
		if (dad[i] === i) {
			if (R !== -1 && dad[R] !== R) dad[i] = dad[R];
			else if (L !== -1 && dad[L] !== L) dad[i] = dad[L];
		}
	for (i = 1; i < pl; ++i) {
		if (FI[i].type === 0) continue;
		let j: number = i;
		let steps = 0;
		if (j != dad[j])
			do {
				j = dad[j];
				if (++steps > pl + 1) throw new Error('the directory tree loops');
			} while (j !== 0 && -1 !== dad[j] && j != dad[j]);
		dad[i] = -1;
	}
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
		const what = error.limit === 'rows' ? `more than ${plural(limits.maxRows, 'row', 'rows')}` : `more than ${plural(limits.maxColumns, 'column', 'columns')} (row ${formatCount(error.row)})`;
		throw new SpreadsheetError(
			'sheet-too-large',
			`The file "${fileName}" has ${what}; the limit is ${limitText(limits)}. Delete the empty rows and columns at the end and save again.`,
			{ cause: error }
		);
	}
	if (looksBinary(csv.rows)) throw unsupported(fileName);
	const rows = csv.rows;
	const source: SheetSource = {
		sheetNames: [sheetNameFromFile(fileName)],
		hidden: [false],
		readSheet: () => ({ rows, extent: { rows: rows.length, columns: widest(rows) } })
	};
	return { ...pickSheet(source, fileName, 'csv', limits), encoding: csv.encoding, delimiter: csv.delimiter };
}

function widest(rows: string[][]): number {
	let columns = 0;
	for (const row of rows) if (row.length > columns) columns = row.length;
	return columns;
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
	return pickSheet(sheetJsSource(wb, limits), fileName, formatOf(wb, format), limits);
}

// SheetJS reads more than the four formats we name; report the family the admin would recognise.
function formatOf(wb: WorkBook, guess: SheetFormat): SheetFormat {
	const type = (wb as { bookType?: string }).bookType ?? '';
	if (/^xls[xmb]$/.test(type)) return 'xlsx';
	if (/^(ods|fods)$/.test(type)) return 'ods';
	if (/^(xls|biff\d|xlml|html)$/.test(type)) return 'xls';
	return guess;
}

/**
 * wb.Sheets is a plain object keyed by sheet name, so a sheet named "toString" would otherwise find
 * Object.prototype.toString. SheetJS's assignment `Sheets["__proto__"] = ws` makes that sheet the
 * object's prototype rather than a property: look there for it.
 */
function sheetByName(wb: WorkBook, name: string): WorkSheet | undefined {
	const sheets = wb.Sheets as Record<string, WorkSheet> | undefined;
	if (!sheets) return undefined;
	if (Object.prototype.hasOwnProperty.call(sheets, name)) return sheets[name];
	if (name === '__proto__') {
		const proto: unknown = Object.getPrototypeOf(sheets);
		if (proto && proto !== Object.prototype && typeof proto === 'object') return proto as WorkSheet;
	}
	return undefined;
}

/** The sheets of a SheetJS workbook as rows of cell text. */
function sheetJsSource(wb: WorkBook, limits: Readonly<ReadLimits>): SheetSource {
	const hidden = wb.SheetNames.map((_, i) => Boolean(wb.Workbook?.Sheets?.[i]?.Hidden));
	// SheetJS lists an ODS table without table:name as undefined (and files it under "undefined").
	const sheetNames = wb.SheetNames.map((name: unknown, i) => (typeof name === 'string' && name !== '' ? name : `Sheet${i + 1}`));
	return {
		sheetNames,
		hidden,
		readSheet: (i) => sheetJsRows(sheetByName(wb, String(wb.SheetNames[i])), sheetNames[i], limits)
	};
}

/** Mirrors SheetJS's safe_decode_range ("A1:XFD1048576"; garbage gives small or negative numbers). */
function decodeRange(ref: string): { s: { r: number; c: number }; e: { r: number; c: number } } {
	const o = { s: { c: 0, r: 0 }, e: { c: 0, r: 0 } };
	let i = 0;
	let cc = 0;
	let idx = 0;
	const len = ref.length;
	for (idx = 0; i < len; ++i) {
		if ((cc = ref.charCodeAt(i) - 64) < 1 || cc > 26) break;
		idx = 26 * idx + cc;
	}
	o.s.c = --idx;
	for (idx = 0; i < len; ++i) {
		if ((cc = ref.charCodeAt(i) - 48) < 0 || cc > 9) break;
		idx = 10 * idx + cc;
	}
	o.s.r = --idx;
	if (i === len || cc !== 10) {
		o.e.c = o.s.c;
		o.e.r = o.s.r;
		return o;
	}
	++i;
	for (idx = 0; i !== len; ++i) {
		if ((cc = ref.charCodeAt(i) - 64) < 1 || cc > 26) break;
		idx = 26 * idx + cc;
	}
	o.e.c = --idx;
	for (idx = 0; i !== len; ++i) {
		if ((cc = ref.charCodeAt(i) - 48) < 0 || cc > 9) break;
		idx = 10 * idx + cc;
	}
	o.e.r = --idx;
	return o;
}

/** The extent a sheet declares: !fullref when sheetRows cut it short, else !ref (for .xlsx, <dimension ref>). */
function declaredExtent(ws: WorkSheet): Extent {
	const ref = (ws as { '!fullref'?: unknown })['!fullref'] ?? ws['!ref'];
	if (typeof ref !== 'string' || ref === '') return { rows: 0, columns: 0 };
	const range = decodeRange(ref);
	const rows = Math.max(range.s.r, range.e.r) + 1;
	const columns = Math.max(range.s.c, range.e.c) + 1;
	return { rows: Number.isFinite(rows) && rows > 0 ? rows : 0, columns: Number.isFinite(columns) && columns > 0 ? columns : 0 };
}

function plural(n: number, one: string, many: string): string {
	return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function limitText(limits: Readonly<ReadLimits>): string {
	return `${plural(limits.maxRows, 'row', 'rows')} and ${plural(limits.maxColumns, 'column', 'columns')}`;
}

function exceeds(extent: Extent, limits: Readonly<ReadLimits>): boolean {
	return extent.rows > limits.maxRows || extent.columns > limits.maxColumns;
}

function sheetTooLarge(sheetName: string, extent: Extent, limits: Readonly<ReadLimits>): SpreadsheetError {
	return new SpreadsheetError(
		'sheet-too-large',
		`Sheet "${sheetName}" spans ${plural(extent.rows, 'row', 'rows')} × ${plural(extent.columns, 'column', 'columns')}; the limit is ${limitText(limits)}. Delete the empty rows and columns at the end and save again.`
	);
}

/**
 * The cells of a dense SheetJS sheet as rows of text. The extent of the cells themselves is checked
 * first (O(rows), never O(rows × columns)): a lone cell at XFD1048576 makes a sparse array of length
 * 1,048,576 whose holes must not be walked, and a row's holes are only padded up to the limit.
 */
function sheetJsRows(ws: WorkSheet | undefined, sheetName: string, limits: Readonly<ReadLimits>): SheetContent {
	if (!ws || typeof ws !== 'object') return { rows: [], extent: { rows: 0, columns: 0 } };
	const declared = declaredExtent(ws);
	const data = (ws as { '!data'?: (CellObject | undefined)[][] })['!data'];
	if (!Array.isArray(data)) return { rows: [], extent: declared };
	if (data.length > limits.maxRows) {
		const last = data[data.length - 1];
		throw sheetTooLarge(sheetName, { rows: Math.max(data.length, declared.rows), columns: Math.max(declared.columns, Array.isArray(last) ? last.length : 0) }, limits);
	}
	let columns = declared.columns;
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
		const width = Array.isArray(cells) ? cells.length : 0;
		if (width > limits.maxColumns) throw sheetTooLarge(sheetName, { rows: Math.max(data.length, declared.rows), columns: Math.max(width, declared.columns) }, limits);
		if (width > columns) columns = width;
	}
	const rows: string[][] = new Array(data.length);
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
		const row: string[] = [];
		if (Array.isArray(cells)) {
			for (let c = 0; c < cells.length; c++) {
				const text = sheetJsCellText(cells[c]);
				if (text === '' && c >= row.length) continue;
				while (row.length < c) row.push('');
				row[c] = text;
			}
		}
		rows[r] = row;
	}
	return { rows, extent: { rows: Math.max(data.length, declared.rows), columns } };
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
 * The sheet chosen must fit the limits as it declares itself too (a stray formatted cell far away).
 */
function pickSheet(source: SheetSource, fileName: string, format: SheetFormat, limits: Readonly<ReadLimits>): SheetRead {
	const { sheetNames } = source;
	const usersIndex = sheetNames.findIndex((name) => name.trim().toLowerCase() === USERS_SHEET.toLowerCase());
	const base = { sheetNames: sheetNames.slice(), format };
	const chosen = (index: number, content: SheetContent, rows: string[][], chosenBecause: SheetChoice): SheetRead => {
		if (exceeds(content.extent, limits)) throw sheetTooLarge(sheetNames[index], content.extent, limits);
		return { ...base, sheetName: sheetNames[index], chosenBecause, rows };
	};
	if (usersIndex >= 0) {
		const content = source.readSheet(usersIndex);
		const rows = dropTrailingEmptyRows(content.rows);
		if (isBlankRows(rows))
			throw new SpreadsheetError('no-data', `The "${sheetNames[usersIndex]}" sheet of "${fileName}" is empty. Put the headers in row 1 and one user per row below them.`);
		return chosen(usersIndex, content, rows, sheetNames.length === 1 ? 'only' : 'named-users');
	}
	for (let i = 0; i < sheetNames.length; i++) {
		if (source.hidden[i] && sheetNames.length > 1) continue;
		const content = source.readSheet(i);
		const rows = dropTrailingEmptyRows(content.rows);
		if (isBlankRows(rows)) continue;
		return chosen(i, content, rows, sheetNames.length === 1 ? 'only' : 'first-non-empty');
	}
	throw new SpreadsheetError(
		'no-data',
		sheetNames.length > 1 ? `"${fileName}" has no sheet with any data. Put the headers in row 1 of a sheet named "Users" and one user per row below them.` : `"${fileName}" has no data. Put the headers in row 1 and one user per row below them.`
	);
}

// ---- what SheetJS would expand -----------------------------------------------------------------------
// A few bytes can declare millions of cells that SheetJS then creates one object at a time (or loops over,
// for hours): an ODS cell repeated over 1,048,576 rows × 16,384 columns, a hyperlink over A1:XFD1048576.
// Counted here, on the unpacked parts, before SheetJS parses anything.

function expandedTooMuch(where: string, what: string, limits: Readonly<ReadLimits>, advice: string): SpreadsheetError {
	return new SpreadsheetError('sheet-too-large', `${where} ${what}; we expand at most ${formatCount(limits.maxExpandedCells)} cells. ${advice}`);
}

function checkZipExpansion(files: ZipFile[], fileName: string, limits: Readonly<ReadLimits>): void {
	let linked = 0;
	for (const file of files) {
		const lower = file.name.toLowerCase();
		if (lower === 'content.xml') {
			checkOdsRepeats(partText(file.data), fileName, limits);
			continue;
		}
		const links = lower.endsWith('.bin') ? xlsbLinks(file.data) : xmlLinks(file.data);
		for (const link of links) {
			linked += link.cells;
			if (linked > limits.maxExpandedCells)
				throw expandedTooMuch(
					`"${fileName}"`,
					link.cells > limits.maxExpandedCells ? `has a hyperlink over ${link.ref}, ${formatCount(link.cells)} cells` : `has hyperlinks over more than ${formatCount(limits.maxExpandedCells)} cells`,
					limits,
					'Remove the hyperlinks (or link only the cells that need one) and save again.'
				);
		}
	}
}

/** A part as SheetJS reads it: UTF-16 when it starts with a byte order mark, else bytes as Latin-1. */
function partText(data: Uint8Array): string {
	if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2));
	if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data.subarray(2));
	return new TextDecoder('utf-8').decode(data);
}

interface Link {
	ref: string;
	cells: number;
}

function rangeCells(ref: string): number {
	const { s, e } = decodeRange(ref);
	const rows = Math.abs(e.r - s.r) + 1;
	const columns = Math.abs(e.c - s.c) + 1;
	return Number.isFinite(rows * columns) ? rows * columns : Infinity;
}

/** Attribute values of one tag whose local name (prefix and "_suffix" dropped, any case) is `name`, as
 * SheetJS's parsexmltag keys them. */
function attributeValues(tag: string, name: string): string[] {
	const out: string[] = [];
	const attribute = /\s([^"\s?>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^'">\s]+))/g;
	let m: RegExpExecArray | null;
	while ((m = attribute.exec(tag))) {
		let key = m[1];
		const colon = key.indexOf(':');
		if (colon >= 0) key = key.slice(colon + 1);
		else if (key.indexOf('_') > 0) key = key.slice(0, key.indexOf('_'));
		if (key.toLowerCase() === name) out.push(m[2] ?? m[3] ?? m[4] ?? '');
	}
	return out;
}

const HYPERLINK_TAG = /<(?:\w+:)?hyperlink [^<>]*>/g;

/** <hyperlink ref> of an XML part (SheetJS matches /<(?:\w+:)?hyperlink [^<>]*>/ and creates a cell for
 * every cell of the range). Searched in 1 MB windows so a 500 MB part is never one string. */
function xmlLinks(data: Uint8Array): Link[] {
	const links: Link[] = [];
	const collect = (text: string) => {
		HYPERLINK_TAG.lastIndex = 0;
		let m: RegExpExecArray | null;
		while ((m = HYPERLINK_TAG.exec(text)))
			for (const ref of attributeValues(m[0], 'ref')) links.push({ ref, cells: rangeCells(ref) });
	};
	if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
		collect(partText(data));
		return links;
	}
	const latin1 = new TextDecoder('latin1');
	const WINDOW = 1 << 20;
	for (let start = 0; start < data.length; ) {
		let end = Math.min(start + WINDOW, data.length);
		if (end < data.length) {
			// Never cut a tag in two: end the window before an unfinished tag, or past it when it is longer.
			const open = data.lastIndexOf(0x3c, end - 1);
			const close = open >= start ? data.indexOf(0x3e, open) : -1;
			if (open >= start && (close < 0 || close >= end)) {
				if (open > start) end = open;
				else end = close < 0 ? data.length : close + 1;
			}
		}
		const text = latin1.decode(data.subarray(start, end));
		if (text.indexOf('hyperlink ') >= 0) collect(text);
		start = end;
	}
	return links;
}

/** BrtHLink records (0x01EE) of an .xlsb part: type and length are 7-bit varints, then rwFirst, rwLast,
 * colFirst, colLast as 32-bit integers. */
function xlsbLinks(data: Uint8Array): Link[] {
	const links: Link[] = [];
	const u32 = (at: number) => (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
	let p = 0;
	while (p < data.length) {
		let type = data[p++];
		if (type & 0x80) type = (type & 0x7f) + ((data[p++] & 0x7f) << 7);
		let length = 0;
		for (let i = 0; i < 4; i++) {
			const b = data[p++];
			length += (b & 0x7f) << (7 * i);
			if (!(b & 0x80)) break;
		}
		if (type === 0x01ee && p + 16 <= data.length) {
			const r1 = u32(p);
			const r2 = u32(p + 4);
			const c1 = u32(p + 8);
			const c2 = u32(p + 12);
			const cells = (Math.abs(r2 - r1) + 1) * (Math.abs(c2 - c1) + 1);
			links.push({ ref: `R${r1 + 1}C${c1 + 1}:R${r2 + 1}C${c2 + 1}`, cells });
		}
		p += length;
	}
	return links;
}

// SheetJS's tokenizer for ODS/flat ODS (xlmlregex): tags whose attributes are all double-quoted.
const XLML_TAG = /<([/]?)([^\s?><!/:"]*:|)([^\s?<>:/"]+)(?:\s+[^<>=?"'\s]+="[^"]*?")*\s*[/]?>/gm;

/**
 * ODS (and flat ODS) content: a cell with text or a value inside a row marked
 * table:number-rows-repeated="R" and itself table:number-columns-repeated="C" becomes R × C cells.
 * Mirrors how SheetJS's parse_content_xml counts; empty cells (self-closing tags, as LibreOffice writes
 * its trailing blank rows and columns) cost nothing and are not counted.
 */
function checkOdsRepeats(xml: string, fileName: string, limits: Readonly<ReadLimits>): void {
	if (xml.indexOf('-repeated') < 0) return;
	let table = '';
	let rowRepeat = 1;
	let cellColumns = 1;
	let expanded = 0;
	const max = (values: string[], parse: (v: string) => number) => values.reduce((m, v) => Math.max(m, parse(v) || 1), 1);
	XLML_TAG.lastIndex = 0;
	let m: RegExpExecArray | null;
	while ((m = XLML_TAG.exec(xml))) {
		const name = m[3].replace(/_[\s\S]*$/, '');
		const closing = m[1] === '/';
		const selfClosing = m[0].charAt(m[0].length - 2) === '/';
		if (name === 'table' || name === '工作表') {
			if (!closing && !selfClosing) table = attributeValues(m[0], 'name')[0] ?? attributeValues(m[0], '名称')[0] ?? '';
		} else if (name === 'table-row' || name === '行') {
			if (closing) rowRepeat = 1;
			else rowRepeat = max(attributeValues(m[0], 'number-rows-repeated'), (v) => +v);
		} else if (name === 'table-cell' || name === '数据' || name === 'covered-table-cell') {
			// Like SheetJS, the repeat count at a closing tag is that of the last cell tag opened.
			if (!closing) {
				cellColumns = max(attributeValues(m[0], 'number-columns-repeated'), (v) => parseInt(v, 10));
				continue;
			}
			if (name === 'covered-table-cell') continue;
			const cells = Math.max(rowRepeat, 1) * Math.max(cellColumns, 1);
			expanded += cells - 1;
			if (expanded > limits.maxExpandedCells) {
				const what =
					cells - 1 > limits.maxExpandedCells
						? `repeats one cell over ${formatCount(rowRepeat)} rows × ${formatCount(cellColumns)} columns`
						: `repeats cells more than ${formatCount(limits.maxExpandedCells)} times`;
				throw expandedTooMuch(`Sheet "${table}" of "${fileName}"`, what, limits, 'Delete the rows and columns you do not need at the end and save again.');
			}
		}
	}
}

/**
 * HTML tables saved as ".xls": SheetJS compares every cell with every merged cell (rowspan/colspan) met
 * so far, so 10 MB of merged cells takes hours. Budget: cells × merged cells, about a second of work.
 */
const MAX_HTML_CELL_MERGE_PAIRS = 100_000_000;
function checkHtmlSpans(text: string, fileName: string): void {
	if (!/<table/i.test(text)) return;
	const merged = (text.match(/\s(?:row|col)span\s*=/gi) ?? []).length;
	if (merged === 0) return;
	const cells = (text.match(/<t[dh][\s>]/gi) ?? []).length;
	if (cells * merged > MAX_HTML_CELL_MERGE_PAIRS)
		throw new SpreadsheetError(
			'sheet-too-large',
			`"${fileName}" is a web page with ${formatCount(cells)} cells, ${formatCount(merged)} of them merged: too many merged cells to read. Open it in Excel, unmerge the cells, save it as .xlsx, and upload that file.`
		);
}
