// Hostile and broken uploads: each fixture in tests/fixtures/hostile/ (scripts/make-hostile-fixtures.ts)
// is named after the case it reproduces. Every refusal is a SpreadsheetError whose message names the
// file and says what to do, never a stack trace or a library's internal message.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CFB, utils, write } from 'xlsx';
import { buildPreview, type Preview } from '../domain/preview';
import { ruleContext } from '../testing/factories';
import { SpreadsheetError, type SpreadsheetErrorCode } from './errors';
import { resetReadLimits, withReadLimits } from './limits';
import { readUploadedSheet, type SheetRead } from './read';
import { inspectZip, unzip } from './zip-guard';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

const MB = 1024 * 1024;

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/${name}`, import.meta.url))));
}

/** Reads a fixture, expecting a refusal; checks it is one an admin can read. */
function refusal(bytes: Uint8Array, name: string, budgetMs = 2000): SpreadsheetError {
	const started = cpuStart();
	try {
		readUploadedSheet(bytes, name);
	} catch (error) {
		expect(cpuMsSince(started), `refused within ${budgetMs} ms`).toBeLessThan(budgetMs);
		if (!(error instanceof SpreadsheetError)) throw error;
		expectAdminReadable(error.message, name);
		return error;
	}
	throw new Error(`expected "${name}" to be refused`);
}

const refused = (name: string, budgetMs?: number) => refusal(fixture(`hostile/${name}`), name, budgetMs);

/** One or two sentences naming the file (or the sheet): no stack, no internals, no "undefined". */
function expectAdminReadable(message: string, fileName: string) {
	expect(message.length).toBeGreaterThan(20);
	expect(message).not.toMatch(
		/\n|\bat \S+ \(|\.(?:m?js|ts):\d|Error:|undefined|NaN|\[object|Cannot (?:read|find)|Unsupported ZIP|Unknown Namespace/
	);
	if (!message.startsWith('Sheet "')) expect(message).toContain(`"${fileName}"`);
}

function preview(read: SheetRead, fileName: string, declaredCount = 1): Preview {
	return buildPreview({ rows: read.rows, fileName, sheetName: read.sheetName, declaredCount }, ruleContext());
}

/** valid-users.xlsx with its sheet XML replaced (re-packed with valid checksums). */
function withSheetXml(change: (xml: string) => Uint8Array): Uint8Array {
	const bytes = fixture('hostile/valid-users.xlsx');
	const container = CFB.utils.cfb_new();
	for (const part of unzip(bytes, inspectZip(bytes))) {
		const data = part.name === 'xl/worksheets/sheet1.xml' ? change(new TextDecoder().decode(part.data)) : part.data;
		CFB.utils.cfb_add(container, part.name, data);
	}
	CFB.utils.cfb_del(container, '\u0001Sh33tJ5');
	return new Uint8Array(CFB.write(container, { type: 'buffer', fileType: 'zip', compression: true }));
}

const HUGE_LINK = '<hyperlinks><hyperlink ref="A1:XFD1048576" location="Users!A1"/></hyperlinks>';

afterEach(() => {
	resetReadLimits();
	vi.restoreAllMocks();
});

const DAMAGED = (name: string) =>
	`The file "${name}" is not a spreadsheet we can read: it is damaged or incomplete (for example cut off during a download or copy). Open it in Excel or LibreOffice, save it again, and upload the saved file.`;

describe('the size limit comes first', () => {
	it('a 73.4 MB upload: "Split it into smaller files"', () => {
		const e = refusal(new Uint8Array(Math.round(73.4 * MB)), 'x.xlsx', 200);
		expect(e.code).toBe('too-large');
		expect(e.message).toBe('The file "x.xlsx" is 73.4 MB; the limit is 50 MB. Split it into smaller files and upload each one.');
	});

	it('exactly the limit is read; one byte more is not (whatever the bytes are)', () => {
		withReadLimits({ maxFileBytes: 20 }, () => {
			const csv = new TextEncoder().encode('Account ID,Username\n');
			expect(csv.length).toBe(20);
			expect(readUploadedSheet(csv, 'ok.csv').rows).toEqual([['Account ID', 'Username']]);
			const e = refusal(fixture('hostile/zip-bomb-declares-12gb.xlsx'), 'bomb.xlsx');
			expect(e.code).toBe('too-large');
			expect(e.message).toBe('The file "bomb.xlsx" is 842 bytes; the limit is 20 bytes. Split it into smaller files and upload each one.');
		});
	});
});

describe('compressed bombs and damaged ZIP archives', () => {
	it('zip-bomb-declares-12gb.xlsx: refused from the directory', () => {
		const e = refused('zip-bomb-declares-12gb.xlsx', 200);
		expect(e.code).toBe('compressed-bomb');
		expect(e.message).toContain('looks like a compressed bomb: it would expand to 12.3 GB (the limit is 500 MB)');
	});

	it('zip-bomb-ratio-1000.xlsx: refused without unpacking its 20 MB', () => {
		const e = refused('zip-bomb-ratio-1000.xlsx', 200);
		expect(e.code).toBe('compressed-bomb');
		expect(e.message).toContain('would expand from 19.9 KB to 20 MB, 1,029 times');
	});

	it('more files inside than the limit', () => {
		withReadLimits({ maxZipEntries: 4 }, () => {
			const e = refused('valid-users.xlsx');
			expect(e.code).toBe('compressed-bomb');
			expect(e.message).toContain('it holds 5 files inside, and a spreadsheet holds far fewer (the limit is 4)');
		});
	});

	it.each([
		'truncated-half.xlsx',
		'truncated-half.ods',
		'zip-directory-out-of-bounds.xlsx',
		'zip-overlapping-entries.xlsx',
		'zip-lying-uncompressed-size.xlsx',
		'corrupt-deflate-sheetjs-loops.xlsx',
		'random-bytes-zip-signature.xlsx'
	])('%s: damaged, "not a spreadsheet we can read"', (name) => {
		const e = refused(name, 500);
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(DAMAGED(name));
		expect(e.cause).toBeInstanceOf(Error);
	});

	it('zip-encrypted-entries.xlsx: a password-protected archive', () => {
		const e = refused('zip-encrypted-entries.xlsx');
		expect(e.code).toBe('encrypted');
		expect(e.message).toBe(
			'"zip-encrypted-entries.xlsx" is a password-protected archive, so it cannot be read. Upload the spreadsheet itself, saved without a password.'
		);
	});

	it.each([
		['xls-sector-chain-loop.xls', /sector chain through 4 loops/],
		['xls-directory-loop.xls', /directory tree loops/],
		['xls-sector-chains-merge.xls', /two sector chains continue at 4/],
		['xls-stream-larger-than-file.xls', /streams of 40000 bytes/]
	])('%s: a compound file SheetJS would loop on (until V8 aborts) is refused first', (name, reason) => {
		const e = refused(name, 300);
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(DAMAGED(name));
		expect((e.cause as Error).message).toMatch(reason);
	});

	it('legacy .xls files of every size still read (the compound-file check has no false alarms)', () => {
		expect(readUploadedSheet(fixture('legacy-format.xls'), 'legacy-format.xls').rows).toHaveLength(3);
		const aoa = [['Account ID', 'Username'], ...Array.from({ length: 3000 }, (_, i) => ['1001', `user${i}`])];
		const wb = utils.book_new();
		utils.book_append_sheet(wb, utils.aoa_to_sheet(aoa), 'Users');
		utils.book_append_sheet(wb, utils.aoa_to_sheet(aoa.slice(0, 50)), 'Other');
		const bytes = new Uint8Array(write(wb, { type: 'array', bookType: 'xls' }) as ArrayBuffer);
		expect(bytes.length).toBeGreaterThan(100_000);
		expect(readUploadedSheet(bytes, 'big.xls').rows).toHaveLength(3001);
	});

	it('.xlsb records whose count or string length runs past their part are refused, before SheetJS loops on them', () => {
		const wb = utils.book_new();
		utils.book_append_sheet(
			wb,
			utils.aoa_to_sheet([
				['Account ID', 'Username'],
				['1001', 'jdoe']
			]),
			'Users'
		);
		const base = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsb' }) as ArrayBuffer);
		/** The archive with the first record of `type` in xl/metadata.bin changed by `patch` (at its body). */
		const patched = (type: number, patch: (body: DataView) => void) => {
			const container = CFB.utils.cfb_new();
			for (const part of unzip(base, inspectZip(base))) {
				const data = part.data.slice();
				if (part.name === 'xl/metadata.bin') {
					for (let p = 0, done = false; p < data.length && !done;) {
						let t = data[p++];
						if (t & 0x80) t = (t & 0x7f) + ((data[p++] & 0x7f) << 7);
						let length = 0;
						for (let i = 0; i < 4; i++) {
							const b = data[p++];
							length += (b & 0x7f) << (7 * i);
							if (!(b & 0x80)) break;
						}
						if (t === type) {
							patch(new DataView(data.buffer, p, length));
							done = true;
						}
						p += length;
					}
				}
				CFB.utils.cfb_add(container, part.name, data);
			}
			CFB.utils.cfb_del(container, '\u0001Sh33tJ5');
			return new Uint8Array(CFB.write(container, { type: 'buffer', fileType: 'zip' }));
		};
		// BrtMdb: a count of 4 billion metadata records (SheetJS pushes until the heap is gone).
		const count = refusal(
			patched(51, (body) => body.setUint32(0, 0xfffffff0, true)),
			'count.xlsb',
			500
		);
		expect(count.message).toContain('"count.xlsb" is an Excel Binary Workbook (.xlsb) we cannot read');
		expect((count.cause as Error).message).toMatch(/^xl\/metadata\.bin: a read at \d+, past the end/);
		// BrtMdtinfo: a metadata type name of 100,000 characters in a 120-byte part.
		const name = refusal(
			patched(335, (body) => body.setUint32(8, 100_000, true)),
			'name.xlsb',
			500
		);
		expect((name.cause as Error).message).toMatch(/^xl\/metadata\.bin: a string of 100000 characters/);
	});

	it('zip64-valid.xlsx: a workbook in ZIP64 form reads normally', () => {
		expect(readUploadedSheet(fixture('hostile/zip64-valid.xlsx'), 'zip64-valid.xlsx')).toMatchObject({
			format: 'xlsx',
			sheetName: 'Users',
			rows: [
				['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'],
				['1001', 'jdoe', 'Jane Doe', 'jdoe@springfield.example', '', 'Teacher']
			]
		});
	});
});

describe('sheets too large to read: judged on the filled cells, never on the declared range', () => {
	it('far-cell-xfd1048576.xlsx: one filled cell at XFD1048576 is real data beyond the limits', () => {
		const e = refused('far-cell-xfd1048576.xlsx', 500);
		expect(e.code).toBe('sheet-too-large');
		expect(e.message).toBe(
			'"far-cell-xfd1048576.xlsx" has data in row 1,048,576 (cell XFD1048576); we read at most 350,000 rows. Delete the rows below your users (or split the users into several files), save, and upload again.'
		);
	});

	it('dimension-a1-xfd1048576.xlsx: a declared range of the whole grid around A1:F2 reads normally', () => {
		const started = cpuStart();
		expect(readUploadedSheet(fixture('hostile/dimension-a1-xfd1048576.xlsx'), 'd.xlsx').rows).toEqual([
			['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'],
			['1001', 'jdoe', 'Jane Doe', 'jdoe@springfield.example', '', 'Teacher']
		]);
		expect(cpuMsSince(started)).toBeLessThan(500);
	});

	it('far-column-no-dimension.xlsx: the cells themselves reach column 16,384', () => {
		expect(refused('far-column-no-dimension.xlsx').message).toBe(
			'"far-column-no-dimension.xlsx" has data in column XFD (cell XFD2); we read at most 200 columns (A to GR). Delete the columns to the right of your table, save, and upload again.'
		);
	});

	it('far-cell-inside-first-row.xlsx: a cell at row 99,999,999 is refused before SheetJS makes its sparse row', () => {
		expect(refused('far-cell-inside-first-row.xlsx', 300).message).toMatch(
			/^"far-cell-inside-first-row.xlsx" has data in row 99,999,999 \(cell A99999999\);/
		);
	});

	it('too-many-columns-201.xlsx', () => {
		expect(refused('too-many-columns-201.xlsx').message).toBe(
			'"too-many-columns-201.xlsx" has data in column GS (cell GS1); we read at most 200 columns (A to GR). Delete the columns to the right of your table, save, and upload again.'
		);
	});

	it('the limits are inclusive, and only the sheet read counts', () => {
		withReadLimits({ maxRows: 2, maxColumns: 6 }, () => {
			expect(readUploadedSheet(fixture('hostile/valid-users.xlsx'), 'v.xlsx').rows).toHaveLength(2);
			expect(readUploadedSheet(fixture('hostile/valid-users.ods'), 'v.ods').rows).toHaveLength(2);
		});
		withReadLimits({ maxRows: 1 }, () => {
			expect(refusal(fixture('hostile/valid-users.ods'), 'v.ods').message).toBe(
				'Sheet "Users" of "v.ods" has data in row 2 (cell A2); we read at most 1 row. Delete the rows below your users (or split the users into several files), save, and upload again.'
			);
		});
		// Other sheets are not held to the limits: Notes is 2 columns wide, users 6.
		withReadLimits({ maxColumns: 6 }, () => {
			expect(readUploadedSheet(fixture('several-sheets-users-second.xlsx'), 's.xlsx').sheetName).toBe('users');
		});
	});

	it('in a workbook of several sheets, the sheet read is checked after parsing, by name', () => {
		const wb = utils.book_new();
		utils.book_append_sheet(wb, utils.aoa_to_sheet([['notes']]), 'Notes');
		const users = utils.aoa_to_sheet([
			['Account ID', 'Username'],
			['1001', 'jdoe']
		]);
		utils.sheet_add_aoa(users, [['x']], { origin: 'KZ3' });
		utils.book_append_sheet(wb, users, 'Users');
		const bytes = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
		expect(refusal(bytes, 'two.xlsx').message).toBe(
			'Sheet "Users" of "two.xlsx" has data in column KZ (cell KZ3); we read at most 200 columns (A to GR). Delete the columns to the right of your table, save, and upload again.'
		);
		expect(withReadLimits({ maxRows: 2 }, () => refusal(bytes, 'two.xlsx')).message).toBe(
			'Sheet "Users" of "two.xlsx" has data below row 2; we read at most 2 rows. Delete the rows below your users (or split the users into several files), save, and upload again.'
		);
	});

	it('CSV: rows and columns are capped while parsing', () => {
		const rows = new TextEncoder().encode('Account ID,Username\n' + '1001,jdoe\n'.repeat(1000));
		const e = withReadLimits({ maxRows: 1000 }, () => refusal(rows, 'big.csv'));
		expect(e.code).toBe('sheet-too-large');
		expect(e.message).toBe(
			'The file "big.csv" has more than 1,000 rows; we read at most 1,000. Delete the empty rows at the end, or split the users into several files, and upload again.'
		);
		// At the real limit, a file of 1,000,001 blank lines stops at the line beyond the limit.
		expect(refusal(new TextEncoder().encode('Account ID\n' + '\n'.repeat(1_000_000)), 'blank.csv', 3000).message).toContain(
			'has more than 350,000 rows;'
		);
		const wide = new TextEncoder().encode(`Account ID,Username\n1001,jdoe${','.repeat(199)}\n`);
		expect(refusal(wide, 'wide.csv').message).toBe(
			'The file "wide.csv" has more than 200 columns (row 2); we read at most 200. Delete the columns to the right of your table, save, and upload again.'
		);
		expect(readUploadedSheet(new TextEncoder().encode(`Account ID,Username${','.repeat(198)}\n`), 'ok.csv').rows[0]).toHaveLength(200);
	});

	it('ods-repeat-bomb.ods: one cell repeated over 1,000,000 × 16,384 (SheetJS would never finish)', () => {
		const e = refused('ods-repeat-bomb.ods', 300);
		expect(e.code).toBe('sheet-too-large');
		expect(e.message).toBe(
			'Sheet "Users" of "ods-repeat-bomb.ods" repeats one cell over 1,000,000 rows × 16,384 columns; we expand at most 1,000,000 cells. Delete the rows and columns you do not need at the end and save again.'
		);
	});

	it('the same repeat in a flat ODS (.fods, read as text)', () => {
		const fods = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="Users"><table:table-row table:number-rows-repeated="5000"><table:table-cell table:number-columns-repeated="5000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document>`;
		expect(refusal(new TextEncoder().encode(fods), 'flat.fods', 300).message).toContain('repeats one cell over 5,000 rows × 5,000 columns');
	});

	it("ods-trailing-empty-repeats.ods: LibreOffice's empty repeated rows and columns cost nothing", () => {
		const started = cpuStart();
		expect(readUploadedSheet(fixture('hostile/ods-trailing-empty-repeats.ods'), 'r.ods').rows).toHaveLength(2);
		expect(cpuMsSince(started)).toBeLessThan(500);
	});

	it('hyperlink-over-whole-sheet.xlsx and its .xlsb twin', () => {
		expect(refused('hyperlink-over-whole-sheet.xlsx', 300).message).toBe(
			'"hyperlink-over-whole-sheet.xlsx" has a hyperlink over A1:XFD1048576, 17,179,869,184 cells; we expand at most 1,000,000 cells. Remove the hyperlinks (or link only the cells that need one) and save again.'
		);
		expect(refused('xlsb-hyperlink-over-whole-sheet.xlsb', 300).message).toContain('has a hyperlink over R3C1:R1048576C16384');
	});

	it('a hyperlink tag is found wherever it falls: across the 1 MB search windows, or in a UTF-16 part', () => {
		for (const padding of [(1 << 20) - 300, (1 << 20) - 20, (1 << 20) + 5]) {
			const bytes = withSheetXml((xml) =>
				new TextEncoder().encode(xml.replace('</sheetData>', `</sheetData>${' '.repeat(padding)}${HUGE_LINK}`))
			);
			expect(refusal(bytes, 'padded.xlsx').message, String(padding)).toContain('has a hyperlink over A1:XFD1048576');
		}
		const utf16 = withSheetXml((xml) => {
			const text = xml.replace('</sheetData>', `</sheetData>${HUGE_LINK}`);
			const out = new Uint8Array(2 + text.length * 2);
			out.set([0xff, 0xfe]);
			for (let i = 0; i < text.length; i++) {
				out[2 + i * 2] = text.charCodeAt(i) & 0xff;
				out[3 + i * 2] = text.charCodeAt(i) >> 8;
			}
			return out;
		});
		expect(refusal(utf16, 'utf16.xlsx').message).toContain('has a hyperlink over A1:XFD1048576');
		// Prefixed, upper-case and single-quoted attributes are still the ref SheetJS reads.
		const prefixed = withSheetXml((xml) =>
			new TextEncoder().encode(
				xml.replace('</sheetData>', `</sheetData><x:hyperlinks><x:hyperlink x:REF='A1:Z99999' location="a"/></x:hyperlinks>`)
			)
		);
		expect(refusal(prefixed, 'prefixed.xlsx').message).toContain('has a hyperlink over A1:Z99999, 2,599,974 cells');
	});

	it('ODS repeat counts are read as SheetJS reads them ("1e6", any prefix), and many small repeats add up', () => {
		const fods = (rows: string) =>
			new TextEncoder().encode(
				`<?xml version="1.0"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Users">${rows}</table:table></office:spreadsheet></office:body></office:document>`
			);
		const cell = (attributes: string) => `<table:table-cell${attributes} office:value-type="string"><text:p>x</text:p></table:table-cell>`;
		expect(
			refusal(
				fods(`<table:table-row table:number-rows-repeated="1e6">${cell(' foo:number-columns-repeated="3"')}</table:table-row>`),
				'e.fods'
			).message
		).toContain('repeats one cell over 1,000,000 rows × 3 columns');
		const many =
			`<table:table-row table:number-rows-repeated="1000">${cell(' table:number-columns-repeated="100"')}</table:table-row>`.repeat(11);
		expect(refusal(fods(many), 'many.fods').message).toContain('repeats cells more than 1,000,000 times');
		expect(
			readUploadedSheet(
				fods(`<table:table-row table:number-rows-repeated="3">${cell(' table:number-columns-repeated="2"')}</table:table-row>`),
				'ok.fods'
			).rows
		).toEqual([
			['x', 'x'],
			['x', 'x'],
			['x', 'x']
		]);
	});

	it('an HTML table with tens of thousands of merged cells (SheetJS compares every pair)', () => {
		const cell = '<td rowspan="2">x</td>';
		const html = `<html><body><table>${`<tr>${cell.repeat(20)}</tr>`.repeat(2000)}</table></body></html>`;
		const e = refusal(new TextEncoder().encode(html), 'merged.xls', 500);
		expect(e.message).toBe(
			'"merged.xls" is a web page with 40,000 cells, 40,000 of them merged: too many merged cells to read. Open it in Excel, unmerge the cells, save it as .xlsx, and upload that file.'
		);
		const few = `<table><tr><td colspan="2">Account ID</td><td>Username</td></tr><tr><td>01015</td><td></td><td>jdoe</td></tr></table>`;
		expect(readUploadedSheet(new TextEncoder().encode(few), 'few.xls').rows[1]).toEqual(['01015', '', 'jdoe']);
	});
});

describe('specific messages', () => {
	it('password-protected.xlsx', () => {
		const e = refusal(fixture('password-protected.xlsx'), 'password-protected.xlsx');
		expect(e.code).toBe('encrypted');
		expect(e.message).toContain('"password-protected.xlsx" is protected with a password, so it cannot be read.');
	});

	it.each([
		['png-renamed.xlsx', 'a PNG image'],
		['jpeg-renamed.ods', 'a JPEG image']
	])('%s: says what the file is instead', (name, what) => {
		const e = refused(name);
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(`"${name}" is ${what}, not a spreadsheet. Upload the spreadsheet itself: an .xlsx, .xls, .ods or .csv file.`);
	});

	it.each(['random-bytes.xlsx', 'random-bytes.ods', 'random-bytes.csv'])('%s: in no format we know', (name) => {
		const e = refused(name);
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(
			`"${name}" is not a spreadsheet we can read: its content is in no format we know. If it opens in Excel or LibreOffice, save it from there as .xlsx or CSV UTF-8 and upload the saved file; if not, ask whoever sent it for the spreadsheet again.`
		);
	});

	it('pdf-renamed.xlsx: not a spreadsheet', () => {
		expect(refusal(fixture('pdf-renamed.xlsx'), 'pdf-renamed.xlsx').code).toBe('unsupported');
	});

	it('empty-0-bytes.xlsx', () => {
		const e = refused('empty-0-bytes.xlsx');
		expect(e.code).toBe('empty-file');
		expect(e.message).toBe('The file "empty-0-bytes.xlsx" is empty (0 bytes). Choose the saved spreadsheet and try again.');
	});

	it.each(['header-only.csv', 'header-only.xlsx'])('%s: read, then the preview blocks with "no user rows"', (name) => {
		const read = readUploadedSheet(fixture(`hostile/${name}`), name);
		expect(read.rows).toEqual([['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role']]);
		const p = preview(read, name, 0);
		expect(p.blocking).toEqual({ code: 'no-users', message: 'The file has headers in row 1 but no user rows below them.' });
		expect(p.rows).toEqual([]);
	});

	it('no-recognisable-header.csv: the first row is a user, and the message says so', () => {
		const read = readUploadedSheet(fixture('hostile/no-recognisable-header.csv'), 'no-recognisable-header.csv');
		const p = preview(read, 'no-recognisable-header.csv', 1);
		expect(p.blocking).toEqual({
			code: 'header',
			message:
				'The file has no "Account ID" or "Username" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role. Row 1 looks like a user, not headers.'
		});
	});

	it('no-recognisable-header.xlsx: headers that are not ours', () => {
		const read = readUploadedSheet(fixture('hostile/no-recognisable-header.xlsx'), 'no-recognisable-header.xlsx');
		const p = preview(read, 'no-recognisable-header.xlsx', 1);
		expect(p.blocking?.code).toBe('header');
		expect(p.blocking?.message).toBe(
			'The file has no "Account ID" or "Username" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role.'
		);
	});

	it('ods-missing-styles.ods: a SheetJS internal error reaches the admin as our sentence, with the cause kept', () => {
		const e = refused('ods-missing-styles.ods');
		expect(e.code).toBe('unsupported');
		expect((e.cause as Error).message).toBe('Cannot find file styles.xml in zip');
	});

	it('ods-table-without-name.ods: a nameless table is read as "Sheet1"', () => {
		expect(readUploadedSheet(fixture('hostile/ods-table-without-name.ods'), 't.ods')).toMatchObject({
			sheetName: 'Sheet1',
			rows: [expect.any(Array), expect.any(Array)]
		});
	});

	it('an unexpected failure inside the reader (here: out of memory decoding text) is wrapped too', () => {
		vi.spyOn(TextDecoder.prototype, 'decode').mockImplementation(() => {
			throw new RangeError('Invalid string length');
		});
		const e = refusal(Uint8Array.of(0xff, 0xfe, 0x41, 0, 0x0a, 0), 'users.csv');
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(
			'The file "users.csv" could not be read: it may be damaged, or in a form we do not know. Open it in Excel or LibreOffice, save it as .xlsx or .csv, and upload the saved file.'
		);
		expect(e.cause).toBeInstanceOf(RangeError);
	});

	it('every refusal of the hostile fixtures is an admin-readable SpreadsheetError', () => {
		const expected: Record<string, SpreadsheetErrorCode> = {
			'zip-bomb-declares-12gb.xlsx': 'compressed-bomb',
			'zip-bomb-ratio-1000.xlsx': 'compressed-bomb',
			'ods-repeat-bomb.ods': 'sheet-too-large',
			'hyperlink-over-whole-sheet.xlsx': 'sheet-too-large',
			'far-cell-xfd1048576.xlsx': 'sheet-too-large',
			'far-column-no-dimension.xlsx': 'sheet-too-large',
			'truncated-half.xlsx': 'unsupported',
			'empty-0-bytes.xlsx': 'empty-file'
		};
		for (const [name, code] of Object.entries(expected)) expect(refused(name).code, name).toBe(code);
	});
});
