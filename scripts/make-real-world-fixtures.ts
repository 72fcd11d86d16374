// Generates tests/fixtures/real-world/ (run: npx tsx scripts/make-real-world-fixtures.ts): small files that
// reproduce what other programs write and the reader once refused or choked on, each named after the
// pattern (see tests/fixtures/real-world/README.md). Deterministic: re-running gives identical bytes.
// Patterns that need megabytes are made by scripts/make-large-fixtures.ts instead.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as XLSX from 'xlsx';
import { inspectZip, unzip } from '../src/lib/spreadsheet/zip-guard';
import { zip, type ZipPart } from './fixture-zip';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'tests', 'fixtures', 'real-world');
mkdirSync(out, { recursive: true });

function save(name: string, data: Uint8Array | string) {
	const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data;
	writeFileSync(join(out, name), bytes);
	console.log(`${name.padEnd(48)} ${bytes.length} bytes`);
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Role'];
const USERS = [
	[1001, 'jdoe', 'Jane Doe', 'jane.doe@springfield.example', 'Teacher'],
	[1002, 'bsmith', 'Bob Smith', 'bob.smith@springfield.example', 'Student']
];

function colName(c: number): string {
	let s = '';
	for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
}

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---- .xlsx as other programs write it: shared strings, styles, their own attributes --------------------

interface XlsxSheet {
	name: string;
	/** Everything before <sheetData> (dimension, views, cols). */
	head: string;
	/** The <row> elements. */
	rows: string;
	hidden?: boolean;
}

/** Shared strings in order of first use, and <c> elements that point at them. */
class Strings {
	readonly list: string[] = [];
	private readonly index = new Map<string, number>();
	cell(ref: string, value: string | number, style = 0): string {
		const s = style ? ` s="${style}"` : '';
		if (typeof value === 'number') return `<c r="${ref}"${s} t="n"><v>${value}</v></c>`;
		let i = this.index.get(value);
		if (i === undefined) this.index.set(value, (i = this.list.push(value) - 1));
		return `<c r="${ref}"${s} t="s"><v>${i}</v></c>`;
	}
	xml(): string {
		return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${this.list.length}" uniqueCount="${this.list.length}">${this.list.map((t) => `<si><t xml:space="preserve">${escapeXml(t)}</t></si>`).join('')}</sst>`;
	}
}

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="0"/><fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="1" borderId="0" xfId="0" applyFill="true"/></cellXfs></styleSheet>`;

function xlsx(sheets: XlsxSheet[], strings: Strings): Uint8Array {
	const parts: Record<string, string> = {
		'[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>${sheets
			.map(
				(_, i) =>
					`<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
			)
			.join('')}</Types>`,
		'_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets
			.map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}"${s.hidden ? ' state="hidden"' : ''} r:id="rId${i + 3}"/>`)
			.join('')}</sheets></workbook>`,
		'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>${sheets
			.map(
				(_, i) =>
					`<Relationship Id="rId${i + 3}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`
			)
			.join('')}</Relationships>`,
		'xl/styles.xml': STYLES,
		'xl/sharedStrings.xml': strings.xml()
	};
	sheets.forEach((s, i) => {
		parts[`xl/worksheets/sheet${i + 1}.xml`] = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${s.head}<sheetData>${s.rows}</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
	});
	return zip(Object.entries(parts).map(([name, text]) => ({ name, data: utf8(text) })));
}

/** The users table as <row> elements, with a row tag's attributes as `rowAttributes(r)` writes them. */
function userRows(strings: Strings, rowAttributes: (r: number) => string = () => '', style = 0): string {
	return [HEADER, ...USERS]
		.map(
			(values, r) =>
				`<row r="${r + 1}"${rowAttributes(r + 1)}>${values.map((v, c) => strings.cell(`${colName(c)}${r + 1}`, v, style)).join('')}</row>`
		)
		.join('');
}

// LibreOffice Calc 5.3-7.6, with whole columns formatted: <dimension> spans every row and its 1,024
// columns (AMJ), <cols> styles them all, and every row carries LibreOffice's attributes. Saving again in
// LibreOffice writes the same dimension.
{
	const strings = new Strings();
	const lo = () => ' customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false"';
	save(
		'libreoffice-dimension-AMJ1048576.xlsx',
		xlsx(
			[
				{
					name: 'Sheet1',
					head: '<sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/></sheetPr><dimension ref="A1:AMJ1048576"/><sheetViews><sheetView showFormulas="false" showGridLines="true" showRowColHeaders="true" showZeros="true" rightToLeft="false" tabSelected="true" showOutlineSymbols="true" defaultGridColor="true" view="normal" topLeftCell="A1" colorId="64" zoomScale="100" zoomScaleNormal="100" zoomScalePageLayoutView="100" workbookViewId="0"><selection pane="topLeft" activeCell="A1" activeCellId="0" sqref="A1"/></sheetView></sheetViews><sheetFormatPr defaultColWidth="11.53515625" defaultRowHeight="12.8" zeroHeight="false" outlineLevelRow="0" outlineLevelCol="0"/><cols><col collapsed="false" customWidth="false" hidden="false" outlineLevel="0" max="1024" min="1" style="1" width="11.52"/></cols>',
					rows: userRows(strings, lo, 1)
				}
			],
			strings
		)
	);
}

// gnumeric: the declared range is the whole Excel 2007+ grid.
{
	const strings = new Strings();
	save(
		'gnumeric-dimension-XFD1048576.xlsx',
		xlsx(
			[
				{
					name: 'Sheet1',
					head: '<sheetPr filterMode="false"/><dimension ref="A1:XFD1048576"/><sheetFormatPr defaultRowHeight="12.75" outlineLevelRow="0" outlineLevelCol="0"/>',
					rows: userRows(strings)
				}
			],
			strings
		)
	);
}

// Excel: a 57 × 100 table whose first row was formatted out to column WXX (16,196): the dimension and the
// row spans reach that far, and the formatted but empty cells at the end of the row are written.
{
	const strings = new Strings();
	const rows: string[] = [];
	for (let r = 1; r <= 57; r++) {
		const cells: string[] = [];
		for (let c = 0; c < 100; c++) {
			const value =
				r === 1
					? c < HEADER.length
						? HEADER[c]
						: `Column ${c + 1}`
					: c === 0
						? 1001
						: c === 1
							? `user${r}`
							: c < HEADER.length
								? `${HEADER[c]} ${r}`
								: r * 100 + c;
			cells.push(strings.cell(`${colName(c)}${r}`, value));
		}
		if (r === 1) for (let c = 16190; c < 16196; c++) cells.push(`<c r="${colName(c)}1" s="1"/>`);
		rows.push(
			`<row r="${r}" spans="1:${r === 1 ? 16196 : 100}" x14ac:dyDescent="0.25" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">${cells.join('')}</row>`
		);
	}
	save(
		'excel-dimension-16196-columns.xlsx',
		xlsx(
			[
				{
					name: 'Users',
					head: '<dimension ref="A1:WXX57"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>',
					rows: rows.join('')
				}
			],
			strings
		)
	);
}

// Data only on hidden sheets: the visible sheet is blank.
{
	const strings = new Strings();
	save(
		'data-only-on-hidden-sheets.xlsx',
		xlsx(
			[
				{ name: 'Instructions', head: '<dimension ref="A1"/>', rows: '' },
				{ name: 'Data', head: '<dimension ref="A1:E3"/>', rows: userRows(strings), hidden: true },
				{ name: 'Old data', head: '<dimension ref="A1:E3"/>', rows: userRows(strings), hidden: true }
			],
			strings
		)
	);
}

// ---- .xls: BIFF records patched in the streams SheetJS writes -----------------------------------------

interface BiffRecord {
	type: number;
	data: Uint8Array;
}

function biffRecords(stream: Uint8Array): BiffRecord[] {
	const records: BiffRecord[] = [];
	for (let p = 0; p + 4 <= stream.length;) {
		const type = stream[p] | (stream[p + 1] << 8);
		const length = stream[p + 2] | (stream[p + 3] << 8);
		records.push({ type, data: stream.slice(p + 4, p + 4 + length) });
		p += 4 + length;
	}
	return records;
}

function biffStream(records: BiffRecord[]): Uint8Array {
	const out = new Uint8Array(records.reduce((n, r) => n + 4 + r.data.length, 0));
	let p = 0;
	for (const { type, data } of records) {
		out.set([type & 0xff, type >> 8, data.length & 0xff, data.length >> 8], p);
		out.set(data, p + 4);
		p += 4 + data.length;
	}
	return out;
}

/** A workbook of one "Users" sheet with `columns` used columns (the users, then filler columns). */
function usersBook(columns: number): XLSX.WorkBook {
	const aoa = [HEADER, ...USERS].map((row, r) =>
		Array.from({ length: columns }, (_, c) => (c < row.length ? row[c] : r === 0 ? `Column ${c + 1}` : c))
	);
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'Users');
	return wb;
}

/** An .xls (BIFF8 in a compound file) whose Workbook stream went through `patch`. */
function xlsPatched(wb: XLSX.WorkBook, patch: (records: BiffRecord[]) => BiffRecord[]): Uint8Array {
	const cfb = XLSX.CFB.read(new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xls' }) as ArrayBuffer), { type: 'array' });
	const entry = XLSX.CFB.find(cfb, 'Workbook');
	if (!entry) throw new Error('no Workbook stream');
	entry.content = biffStream(patch(biffRecords(new Uint8Array(entry.content as ArrayLike<number>))));
	entry.size = entry.content.length;
	return new Uint8Array(XLSX.CFB.write(cfb, { type: 'array' }) as ArrayLike<number>);
}

/** Sets the last column + 1 of every sheet's BIFF8 DIMENSIONS record. */
function dimensions(colMac: number) {
	return (records: BiffRecord[]) =>
		records.map((r) => {
			if (r.type !== 0x0200) return r;
			const data = r.data.slice();
			new DataView(data.buffer).setUint16(10, colMac, true);
			return { type: r.type, data };
		});
}

// Excel 97: DIMENSIONS says 256 columns (IV) around 23 used ones, and the formatted empty cell at the end
// of the first row is written as a BLANK record.
save(
	'excel97-dimensions-256-columns.xls',
	xlsPatched(usersBook(23), (records) => {
		const patched = dimensions(256)(records);
		const at = patched.findIndex((r) => r.type === 0x0200);
		const blank = { type: 0x0201, data: Uint8Array.of(0, 0, 255, 0, 15, 0) };
		return [...patched.slice(0, at + 1), blank, ...patched.slice(at + 1)];
	})
);

// Apache POI: DIMENSIONS says 255 columns around 23 used ones.
save('poi-dimensions-255-columns.xls', xlsPatched(usersBook(23), dimensions(255)));

// An Excel 4 worksheet (a bare BIFF4 stream, no compound file) whose DIMENSIONS declares 65,535 rows ×
// 255 columns around 3 × 5 cells. Written record by record, as Excel 4 writes them.
{
	const record = (type: number, body: number[]) => ({ type, data: Uint8Array.from(body) });
	const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
	const cells = [HEADER, ...USERS].flatMap((row, r) =>
		row.map((value, c) => {
			if (typeof value === 'number') {
				const number = new Uint8Array(8);
				new DataView(number.buffer).setFloat64(0, value, true);
				return record(0x0203, [...u16(r), ...u16(c), ...u16(15), ...number]);
			}
			return record(0x0204, [...u16(r), ...u16(c), ...u16(15), ...u16(value.length), ...Buffer.from(value, 'latin1')]);
		})
	);
	save(
		'biff4-dimensions-65535x255.xls',
		biffStream([
			record(0x0409, [...u16(0), ...u16(0x10), ...u16(0)]),
			record(0x0200, [...u16(0), ...u16(65535), ...u16(0), ...u16(255), ...u16(0)]),
			...cells,
			record(0x000a, [])
		])
	);
}

// Excel 97-2003 "Encrypt with Password" (RC4 CryptoAPI): a FILEPASS record right after the workbook's BOF.
save(
	'excel-password-protected.xls',
	xlsPatched(usersBook(5), (records) => {
		const filePass = new Uint8Array(54);
		const view = new DataView(filePass.buffer);
		view.setUint16(0, 1, true); // wEncryptionType: RC4
		view.setUint16(2, 1, true); // major version 1: RC4 (not CryptoAPI)
		view.setUint16(4, 1, true); // minor version
		filePass.fill(0x5a, 6);
		return [records[0], { type: 0x002f, data: filePass }, ...records.slice(1)];
	})
);

// ---- .xlsb -------------------------------------------------------------------------------------------

/** The parts of a SheetJS-written .xlsb. */
function xlsbParts(wb: XLSX.WorkBook): ZipPart[] {
	const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsb' }) as ArrayBuffer);
	return unzip(bytes, inspectZip(bytes)).map((f) => ({ name: f.name, data: f.data }));
}

/** Calls `visit` with the type, body offset and length of every record of an .xlsb part. */
function xlsbRecords(data: Uint8Array, visit: (type: number, at: number, length: number) => void) {
	for (let p = 0; p < data.length;) {
		let type = data[p++];
		if (type & 0x80) type = (type & 0x7f) + ((data[p++] & 0x7f) << 7);
		let length = 0;
		for (let i = 0; i < 4; i++) {
			const b = data[p++];
			length += (b & 0x7f) << (7 * i);
			if (!(b & 0x80)) break;
		}
		visit(type, p, length);
		p += length;
	}
}

// An Excel 2007 beta .xlsb: the sheet's BrtBundleSh record gives its name a length of 7,400,000
// characters in a 9 KB file. SheetJS reads on past the record and the part, and returns a name of
// 7.4 million NULs after 4-6 s and ~950 MB.
{
	const parts = xlsbParts(usersBook(5));
	const workbook = parts.find((p) => p.name === 'xl/workbook.bin')!;
	let patched = false;
	xlsbRecords(workbook.data, (type, at, length) => {
		if (type !== 0x9c) return;
		const view = new DataView(workbook.data.buffer, workbook.data.byteOffset + at, length);
		const relId = view.getUint32(8, true);
		view.setUint32(12 + 2 * relId, 7_400_000, true);
		patched = true;
	});
	if (!patched) throw new Error('no BrtBundleSh record');
	save('excel2007-beta-sheet-name-7400000-nuls.xlsb', zip(parts));
}

// ---- .ods --------------------------------------------------------------------------------------------

// LibreOffice "Save with password": content.xml and styles.xml are encrypted (random bytes here), and the
// manifest says how.
{
	const encryption = (name: string) =>
		`<manifest:file-entry manifest:full-path="${name}" manifest:media-type="text/xml" manifest:size="2048"><manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAAAAAAAAAAAAAAAAAAAA=="/><manifest:start-key-generation manifest:start-key-generation-name="http://www.w3.org/2000/09/xmldsig#sha256" manifest:key-size="32"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAAAAAAAAAAAAAAAAAAAA=="/></manifest:encryption-data></manifest:file-entry>`;
	const noise = (length: number, seed: number) => {
		const bytes = new Uint8Array(length);
		let x = seed;
		for (let i = 0; i < length; i++) {
			x ^= x << 13;
			x >>>= 0;
			x ^= x >>> 17;
			x ^= x << 5;
			x >>>= 0;
			bytes[i] = x & 0xff;
		}
		return bytes;
	};
	save(
		'libreoffice-password-protected.ods',
		zip([
			{ name: 'mimetype', data: utf8('application/vnd.oasis.opendocument.spreadsheet'), store: true },
			{ name: 'content.xml', data: noise(1024, 7), store: true },
			{ name: 'styles.xml', data: noise(512, 11), store: true },
			{
				name: 'META-INF/manifest.xml',
				data: utf8(
					`<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>${encryption('content.xml')}${encryption('styles.xml')}</manifest:manifest>`
				)
			}
		])
	);
}

// ---- text ----------------------------------------------------------------------------------------------

/** UTF-32 code units, little- or big-endian, with or without a byte order mark. */
function utf32(text: string, endian: 'le' | 'be', bom: boolean): Uint8Array {
	const points = [...(bom ? '\uFEFF' : ''), ...text].map((ch) => ch.codePointAt(0)!);
	const out = new Uint8Array(points.length * 4);
	const view = new DataView(out.buffer);
	points.forEach((p, i) => view.setUint32(i * 4, p, endian === 'le'));
	return out;
}

// What some exports (and "Unicode" saves of some editors) write: UTF-32, with and without BOM. A name
// outside the Basic Multilingual Plane (𠮷) takes one 4-byte unit, two UTF-16 code units.
const utf32Csv =
	[HEADER, ['1001', 'jdoe', 'Zoë O’Brien', 'zoe@springfield.example', 'Teacher'], ['1001', 'yoshino', '𠮷野 太郎', '', 'Student']]
		.map((r) => r.join(','))
		.join('\r\n') + '\r\n';
save('utf32le-bom.csv', utf32(utf32Csv, 'le', true));
save('utf32be-bom.csv', utf32(utf32Csv, 'be', true));
save('utf32le.csv', utf32(utf32Csv, 'le', false));
save('utf32be.csv', utf32(utf32Csv, 'be', false));

// An e-mail client's placeholder saved under the attachment's name: one line of text called .xls.
save('attachment-not-found.xls', 'The attachment users.xls could not be found on the server and was removed from this message.\r\n');
