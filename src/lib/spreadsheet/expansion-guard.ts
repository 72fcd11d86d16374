// Owns refusing, before SheetJS parses anything, what would cost the worker more memory or time than it
// has (limits.ts): what a few bytes declare that SheetJS then creates one object at a time (an ODS cell
// repeated over 1,048,576 rows × 16,384 columns, a hyperlink over A1:XFD1048576, an HTML table of merged
// cells), and what a workbook really holds beyond the limits (cells, shared strings, unpacked sheet data,
// .xlsb text), as cell-census.ts counts it. Never the range a sheet merely declares.
import { rangeCells } from './cell-ref';
import {
	attributeValues,
	censusBiff,
	censusOds,
	censusXlsbPart,
	censusXlsxSheet,
	countMarkupCells,
	countMatches,
	countXmlSharedStrings,
	textWindows,
	type SheetCensus
} from './cell-census';
import { formatCount } from './errors';
import type { CellFormat, ReadLimits } from './limits';
import {
	columnsBeyondLimit,
	expandedTooMuch,
	rowsBeyondLimit,
	tooManyCells,
	tooManyMergedCells,
	tooManySharedStrings,
	tooMuchToUnpack,
	xlsbDamaged,
	xlsbTooMuchText
} from './refusals';
import { DamagedPartError, XlsbRecords } from './xlsb-records';
import type { ZipDirectory, ZipFile } from './zip-guard';

/** What the guards learnt about a workbook's sheets (for sheets counted part by part, in part order). */
export interface WorkbookCensus {
	format: CellFormat;
	sheets: SheetCensus[];
}

// ---- ZIP (.xlsx, .xlsm, .xlsb, .ods) ---------------------------------------------------------------------

/** Parts SheetJS never reads with our options: images, embedded documents, thumbnails, printer settings,
 * ActiveX controls and macros. They are neither unpacked nor counted as sheet data. */
const UNREAD_PART =
	/^(?:xl\/(?:media|embeddings|printerSettings|activeX|ctrlProps)\/|Pictures\/|Thumbnails\/|ObjectReplacements\/|Configurations2\/|docProps\/thumbnail\.)|vbaProject\.bin$/i;

export function isUnreadPart(name: string): boolean {
	return UNREAD_PART.test(name);
}

/** From the archive's directory, before anything is unpacked: what SheetJS would parse must fit. */
export function checkParsedBytes(dir: ZipDirectory, fileName: string, limits: Readonly<ReadLimits>): void {
	let parsed = 0;
	for (const entry of dir.entries) if (!isUnreadPart(entry.name)) parsed += entry.uncompressedSize;
	if (parsed > limits.maxParsedBytes) throw tooMuchToUnpack(fileName, parsed, limits);
}

function zipFormat(files: ZipFile[]): CellFormat {
	if (files.some((f) => f.name === 'content.xml')) return 'ods';
	if (files.some((f) => /^xl\/workbook\.bin$/i.test(f.name))) return 'xlsb';
	return 'xlsx';
}

/**
 * The unpacked parts of a workbook, before SheetJS parses them: hyperlinks and ODS repeats it would
 * expand, then the cells, shared strings and (.xlsb) text it would create. Returns the sheets' census.
 */
export function guardZipParts(files: ZipFile[], fileName: string, limits: Readonly<ReadLimits>): WorkbookCensus {
	const format = zipFormat(files);
	const sheets: SheetCensus[] = [];
	let linked = 0;
	let sharedStrings = 0;
	let chainedChars = 0;
	for (const file of files) {
		const lower = file.name.toLowerCase();
		if (lower === 'content.xml') {
			const ods = censusOds(hasByteOrderMark(file.data) ? partText(file.data) : file.data);
			checkRepeats(ods.expanded, ods.biggestRepeat, fileName, limits);
			sheets.push(...ods.sheets);
			continue;
		}
		if (lower.endsWith('.bin')) {
			let part;
			let links;
			try {
				part = censusXlsbPart(file.data);
				links = xlsbLinks(file.data);
			} catch (error) {
				if (error instanceof DamagedPartError) throw xlsbDamaged(fileName, new DamagedPartError(`${file.name}: ${error.message}`));
				throw error;
			}
			if (part.sheet) sheets.push(part.sheet);
			sharedStrings += part.sharedStrings;
			chainedChars += part.chainedChars;
			linked = addLinks(linked, links, fileName, limits);
		} else if (lower.endsWith('.xml')) {
			const data = hasByteOrderMark(file.data) ? new TextEncoder().encode(partText(file.data)) : file.data;
			if (/sharedstrings[^/]*\.xml$/.test(lower)) {
				sharedStrings += countXmlSharedStrings(data);
				continue;
			}
			const { sheet, afterSheetData } = censusXlsxSheet(data);
			if (sheet) sheets.push(sheet);
			linked = addLinks(linked, xmlLinks(data.subarray(afterSheetData)), fileName, limits);
		}
	}
	checkCells(sheets, format, fileName, limits);
	if (sharedStrings > limits.maxSharedStrings) throw tooManySharedStrings(fileName, sharedStrings, limits);
	if (chainedChars > limits.maxXlsbChainedChars) throw xlsbTooMuchText(fileName);
	return { format, sheets };
}

/** Hyperlinks over ranges: SheetJS creates a cell for every linked cell. Returns the running total. */
function addLinks(linked: number, links: Link[], fileName: string, limits: Readonly<ReadLimits>): number {
	for (const link of links) {
		linked += link.cells;
		if (linked > limits.maxExpandedCells) {
			throw expandedTooMuch(
				`"${fileName}"`,
				link.cells > limits.maxExpandedCells
					? `has a hyperlink over ${link.ref}, ${formatCount(link.cells)} cells`
					: `has hyperlinks over more than ${formatCount(limits.maxExpandedCells)} cells`,
				limits,
				'Remove the hyperlinks (or link only the cells that need one) and save again.'
			);
		}
	}
	return linked;
}

function hasByteOrderMark(data: Uint8Array): boolean {
	return (data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff);
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

const HYPERLINK_TAG = /<(?:\w+:)?hyperlink [^<>]*>/g;

/** <hyperlink ref> of (the rest of) an XML part (SheetJS matches /<(?:\w+:)?hyperlink [^<>]*>/ after the
 * sheet's cells and creates a cell for every cell of the range). Searched in windows, so a large part is
 * never one string. */
function xmlLinks(data: Uint8Array): Link[] {
	const links: Link[] = [];
	const collect = (text: string) => {
		HYPERLINK_TAG.lastIndex = 0;
		let m: RegExpExecArray | null;
		while ((m = HYPERLINK_TAG.exec(text))) for (const ref of attributeValues(m[0], 'ref')) links.push({ ref, cells: rangeCells(ref) });
	};
	for (const text of textWindows(data)) if (text.indexOf('hyperlink ') >= 0) collect(text);
	return links;
}

/** BrtHLink records (0x01EE) of an .xlsb part: rwFirst, rwLast, colFirst, colLast as 32-bit integers. Read
 * wherever the part holds 16 bytes, as SheetJS reads them (past a record too short for them). */
function xlsbLinks(data: Uint8Array): Link[] {
	const links: Link[] = [];
	const u32 = (at: number) => (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
	for (const record = new XlsbRecords(data); record.next();) {
		const p = record.start;
		if (record.type !== 0x01ee || p + 16 > data.length) continue;
		const r1 = u32(p);
		const r2 = u32(p + 4);
		const c1 = u32(p + 8);
		const c2 = u32(p + 12);
		const cells = (Math.abs(r2 - r1) + 1) * (Math.abs(c2 - c1) + 1);
		links.push({ ref: `R${r1 + 1}C${c1 + 1}:R${r2 + 1}C${c2 + 1}`, cells });
	}
	return links;
}

function checkCells(sheets: SheetCensus[], format: CellFormat, fileName: string, limits: Readonly<ReadLimits>): void {
	const cells = sheets.reduce((n, sheet) => n + sheet.cells, 0);
	if (cells > limits.maxCells[format]) throw tooManyCells(fileName, cells, format, limits);
}

/**
 * A workbook of one sheet is the sheet read: its filled cells must reach no further than the limits. (With
 * several sheets, choose-sheet.ts checks the sheet it picks, after SheetJS.)
 */
export function checkOnlySheetReach(census: WorkbookCensus, fileName: string, limits: Readonly<ReadLimits>): void {
	if (census.sheets.length !== 1) return;
	const [sheet] = census.sheets;
	if (sheet.lastRow.r >= limits.maxRows) throw rowsBeyondLimit(fileName, sheet.name, sheet.lastRow, limits);
	if (sheet.lastColumn.c >= limits.maxColumns) throw columnsBeyondLimit(fileName, sheet.name, sheet.lastColumn, limits);
}

// ---- .xls ----------------------------------------------------------------------------------------------

/** The BIFF stream of an .xls (or a bare BIFF2-4 file), before SheetJS parses it. */
export function guardBiff(stream: Uint8Array, fileName: string, limits: Readonly<ReadLimits>): WorkbookCensus {
	const census: WorkbookCensus = { format: 'xls', sheets: censusBiff(stream) };
	checkCells(census.sheets, 'xls', fileName, limits);
	return census;
}

// ---- markup saved as .xls or .fods -------------------------------------------------------------------------

/** HTML tables, SpreadsheetML 2003 and flat ODS read as text, before SheetJS parses them. */
export function guardMarkup(text: string, fileName: string, limits: Readonly<ReadLimits>): WorkbookCensus {
	checkHtmlSpans(text, fileName);
	const ods =
		/<office:document[\s>]/.test(text.slice(0, 4096)) || text.indexOf('urn:oasis:names:tc:opendocument') >= 0 ? censusOds(text) : null;
	if (ods) {
		checkRepeats(ods.expanded, ods.biggestRepeat, fileName, limits);
		checkCells(ods.sheets, 'ods', fileName, limits);
		return { format: 'ods', sheets: ods.sheets };
	}
	const cells = countMarkupCells(text);
	if (cells > limits.maxCells.markup) throw tooManyCells(fileName, cells, 'markup', limits);
	return { format: 'markup', sheets: [] };
}

// ---- what a few bytes declare ------------------------------------------------------------------------------

function checkRepeats(
	expanded: number,
	biggest: { table: string; rows: number; columns: number; cells: number },
	fileName: string,
	limits: Readonly<ReadLimits>
): void {
	if (expanded <= limits.maxExpandedCells) return;
	const what =
		biggest.cells - 1 > limits.maxExpandedCells
			? `repeats one cell over ${formatCount(biggest.rows)} rows × ${formatCount(biggest.columns)} columns`
			: `repeats cells more than ${formatCount(limits.maxExpandedCells)} times`;
	throw expandedTooMuch(
		`Sheet "${biggest.table}" of "${fileName}"`,
		what,
		limits,
		'Delete the rows and columns you do not need at the end and save again.'
	);
}

/**
 * HTML tables saved as ".xls": SheetJS compares every cell with every merged cell (rowspan/colspan) met
 * so far, so 10 MB of merged cells takes hours. Budget: cells × merged cells, about a second of work.
 */
const MAX_HTML_CELL_MERGE_PAIRS = 100_000_000;
function checkHtmlSpans(text: string, fileName: string): void {
	if (!/<table/i.test(text)) return;
	const merged = countMatches(text, /\s(?:row|col)span\s*=/gi);
	if (merged === 0) return;
	const cells = countMatches(text, /<t[dh][\s>]/gi);
	if (cells * merged > MAX_HTML_CELL_MERGE_PAIRS) throw tooManyMergedCells(fileName, cells, merged);
}
