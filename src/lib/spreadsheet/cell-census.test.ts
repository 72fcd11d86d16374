import { describe, expect, it } from 'vitest';
import { CFB, utils, write } from 'xlsx';
import { censusBiff, censusOds, censusXlsbPart, censusXlsxSheet, countMarkupCells, countXmlSharedStrings } from './cell-census';
import { DamagedPartError } from './xlsb-records';
import { inspectZip, unzip } from './zip-guard';

const bytes = (text: string) => new TextEncoder().encode(text);

function xlsbPart(rows: (string | number)[][], name: string): Uint8Array {
	const wb = utils.book_new();
	utils.book_append_sheet(wb, utils.aoa_to_sheet(rows), 'Users');
	const zip = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsb', bookSST: true }) as ArrayBuffer);
	return unzip(zip, inspectZip(zip)).find((f) => f.name === name)!.data;
}

/** One .xlsb record: 7-bit varint type and length, then the body. */
function record(type: number, body: number[]): number[] {
	const head = type >= 0x80 ? [(type & 0x7f) | 0x80, type >> 7] : [type];
	const length: number[] = [];
	let n = body.length;
	do {
		let b = n & 0x7f;
		n = Math.floor(n / 128);
		if (n) b |= 0x80;
		length.push(b);
	} while (n);
	return [...head, ...length, ...body];
}
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const wide = (s: string) => [...u32(s.length), ...[...s].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8])];

describe('censusXlsxSheet: filled cells as SheetJS places them', () => {
	it('counts cells with a value or inline text; formatted empty cells and empty values are not data', () => {
		const { sheet } = censusXlsxSheet(
			bytes(
				'<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"/><c r="C1"><v></v></c><c r="D1" t="inlineStr"><is><t>x</t></is></c><c r="XFD1" s="1"/></row></sheetData></worksheet>'
			)
		);
		expect(sheet).toEqual({ name: undefined, cells: 2, lastRow: { r: 0, c: 0 }, lastColumn: { r: 0, c: 3 } });
	});

	it('cells without r follow the previous one; rows without r the previous row; prefixes are ignored', () => {
		const { sheet } = censusXlsxSheet(
			bytes(
				'<x:worksheet><x:sheetData><x:row r="5"><x:c r="B5"><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row><x:row><x:c><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>'
			)
		);
		expect(sheet).toMatchObject({ cells: 3, lastRow: { r: 5, c: 0 }, lastColumn: { r: 4, c: 2 } });
	});

	it('a cell reference decides its row, as in SheetJS (a far cell inside row 1)', () => {
		expect(
			censusXlsxSheet(bytes('<worksheet><sheetData><row r="1"><c r="A99999999"><v>1</v></c></row></sheetData></worksheet>')).sheet?.lastRow
		).toEqual({ r: 99_999_998, c: 0 });
	});

	it('says where <sheetData> ends (SheetJS looks for hyperlinks after it), and null without one', () => {
		const xml = '<worksheet><sheetData><row r="1"/></sheetData><hyperlinks/></worksheet>';
		expect(censusXlsxSheet(bytes(xml)).afterSheetData).toBe(xml.indexOf('<hyperlinks'));
		expect(censusXlsxSheet(bytes('<styleSheet><fonts/></styleSheet>'))).toEqual({ sheet: null, afterSheetData: 0 });
	});

	it('counts shared strings', () => {
		expect(countXmlSharedStrings(bytes('<sst><si><t>a</t></si><x:si><x:t>b</x:t></x:si><sheet/></sst>'))).toBe(2);
	});
});

describe('censusXlsbPart', () => {
	it('counts the cells of a sheet SheetJS wrote, and the strings of its shared-string table', () => {
		const rows = [
			['Account ID', 'Username'],
			[1001, 'jdoe'],
			[1002, 'a name longer than twelve']
		];
		expect(censusXlsbPart(xlsbPart(rows, 'xl/worksheets/sheet1.bin')).sheet).toMatchObject({
			cells: 6,
			lastRow: { r: 2 },
			lastColumn: { c: 1 }
		});
		const sst = censusXlsbPart(xlsbPart(rows, 'xl/sharedStrings.bin'));
		expect(sst).toMatchObject({ sheet: null, sharedStrings: 4 });
		expect(sst.chainedChars).toBe('a name longer than twelve'.length - 12);
	});

	it('a string longer than its record, or a record past the end of the part, is damage', () => {
		const name = [...u32(0), ...u32(1), ...u32(0xffffffff), ...wide('Users')];
		expect(censusXlsbPart(Uint8Array.from(record(0x9c, name))).chainedChars).toBe(0);
		const lying = [...u32(0), ...u32(1), ...u32(0xffffffff), ...u32(7_400_000), 0x55, 0];
		expect(() => censusXlsbPart(Uint8Array.from(record(0x9c, lying)))).toThrow(
			new DamagedPartError('a sheet name: 7400000 characters in a 2-byte record')
		);
		expect(() => censusXlsbPart(Uint8Array.from(record(0x13, [0, ...u32(100), 0x41, 0])))).toThrow(DamagedPartError);
		expect(() => censusXlsbPart(Uint8Array.from(record(0x05, [1, 2, 3]).slice(0, 3)))).toThrow(/runs 2 bytes past the end/);
	});
});

describe('censusOds: cells, repeats and positions as parse_content_xml makes them', () => {
	const content = (tables: string) =>
		`<office:document-content xmlns:table="t" xmlns:text="x" xmlns:office="o"><office:body><office:spreadsheet>${tables}</office:spreadsheet></office:body></office:document-content>`;
	const cell = (attributes = '') => `<table:table-cell office:value-type="string"${attributes}><text:p>x</text:p></table:table-cell>`;

	it('empty cells and rows move the position and cost nothing; repeats multiply', () => {
		const ods = censusOds(
			bytes(
				content(
					`<table:table table:name="Üsers"><table:table-row>${cell()}<table:table-cell table:number-columns-repeated="1000"/>${cell()}</table:table-row><table:table-row table:number-rows-repeated="5"><table:table-cell/></table:table-row><table:table-row table:number-rows-repeated="2">${cell(' table:number-columns-repeated="3"')}</table:table-row></table:table>`
				)
			)
		);
		expect(ods.sheets).toEqual([{ name: 'Üsers', cells: 8, lastRow: { r: 7, c: 0 }, lastColumn: { r: 0, c: 1001 } }]);
		expect(ods.expanded).toBe(5);
		expect(ods.biggestRepeat).toEqual({ table: 'Üsers', rows: 2, columns: 3, cells: 6 });
	});

	it('a self-closing string cell is one cell; a self-closing row does not advance (as in SheetJS)', () => {
		const ods = censusOds(
			content(
				`<table:table table:name="A"><table:table-row table:number-rows-repeated="9"/><table:table-row><table:table-cell office:value-type="string" office:string-value="x" table:number-columns-repeated="4"/></table:table-row></table:table>`
			)
		);
		expect(ods.sheets[0]).toMatchObject({ cells: 1, lastRow: { r: 0, c: 0 } });
	});
});

describe('censusBiff', () => {
	it('counts the filled cells of each worksheet SheetJS wrote; blank cells are not data', () => {
		const wb = utils.book_new();
		utils.book_append_sheet(
			wb,
			utils.aoa_to_sheet([
				['Account ID', 'Username'],
				[1001, 'jdoe']
			]),
			'Users'
		);
		utils.book_append_sheet(wb, utils.aoa_to_sheet([[1, 2, 3]]), 'Other');
		const container = CFB.read(new Uint8Array(write(wb, { type: 'array', bookType: 'xls' }) as ArrayBuffer), { type: 'array' });
		const stream = Uint8Array.from(CFB.find(container, 'Workbook')!.content as ArrayLike<number>);
		expect(censusBiff(stream).map((s) => [s.cells, s.lastRow.r, s.lastColumn.c])).toEqual([
			[4, 1, 1],
			[3, 0, 2]
		]);
		const blankAndMulrk = Uint8Array.of(
			...[0x09, 0x08, 4, 0, 0, 6, 0x10, 0],
			...[0x01, 0x02, 6, 0, 0, 0, 255, 0, 15, 0], // BLANK at IV1
			...[0xbd, 0x00, 18, 0, 2, 0, 1, 0, 15, 0, 1, 0, 0, 0, 15, 0, 1, 0, 0, 0, 2, 0], // MULRK: B3:C3
			...[0x0a, 0x00, 0, 0]
		);
		expect(censusBiff(blankAndMulrk)).toEqual([{ name: undefined, cells: 2, lastRow: { r: 2, c: 1 }, lastColumn: { r: 2, c: 2 } }]);
	});
});

describe('countMarkupCells', () => {
	it('counts HTML table cells and SpreadsheetML cells', () => {
		expect(countMarkupCells('<table><tr><td>a</td><TH class="x">b</TH><td/></tr></table>')).toBe(3);
		expect(countMarkupCells('<Row><Cell><Data>1</Data></Cell><ss:Cell ss:Index="3"/></Row>')).toBe(2);
	});
});
