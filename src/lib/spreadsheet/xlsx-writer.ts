// Writes .xlsx workbooks: their XML parts, one block of rows at a time, through the platform's own
// compressor (CompressionStream, native zlib) into a ZIP written here. The workbooks we hand out are
// plain tables of text and numbers, so the whole of SpreadsheetML they need is small. Building a SheetJS
// workbook object for them costs a cell object per cell and the whole sheet's XML as one string before
// a deflate in JavaScript, which made a 100,000-row results file slow and three times as large
// (README, Performance). Readers of these files: Excel, LibreOffice, Google Sheets, Numbers, SheetJS.
//
// Safety is the callers' and this module's together: every text cell a caller passes has been through
// spreadsheetText (formula guard, Excel's cell limit); here text is XML-escaped, characters XML 1.0 cannot
// carry are written as Excel's _xHHHH_ escapes (and a literal "_x" is escaped so it reads back as typed),
// and no cell is ever written as a formula.

/** A cell: text, a number, text formatted as Text ("@", so Excel keeps leading zeros when it is edited), or empty. */
export type XlsxCell = string | number | { text: string } | undefined;

export interface XlsxSheet {
	name: string;
	/** Column widths in characters. */
	widths: readonly number[];
	rows: Iterable<readonly XlsxCell[]>;
	/** An autofilter over the header row and every row below it. */
	autofilter?: boolean;
}

/** Rows per block handed to the compressor: large enough to amortise, small enough to keep memory flat. */
const ROWS_PER_BLOCK = 2000;

// Style ids in styles.xml's cellXfs: 0 general, 1 text ("@", numFmtId 49).
const TEXT_STYLE = 1;

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const columnNames: string[] = [];
function columnName(index: number): string {
	let name = columnNames[index];
	if (name !== undefined) return name;
	name = '';
	for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
	columnNames[index] = name;
	return name;
}

// XML 1.0 cannot carry C0 controls other than tab and LF (nor U+FFFE/U+FFFF or lone surrogates), and
// XML parsers turn a CR into LF; Excel writes all of these as _xHHHH_, and reads a literal "_xHHHH_"
// the same way unless its "_" is escaped.
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000b-\u001f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_/;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const ESCAPES = /[&<>"\u0000-\u0008\u000b-\u001f\ufffe\uffff]|[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)/g;

function escapeOne(match: string): string {
	switch (match) {
		case '&':
			return '&amp;';
		case '<':
			return '&lt;';
		case '>':
			return '&gt;';
		case '"':
			return '&quot;';
		case '_':
			return '_x005F_';
	}
	if (match.length === 2) return match; // a well-formed surrogate pair
	return `_x${match.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
}

/** Text as element or attribute content. */
export function xmlText(text: string): string {
	return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, escapeOne) : text;
}

/**
 * One cell. `ref` is given only after a gap: a cell without one is the next column, which keeps 100,000
 * rows of XML (and the time to compress it) a third smaller. xml:space only where whitespace would be lost.
 */
function cellXml(cell: Exclude<XlsxCell, undefined>, ref: string): string {
	const at = ref === '' ? '' : ` r="${ref}"`;
	if (typeof cell === 'number') return Number.isFinite(cell) ? `<c${at}><v>${cell}</v></c>` : `<c${at}/>`;
	if (typeof cell === 'string') return cell === '' ? `<c${at}/>` : `<c${at} t="inlineStr"><is>${textElement(cell)}</is></c>`;
	// Text format even when empty: what the admin types there later stays text.
	if (cell.text === '') return `<c${at} s="${TEXT_STYLE}"/>`;
	return `<c${at} s="${TEXT_STYLE}" t="inlineStr"><is>${textElement(cell.text)}</is></c>`;
}

const EDGE_SPACE = /^\s|\s$|[\t\n\r]/;

function textElement(text: string): string {
	return EDGE_SPACE.test(text) ? `<t xml:space="preserve">${xmlText(text)}</t>` : `<t>${xmlText(text)}</t>`;
}

/** A row's XML; '' for a row with nothing in it (the numbering of the rows after it is unaffected). */
function rowXml(cells: readonly XlsxCell[], rowNumber: number): string {
	let xml = '';
	let next = 0;
	for (let c = 0; c < cells.length; c++) {
		const cell = cells[c];
		if (cell === undefined) continue;
		xml += cellXml(cell, c === next ? '' : columnName(c) + rowNumber);
		next = c + 1;
	}
	return xml === '' ? '' : `<row r="${rowNumber}">${xml}</row>`;
}

function colsXml(widths: readonly number[]): string {
	if (widths.length === 0) return '';
	let xml = '<cols>';
	// Excel's width is in characters of the default font plus a little padding.
	widths.forEach((w, i) => (xml += `<col min="${i + 1}" max="${i + 1}" width="${w + 0.7109375}" customWidth="1"/>`));
	return xml + '</cols>';
}

/** One part of the archive, compressed, with what its ZIP headers need. */
interface Part {
	name: Uint8Array;
	crc: number;
	size: number;
	data: Uint8Array;
}

const encoder = new TextEncoder();

/**
 * Deflates `pieces` with the platform's gzip (native zlib) and keeps the raw deflate data between the gzip
 * header and trailer: the trailer's CRC-32 and size are exactly what the ZIP headers need.
 */
async function compressPart(name: string, pieces: Iterable<string>): Promise<Part> {
	const stream = new CompressionStream('gzip');
	const writer = stream.writable.getWriter();
	const output: Uint8Array[] = [];
	const reading = (async () => {
		const reader = stream.readable.getReader();
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			output.push(value);
		}
	})();
	// Waiting only for room in the queue (not for each block to be compressed) lets the next block be made
	// while the compressor, on its own thread, works on the last one. A failed write also fails close().
	for (const piece of pieces) {
		await writer.ready;
		writer.write(encoder.encode(piece)).catch(() => undefined);
	}
	await writer.close();
	await reading;
	const gzip = concat(output);
	const trailer = new DataView(gzip.buffer, gzip.byteOffset + gzip.length - 8, 8);
	return {
		name: encoder.encode(name),
		crc: trailer.getUint32(0, true),
		size: trailer.getUint32(4, true),
		data: gzip.subarray(gzipHeaderLength(gzip), gzip.length - 8)
	};
}

/** RFC 1952: 10 bytes, then whatever the flags announce (zlib announces none, but the format is read as written). */
function gzipHeaderLength(gzip: Uint8Array): number {
	if (gzip[0] !== 0x1f || gzip[1] !== 0x8b || gzip[2] !== 8) throw new Error('the compressor did not produce gzip data');
	const flags = gzip[3];
	let at = 10;
	if (flags & 4) at += 2 + (gzip[at] | (gzip[at + 1] << 8));
	if (flags & 8) while (gzip[at++] !== 0);
	if (flags & 16) while (gzip[at++] !== 0);
	if (flags & 2) at += 2;
	return at;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
	let size = 0;
	for (const chunk of chunks) size += chunk.length;
	const out = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.length;
	}
	return out;
}

/** One worksheet's XML in blocks of rows; `extent` learns the last row and column, for ranges. */
function* sheetXml(sheet: XlsxSheet, extent: { rows: number; columns: number }): Generator<string> {
	yield `${XML_HEADER}<worksheet xmlns="${NS}" xmlns:r="${REL_NS}">${colsXml(sheet.widths)}<sheetData>`;
	let block: string[] = [];
	for (const cells of sheet.rows) {
		extent.rows++;
		if (cells.length > extent.columns) extent.columns = cells.length;
		block.push(rowXml(cells, extent.rows));
		if (block.length === ROWS_PER_BLOCK) {
			yield block.join('');
			block = [];
		}
	}
	const filter =
		sheet.autofilter && extent.rows > 0 && extent.columns > 0
			? `<autoFilter ref="A1:${columnName(extent.columns - 1)}${extent.rows}"/>`
			: '';
	yield `${block.join('')}</sheetData>${filter}</worksheet>`;
}

// A fixed time in every entry (1 January 2026, midnight): the same workbook gives the same bytes.
const DOS_TIME = 0;
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;

/** A ZIP archive of deflated parts (APPNOTE 6.3: local headers and data, central directory, end record). */
function zipParts(parts: readonly Part[]): Uint8Array {
	const chunks: Uint8Array[] = [];
	const central: Uint8Array[] = [];
	let offset = 0;
	for (const part of parts) {
		const local = new Uint8Array(30 + part.name.length);
		const l = new DataView(local.buffer);
		l.setUint32(0, 0x04034b50, true);
		l.setUint16(4, 20, true); // version needed to extract: 2.0, for deflate
		l.setUint16(6, UTF8_NAMES, true);
		l.setUint16(8, DEFLATE, true);
		l.setUint16(10, DOS_TIME, true);
		l.setUint16(12, DOS_DATE, true);
		l.setUint32(14, part.crc, true);
		l.setUint32(18, part.data.length, true);
		l.setUint32(22, part.size, true);
		l.setUint16(26, part.name.length, true);
		local.set(part.name, 30);

		const entry = new Uint8Array(46 + part.name.length);
		const c = new DataView(entry.buffer);
		c.setUint32(0, 0x02014b50, true);
		c.setUint16(4, 20, true); // made by: MS-DOS (FAT attributes), 2.0
		c.setUint16(6, 20, true);
		c.setUint16(8, UTF8_NAMES, true);
		c.setUint16(10, DEFLATE, true);
		c.setUint16(12, DOS_TIME, true);
		c.setUint16(14, DOS_DATE, true);
		c.setUint32(16, part.crc, true);
		c.setUint32(20, part.data.length, true);
		c.setUint32(24, part.size, true);
		c.setUint16(28, part.name.length, true);
		c.setUint32(42, offset, true);
		entry.set(part.name, 46);
		central.push(entry);

		chunks.push(local, part.data);
		offset += local.length + part.data.length;
	}
	let centralSize = 0;
	for (const entry of central) centralSize += entry.length;
	const end = new Uint8Array(22);
	const e = new DataView(end.buffer);
	e.setUint32(0, 0x06054b50, true);
	e.setUint16(8, parts.length, true);
	e.setUint16(10, parts.length, true);
	e.setUint32(12, centralSize, true);
	e.setUint32(16, offset, true);
	return concat([...chunks, ...central, end]);
}

const STYLES =
	`<styleSheet xmlns="${NS}">` +
	'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
	'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
	'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
	'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
	'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
	'<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
	'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
	'</styleSheet>';

/** The sheet name as Excel allows it: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(name: string): string {
	return name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet';
}

/** A workbook of `sheets`, in order, as .xlsx bytes. */
export async function writeXlsx(sheets: readonly XlsxSheet[]): Promise<Uint8Array> {
	const names = sheets.map((s) => sheetName(s.name));
	const text = (name: string, xml: string) => compressPart(name, [XML_HEADER + xml]);
	const parts: Part[] = [
		await text(
			'[Content_Types].xml',
			'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
				'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
				'<Default Extension="xml" ContentType="application/xml"/>' +
				'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
				'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
				names
					.map(
						(_, i) =>
							`<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
					)
					.join('') +
				'</Types>'
		),
		await text(
			'_rels/.rels',
			'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
				`<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`
		),
		await text(
			'xl/_rels/workbook.xml.rels',
			'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
				names.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
				`<Relationship Id="rId${names.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`
		),
		await text('xl/styles.xml', STYLES)
	];

	const filters: string[] = [];
	for (const [i, sheet] of sheets.entries()) {
		const extent = { rows: 0, columns: 0 };
		parts.push(await compressPart(`xl/worksheets/sheet${i + 1}.xml`, sheetXml(sheet, extent)));
		// Excel keeps an autofilter's range as this hidden name; without it some versions drop the filter.
		if (sheet.autofilter && extent.rows > 0 && extent.columns > 0) {
			const quoted = `'${names[i].replace(/'/g, "''")}'`;
			filters.push(
				`<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${xmlText(quoted)}!$A$1:$${columnName(extent.columns - 1)}$${extent.rows}</definedName>`
			);
		}
	}
	// The workbook part comes last so it can name the filter ranges the sheets turned out to have.
	parts.push(
		await text(
			'xl/workbook.xml',
			`<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets>` +
				names.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
				`</sheets>${filters.length ? `<definedNames>${filters.join('')}</definedNames>` : ''}</workbook>`
		)
	);
	return zipParts(parts);
}
