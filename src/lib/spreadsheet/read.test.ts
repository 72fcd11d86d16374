import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CFB, utils, write, type WorkBook } from 'xlsx';
import { buildPreview } from '../domain/preview';
import { ruleContext } from '../testing/factories';
import { SpreadsheetError } from './errors';
import { readUploadedSheet, type SheetRead } from './read';

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/${name}`, import.meta.url))));
}
function readFixture(name: string): SheetRead {
	return readUploadedSheet(fixture(name), name);
}
function failure(bytes: Uint8Array, name: string): SpreadsheetError {
	try {
		readUploadedSheet(bytes, name);
	} catch (error) {
		if (error instanceof SpreadsheetError) return error;
		throw error;
	}
	throw new Error('expected a SpreadsheetError');
}

describe('readUploadedSheet: CSV', () => {
	it('windows-1252-accents.csv: decodes Windows-1252', () => {
		const r = readFixture('windows-1252-accents.csv');
		expect(r).toMatchObject({
			format: 'csv',
			encoding: 'windows-1252',
			delimiter: ',',
			chosenBecause: 'only',
			sheetName: 'windows-1252-accents'
		});
		expect(r.rows[0]).toEqual(HEADER);
		expect(r.rows.map((row) => row[2])).toEqual(['Name', 'José Müller', 'Zoë O’Brien', 'François Café €']);
	});

	it('utf16-bom-semicolon.csv: UTF-16 LE, semicolons, a comma inside quotes, CJK', () => {
		const r = readFixture('utf16-bom-semicolon.csv');
		expect(r).toMatchObject({ format: 'csv', encoding: 'utf-16le', delimiter: ';' });
		expect(r.rows.slice(1).map((row) => row[2])).toEqual(['Doe, John', '山田太郎', 'Łukasz Żółć']);
	});

	it('utf16be-bom-tab.csv: UTF-16 BE with tabs', () => {
		const r = readFixture('utf16be-bom-tab.csv');
		expect(r).toMatchObject({ encoding: 'utf-16be', delimiter: '\t' });
		expect(r.rows).toEqual([HEADER, ['1001', 'jdoe', 'Jane Doe', '', '', '']]);
	});

	it('csv-leading-zeros-and-exponents.csv: nothing is type-guessed', () => {
		const r = readFixture('csv-leading-zeros-and-exponents.csv');
		expect(r.encoding).toBe('utf-8-bom');
		expect(r.rows.slice(1)).toEqual([
			['01015', '007', 'Agent Seven', '', '', ''],
			['1001', '1e3', 'Exponent User', '', '', ''],
			['1001', '3/4', 'Date Lookalike', '', '00012345', 'TRUE']
		]);
	});

	it('sep-line-semicolon.csv: the "sep=" line is not a row', () => {
		const r = readFixture('sep-line-semicolon.csv');
		expect(r.delimiter).toBe(';');
		expect(r.rows[0]).toEqual(HEADER);
	});

	it('quoted-multiline.csv: quoted line breaks and quotes', () => {
		expect(readFixture('quoted-multiline.csv').rows).toEqual([
			['Account ID', 'Username', 'Name'],
			['1001', 'jdoe', 'Jane "JJ"\nDoe'],
			['1001', 'bsmith', 'Bob']
		]);
	});

	it('csv-named-xlsx.xlsx: content decides the format, not the extension', () => {
		expect(readFixture('csv-named-xlsx.xlsx')).toMatchObject({ format: 'csv', rows: [HEADER, ['1001', 'jdoe', 'Jane Doe', '', '', '']] });
	});

	it('header-aliases-reordered.csv and missing-username-column.csv read as they are', () => {
		expect(readFixture('header-aliases-reordered.csv').rows[0]).toEqual([
			'E-mail Address',
			'Login',
			'Account #',
			'Full name',
			'Notes',
			'User Role',
			'New Password'
		]);
		expect(readFixture('missing-username-column.csv').rows[0]).toEqual(['Account ID', 'Name', 'Email']);
	});
});

describe('readUploadedSheet: workbooks', () => {
	it('leading-zero-account-ids.xlsx: "00000"-formatted numbers and text keep their zeros', () => {
		const r = readFixture('leading-zero-account-ids.xlsx');
		expect(r.format).toBe('xlsx');
		expect(r.rows.slice(1).map((row) => row[0])).toEqual(['01015', '01015', '1001']);
	});

	it('numbers-as-numbers.xlsx: plain digits, dates as shown, booleans as TRUE/FALSE', () => {
		const r = readFixture('numbers-as-numbers.xlsx');
		expect(r.rows[1]).toEqual(['1001', '20231234', 'Numeric Username', '', '12345678', 'Teacher']);
		expect(r.rows.slice(2).map((row) => row[2])).toEqual(['123456789012345', '1.5', '2024-01-05', 'TRUE', '3', '1234567']);
	});

	it('several-sheets-users-second.xlsx: the "Users" sheet wins (any case)', () => {
		const r = readFixture('several-sheets-users-second.xlsx');
		expect(r).toMatchObject({ sheetName: 'users', sheetNames: ['Notes', 'users', 'Accounts'], chosenBecause: 'named-users' });
		expect(r.rows[0]).toEqual(HEADER);
	});

	it('several-sheets-first-non-empty.xlsx: else the first non-empty visible sheet', () => {
		const r = readFixture('several-sheets-first-non-empty.xlsx');
		expect(r).toMatchObject({ sheetName: 'Data', chosenBecause: 'first-non-empty' });
	});

	it('users-sheet-empty.xlsx: an empty "Users" sheet is an error, not a silent switch', () => {
		const e = failure(fixture('users-sheet-empty.xlsx'), 'users-sheet-empty.xlsx');
		expect(e.code).toBe('no-data');
		expect(e.message).toContain('The "Users" sheet of "users-sheet-empty.xlsx" is empty');
	});

	it('blank-rows-and-spaces.xlsx: blank rows keep their place, cells are not trimmed', () => {
		const r = readFixture('blank-rows-and-spaces.xlsx');
		expect(r.rows).toEqual([
			[],
			HEADER,
			['1001', ' jdoe ', 'Jane Doe  ', '', '', ' Teacher'],
			[],
			['   ', '', ' '],
			['1001', 'bsmith', '\u00a0Bob Smith']
		]);
	});

	it('user-update.ods: LibreOffice format', () => {
		const r = readFixture('user-update.ods');
		expect(r.format).toBe('ods');
		expect(r.rows).toEqual([
			HEADER,
			['1001', 'jdoe', 'Jane Doe', 'jane.doe@springfield.example', '', 'Teacher'],
			['01015', 'ogden', 'Ogden User']
		]);
	});

	it('legacy-format.xls: Excel 97-2003', () => {
		const r = readFixture('legacy-format.xls');
		expect(r.format).toBe('xls');
		expect(r.rows).toEqual([
			HEADER,
			['1001', 'jdoe', 'Jane Doe', 'jane.doe@springfield.example', '', 'Teacher'],
			['01015', 'ogden', 'Ogden User']
		]);
	});

	it('excel-ooxml-edge-cases.xlsx: rich text, phonetics, escapes, inline strings, errors, gaps', () => {
		const r = readFixture('excel-ooxml-edge-cases.xlsx');
		expect(r.sheetName).toBe('Users & more');
		expect(r.rows).toEqual([
			['Account ID', 'Username', 'Name'],
			['001015', 'inline', 'Jane Doe'],
			['', 'ab', '山田'],
			[],
			['1001', '#N/A', 'Tom & Jerry <TJ>'],
			['TRUE', '1/5/24', 'Line\rBreak'],
			[],
			['', '', '1']
		]);
	});

	it('prefixed-namespace.xlsx: namespace-prefixed OOXML reads like any other', () => {
		const bytes = fixture('prefixed-namespace.xlsx');
		expect(readUploadedSheet(bytes, 'prefixed-namespace.xlsx').rows).toEqual([
			['Account ID', 'Username'],
			['001015', 'jdoe']
		]);
	});
});

describe('readUploadedSheet: refusals', () => {
	it('empty.csv: 0 bytes', () => {
		const e = failure(fixture('empty.csv'), 'empty.csv');
		expect(e.code).toBe('empty-file');
		expect(e.message).toBe('The file "empty.csv" is empty (0 bytes). Choose the saved spreadsheet and try again.');
	});

	it('pdf-renamed.xlsx: not a spreadsheet', () => {
		const e = failure(fixture('pdf-renamed.xlsx'), 'pdf-renamed.xlsx');
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(
			'"pdf-renamed.xlsx" is a PDF document, not a spreadsheet. Upload the spreadsheet itself: an .xlsx, .xls, .ods or .csv file.'
		);
	});

	it('password-protected.xlsx: says it is encrypted and what to do', () => {
		const e = failure(fixture('password-protected.xlsx'), 'password-protected.xlsx');
		expect(e.code).toBe('encrypted');
		expect(e.message).toContain('protected with a password');
	});

	it('a PNG, a damaged zip and binary junk are unsupported', () => {
		expect(failure(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'x.png').code).toBe('unsupported');
		const zip = fixture('leading-zero-account-ids.xlsx').slice(0, 200);
		expect(failure(zip, 'cut.xlsx').code).toBe('unsupported');
		const junk = Uint8Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256);
		expect(failure(junk, 'junk.csv').code).toBe('unsupported');
	});

	it('a file of blank lines has no data', () => {
		expect(failure(new TextEncoder().encode('\r\n , ,\r\n'), 'blank.csv').code).toBe('no-data');
	});

	it('a zip that is not a workbook is unsupported', () => {
		const container = CFB.utils.cfb_new();
		CFB.utils.cfb_add(container, 'word/document.xml', new TextEncoder().encode('<w:document/>'));
		const bytes = new Uint8Array(CFB.write(container, { type: 'buffer', fileType: 'zip' }));
		expect(failure(bytes, 'letter.docx').code).toBe('unsupported');
	});
});

describe('readUploadedSheet: other markup SheetJS reads', () => {
	it('an HTML table saved as .xls keeps text', () => {
		const html =
			'<html><body><table><tr><td>Account ID</td><td>Username</td></tr><tr><td>01015</td><td>jdoe</td></tr></table></body></html>';
		const r = readUploadedSheet(new TextEncoder().encode(html), 'export.xls');
		expect(r.format).toBe('xls');
		expect(r.rows).toEqual([
			['Account ID', 'Username'],
			['01015', 'jdoe']
		]);
	});
});

describe('from file to preview', () => {
	it('header-aliases-reordered.csv previews with the aliases mapped', () => {
		const r = readFixture('header-aliases-reordered.csv');
		const p = buildPreview(
			{ rows: r.rows, fileName: 'header-aliases-reordered.csv', sheetName: r.sheetName, declaredCount: 2 },
			ruleContext()
		);
		expect(p.blocking).toBeNull();
		expect(p.rows.map((row) => row.status)).toEqual(['unchanged', 'update']);
		expect(p.headerWarnings.map((w) => w.reason)).toEqual(['Column E "Notes" is not a template column; its values are ignored']);
	});

	it('missing-username-column.csv blocks with the header message', () => {
		const r = readFixture('missing-username-column.csv');
		const p = buildPreview(
			{ rows: r.rows, fileName: 'missing-username-column.csv', sheetName: r.sheetName, declaredCount: 1 },
			ruleContext()
		);
		expect(p.blocking?.message).toBe(
			'The file has no "Username" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role.'
		);
	});

	it('blank-rows-and-spaces.xlsx counts 2 users at rows 3 and 6', () => {
		const r = readFixture('blank-rows-and-spaces.xlsx');
		const p = buildPreview(
			{ rows: r.rows, fileName: 'blank-rows-and-spaces.xlsx', sheetName: r.sheetName, declaredCount: 2 },
			ruleContext()
		);
		expect(p.blocking).toBeNull();
		expect(p.headerRow).toBe(2);
		expect(p.rows.map((row) => [row.row, row.status])).toEqual([
			[3, 'unchanged'],
			[6, 'unchanged']
		]);
		expect(p.rows[0].warnings.map((w) => w.column)).toEqual(['Username', 'Name', 'Role']);
	});

	it('leading-zero-account-ids.xlsx finds account 01015', () => {
		const r = readFixture('leading-zero-account-ids.xlsx');
		const p = buildPreview({ rows: r.rows, fileName: 'f', sheetName: r.sheetName, declaredCount: 3 }, ruleContext());
		expect(p.rows.map((row) => row.accountName)).toEqual(['Ogdenville Middle', 'Ogdenville Middle', 'Springfield Elementary']);
	});
});

describe('readUploadedSheet: 2,000 generated rows round-trip through SheetJS-written xlsx', () => {
	it('reads what was written', () => {
		const aoa: (string | number)[][] = [HEADER];
		for (let i = 0; i < 2000; i++) aoa.push([1000 + (i % 7), `user${i}`, `Name ${i}`, `u${i}@x.org`, '', i % 2 ? 'Teacher' : 'Student']);
		const wb: WorkBook = utils.book_new();
		utils.book_append_sheet(wb, utils.aoa_to_sheet(aoa), 'Users');
		const bytes = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsx', bookSST: true }) as ArrayBuffer);
		const r = readUploadedSheet(bytes, 'gen.xlsx');
		expect(r.rows).toHaveLength(2001);
		expect(r.rows[2000]).toEqual(['1004', 'user1999', 'Name 1999', 'u1999@x.org', '', 'Teacher']);
	});
});
