// Generates the large real-world and stress files (megabytes each, so not committed) into a folder:
//   npx tsx scripts/make-large-fixtures.ts [FOLDER]        (default tmp/large-fixtures)
// then measure the reader on them, one process per file with a 1 GB heap:
//   npm run read-files -- tmp/large-fixtures
// Each file is named after the case it reproduces; the budget is every file read or refused within
// 10 s and about 1 GB (README, Security). Deterministic, like the other fixture scripts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { inspectZip, unzip } from '../src/lib/spreadsheet/zip-guard';
import { zip, type ZipPart } from './fixture-zip';

const out = process.argv[2] ?? join('tmp', 'large-fixtures');
mkdirSync(out, { recursive: true });

function save(name: string, bytes: Uint8Array) {
	writeFileSync(join(out, name), bytes);
	console.log(`${name.padEnd(48)} ${(bytes.length / 1024 / 1024).toFixed(1)} MB`);
}

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** Deterministic pseudo-random numbers (xorshift32). */
function random(seed: number): () => number {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		return x;
	};
}

function colName(c: number): string {
	let s = '';
	for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
}

/** A user row as an admin would type it. */
function user(i: number): (string | number)[] {
	return [1001 + (i % 15), `user${i}`, `First${i} Last${i % 997}`, `user${i}@springfield.example`, '', i % 3 ? 'Student' : 'Teacher'];
}

/** An .xlsx with one sheet whose <sheetData> is `rows` (strings inline, as many exporters write them). */
function xlsxOfRows(rows: Iterable<string>, parts: ZipPart[] = []): Uint8Array {
	const chunks: string[] = [];
	for (const row of rows) chunks.push(row);
	const sheet = utf8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${chunks.join('')}</sheetData></worksheet>`);
	return zip([
		{
			name: '[Content_Types].xml',
			data: utf8(
				'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
			)
		},
		{
			name: '_rels/.rels',
			data: utf8(
				'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
			)
		},
		{
			name: 'xl/workbook.xml',
			data: utf8(
				'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Users" sheetId="1" r:id="rId1"/></sheets></workbook>'
			)
		},
		{
			name: 'xl/_rels/workbook.xml.rels',
			data: utf8(
				'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
			)
		},
		{ name: 'xl/worksheets/sheet1.xml', data: sheet },
		...parts
	]);
}

function* userRowsXml(count: number, columns = HEADER.length): Generator<string> {
	const cell = (ref: string, v: string | number) =>
		typeof v === 'number' ? `<c r="${ref}"><v>${v}</v></c>` : v === '' ? '' : `<c r="${ref}" t="inlineStr"><is><t>${v}</t></is></c>`;
	yield `<row r="1">${HEADER.slice(0, columns)
		.map((h, c) => cell(`${colName(c)}1`, h))
		.join('')}</row>`;
	for (let i = 1; i <= count; i++) {
		yield `<row r="${i + 1}">${user(i)
			.slice(0, columns)
			.map((v, c) => cell(`${colName(c)}${i + 1}`, v))
			.join('')}</row>`;
	}
}

// ---- the patterns of the survey -------------------------------------------------------------------------

// An .xlsb whose shared-string table inflates from ~1.1 MB to one 112 MB part (ratio ~100, under the
// ZIP guard's 200): SheetJS's Uint8Array path builds each string a character at a time, and the worker
// ran out of a 1 GB heap after ~20 s.
{
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADER, user(1)]), 'Users');
	const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsb', bookSST: true }) as ArrayBuffer);
	const parts = unzip(bytes, inspectZip(bytes)).map((f) => ({ name: f.name, data: f.data }));
	const sst = parts.find((p) => p.name === 'xl/sharedStrings.bin')!;
	// The strings the sheet uses keep their indexes (SheetJS wrote them in order of first use), then
	// 56,000 long strings of words with a letter changed every 300 characters.
	const used = XLSX.read(bytes, { type: 'array' });
	const strings: string[] = [];
	const ws = used.Sheets.Users;
	for (const key of Object.keys(ws)) if (!key.startsWith('!') && ws[key].t === 's' && !strings.includes(ws[key].v)) strings.push(ws[key].v);
	const next = random(1);
	const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(20);
	let size = 0;
	for (let i = 0; size < 112 * 1024 * 1024; i++) {
		const chars = `${i} ${words}`.slice(0, 1000).split('');
		for (let k = 0; k < chars.length; k += 300) chars[k] = String.fromCharCode(97 + (next() % 26));
		strings.push(chars.join(''));
		size += 2 * 1000 + 9;
	}
	const records: Buffer[] = [];
	const record = (type: number, body: Buffer) => {
		const head = type >= 0x80 ? [(type & 0x7f) | 0x80, type >> 7] : [type];
		let n = body.length;
		do {
			let b = n & 0x7f;
			n = Math.floor(n / 128);
			if (n) b |= 0x80;
			head.push(b);
		} while (n);
		records.push(Buffer.from(head), body);
	};
	const counts = Buffer.alloc(8);
	counts.writeUInt32LE(strings.length, 0);
	counts.writeUInt32LE(strings.length, 4);
	record(0x9f, counts);
	for (const s of strings) {
		const body = Buffer.alloc(5 + 2 * s.length);
		body.writeUInt32LE(s.length, 1);
		body.write(s, 5, 'utf16le');
		record(0x13, body);
	}
	record(0xa0, Buffer.alloc(0));
	sst.data = new Uint8Array(Buffer.concat(records));
	save('xlsb-112mb-shared-strings.xlsb', zip(parts));
}

// A real sheet of 1,048,576 rows (every row Excel has), one column: refused, quickly.
save('xlsx-1048576-rows.xlsx', xlsxOfRows(userRowsXml(1_048_575, 1)));

// ---- stress: each format at and beyond its cell limit, under the 50 MB upload limit --------------------

// 200,000 users of the six-column template (Password empty): 1,000,006 filled cells, read.
save('xlsx-200000-users.xlsx', xlsxOfRows(userRowsXml(200_000)));

// 300,000 users: 1,500,006 filled cells, read.
save('xlsx-300000-users.xlsx', xlsxOfRows(userRowsXml(300_000)));

// 420,000 users: 2,100,006 filled cells, more than we read from an .xlsx.
save('xlsx-420000-users.xlsx', xlsxOfRows(userRowsXml(420_000)));

// Few cells, each 30,000 characters of text: a 400 MB sheet part.
{
	const next = random(2);
	const base = 'lorem ipsum dolor sit amet '.repeat(1200).slice(0, 30_000).split('');
	function* rows() {
		for (let r = 1; r <= 14_000; r++) {
			for (let k = 0; k < base.length; k += 300) base[k] = String.fromCharCode(97 + (next() % 26));
			yield `<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>${base.join('')}</t></is></c></row>`;
		}
	}
	save('xlsx-400mb-of-text.xlsx', xlsxOfRows(rows()));
}

// Excel 97-2003: sheets of 65,536 rows (the format's maximum). Two sheets are 786,432 cells (read),
// three are 1,179,648 (more than we read from an .xls); 27 and 40 MB.
for (const sheets of [2, 3]) {
	const wb = XLSX.utils.book_new();
	for (let s = 0; s < sheets; s++) {
		const aoa: (string | number)[][] = [HEADER];
		for (let i = 1; i < 65_536; i++) aoa.push(user(s * 65_536 + i));
		XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa, { dense: true }), s === 0 ? 'Users' : `Archive ${s}`);
	}
	save(`xls-${sheets}-sheets-of-65536-rows.xls`, new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xls' }) as ArrayBuffer));
}

// LibreOffice .ods of 140,000 users (700,006 filled cells, read) and of 300,000 (beyond the limit).
for (const users of [140_000, 300_000]) {
	const cell = (v: string | number) =>
		typeof v === 'number'
			? `<table:table-cell office:value-type="float" office:value="${v}" calcext:value-type="float"><text:p>${v}</text:p></table:table-cell>`
			: v === ''
				? '<table:table-cell/>'
				: `<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>${v}</text:p></table:table-cell>`;
	const rows: string[] = [`<table:table-row>${HEADER.map(cell).join('')}</table:table-row>`];
	for (let i = 1; i <= users; i++) rows.push(`<table:table-row>${user(i).map(cell).join('')}</table:table-row>`);
	// LibreOffice writes the rest of the sheet as empty repeated rows and columns.
	rows.push(
		'<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
	);
	const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="Users">${rows.join('')}</table:table></office:spreadsheet></office:body></office:document-content>`;
	save(
		`ods-${users}-users.ods`,
		zip([
			{ name: 'mimetype', data: utf8('application/vnd.oasis.opendocument.spreadsheet'), store: true },
			{
				name: 'META-INF/manifest.xml',
				data: utf8(
					'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
				)
			},
			{
				name: 'styles.xml',
				data: utf8(
					'<?xml version="1.0" encoding="UTF-8"?><office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"/>'
				)
			},
			{ name: 'content.xml', data: utf8(content) }
		])
	);
}

// CSV: 350,000 rows (the row limit) of Account ID, Username and Role, 10 MB.
{
	const pick = (row: (string | number)[]) => [row[0], row[1], row[5]].join(',');
	const lines = [pick(HEADER)];
	for (let i = 1; i < 350_000; i++) lines.push(pick(user(i)));
	save('csv-350000-rows.csv', utf8(lines.join('\r\n') + '\r\n'));
}

// CSV: 50 MB of one-character fields, 200 to a row (the column limit): 25 million cells.
{
	const line = Array.from({ length: 200 }, () => 'x').join(',') + '\n';
	save('csv-25-million-cells.csv', utf8(line.repeat(Math.floor((50 * 1024 * 1024 - 1) / line.length))));
}

// HTML table saved as .xls (as some web exports do): 45 MB, 4.5 million cells, more than we read.
{
	const row = `<tr>${'<td>x</td>'.repeat(9)}</tr>\n`;
	save('html-table-4500000-cells.xls', utf8(`<html><body><table>${row.repeat(500_000)}</table></body></html>`));
}

// Excel 2003 XML (SpreadsheetML) saved as .xls: 170,000 users, 850,000 cells in 47 MB (read). SheetJS
// needed 1.2 GB for such files when given their bytes rather than their text.
for (const users of [170_000]) {
	const rows: string[] = [];
	for (let i = 0; i < users; i++) {
		const [account, username, name, email, , role] = user(i);
		rows.push(
			`<Row><Cell><Data ss:Type="Number">${account}</Data></Cell><Cell><Data ss:Type="String">${username}</Data></Cell><Cell><Data ss:Type="String">${name}</Data></Cell><Cell><Data ss:Type="String">${email}</Data></Cell><Cell><Data ss:Type="String">${role}</Data></Cell></Row>`
		);
	}
	save(
		`spreadsheetml-2003-${users}-users.xls`,
		utf8(
			`<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Users"><Table>${rows.join('')}</Table></Worksheet></Workbook>`
		)
	);
}

// An Excel Binary Workbook of 200,000 users, as SheetJS writes it (shared strings): read.
{
	const aoa: (string | number)[][] = [HEADER];
	for (let i = 1; i <= 200_000; i++) aoa.push(user(i));
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa, { dense: true }), 'Users');
	save(
		'xlsb-200000-users.xlsb',
		new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsb', bookSST: true, compression: true }) as ArrayBuffer)
	);
}
