// Generates the hostile-input fixtures in tests/fixtures/hostile/ (run: npx tsx scripts/make-hostile-fixtures.ts).
// Each file is named after the case it reproduces; src/lib/spreadsheet/hostile-input.test.ts and
// prototype-pollution.test.ts read them. Deterministic: ZIPs are written by fixture-zip.ts (fixed
// dates, zlib level 9), so re-running produces identical bytes.
// Cases that need megabytes (10,001 ZIP entries, a million CSV rows) are built in memory by the tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as XLSX from 'xlsx';
import { zip, type ZipOptions, type ZipPart } from './fixture-zip';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'tests', 'fixtures');
const out = join(fixtures, 'hostile');
mkdirSync(out, { recursive: true });

function save(name: string, data: Uint8Array | string) {
	const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
	writeFileSync(join(out, name), bytes);
	console.log(`${name.padEnd(48)} ${bytes.length} bytes`);
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

// ---- minimal hand-written workbooks ------------------------------------------------------------------

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];
const USER = ['1001', 'jdoe', 'Jane Doe', 'jdoe@springfield.example', '', 'Teacher'];

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function colName(c: number): string {
	let s = '';
	for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
}

/** <row> elements of inline-string cells. */
function rowsXml(rows: string[][], firstRow = 1): string {
	return rows
		.map((row, r) => {
			const cells = row
				.map((text, c) =>
					text === '' ? '' : `<c r="${colName(c)}${firstRow + r}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(text)}</t></is></c>`
				)
				.join('');
			return `<row r="${firstRow + r}">${cells}</row>`;
		})
		.join('');
}

function worksheet(rows: string[][], options: { dimension?: string | null; extraRows?: string; after?: string } = {}): string {
	const width = Math.max(1, ...rows.map((r) => r.length));
	const dimension =
		options.dimension === null ? '' : `<dimension ref="${options.dimension ?? `A1:${colName(width - 1)}${Math.max(rows.length, 1)}`}"/>`;
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${dimension}<sheetData>${rowsXml(rows)}${options.extraRows ?? ''}</sheetData>${options.after ?? ''}</worksheet>`;
}

interface SheetSpec {
	name: string;
	xml: string;
	/** Relationships of the sheet part (comments, threaded comments). */
	rels?: string;
}

/** The parts of an .xlsx: content types, relationships, workbook, sheets, plus any extra parts. */
function xlsxParts(sheets: SheetSpec[], extra: Record<string, { type: string; xml: string }> = {}): ZipPart[] {
	const overrides = [
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`,
		...sheets.map(
			(_, i) =>
				`<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
		),
		...Object.entries(extra).map(([path, { type }]) => `<Override PartName="/${path}" ContentType="${type}"/>`)
	].join('');
	const parts: Record<string, string> = {
		'[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${overrides}</Types>`,
		'_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets
			.map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
			.join('')}</sheets></workbook>`,
		'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
			.map(
				(_, i) =>
					`<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`
			)
			.join('')}</Relationships>`
	};
	sheets.forEach((s, i) => {
		parts[`xl/worksheets/sheet${i + 1}.xml`] = s.xml;
		if (s.rels) parts[`xl/worksheets/_rels/sheet${i + 1}.xml.rels`] = s.rels;
	});
	for (const [path, { xml }] of Object.entries(extra)) parts[path] = xml;
	return Object.entries(parts).map(([name, text]) => ({ name, data: utf8(text) }));
}

const xlsx = (sheets: SheetSpec[], extra?: Record<string, { type: string; xml: string }>, options?: ZipOptions) =>
	zip(xlsxParts(sheets, extra), options);

/** A minimal .ods: mimetype (stored, first), manifest, styles and content. */
function ods(tablesXml: string): Uint8Array {
	const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2"><office:automatic-styles/><office:body><office:spreadsheet>${tablesXml}</office:spreadsheet></office:body></office:document-content>`;
	return zip([
		{ name: 'mimetype', data: utf8('application/vnd.oasis.opendocument.spreadsheet'), store: true },
		{
			name: 'META-INF/manifest.xml',
			data: utf8(`<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`)
		},
		{
			name: 'styles.xml',
			data: utf8(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"/>`)
		},
		{ name: 'content.xml', data: utf8(content) }
	]);
}

function odsCell(text: string, attributes = ''): string {
	return text === ''
		? `<table:table-cell${attributes}/>`
		: `<table:table-cell office:value-type="string"${attributes}><text:p>${escapeXml(text)}</text:p></table:table-cell>`;
}
function odsTable(name: string, rows: string[][], extraRows = ''): string {
	return `<table:table table:name="${escapeXml(name)}">${rows.map((r) => `<table:table-row>${r.map((t) => odsCell(t)).join('')}</table:table-row>`).join('')}${extraRows}</table:table>`;
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(length: number, seed: number): Uint8Array {
	const bytes = new Uint8Array(length);
	let x = seed >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		bytes[i] = x & 0xff;
	}
	return bytes;
}

const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
const users = xlsx([{ name: 'Users', xml: worksheet([HEADER, USER]) }]);
const usersOds = ods(odsTable('Users', [HEADER, USER]));

// ---- ZIP structure and bombs ----------------------------------------------------------------------

// The central directory declares 3 GiB per part, 12.3 GB in all (ZIP64 sizes): refused before unpacking.
save(
	'zip-bomb-declares-12gb.xlsx',
	zip(
		[0, 1, 2, 3].map((i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: utf8('<worksheet/>'), declaredSize: 3.3e9 })),
		{ zip64: true }
	)
);

// A real deflate bomb: 20 MiB of zeros deflate to ~20 KB (ratio ~1,000; a spreadsheet stays under 200).
save(
	'zip-bomb-ratio-1000.xlsx',
	zip([
		...xlsxParts([{ name: 'Users', xml: worksheet([HEADER, USER]) }]),
		{ name: 'xl/media/zeros.bin', data: new Uint8Array(20 * 1024 * 1024) }
	])
);

// Two directory entries share one local entry (the "non-recursive zip bomb" trick).
save('zip-overlapping-entries.xlsx', zip(xlsxParts([{ name: 'Users', xml: worksheet([HEADER, USER]) }]), { duplicate: 3 }));

// The directory's offset points past the end of the file.
{
	const bytes = users.slice();
	const eocd = bytes.length - 22;
	new DataView(bytes.buffer).setUint32(eocd + 16, bytes.length + 1000, true);
	save('zip-directory-out-of-bounds.xlsx', bytes);
}

// The sheet's declared size is 100 bytes but its deflate data expands to 50 KB ("lying size").
{
	const sheet = worksheet([HEADER, ...Array.from({ length: 500 }, () => USER)]);
	const parts = xlsxParts([{ name: 'Users', xml: sheet }]).map((p) => (p.name.endsWith('sheet1.xml') ? { ...p, declaredSize: 100 } : p));
	save('zip-lying-uncompressed-size.xlsx', zip(parts));
}

// One flipped byte in docProps/core.xml's deflate data made SheetJS's inflate loop forever.
{
	const bytes = new Uint8Array(readFileSync(join(fixtures, 'leading-zero-account-ids.xlsx')));
	bytes[7057] = 202;
	save('corrupt-deflate-sheetjs-loops.xlsx', bytes);
}

// Traditional ZIP encryption on every entry (not an Excel password: a password-protected archive).
save('zip-encrypted-entries.xlsx', zip(xlsxParts([{ name: 'Users', xml: worksheet([HEADER, USER]) }]).map((p) => ({ ...p, flags: 1 }))));

// A valid workbook written in ZIP64 form: readable (the directory is found through the ZIP64 records).
save('zip64-valid.xlsx', xlsx([{ name: 'Users', xml: worksheet([HEADER, USER]) }], undefined, { zip64: true }));

// ---- what SheetJS would expand ------------------------------------------------------------------------

// One cell repeated over 1,000,000 rows × 16,384 columns: 4 KB that SheetJS turns into 16 billion cells.
save(
	'ods-repeat-bomb.ods',
	ods(
		odsTable(
			'Users',
			[HEADER, USER],
			'<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
		)
	)
);

// LibreOffice's way of saving a formatted sheet: empty cells repeated to the last row and column (fine).
save(
	'ods-trailing-empty-repeats.ods',
	ods(
		odsTable(
			'Users',
			[HEADER, USER],
			'<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
		)
	)
);

// A hyperlink over the whole sheet: SheetJS creates a cell for every cell of the range.
save(
	'hyperlink-over-whole-sheet.xlsx',
	xlsx([
		{
			name: 'Users',
			xml: worksheet([HEADER, USER], { after: '<hyperlinks><hyperlink ref="A1:XFD1048576" location="Users!A1"/></hyperlinks>' })
		}
	])
);

// The same in an Excel Binary Workbook: SheetJS writes a BrtHLink for A3, patched to cover A3:XFD1048576.
{
	const wb = XLSX.utils.book_new();
	const ws = XLSX.utils.aoa_to_sheet([HEADER, USER, ['link']]);
	ws['A3'].l = { Target: 'https://example.com/' };
	XLSX.utils.book_append_sheet(wb, ws, 'Users');
	const container = XLSX.CFB.read(new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsb' }) as ArrayBuffer), { type: 'buffer' });
	const entry = XLSX.CFB.find(container, '/xl/worksheets/sheet1.bin');
	const data = new Uint8Array(entry.content);
	let patched = false;
	for (let p = 0; p < data.length && !patched;) {
		let type = data[p++];
		if (type & 0x80) type = (type & 0x7f) + ((data[p++] & 0x7f) << 7);
		let length = 0;
		for (let i = 0; i < 4; i++) {
			const b = data[p++];
			length += (b & 0x7f) << (7 * i);
			if (!(b & 0x80)) break;
		}
		if (type === 0x01ee) {
			const view = new DataView(data.buffer, data.byteOffset + p, 16);
			view.setUint32(4, 1048575, true);
			view.setUint32(12, 16383, true);
			patched = true;
		}
		p += length;
	}
	if (!patched) throw new Error('no BrtHLink record in the generated .xlsb');
	const parts: ZipPart[] = [];
	container.FullPaths.forEach((path: string, i: number) => {
		const file = container.FileIndex[i];
		if (file.type !== 2 || file.name === '\u0001Sh33tJ5') return;
		parts.push({ name: path.replace(/^Root Entry\//, ''), data: file.name === 'sheet1.bin' ? data : new Uint8Array(file.content) });
	});
	save('xlsb-hyperlink-over-whole-sheet.xlsb', zip(parts));
}

// A single far-away cell at XFD1048576, with the <dimension> Excel would write.
save(
	'far-cell-xfd1048576.xlsx',
	xlsx([
		{
			name: 'Users',
			xml: worksheet([HEADER, USER], {
				dimension: 'A1:XFD1048576',
				extraRows: '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
			})
		}
	])
);

// The same cell in row 2 and no <dimension>: the cells alone reach column 16,384.
save(
	'far-column-no-dimension.xlsx',
	xlsx([
		{
			name: 'Users',
			xml: worksheet([HEADER], {
				dimension: null,
				extraRows: rowsXml([USER], 2).replace('</row>', '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>')
			})
		}
	])
);

// A cell whose reference is row 99,999,999, inside row 1 (so SheetJS's row cap does not skip it):
// a sparse array 99,999,999 long whose holes must never be walked.
save(
	'far-cell-inside-first-row.xlsx',
	xlsx([
		{
			name: 'Users',
			xml: worksheet([], {
				dimension: null,
				extraRows: `${rowsXml([HEADER]).replace('</row>', '<c r="A99999999" t="inlineStr"><is><t>x</t></is></c></row>')}`
			})
		}
	])
);

// Only the declared range is huge (a formatted cell far away, as Excel writes it): A1:XFD1048576.
save('dimension-a1-xfd1048576.xlsx', xlsx([{ name: 'Users', xml: worksheet([HEADER, USER], { dimension: 'A1:XFD1048576' }) }]));

// 201 columns of headers.
save(
	'too-many-columns-201.xlsx',
	xlsx([{ name: 'Users', xml: worksheet([[...HEADER, ...Array.from({ length: 195 }, (_, i) => `Extra ${i + 1}`)], USER]) }])
);

// ---- OLE compound files (.xls) whose links loop: SheetJS appends to an array until V8 aborts ---------

{
	// legacy-format.xls: 512-byte sectors; FAT in sector 0; directory in sector 2 (Root, \u0001Sh33tJ5,
	// Workbook); the root's mini stream is the chain 3 -> 4 -> 5 -> 6.
	const base = new Uint8Array(readFileSync(join(fixtures, 'legacy-format.xls')));
	const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const sectorAt = (i: number) => 512 + i * 512;
	const entryAt = (i: number) => sectorAt(2) + i * 128;
	// The Workbook stream claims 4,096 bytes (so it is read through the FAT) from sector 4, and the FAT
	// sends sector 6 back to 4: the chain 4 -> 5 -> 6 -> 4 never ends.
	const fatCycle = base.slice();
	view(fatCycle).setInt32(entryAt(2) + 116, 4, true);
	view(fatCycle).setInt32(entryAt(2) + 120, 4096, true);
	view(fatCycle).setInt32(sectorAt(0) + 6 * 4, 4, true);
	save('xls-sector-chain-loop.xls', fatCycle);
	// Two directory entries are each other's right sibling.
	const dirLoop = base.slice();
	view(dirLoop).setInt32(entryAt(1) + 72, 2, true);
	view(dirLoop).setInt32(entryAt(2) + 72, 1, true);
	save('xls-directory-loop.xls', dirLoop);
	// The directory's chain (sector 2) continues into the root's mini stream chain at sector 4: two chains
	// sharing a tail, which SheetJS copies once per chain (quadratic with many such chains).
	const merged = base.slice();
	view(merged).setInt32(sectorAt(0) + 2 * 4, 4, true);
	save('xls-sector-chains-merge.xls', merged);
	// A stream declaring 40,000 bytes in a 4,096-byte file.
	const oversized = base.slice();
	view(oversized).setInt32(entryAt(2) + 116, 3, true);
	view(oversized).setInt32(entryAt(2) + 120, 40_000, true);
	save('xls-stream-larger-than-file.xls', oversized);
}

// ---- specific messages ----------------------------------------------------------------------------

save('empty-0-bytes.xlsx', new Uint8Array(0));
save(
	'png-renamed.xlsx',
	Uint8Array.from([
		0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f,
		0x15, 0xc4, 0x89
	])
);
save(
	'jpeg-renamed.ods',
	Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9])
);
save('header-only.csv', csv([HEADER]));
save('header-only.xlsx', xlsx([{ name: 'Users', xml: worksheet([HEADER]) }]));
save('no-recognisable-header.csv', csv([USER, ['1001', 'bsmith', 'Bob Smith', '', '', 'Student']]));
save(
	'no-recognisable-header.xlsx',
	xlsx([
		{
			name: 'Users',
			xml: worksheet([
				['Name', 'Mail', 'Remarks'],
				['Jane Doe', 'jdoe@springfield.example', '']
			])
		}
	])
);
save('truncated-half.xlsx', users.slice(0, Math.floor(users.length / 2)));
save('truncated-half.ods', usersOds.slice(0, Math.floor(usersOds.length / 2)));
save('random-bytes.xlsx', randomBytes(4096, 1));
save('random-bytes.ods', randomBytes(4096, 2));
save('random-bytes.csv', randomBytes(4096, 3));
// Random bytes behind a ZIP signature (passes the sniffing, not the directory).
save('random-bytes-zip-signature.xlsx', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...randomBytes(4092, 4)]));
save('valid-users.ods', usersOds);
// SheetJS fails with an internal message ("Cannot find file styles.xml in zip"): the admin sees ours.
{
	const content = XLSX.CFB.find(XLSX.CFB.read(usersOds, { type: 'buffer' }), '/content.xml').content;
	save(
		'ods-missing-styles.ods',
		zip([
			{ name: 'mimetype', data: utf8('application/vnd.oasis.opendocument.spreadsheet'), store: true },
			{
				name: 'META-INF/manifest.xml',
				data: utf8('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
			},
			{ name: 'content.xml', data: new Uint8Array(content) }
		])
	);
}
// A table without a name (SheetJS lists its name as undefined).
save('ods-table-without-name.ods', ods(odsTable('Users', [HEADER, USER]).replace(' table:name="Users"', '')));
save('valid-users.xlsx', users);

// ---- prototype pollution ----------------------------------------------------------------------------

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

// CVE-2023-30533 (SheetJS < 0.19.3): comments and threaded comments whose cell reference (and author,
// person) is "__proto__" polluted Object.prototype. Also defined names and custom properties so named.
{
	const comments = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>__proto__</author><author>constructor</author></authors><commentList>${PROTO_KEYS.map(
		(key, i) => `<comment ref="${key}" authorId="${i % 2}"><text><t>polluted</t></text></comment>`
	).join('')}<comment ref="A1" authorId="0"><text><t>__proto__</t></text></comment></commentList></comments>`;
	const threaded = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">${PROTO_KEYS.map(
		(key, i) =>
			`<threadedComment ref="${key}" dT="2024-01-01T00:00:00.00" personId="${key}" id="{00000000-0000-0000-0000-00000000000${i}}"><text>polluted</text></threadedComment>`
	).join(
		''
	)}<threadedComment ref="B1" dT="2024-01-01T00:00:00.00" personId="__proto__" id="{00000000-0000-0000-0000-000000000009}"><text>__proto__</text></threadedComment></ThreadedComments>`;
	const persons = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">${PROTO_KEYS.map(
		(key) => `<person displayName="${key}" id="${key}" userId="${key}" providerId="None"/>`
	).join('')}</personList>`;
	const sheetRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/><Relationship Id="rId2" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>`;
	const parts = xlsxParts([{ name: 'Users', xml: worksheet([HEADER, USER, ['__proto__', 'constructor', 'toString']]), rels: sheetRels }], {
		'xl/comments1.xml': { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml', xml: comments },
		'xl/threadedComments/threadedComment1.xml': { type: 'application/vnd.ms-excel.threadedcomments+xml', xml: threaded },
		'xl/persons/person.xml': { type: 'application/vnd.ms-excel.person+xml', xml: persons },
		'docProps/custom.xml': {
			type: 'application/vnd.openxmlformats-officedocument.custom-properties+xml',
			xml: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">${PROTO_KEYS.map(
				(key, i) =>
					`<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="${i + 2}" name="${key}"><vt:lpwstr>polluted</vt:lpwstr></property>`
			).join('')}</Properties>`
		}
	});
	// Defined names too.
	const workbook = parts.find((p) => p.name === 'xl/workbook.xml')!;
	workbook.data = utf8(
		Buffer.from(workbook.data)
			.toString('utf8')
			.replace(
				'</sheets>',
				`</sheets><definedNames>${PROTO_KEYS.map((key) => `<definedName name="${key}">Users!$A$1</definedName>`).join('')}</definedNames>`
			)
	);
	const rels = parts.find((p) => p.name === '_rels/.rels')!;
	rels.data = utf8(
		Buffer.from(rels.data)
			.toString('utf8')
			.replace(
				'</Relationships>',
				'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>'
			)
	);
	save('proto-comments-cve-2023-30533.xlsx', zip(parts));
}

// Headers and values named like Object.prototype members, in CSV and .xlsx.
const protoRows = [
	[...PROTO_KEYS, 'Account ID', 'Username', 'Name', 'Role'],
	['__proto__', '{"polluted":1}', 'x', 'y', 'z', '1001', 'jdoe', '__proto__', 'constructor'],
	['a', 'b', 'c', 'd', 'e', '1001', '__proto__', 'toString', 'hasOwnProperty'],
	['a', 'b', 'c', 'd', 'e', 'constructor', 'prototype', 'Name', 'Teacher']
];
save('proto-headers-and-values.csv', csv(protoRows));
save('proto-headers-and-values.xlsx', xlsx([{ name: 'Users', xml: worksheet(protoRows) }]));

// Sheets named like Object.prototype members (wb.Sheets is a plain object keyed by name).
save(
	'proto-sheet-names.xlsx',
	xlsx([
		{ name: 'constructor', xml: worksheet([]) },
		{ name: 'toString', xml: worksheet([]) },
		{ name: '__proto__', xml: worksheet([HEADER, USER]) },
		{ name: 'hasOwnProperty', xml: worksheet([HEADER]) }
	])
);

// ODS: a table and styles named __proto__ (SheetJS looks styles up in plain objects by name).
save(
	'proto-ods-names.ods',
	ods(
		`<table:table table:name="__proto__">${[HEADER, USER, ['__proto__', 'constructor']]
			.map(
				(r) =>
					`<table:table-row table:style-name="__proto__">${r.map((t) => odsCell(t, ' table:style-name="__proto__"')).join('')}</table:table-row>`
			)
			.join(
				''
			)}<table:table-row><table:table-cell office:value-type="float" office:value="1001" table:style-name="constructor"><text:p>1001</text:p></table:table-cell></table:table-row></table:table>`
	)
);
