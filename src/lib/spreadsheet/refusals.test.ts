// Every sentence the reader refuses an upload with, pinned: what happened and what to do, in an admin's
// words. And a sweep over every fixture: no refusal names a library, leaks an internal error, or lacks a
// next step.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SpreadsheetError } from './errors';
import { DEFAULT_LIMITS } from './limits';
import { readUploadedSheet } from './read';
import * as refusals from './refusals';

const L = DEFAULT_LIMITS;

describe('the messages, pinned', () => {
	const cases: [string, SpreadsheetError, string][] = [
		[
			'fileTooLarge',
			refusals.fileTooLarge('f.xlsx', 77_000_000, L),
			'The file "f.xlsx" is 73.5 MB; the limit is 50 MB. Split it into smaller files and upload each one.'
		],
		['emptyFile', refusals.emptyFile('f.xlsx'), 'The file "f.xlsx" is empty (0 bytes). Choose the saved spreadsheet and try again.'],
		[
			'notASpreadsheet',
			refusals.notASpreadsheet('f.xlsx', 'a PDF document'),
			'"f.xlsx" is a PDF document, not a spreadsheet. Upload the spreadsheet itself: an .xlsx, .xls, .ods or .csv file.'
		],
		[
			'notASpreadsheet (archive)',
			refusals.notASpreadsheet('f.xlsx', 'a RAR archive', true),
			'"f.xlsx" is a RAR archive, not a spreadsheet. Unpack it and upload the spreadsheet inside: an .xlsx, .xls, .ods or .csv file.'
		],
		[
			'unknownContent',
			refusals.unknownContent('f.xlsx'),
			'"f.xlsx" is not a spreadsheet we can read: its content is in no format we know. If it opens in Excel or LibreOffice, save it from there as .xlsx or CSV UTF-8 and upload the saved file; if not, ask whoever sent it for the spreadsheet again.'
		],
		[
			'textNotASpreadsheet',
			refusals.textNotASpreadsheet('f.xls', 'Attachment not found\r\n\r\nSorry.\r\n'),
			'"f.xls" is not a spreadsheet but a text file of 3 lines, beginning "Attachment not found". The spreadsheet itself did not arrive (an e-mail or a download may have replaced it): get the file again and upload it.'
		],
		[
			'couldNotRead',
			refusals.couldNotRead('f.ods', new Error('x')),
			'The file "f.ods" could not be read: it may be damaged, or in a form we do not know. Open it in Excel or LibreOffice, save it as .xlsx or .csv, and upload the saved file.'
		],
		[
			'damaged',
			refusals.damaged('f.xls', new Error('x')),
			'The file "f.xls" is not a spreadsheet we can read: it is damaged or incomplete (for example cut off during a download or copy). Open it in Excel or LibreOffice, save it again, and upload the saved file.'
		],
		[
			'xlsbDamaged',
			refusals.xlsbDamaged('f.xlsb', new Error('x')),
			'"f.xlsb" is an Excel Binary Workbook (.xlsb) we cannot read: a sheet name or a text in it runs past its end (the file is damaged, or was saved by a pre-release of Excel 2007). Open it in Excel, save it as an Excel Workbook (.xlsx), and upload that file.'
		],
		[
			'encrypted (Excel)',
			refusals.encrypted('f.xlsx', 'excel'),
			'"f.xlsx" is protected with a password, so it cannot be read. Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save, and upload again.'
		],
		[
			'encrypted (LibreOffice)',
			refusals.encrypted('f.ods', 'libreoffice'),
			'"f.ods" is protected with a password, so it cannot be read. Open it in LibreOffice Calc, choose File > Save As, untick "Save with password", save, and upload the saved file.'
		],
		[
			'zipEncrypted',
			refusals.zipEncrypted('f.xlsx'),
			'"f.xlsx" is a password-protected archive, so it cannot be read. Upload the spreadsheet itself, saved without a password.'
		],
		[
			'rowsBeyondLimit',
			refusals.rowsBeyondLimit('f.xlsx', 'Users', { r: 1_048_575, c: 1 }, L),
			'Sheet "Users" of "f.xlsx" has data in row 1,048,576 (cell B1048576); we read at most 350,000 rows. Delete the rows below your users (or split the users into several files), save, and upload again.'
		],
		[
			'rowsBeyondLimit (only "below" known)',
			refusals.rowsBeyondLimit('f.xlsx', undefined, null, L),
			'"f.xlsx" has data below row 350,000; we read at most 350,000 rows. Delete the rows below your users (or split the users into several files), save, and upload again.'
		],
		[
			'columnsBeyondLimit',
			refusals.columnsBeyondLimit('f.xlsx', 'Users', { r: 1, c: 16_383 }, L),
			'Sheet "Users" of "f.xlsx" has data in column XFD (cell XFD2); we read at most 200 columns (A to GR). Delete the columns to the right of your table, save, and upload again.'
		],
		[
			'tooManyCells (.xlsx)',
			refusals.tooManyCells('f.xlsx', 2_100_006, 'xlsx', L),
			'"f.xlsx" holds 2,100,006 filled cells (all its sheets together); we read at most 2,000,000 from an .xlsx file. Delete the sheets you do not need, or split the users into several smaller files and upload each one.'
		],
		[
			'tooManyCells (.ods: .xlsx holds more)',
			refusals.tooManyCells('f.ods', 800_000, 'ods', L),
			'"f.ods" holds 800,000 filled cells (all its sheets together); we read at most 750,000 from an .ods file. Delete the sheets you do not need, or split the users into several smaller files and upload each one. Or save it as .xlsx: from those we read up to 2,000,000 cells.'
		],
		[
			'tooManySharedStrings',
			refusals.tooManySharedStrings('f.xlsx', 2_500_000, L),
			'"f.xlsx" holds 2,500,000 different texts; we read at most 2,000,000. Split the users into several smaller files and upload each one.'
		],
		[
			'tooMuchToUnpack',
			refusals.tooMuchToUnpack('f.xlsx', 421_000_000, L),
			'"f.xlsx" unpacks to 401.5 MB of sheets and text; we read at most 192 MB. Split the users into several smaller files and upload each one.'
		],
		[
			'xlsbTooMuchText',
			refusals.xlsbTooMuchText('f.xlsb'),
			'"f.xlsb" is an Excel Binary Workbook (.xlsb) with more long text than we can read from that format. Open it in Excel, save it as an Excel Workbook (.xlsx), and upload that file.'
		],
		[
			'csvTooLarge',
			refusals.csvTooLarge('f.csv', 'columns', 2, L, null),
			'The file "f.csv" has more than 200 columns (row 2); we read at most 200. Delete the columns to the right of your table, save, and upload again.'
		],
		[
			'csvTooLarge (rows)',
			refusals.csvTooLarge('f.csv', 'rows', 350_001, L, null),
			'The file "f.csv" has more than 350,000 rows; we read at most 350,000. Delete the empty rows at the end, or split the users into several files, and upload again.'
		],
		[
			'usersSheetEmpty',
			refusals.usersSheetEmpty('f.xlsx', 'Users'),
			'The "Users" sheet of "f.xlsx" is empty. Put the headers in row 1 and one user per row below them.'
		],
		[
			'noData',
			refusals.noData('f.xlsx', 2),
			'"f.xlsx" has no sheet with any data. Put the headers in row 1 of a sheet named "Users" and one user per row below them.'
		],
		[
			'dataOnlyOnHiddenSheets (Excel)',
			refusals.dataOnlyOnHiddenSheets('f.xlsx', ['Data'], 'excel'),
			'"f.xlsx" has data only on hidden sheet ("Data"). In Excel, right-click a sheet tab, choose Unhide, and show the sheet with the users (or name it "Users"); save, and upload again.'
		],
		[
			'dataOnlyOnHiddenSheets (LibreOffice)',
			refusals.dataOnlyOnHiddenSheets('f.ods', ['Data', 'Old'], 'libreoffice'),
			'"f.ods" has data only on hidden sheets ("Data", "Old"). In LibreOffice Calc, choose Sheet > Show Sheet and show the sheet with the users (or name it "Users"); save, and upload again.'
		]
	];
	it.each(cases)('%s', (_, error, message) => {
		expect(error).toBeInstanceOf(SpreadsheetError);
		expect(error.message).toBe(message);
	});
});

function filesUnder(dir: string): string[] {
	return readdirSync(dir)
		.filter((name) => !name.startsWith('.') && !name.endsWith('.md'))
		.flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

describe('every refusal of every fixture', () => {
	const root = fileURLToPath(new URL('../../../tests/fixtures/', import.meta.url));
	const refused: { file: string; message: string }[] = [];
	for (const file of filesUnder(root)) {
		const name = file.slice(file.lastIndexOf('/') + 1);
		try {
			readUploadedSheet(new Uint8Array(readFileSync(file)), name);
		} catch (error) {
			if (!(error instanceof SpreadsheetError)) throw error;
			refused.push({ file: name, message: error.message });
		}
	}

	it('there are refusals of every kind to look at', () => {
		expect(refused.length).toBeGreaterThan(35);
	});

	it.each(refused.map((r) => [r.file, r.message]))('%s: names the file, no library or internal error, a next step', (file, message) => {
		expect(message).toContain(`"${file}"`);
		expect(message).not.toMatch(/SheetJS|fflate|\bCFB\b|\bBIFF|\bxlsx\.js|\bZIP64|\bError\b|undefined|NaN|\[object|\n|\bat \S+ \(/);
		expect(message).toMatch(/\b(Open it|Upload|upload it|Split|Delete|Remove|Put the|get the file|Choose|In Excel|In LibreOffice|save it)/);
	});
});
