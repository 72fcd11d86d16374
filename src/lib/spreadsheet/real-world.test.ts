// What other programs really write: each fixture in tests/fixtures/real-world/ (scripts/make-real-world-
// fixtures.ts) reproduces a pattern from running the reader over ~1,900 spreadsheets, and is read or refused
// as an admin needs. Budgets are CPU time, so a busy machine cannot fail them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SpreadsheetError } from './errors';
import { readUploadedSheet, type SheetRead } from './read';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/real-world/${name}`, import.meta.url))));
}

function read(name: string, budgetMs = 500): SheetRead {
	const started = cpuStart();
	const result = readUploadedSheet(fixture(name), name);
	expect(cpuMsSince(started), `read within ${budgetMs} ms of CPU`).toBeLessThan(budgetMs);
	return result;
}

function refusal(name: string, budgetMs = 500): SpreadsheetError {
	const started = cpuStart();
	try {
		readUploadedSheet(fixture(name), name);
	} catch (error) {
		expect(cpuMsSince(started), `refused within ${budgetMs} ms of CPU`).toBeLessThan(budgetMs);
		if (error instanceof SpreadsheetError) return error;
		throw error;
	}
	throw new Error(`expected "${name}" to be refused`);
}

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Role'];
const USERS = [
	['1001', 'jdoe', 'Jane Doe', 'jane.doe@springfield.example', 'Teacher'],
	['1002', 'bsmith', 'Bob Smith', 'bob.smith@springfield.example', 'Student']
];

describe('a declared range is a hint, not data: the cells that exist decide', () => {
	it.each(['libreoffice-dimension-AMJ1048576.xlsx', 'gnumeric-dimension-XFD1048576.xlsx'])(
		'%s: the whole grid declared around 3 × 5 cells',
		(name) => {
			expect(read(name)).toMatchObject({ format: 'xlsx', sheetName: 'Sheet1', rows: [HEADER, ...USERS] });
		}
	);

	it('excel-dimension-16196-columns.xlsx: 57 × 100 cells, formatted empty cells out to column WXX', () => {
		const r = read('excel-dimension-16196-columns.xlsx');
		expect(r.rows).toHaveLength(57);
		expect(Math.max(...r.rows.map((row) => row.length))).toBe(100);
		expect(r.rows[1].slice(0, 2)).toEqual(['1001', 'user2']);
	});

	it.each(['excel97-dimensions-256-columns.xls', 'poi-dimensions-255-columns.xls'])(
		'%s: DIMENSIONS of 255/256 columns around 23',
		(name) => {
			const r = read(name);
			expect(r).toMatchObject({ format: 'xls', sheetName: 'Users' });
			expect(r.rows.map((row) => row.length)).toEqual([23, 23, 23]);
			expect(r.rows[1].slice(0, 5)).toEqual(USERS[0]);
		}
	);

	it('biff4-dimensions-65535x255.xls: an Excel 4 worksheet declaring 65,535 × 255', () => {
		expect(read('biff4-dimensions-65535x255.xls')).toMatchObject({ format: 'xls', rows: [HEADER, ...USERS] });
	});
});

describe('bounded memory: refused in milliseconds instead of after seconds and a gigabyte', () => {
	it('excel2007-beta-sheet-name-7400000-nuls.xlsb: a sheet name running 7.4 million characters past its record', () => {
		const e = refusal('excel2007-beta-sheet-name-7400000-nuls.xlsb', 200);
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(
			'"excel2007-beta-sheet-name-7400000-nuls.xlsb" is an Excel Binary Workbook (.xlsb) we cannot read: a sheet name or a text in it runs past its end (the file is damaged, or was saved by a pre-release of Excel 2007). Open it in Excel, save it as an Excel Workbook (.xlsx), and upload that file.'
		);
		expect((e.cause as Error).message).toMatch(/^xl\/workbook\.bin: a sheet name: 7400000 characters in a \d+-byte record$/);
	});
});

describe('messages that give the next step', () => {
	it.each([
		['utf32le-bom.csv', 'utf-32le'],
		['utf32be-bom.csv', 'utf-32be'],
		['utf32le.csv', 'utf-32le'],
		['utf32be.csv', 'utf-32be']
	])('%s: UTF-32 is decoded like UTF-16 (%s), characters beyond the BMP included', (name, encoding) => {
		const r = read(name);
		expect(r).toMatchObject({ format: 'csv', encoding, delimiter: ',' });
		expect(r.rows).toEqual([
			HEADER,
			['1001', 'jdoe', 'Zoë O’Brien', 'zoe@springfield.example', 'Teacher'],
			['1001', 'yoshino', '𠮷野 太郎', '', 'Student']
		]);
	});

	it("libreoffice-password-protected.ods: LibreOffice's steps, not Excel's", () => {
		const e = refusal('libreoffice-password-protected.ods');
		expect(e.code).toBe('encrypted');
		expect(e.message).toBe(
			'"libreoffice-password-protected.ods" is protected with a password, so it cannot be read. Open it in LibreOffice Calc, choose File > Save As, untick "Save with password", save, and upload the saved file.'
		);
	});

	it("excel-password-protected.xls: Excel's steps for Excel's files", () => {
		const e = refusal('excel-password-protected.xls');
		expect(e.code).toBe('encrypted');
		expect(e.message).toBe(
			'"excel-password-protected.xls" is protected with a password, so it cannot be read. Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save, and upload again.'
		);
	});

	it('data-only-on-hidden-sheets.xlsx: says which sheets hold the data and how to show them', () => {
		const e = refusal('data-only-on-hidden-sheets.xlsx');
		expect(e.code).toBe('no-data');
		expect(e.message).toBe(
			'"data-only-on-hidden-sheets.xlsx" has data only on hidden sheets ("Data", "Old data"). In Excel, right-click a sheet tab, choose Unhide, and show the sheet with the users (or name it "Users"); save, and upload again.'
		);
	});

	it('attachment-not-found.xls: one line of text named .xls is not a spreadsheet', () => {
		const e = refusal('attachment-not-found.xls');
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(
			'"attachment-not-found.xls" is not a spreadsheet but a text file of 1 line, beginning "The attachment users.xls could not be found on the server and was removed fro…". The spreadsheet itself did not arrive (an e-mail or a download may have replaced it): get the file again and upload it.'
		);
	});
});
