// Owns counting what a workbook really holds before SheetJS parses it: the filled cells of every sheet and
// how far they reach, shared strings, and (for .xlsb) the text SheetJS would assemble character by
// character. Read from the raw parts by scanning their bytes (ODS: in windows of text, with SheetJS's own
// tokenizer) without building what SheetJS would, so a file that would exhaust the worker's memory inside
// SheetJS is refused in about a second instead.
//
// Counted as SheetJS counts: a cell with a value (or, in .ods, with a value or text, times its repeats);
// never the range a sheet declares (<dimension>, DIMENSIONS, BrtWsDim) nor formatted empty cells, which
// SheetJS skips (we never ask for stubs). Where the counts cannot be exact they err on the high side.
import { DamagedPartError, XlsbRecords } from './xlsb-records';

/** The filled cells of one sheet. Positions are 0-based; -1 when the sheet has no filled cell. */
export interface SheetCensus {
	/** The sheet's name when the part itself says (ODS tables); else undefined. */
	name?: string;
	cells: number;
	/** The filled cell farthest down, and the one farthest right. */
	lastRow: { r: number; c: number };
	lastColumn: { r: number; c: number };
}

function emptyCensus(name?: string): SheetCensus {
	return { name, cells: 0, lastRow: { r: -1, c: -1 }, lastColumn: { r: -1, c: -1 } };
}

/** Counts the filled cells at rows r..r+rows-1 and columns c..c+columns-1. */
function fill(sheet: SheetCensus, r: number, c: number, rows = 1, columns = 1): void {
	sheet.cells += rows * columns;
	const lastR = r + rows - 1;
	const lastC = c + columns - 1;
	if (lastR > sheet.lastRow.r) sheet.lastRow = { r: lastR, c };
	if (lastC > sheet.lastColumn.c) sheet.lastColumn = { r, c: lastC };
}

// ---- XML, byte by byte ---------------------------------------------------------------------------------

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;

function isSpace(b: number): boolean {
	return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** [start, end) of the value of attribute `name` (ASCII, unprefixed) in the tag data[from, to). */
function attribute(data: Uint8Array, from: number, to: number, name: string): [number, number] | null {
	for (let p = from; p < to; p++) {
		if (!isSpace(data[p])) continue;
		let q = p + 1;
		let k = 0;
		while (k < name.length && data[q + k] === name.charCodeAt(k)) k++;
		if (k < name.length) continue;
		q += k;
		while (q < to && isSpace(data[q])) q++;
		if (data[q] !== 0x3d) continue;
		q++;
		while (q < to && isSpace(data[q])) q++;
		const quote = data[q];
		if (quote !== 0x22 && quote !== 0x27) continue;
		const end = data.indexOf(quote, q + 1);
		if (end < 0 || end > to) return null;
		return [q + 1, end];
	}
	return null;
}

/** A1 reference bytes -> 0-based row and column (as SheetJS decodes them); null for anything else. */
function decodeCell(data: Uint8Array, start: number, end: number): { r: number; c: number } | null {
	let p = start;
	let c = 0;
	while (p < end && data[p] >= 0x41 && data[p] <= 0x5a) c = c * 26 + (data[p++] - 0x40);
	let r = 0;
	const digits = p;
	while (p < end && data[p] >= 0x30 && data[p] <= 0x39) r = r * 10 + (data[p++] - 0x30);
	if (p === start || p === digits) return null;
	return { r: r - 1, c: c - 1 };
}

function positiveInteger(data: Uint8Array, start: number, end: number): number | null {
	let n = 0;
	for (let p = start; p < end; p++) {
		if (data[p] < 0x30 || data[p] > 0x39) return null;
		n = n * 10 + (data[p] - 0x30);
	}
	return end > start ? n : null;
}

/** Local tag name at data[from, to) (prefix dropped) equals `name`. */
function isName(data: Uint8Array, from: number, to: number, name: string): boolean {
	if (to - from !== name.length) return false;
	for (let k = 0; k < name.length; k++) if (data[from + k] !== name.charCodeAt(k)) return false;
	return true;
}

/**
 * An .xlsx worksheet part: its filled cells (<c> with a <v> that has text, or an <is>), placed as SheetJS
 * places them (by the cell's r, else next to the previous cell). `sheet` is null when the part has no
 * <sheetData>; `afterSheetData` is where the first one ends (0 without one): SheetJS looks for hyperlinks
 * and merged cells only from there on.
 */
export function censusXlsxSheet(data: Uint8Array): { sheet: SheetCensus | null; afterSheetData: number } {
	const sheet = emptyCensus();
	let hasSheetData = false;
	let afterSheetData = 0;
	let row = -1;
	let column = -1;
	let open: { r: number; c: number } | null = null;
	let filled = false;
	const n = data.length;
	// A plain loop over the bytes: ten times faster than Uint8Array.indexOf per tag.
	for (let p = 0; p < n; p++) {
		if (data[p] !== LT) continue;
		let gt = p + 1;
		while (gt < n && data[gt] !== GT) gt++;
		if (gt >= n) break;
		let q = p + 1;
		const closing = data[q] === SLASH;
		if (closing) q++;
		let nameStart = q;
		while (q < gt && !isSpace(data[q]) && data[q] !== SLASH) {
			if (data[q] === COLON) nameStart = q + 1;
			q++;
		}
		const selfClosing = data[gt - 1] === SLASH;
		if (isName(data, nameStart, q, 'c')) {
			if (closing) {
				if (open && filled) fill(sheet, open.r, open.c);
				open = null;
			} else {
				const ref = attribute(data, q, gt, 'r');
				const at = ref && decodeCell(data, ref[0], ref[1]);
				column = at ? at.c : column + 1;
				const r = at ? at.r : row;
				if (selfClosing) open = null;
				else {
					open = { r, c: column };
					filled = false;
				}
			}
		} else if (isName(data, nameStart, q, 'v')) {
			if (!closing && !selfClosing && data[gt + 1] !== LT) filled = true;
		} else if (isName(data, nameStart, q, 'is')) {
			if (!closing) filled = true;
		} else if (isName(data, nameStart, q, 'row')) {
			if (!closing) {
				const ref = attribute(data, q, gt, 'r');
				const r = ref && positiveInteger(data, ref[0], ref[1]);
				row = r ? r - 1 : row + 1;
				column = -1;
			}
		} else if (isName(data, nameStart, q, 'sheetData')) {
			hasSheetData = true;
			if ((closing || selfClosing) && afterSheetData === 0) afterSheetData = gt + 1;
		}
		p = gt;
	}
	return { sheet: hasSheetData ? sheet : null, afterSheetData };
}

/** Entries (<si>) of an .xlsx shared-string table. */
export function countXmlSharedStrings(data: Uint8Array): number {
	let count = 0;
	const n = data.length;
	for (let p = 0; p < n; p++) {
		if (data[p] !== LT) continue;
		let q = p + 1;
		let nameStart = q;
		while (q < n && !isSpace(data[q]) && data[q] !== GT && data[q] !== SLASH) {
			if (data[q] === COLON) nameStart = q + 1;
			q++;
		}
		if (isName(data, nameStart, q, 'si')) count++;
		p = q - 1;
	}
	return count;
}

// ---- .xlsb records -------------------------------------------------------------------------------------

export interface XlsbPartCensus {
	/** The part's cells, when it has any (a worksheet). */
	sheet: SheetCensus | null;
	/** BrtSSTItem records (a shared-string table). */
	sharedStrings: number;
	/** Characters beyond the 12th of every string (see limits.ts maxXlsbChainedChars). */
	chainedChars: number;
}

/** Record types of cells with a value (BrtCell*, BrtFmla*, BrtCellRString) whose column is in the record. */
const XLSB_CELLS = new Set([0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x3e]);
/** BrtShort* cells with a value: the column follows the previous cell's. */
const XLSB_SHORT_CELLS = new Set([0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12]);

/**
 * Any part of an .xlsb: its cells (BrtRowHdr sets the row), shared strings and the length of every string
 * SheetJS reads from cells, the shared-string table and the sheet list. A string longer than its record is
 * damage SheetJS does not notice: it reads on past the record and the part (out-of-range bytes read as
 * NUL), so a 9 KB file becomes a sheet name of millions of characters. Throws DamagedPartError for that
 * and for a record running past the end of the part.
 */
export function censusXlsbPart(data: Uint8Array): XlsbPartCensus {
	const sheet = emptyCensus();
	let hasCells = false;
	let sharedStrings = 0;
	let chainedChars = 0;
	let row = 0;
	let column = -1;
	const u32 = (at: number) => (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
	/** An XLWideString at `at` (a 32-bit count of UTF-16 units, then the units) inside a record ending at `end`. */
	const string = (at: number, end: number, what: string, nullable = false): number => {
		if (at + 4 > end) throw new DamagedPartError(`${what}: no room for its length`);
		const cch = u32(at);
		if (nullable && cch === 0xffffffff) return at + 4;
		if (at + 4 + 2 * cch > end) throw new DamagedPartError(`${what}: ${cch} characters in a ${end - at - 4}-byte record`);
		if (cch > 12) chainedChars += cch - 12;
		return at + 4 + 2 * cch;
	};
	for (const record = new XlsbRecords(data); record.next();) {
		const { type, start: p, end } = record;
		const length = end - p;
		if (type === 0x00 && length >= 4) row = u32(p);
		else if (XLSB_CELLS.has(type) && length >= 8) {
			const c = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24);
			column = c === -1 ? column + 1 : c;
			fill(sheet, row, column);
			hasCells = true;
			if (type === 0x06 || type === 0x08) string(p + 8, end, 'a cell string');
			else if (type === 0x3e) string(p + 9, end, 'a rich cell string');
		} else if (XLSB_SHORT_CELLS.has(type)) {
			column += 1;
			fill(sheet, row, column);
			hasCells = true;
			if (type === 0x11) string(p + 4, end, 'a cell string');
		} else if (type === 0x01 && length >= 4) column = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24);
		else if (type === 0x0c) column += 1;
		else if (type === 0x13) {
			sharedStrings++;
			string(p + 1, end, 'a shared string');
		} else if (type === 0x9c) string(string(p + 8, end, 'a sheet relationship', true), end, 'a sheet name');
	}
	return { sheet: hasCells ? sheet : null, sharedStrings, chainedChars };
}

// ---- OpenDocument ----------------------------------------------------------------------------------------

/** SheetJS's tokenizer for ODS and flat ODS (xlmlregex): tags whose attributes are all double-quoted. */
const XLML_TAG = /<([/]?)([^\s?><!/:"]*:|)([^\s?<>:/"]+)(?:\s+[^<>=?"'\s]+="[^"]*?")*\s*[/]?>/gm;

/** Attribute values of one tag whose local name (prefix and "_suffix" dropped, any case) is `name`, as
 * SheetJS's parsexmltag keys them. */
export function attributeValues(tag: string, name: string): string[] {
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

/**
 * Latin-1 windows of about 1 MB over a part's bytes, never cutting a tag in two, so a 200 MB part is never
 * one string. Text (a flat ODS already decoded) is one window.
 */
export function* textWindows(source: Uint8Array | string): Generator<string> {
	if (typeof source === 'string') {
		yield source;
		return;
	}
	const latin1 = new TextDecoder('latin1');
	const WINDOW = 1 << 20;
	for (let start = 0; start < source.length;) {
		let end = Math.min(start + WINDOW, source.length);
		if (end < source.length) {
			const open = source.lastIndexOf(LT, end - 1);
			const close = open >= start ? source.indexOf(GT, open) : -1;
			if (open >= start && (close < 0 || close >= end)) {
				if (open > start) end = open;
				else end = close < 0 ? source.length : close + 1;
			}
		}
		yield latin1.decode(source.subarray(start, end));
		start = end;
	}
}

export interface OdsCensus {
	sheets: SheetCensus[];
	/** Cells created beyond the first of each repeated cell (ODS number-rows/columns-repeated). */
	expanded: number;
	/** The single cell repeated most: its table and repeat counts. */
	biggestRepeat: { table: string; rows: number; columns: number; cells: number };
}

/**
 * ODS (and flat ODS) content: per table, cells with text or a value, as SheetJS's parse_content_xml
 * creates them: a cell inside a row marked table:number-rows-repeated="R" and itself
 * table:number-columns-repeated="C" becomes R × C cells. Empty cells (self-closing tags, as LibreOffice
 * writes its trailing blank rows and columns) create nothing but move the position. Table names read
 * from bytes are decoded as UTF-8.
 */
export function censusOds(source: Uint8Array | string): OdsCensus {
	const fromBytes = typeof source !== 'string';
	const census: OdsCensus = { sheets: [], expanded: 0, biggestRepeat: { table: '', rows: 0, columns: 0, cells: 0 } };
	let sheet: SheetCensus | null = null;
	// Positions move exactly as in parse_content_xml: R advances when a row closes (a self-closing row
	// never closes there, so it does not advance), C with every cell tag by its repeat count.
	let row = -1;
	let rowRepeat = 1;
	let column = -1;
	let cellColumns = 1;
	let cellAt = -1;
	const max = (values: string[], parse: (v: string) => number) => values.reduce((m, v) => Math.max(m, parse(v) || 1), 1);
	const utf8 = new TextDecoder();
	for (const text of textWindows(source)) {
		if (text.indexOf('table') < 0 && text.indexOf('行') < 0 && text.indexOf('数据') < 0 && text.indexOf('工作表') < 0) continue;
		XLML_TAG.lastIndex = 0;
		let m: RegExpExecArray | null;
		while ((m = XLML_TAG.exec(text))) {
			const underscore = m[3].indexOf('_');
			const name = underscore < 0 ? m[3] : m[3].slice(0, underscore);
			const closing = m[1] === '/';
			const selfClosing = m[0].charAt(m[0].length - 2) === '/';
			if (name === 'table' || name === '工作表') {
				if (closing || selfClosing) continue;
				let tableName = attributeValues(m[0], 'name')[0] ?? attributeValues(m[0], '名称')[0] ?? '';
				if (fromBytes) tableName = utf8.decode(Uint8Array.from(tableName, (ch) => ch.charCodeAt(0)));
				sheet = emptyCensus(tableName);
				census.sheets.push(sheet);
				row = -1;
				rowRepeat = 1;
			} else if (name === 'table-row' || name === '行') {
				if (closing) {
					row += rowRepeat;
					rowRepeat = 1;
				} else {
					if (row === -1) row = 0;
					rowRepeat = m[0].indexOf('repeated') < 0 ? 1 : max(attributeValues(m[0], 'number-rows-repeated'), (v) => +v);
					column = -1;
				}
			} else if (name === 'table-cell' || name === '数据' || name === 'covered-table-cell') {
				// Like SheetJS, the repeat count at a closing tag is that of the last cell tag opened.
				if (!closing) {
					cellColumns = m[0].indexOf('repeated') < 0 ? 1 : max(attributeValues(m[0], 'number-columns-repeated'), (v) => parseInt(v, 10));
					cellAt = column + 1;
					column += cellColumns;
					// A self-closing string cell (office:string-value) is one cell, never repeated.
					if (selfClosing && sheet && name !== 'covered-table-cell' && m[0].indexOf('value-type="string"') >= 0) {
						fill(sheet, Math.max(row, 0), cellAt);
					}
					continue;
				}
				if (name === 'covered-table-cell' || !sheet) continue;
				const rows = Math.max(rowRepeat, 1);
				const cells = rows * Math.max(cellColumns, 1);
				census.expanded += cells - 1;
				if (cells > census.biggestRepeat.cells) census.biggestRepeat = { table: sheet.name ?? '', rows, columns: cellColumns, cells };
				fill(sheet, Math.max(row, 0), Math.max(cellAt, 0), rows, Math.max(cellColumns, 1));
			}
		}
	}
	return census;
}

// ---- BIFF (.xls) ---------------------------------------------------------------------------------------

/** Cell records with a value, BIFF2 to BIFF8 (blank cells, 0x0001/0x0201/0x00BE, are not counted). */
const BIFF_CELLS = new Set([0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0203, 0x0204, 0x0205, 0x0206, 0x0406, 0x027e, 0x00fd, 0x00d6]);
const BIFF_MULRK = 0x00bd;
const BIFF_EOF = 0x000a;
const BIFF_BOFS = new Set([0x0009, 0x0209, 0x0409, 0x0809]);

/**
 * A BIFF stream (the Workbook stream of an .xls, or a bare BIFF2-4 file): the filled cells of each
 * substream between a BOF and its EOF that has any (worksheets; the workbook globals and charts have none).
 */
export function censusBiff(stream: Uint8Array): SheetCensus[] {
	const sheets: SheetCensus[] = [];
	let sheet = emptyCensus();
	let depth = 0;
	const u16 = (at: number) => stream[at] | (stream[at + 1] << 8);
	for (let p = 0; p + 4 <= stream.length;) {
		const type = u16(p);
		const length = u16(p + 2);
		const body = p + 4;
		if (BIFF_BOFS.has(type)) {
			if (depth === 0) sheet = emptyCensus();
			depth++;
		} else if (type === BIFF_EOF) {
			depth = Math.max(0, depth - 1);
			if (depth === 0 && sheet.cells > 0) sheets.push(sheet);
		} else if (BIFF_CELLS.has(type) && length >= 4) fill(sheet, u16(body), u16(body + 2));
		else if (type === BIFF_MULRK && length >= 6) {
			const first = u16(body + 2);
			const last = u16(body + length - 2);
			if (last >= first) fill(sheet, u16(body), first, 1, last - first + 1);
		}
		p = body + length;
	}
	// A stream cut off before its EOF still holds the cells read so far.
	if (depth > 0 && sheet.cells > 0) sheets.push(sheet);
	return sheets;
}

// ---- markup ----------------------------------------------------------------------------------------------

/** Matches of a global regular expression, without holding them all (a 50 MB page has millions). */
export function countMatches(text: string, pattern: RegExp): number {
	let n = 0;
	pattern.lastIndex = 0;
	while (pattern.exec(text)) n++;
	return n;
}

/** Cells of an HTML table (<td>, <th>) or a SpreadsheetML 2003 workbook (<Cell>), each counted once. */
export function countMarkupCells(text: string): number {
	return countMatches(text, /<t[dh][\s>/]/gi) + countMatches(text, /<(?:\w+:)?Cell[\s>/]/g);
}
