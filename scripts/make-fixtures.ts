// Generates the upload fixtures in tests/fixtures/ (run: npx tsx scripts/make-fixtures.ts).
// Each file is named after the case it reproduces; the output is deterministic (SheetJS writes fixed zip
// dates), so re-running produces identical bytes and a clean `git status`.
// The fixtures imitate files made by other tools (Excel, LibreOffice, exports), so they are built with
// SheetJS directly or byte by byte, never with our own writer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as XLSX from 'xlsx';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'tests', 'fixtures');
mkdirSync(out, { recursive: true });

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];
type Cell = XLSX.CellObject | string | number | boolean | null;

function save(name: string, bytes: Uint8Array | string | ArrayBuffer) {
	const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
	writeFileSync(join(out, name), data);
	console.log(`${name.padEnd(40)} ${data.length} bytes`);
}

function sheet(rows: Cell[][]): XLSX.WorkSheet {
	const ws = XLSX.utils.aoa_to_sheet([[]], { dense: true });
	const data: XLSX.CellObject[][] = [];
	let maxCol = 0;
	rows.forEach((row, r) => {
		data[r] = [];
		row.forEach((value, c) => {
			if (value === null) return;
			const cell: XLSX.CellObject =
				typeof value === 'object'
					? value
					: typeof value === 'number'
						? { t: 'n', v: value }
						: typeof value === 'boolean'
							? { t: 'b', v: value }
							: { t: 's', v: value };
			data[r][c] = cell;
			maxCol = Math.max(maxCol, c);
		});
	});
	if (data.length === 0) data.push([]);
	(ws as { '!data'?: XLSX.CellObject[][] })['!data'] = data;
	ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(rows.length - 1, 0), c: maxCol } });
	return ws;
}

function book(sheets: [string, Cell[][], boolean?][]): XLSX.WorkBook {
	const wb = XLSX.utils.book_new();
	for (const [name, rows] of sheets) XLSX.utils.book_append_sheet(wb, sheet(rows), name);
	wb.Workbook = { Sheets: sheets.map(([name, , hidden]) => ({ name, Hidden: hidden ? 1 : 0 })) };
	return wb;
}

function write(wb: XLSX.WorkBook, bookType: XLSX.BookType): Uint8Array {
	return new Uint8Array(XLSX.write(wb, { type: 'array', bookType, compression: true }) as ArrayBuffer);
}

// Windows-1252 for the characters we use (Latin-1 plus the 0x80-0x9F specials).
const CP1252_SPECIALS: Record<string, number> = {
	'€': 0x80,
	'‚': 0x82,
	'„': 0x84,
	'…': 0x85,
	'‘': 0x91,
	'’': 0x92,
	'“': 0x93,
	'”': 0x94,
	'–': 0x96,
	'—': 0x97,
	Š: 0x8a,
	Œ: 0x8c,
	Ž: 0x8e,
	š: 0x9a,
	œ: 0x9c,
	ž: 0x9e,
	Ÿ: 0x9f
};
function cp1252(text: string): Uint8Array {
	return Uint8Array.from(
		[...text].map((ch) => {
			const special = CP1252_SPECIALS[ch];
			if (special !== undefined) return special;
			const code = ch.charCodeAt(0);
			if (code > 0xff || (code >= 0x80 && code <= 0x9f)) throw new Error(`not in windows-1252: ${ch}`);
			return code;
		})
	);
}

function utf16(text: string, endian: 'le' | 'be'): Uint8Array {
	const le = Buffer.from(text, 'utf16le');
	if (endian === 'be') for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
	const bom = endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
	return Uint8Array.from([...bom, ...le]);
}

const csv = (rows: string[][], delimiter = ',', eol = '\r\n') => rows.map((r) => r.join(delimiter)).join(eol) + eol;

// ---- CSV --------------------------------------------------------------------------------------

// Excel on Windows, "CSV (Comma delimited)": Windows-1252, CRLF; accents, a curly apostrophe and the euro sign.
save(
	'windows-1252-accents.csv',
	cp1252(
		csv([
			HEADER,
			['1001', 'jdoe', 'José Müller', 'jose.muller@springfield.example', '', 'Teacher'],
			['1001', 'zoe', 'Zoë O’Brien', '', '', ''],
			['1002', 'fcafe', 'François Café €', '', '', 'Student']
		])
	)
);

// Excel "Unicode Text" / European exports: UTF-16 LE with BOM, semicolons, a comma inside a quoted name, CJK.
save(
	'utf16-bom-semicolon.csv',
	utf16(
		csv(
			[
				HEADER,
				['1001', 'jdoe', '"Doe, John"', 'jdoe@springfield.example', '', 'teacher'],
				['1001', 'yamada', '山田太郎', '', '', ''],
				['1001', 'lukasz', 'Łukasz Żółć', '', '', 'Student']
			],
			';'
		),
		'le'
	)
);

// UTF-16 BE with BOM and tabs (rare, but some Mac tools).
save('utf16be-bom-tab.csv', utf16(csv([HEADER, ['1001', 'jdoe', 'Jane Doe', '', '', '']], '\t'), 'be'));

// UTF-8 with BOM (Excel "CSV UTF-8"): values that type-guessing parsers mangle must stay text.
save(
	'csv-leading-zeros-and-exponents.csv',
	'\uFEFF' +
		csv([
			HEADER,
			['01015', '007', 'Agent Seven', '', '', ''],
			['1001', '1e3', 'Exponent User', '', '', ''],
			['1001', '3/4', 'Date Lookalike', '', '00012345', 'TRUE']
		])
);

// Excel's "sep=" first line names the delimiter and is not a row.
save('sep-line-semicolon.csv', csv([['sep=;'], HEADER, ['1001', 'jdoe', 'Jane Doe', '', '', '']], ';'));

// Headers as other systems name them, in another order, plus one column we do not know.
save(
	'header-aliases-reordered.csv',
	csv([
		['E-mail Address', 'Login', 'Account #', 'Full name', 'Notes', 'User Role', 'New Password'],
		['jdoe@springfield.example', 'jdoe', '1001', 'Jane Doe', 'moved rooms', 'Teacher', ''],
		['', 'bsmith', '1001', 'Bob Smith', '', '', 'Correct-Horse-1']
	])
);

// The Username column was deleted.
save(
	'missing-username-column.csv',
	csv([
		['Account ID', 'Name', 'Email'],
		['1001', 'Jane Doe', 'jdoe@springfield.example']
	])
);

// Quoted line breaks, escaped quotes, LF line ends, no final newline.
save('quoted-multiline.csv', 'Account ID,Username,Name\n1001,jdoe,"Jane ""JJ""\nDoe"\n1001,bsmith,Bob');

save('empty.csv', new Uint8Array(0));

// A CSV saved with an .xlsx name: content decides.
save('csv-named-xlsx.xlsx', csv([HEADER, ['1001', 'jdoe', 'Jane Doe', '', '', '']]));

// A PDF renamed to .xlsx.
save('pdf-renamed.xlsx', '%PDF-1.4\n%\u00e2\u00e3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

// ---- workbooks ----------------------------------------------------------------------------------

// Account IDs three ways: a number with format "00000" (Excel shows 01015), text "01015", and a plain number.
save(
	'leading-zero-account-ids.xlsx',
	write(
		book([
			[
				'Users',
				[
					HEADER,
					[{ t: 'n', v: 1015, z: '00000' }, 'padded', 'Number With Zero Format', null, null, null],
					[{ t: 's', v: '01015', z: '@' }, 'text', 'Text Cell', null, null, null],
					[1001, 'plain', 'Plain Number', null, null, null]
				]
			]
		]),
		'xlsx'
	)
);

// Typed cells where text was meant: numbers, a large 15-digit number, a decimal, a date, a boolean, a formula.
save(
	'numbers-as-numbers.xlsx',
	write(
		book([
			[
				'Users',
				[
					HEADER,
					[1001, 20231234, 'Numeric Username', null, 12345678, 'Teacher'],
					[1001, 'big', 123456789012345, null, null, null],
					[1001, 'decimal', 1.5, null, null, null],
					[1001, 'dated', { t: 'n', v: 45296, z: 'yyyy-mm-dd' }, null, null, null],
					[1001, 'flag', true, null, null, null],
					[1001, 'formula', { t: 'n', v: 3, f: '1+2' }, null, null, null],
					[1001, 'thousands', { t: 'n', v: 1234567, z: '#,##0' }, null, null, null]
				]
			]
		]),
		'xlsx'
	)
);

const notes: Cell[][] = [['These are notes, not users.'], ['Sheet "users" holds the rows.']];
const users: Cell[][] = [HEADER, ['1001', 'jdoe', 'Jane Doe', '', '', 'Teacher']];

// "Users" (in lower case) is the second of three sheets; it wins over the first non-empty sheet.
save(
	'several-sheets-users-second.xlsx',
	write(
		book([
			['Notes', notes],
			['users', users],
			['Accounts', [['Account ID'], ['1001']]]
		]),
		'xlsx'
	)
);

// No "Users" sheet: the first sheet is empty, the second is hidden, the third has the rows.
save(
	'several-sheets-first-non-empty.xlsx',
	write(
		book([
			['Empty', []],
			['Hidden', notes, true],
			['Data', users]
		]),
		'xlsx'
	)
);

// A "Users" sheet that is empty while another sheet has data.
save(
	'users-sheet-empty.xlsx',
	write(
		book([
			['Users', [[null]]],
			['Other', users]
		]),
		'xlsx'
	)
);

// Blank rows between users, a row of spaces, and cells with stray spaces (the kind copy-paste leaves).
save(
	'blank-rows-and-spaces.xlsx',
	write(
		book([
			[
				'Users',
				[
					[],
					HEADER,
					['1001', ' jdoe ', 'Jane Doe  ', '', '', ' Teacher'],
					[],
					['   ', '', ' ', '', '', ''],
					['1001', 'bsmith', '\u00a0Bob Smith', '', '', ''],
					[null, null, null, null, null, null]
				]
			]
		]),
		'xlsx'
	)
);

// LibreOffice Calc's format, with a number account ID and a "00000" formatted one.
save(
	'user-update.ods',
	write(
		book([
			[
				'Users',
				[
					HEADER,
					[1001, 'jdoe', 'Jane Doe', 'jane.doe@springfield.example', '', 'Teacher'],
					[{ t: 'n', v: 1015, z: '00000' }, 'ogden', 'Ogden User', '', '', '']
				]
			]
		]),
		'ods'
	)
);

// Excel 97-2003 (.xls, BIFF8).
save(
	'legacy-format.xls',
	write(
		book([
			[
				'Users',
				[
					HEADER,
					[1001, 'jdoe', 'Jane Doe', 'jane.doe@springfield.example', '', 'Teacher'],
					[{ t: 'n', v: 1015, z: '00000' }, 'ogden', 'Ogden User', '', '', '']
				]
			]
		]),
		'xls'
	)
);

// ---- hand-written containers ----------------------------------------------------------------------

function zip(files: Record<string, string>): Uint8Array {
	const container = XLSX.CFB.utils.cfb_new();
	for (const [path, text] of Object.entries(files)) XLSX.CFB.utils.cfb_add(container, path, Buffer.from(text, 'utf8'));
	XLSX.CFB.utils.cfb_del(container, '\u0001Sh33tJ5');
	return new Uint8Array(XLSX.CFB.write(container, { type: 'buffer', fileType: 'zip', compression: true }));
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WB_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="000000"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`;

// What Excel itself writes and SheetJS's writer does not: shared strings with rich-text runs and phonetic
// guides, entities and _xHHHH_ escapes, inline strings, formula strings, errors, booleans, cells without
// an "r" attribute, a skipped row, a single-quoted attribute, and numFmtId 164 "000000" / 14 (date).
save(
	'excel-ooxml-edge-cases.xlsx',
	zip({
		'[Content_Types].xml': CONTENT_TYPES,
		'_rels/.rels': ROOT_RELS,
		'xl/_rels/workbook.xml.rels': WB_RELS,
		'xl/styles.xml': STYLES,
		'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Users &amp; more" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="8" uniqueCount="8"><si><t>Account ID</t></si><si><t>Username</t></si><si><t>Name</t></si><si><r><rPr><b/></rPr><t>Jane</t></r><r><t xml:space="preserve"> Doe</t></r></si><si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si><si><t>Tom &amp; Jerry &lt;TJ&gt;</t></si><si><t>Line_x000D_Break</t></si><si><t/></si></sst>`,
		'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C9"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" s="1"><v>1015</v></c><c r="B2" t="inlineStr"><is><t>inline</t></is></c><c r="C2" t="s"><v>3</v></c></row><row r="3"><c s="3" t="s"><v>7</v></c><c t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c t="s"><v>4</v></c></row><row r="5" spans="1:3"><c r="A5"><v>1001</v></c><c r="B5" t="e"><v>#N/A</v></c><c r="C5" t="s"><v>5</v></c></row><row r="6"><c r='A6' t='b'><v>1</v></c><c r="B6" s="2"><v>45296</v></c><c r="C6" t="s"><v>6</v></c></row><row r="7"/><row r="8"><c r="C8"><v>1.0000000000000002</v></c></row></sheetData></worksheet>`
	})
);

// The same kind of workbook with namespace-prefixed XML (some .NET libraries): the cell census before SheetJS
// has to see through the prefixes as SheetJS does.
save(
	'prefixed-namespace.xlsx',
	zip({
		'[Content_Types].xml': CONTENT_TYPES.replace(
			'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>',
			''
		),
		'_rels/.rels': ROOT_RELS,
		'xl/_rels/workbook.xml.rels': WB_RELS.replace(/<Relationship Id="rId2"[^>]*\/>/, ''),
		'xl/styles.xml': STYLES,
		'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="Users" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`,
		'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Account ID</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>Username</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2" s="1"><x:v>1015</x:v></x:c><x:c r="B2" t="inlineStr"><x:is><x:t>jdoe</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`
	})
);

// A password-protected .xlsx: Excel stores it as an OLE compound file with EncryptionInfo + EncryptedPackage.
{
	const container = XLSX.CFB.utils.cfb_new();
	XLSX.CFB.utils.cfb_add(
		container,
		'/EncryptionInfo',
		Uint8Array.from([4, 0, 4, 0, 0x40, 0, 0, 0, ...Buffer.from('<?xml version="1.0"?><encryption/>')])
	);
	XLSX.CFB.utils.cfb_add(container, '/EncryptedPackage', new Uint8Array(64).fill(0xa5));
	save('password-protected.xlsx', new Uint8Array(XLSX.CFB.write(container, { type: 'buffer', fileType: 'cfb' })));
}
