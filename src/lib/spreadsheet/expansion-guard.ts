// Owns what SheetJS would expand: a few bytes can declare millions of cells that SheetJS then creates one
// object at a time (or loops over, for hours): an ODS cell repeated over 1,048,576 rows × 16,384 columns, a
// hyperlink over A1:XFD1048576, an HTML table of merged cells. Counted here, on the unpacked parts or the
// text, before SheetJS parses anything.
import { formatCount } from './errors';
import { rangeCells } from './cell-ref';
import type { ReadLimits } from './limits';
import { expandedTooMuch, tooManyMergedCells } from './refusals';
import type { ZipFile } from './zip-guard';

export function checkZipExpansion(files: ZipFile[], fileName: string, limits: Readonly<ReadLimits>): void {
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
export function partText(data: Uint8Array): string {
	if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2));
	if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data.subarray(2));
	return new TextDecoder('utf-8').decode(data);
}

interface Link {
	ref: string;
	cells: number;
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
export function checkOdsRepeats(xml: string, fileName: string, limits: Readonly<ReadLimits>): void {
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
export function checkHtmlSpans(text: string, fileName: string): void {
	if (!/<table/i.test(text)) return;
	const merged = (text.match(/\s(?:row|col)span\s*=/gi) ?? []).length;
	if (merged === 0) return;
	const cells = (text.match(/<t[dh][\s>]/gi) ?? []).length;
	if (cells * merged > MAX_HTML_CELL_MERGE_PAIRS)
		throw tooManyMergedCells(fileName, cells, merged);
}
