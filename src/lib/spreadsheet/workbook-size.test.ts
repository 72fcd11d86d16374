// What a workbook holds, held to the limits before SheetJS parses it (expansion-guard.ts, cell-census.ts):
// filled cells per format, shared strings, bytes to unpack, .xlsb text. Small limits make small workbooks;
// the same files at full size are in scripts/make-large-fixtures.ts (npm run read-files).
import { describe, expect, it } from 'vitest';
import { CFB, utils, write, type BookType } from 'xlsx';
import { SpreadsheetError } from './errors';
import { DEFAULT_LIMITS, withReadLimits, type ReadLimits } from './limits';
import { readUploadedSheet } from './read';
import { crc32, inspectZip, unzip } from './zip-guard';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

function refusal(bytes: Uint8Array, name: string, limits: Partial<ReadLimits>, budgetMs = 500): SpreadsheetError {
	return withReadLimits(limits, () => {
		const started = cpuStart();
		try {
			readUploadedSheet(bytes, name);
		} catch (error) {
			expect(cpuMsSince(started)).toBeLessThan(budgetMs);
			if (error instanceof SpreadsheetError) return error;
			throw error;
		}
		throw new Error(`expected "${name}" to be refused`);
	});
}

/** Three sheets of 2 × 5 filled cells each. */
function book(bookType: BookType, sheets = 3): Uint8Array {
	const wb = utils.book_new();
	for (let s = 0; s < sheets; s++) {
		utils.book_append_sheet(
			wb,
			utils.aoa_to_sheet([
				['Account ID', 'Username', 'Name', 'Email', 'Role'],
				[1001, `user${s}`, `Name ${s}`, `u${s}@x.org`, 'Teacher']
			]),
			s === 0 ? 'Users' : `Sheet${s + 1}`
		);
	}
	return new Uint8Array(write(wb, { type: 'array', bookType, bookSST: true }) as ArrayBuffer);
}

const cells = (limits: Partial<ReadLimits['maxCells']>) => ({ maxCells: { ...DEFAULT_LIMITS.maxCells, ...limits } });

describe('filled cells, all sheets together, per format', () => {
	it.each([
		['xlsx', 'xlsx', 'an .xlsx file', ''],
		['xlsb', 'xlsb', 'an Excel Binary Workbook (.xlsb)', ' Or save it as .xlsx: from those we read up to 2,000,000 cells.'],
		['xls', 'xls', 'an .xls file', ' Or save it as .xlsx: from those we read up to 2,000,000 cells.'],
		['ods', 'ods', 'an .ods file', ' Or save it as .xlsx: from those we read up to 2,000,000 cells.']
	] as const)('.%s: 30 filled cells, at most 29', (bookType, format, what, asXlsx) => {
		const bytes = book(bookType);
		withReadLimits(cells({ [format]: 30 }), () => expect(readUploadedSheet(bytes, `ok.${bookType}`).rows).toHaveLength(2));
		const e = refusal(bytes, `big.${bookType}`, cells({ [format]: 29 }));
		expect(e.code).toBe('sheet-too-large');
		expect(e.message).toBe(
			`"big.${bookType}" holds 30 filled cells (all its sheets together); we read at most 29 from ${what}. Delete the sheets you do not need, or split the users into several smaller files and upload each one.${asXlsx}`
		);
	});

	it('HTML and SpreadsheetML 2003 saved as .xls', () => {
		const html = new TextEncoder().encode(`<table>${'<tr><td>1001</td><td>jdoe</td></tr>'.repeat(20)}</table>`);
		expect(refusal(html, 'export.xls', cells({ markup: 39 })).message).toContain(
			'"export.xls" holds 40 filled cells (all its sheets together); we read at most 39 from a web page or XML file saved as a spreadsheet.'
		);
		const xml = new TextEncoder().encode(
			`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Users"><Table>${'<Row><Cell><Data ss:Type="String">x</Data></Cell></Row>'.repeat(10)}</Table></Worksheet></Workbook>`
		);
		withReadLimits(cells({ markup: 10 }), () => expect(readUploadedSheet(xml, 'ok.xls').rows).toHaveLength(10));
		expect(refusal(xml, 'big.xls', cells({ markup: 9 })).message).toContain('holds 10 filled cells');
	});

	it('a real sheet longer than the row limit is refused from its census, before SheetJS parses it', () => {
		const rows = [['Account ID'], ...Array.from({ length: 2999 }, (_, i) => [String(1000 + i)])];
		const wb = utils.book_new();
		utils.book_append_sheet(wb, utils.aoa_to_sheet(rows), 'Users');
		const bytes = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
		expect(refusal(bytes, 'long.xlsx', { maxRows: 2000 }, 200).message).toBe(
			'"long.xlsx" has data in row 3,000 (cell A3000); we read at most 2,000 rows. Delete the rows below your users (or split the users into several files), save, and upload again.'
		);
	});
});

describe('shared strings, bytes to unpack, .xlsb text', () => {
	it('more shared strings than we read', () => {
		// The header's 5 texts and the user's 4 (the Account ID is a number).
		withReadLimits({ maxSharedStrings: 9 }, () => expect(readUploadedSheet(book('xlsx', 1), 'ok.xlsx').rows).toHaveLength(2));
		const e = refusal(book('xlsx', 1), 'texts.xlsx', { maxSharedStrings: 8 });
		expect(e.message).toBe(
			'"texts.xlsx" holds 9 different texts; we read at most 8. Split the users into several smaller files and upload each one.'
		);
		expect(refusal(book('xlsb', 1), 'texts.xlsb', { maxSharedStrings: 8 }).message).toContain('holds 9 different texts');
	});

	it('more to unpack than we read is refused from the ZIP directory: nothing is inflated', () => {
		// Every part's data is corrupt: unpacking any of them would say "damaged" instead.
		const bytes = book('xlsx', 1).slice();
		for (const entry of inspectZip(bytes).entries) bytes.fill(0xff, entry.dataOffset, entry.dataOffset + Math.min(entry.compressedSize, 8));
		const e = refusal(bytes, 'big.xlsx', { maxParsedBytes: 1000 });
		expect(e.code).toBe('too-large');
		expect(e.message).toMatch(
			/^"big\.xlsx" unpacks to [\d.,]+ KB of sheets and text; we read at most 1,000 bytes\. Split the users into several smaller files and upload each one\.$/
		);
	});

	it('images and embedded files are neither unpacked nor counted', () => {
		const base = book('xlsx', 1);
		const parts = unzip(base, inspectZip(base));
		const container = CFB.utils.cfb_new();
		for (const part of parts) CFB.utils.cfb_add(container, part.name, part.data);
		CFB.utils.cfb_add(container, 'xl/media/image1.png', new Uint8Array(200_000).fill(7));
		CFB.utils.cfb_del(container, '\u0001Sh33tJ5');
		const bytes = new Uint8Array(CFB.write(container, { type: 'buffer', fileType: 'zip', compression: true }));
		const image = inspectZip(bytes).entries.find((e) => e.name === 'xl/media/image1.png')!;
		expect(image.crc32).toBe(crc32(new Uint8Array(200_000).fill(7)));
		bytes[image.dataOffset] ^= 0xff; // would fail its CRC if unpacked
		withReadLimits({ maxParsedBytes: 100_000 }, () => expect(readUploadedSheet(bytes, 'with-image.xlsx').rows).toHaveLength(2));
	});

	it('xlsb-112mb-shared-strings in miniature: long strings SheetJS would build a character at a time', () => {
		const wb = utils.book_new();
		const long = Array.from({ length: 40 }, (_, i) => [`${i} ${'lorem ipsum '.repeat(80)}`]);
		utils.book_append_sheet(wb, utils.aoa_to_sheet([['Account ID'], ...long]), 'Users');
		const bytes = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsb', bookSST: true }) as ArrayBuffer);
		withReadLimits({ maxXlsbChainedChars: 40_000 }, () => expect(readUploadedSheet(bytes, 'ok.xlsb').rows).toHaveLength(41));
		const e = refusal(bytes, 'text.xlsb', { maxXlsbChainedChars: 30_000 });
		expect(e.code).toBe('too-large');
		expect(e.message).toBe(
			'"text.xlsb" is an Excel Binary Workbook (.xlsb) with more long text than we can read from that format. Open it in Excel, save it as an Excel Workbook (.xlsx), and upload that file.'
		);
	});
});
