import { describe, expect, it } from 'vitest';
import { CFB, read, type CellObject, type WorkSheet } from 'xlsx';
import { buildPreview } from '../domain/preview';
import { finalizeRows, summarize } from '../domain/results';
import { INSTITUTIONS, ROLES, ruleContext, user, USERS } from '../testing/factories';
import { readUploadedSheet } from './read';
import {
	institutionsFileName,
	localTimestamp,
	resultsFileName,
	TEMPLATE_SPARE_ROWS,
	undoResultsFileName,
	usersExportFileName,
	writeInstitutions,
	writeResults,
	writeTemplate
} from './write';

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

/** `sheetStubs`: also the cells that hold no value but a format (the template's spare Text rows). */
function open(bytes: Uint8Array, sheetStubs = false) {
	return read(bytes, { type: 'array', dense: true, cellNF: true, cellText: false, sheetStubs });
}
function cells(ws: WorkSheet): (CellObject | undefined)[][] {
	return (ws as unknown as { '!data': (CellObject | undefined)[][] })['!data'];
}
function values(ws: WorkSheet): unknown[][] {
	return cells(ws).map((row) => (row ?? []).map((c) => c?.v));
}
/** The zip is compressed: a stored (method 0) local entry would have its XML readable in the bytes. */
function isCompressed(bytes: Uint8Array): boolean {
	return bytes[8] === 8 && bytes[9] === 0;
}

describe('writeTemplate', async () => {
	const bytes = await writeTemplate({ institutions: INSTITUTIONS, roles: ROLES, parentName: 'Springfield Public Schools' });
	const wb = open(bytes);

	it('has the Users, Instructions and Accounts sheets, compressed', () => {
		expect(wb.SheetNames).toEqual(['Users', 'Instructions', 'Accounts']);
		expect(isCompressed(bytes)).toBe(true);
	});

	it('has exactly the template header', () => {
		expect(values(wb.Sheets.Users)[0]).toEqual(HEADER);
	});

	it('formats the columns as Text for the spare rows (empty cells, so nothing reads as a user)', () => {
		const data = cells(open(bytes, true).Sheets.Users);
		expect(data).toHaveLength(1 + TEMPLATE_SPARE_ROWS);
		for (const row of [data[1], data[TEMPLATE_SPARE_ROWS]]) {
			expect(row.map((c) => c?.z)).toEqual(['@', '@', '@', '@', '@', '@']);
			expect(row.map((c) => c?.v ?? '')).toEqual(['', '', '', '', '', '']);
		}
	});

	it('reads back as a header-only upload', () => {
		const r = readUploadedSheet(bytes, 'user-update-template.xlsx');
		expect(r.sheetName).toBe('Users');
		expect(r.rows).toEqual([HEADER]);
	});

	it('explains the columns in the help article words, with roles and the count rule', () => {
		const text = values(wb.Sheets.Instructions).flat().join('\n');
		expect(text).toContain('Found in the Export Institutions List spreadsheet');
		expect(text).toContain('must be listed as child accounts under your parent account or they will not be processed');
		expect(text).toContain('If you are using Google sign in, update this to match your Google email addresses.');
		expect(text).toContain(
			'The number entered should only include actual users on your spreadsheet, and NOT the column header row of the template itself.'
		);
		expect(text).toContain('One of: Teacher, Student, Administrator.');
		expect(text).toContain('A blank cell means "leave unchanged"');
		expect(text).toContain('Accounts that use Google sign-in ignore this column');
		expect(text).toContain('Springfield Public Schools');
	});

	it('lists the child accounts with IDs as text and the sign-in method', () => {
		const data = cells(wb.Sheets.Accounts);
		expect(values(wb.Sheets.Accounts)).toEqual([
			['Account ID', 'Name', 'Sign-in method'],
			['01015', 'Ogdenville Middle', 'Password'],
			['1002', 'Shelbyville High', 'Google sign-in (@shelbyville.edu)'],
			['1001', 'Springfield Elementary', 'Password']
		]);
		expect(data[1][0]).toMatchObject({ t: 's', z: '@' });
	});
});

describe('writeTemplate with users (Export users)', async () => {
	const users = [...USERS, user({ username: 'formula', name: '=HYPERLINK("http://evil","x")', email: 'formula@springfield.example' })];
	const bytes = await writeTemplate({ institutions: INSTITUTIONS, roles: ROLES, users });
	const ws = open(bytes).Sheets.Users;

	it('pre-fills current users with a blank password, IDs as text', () => {
		const data = cells(ws);
		expect(values(ws).slice(1, 5)).toEqual(USERS.map((u) => [u.accountId, u.username, u.name, u.email, undefined, u.role]));
		expect(data[4][0]).toMatchObject({ t: 's', v: '01015', z: '@' });
		expect(data[4][4]).toBeUndefined();
		expect(cells(open(bytes, true).Sheets.Users)).toHaveLength(1 + users.length + TEMPLATE_SPARE_ROWS);
	});

	it('neutralises formulas', () => {
		expect(cells(ws)[5][2]?.v).toBe('\'=HYPERLINK("http://evil","x")');
		expect(
			cells(ws)
				.flat()
				.some((c) => c?.f)
		).toBe(false);
	});

	it('re-uploads as "unchanged" for every user', () => {
		const ctx = ruleContext({ users });
		const r = readUploadedSheet(bytes, 'users.xlsx');
		const p = buildPreview({ rows: r.rows, fileName: 'users.xlsx', sheetName: r.sheetName, declaredCount: users.length }, ctx);
		expect(p.blocking).toBeNull();
		expect(p.rows.map((row) => row.status)).toEqual(users.map(() => 'unchanged'));
	});
});

describe('writeInstitutions', () => {
	it('writes Account ID, Name, Sign-in method with IDs as text', async () => {
		const wb = open(await writeInstitutions(INSTITUTIONS));
		const ws = wb.Sheets[wb.SheetNames[0]];
		expect(values(ws)[0]).toEqual(['Account ID', 'Name', 'Sign-in method']);
		expect(cells(ws)[1][0]).toMatchObject({ t: 's', v: '01015', z: '@' });
		expect(values(ws)).toHaveLength(1 + INSTITUTIONS.length);
	});
});

describe('writeResults', async () => {
	const secret = 'Correct-Horse-1';
	const rows = [
		['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Notes'],
		['1001', 'jdoe', 'Janet Doe', '', secret, '', '=cmd|calc'],
		['01015', 'ogden', '', '', '', 'Teacher', ''],
		['1001', 'ghost', '@SUM(1)', '', 'x', '', ''],
		['1001', 'bsmith', '', '', '', '', '']
	];
	const preview = buildPreview({ rows, fileName: 'upload.csv', sheetName: 'upload', declaredCount: 4 }, ruleContext());
	const final = finalizeRows(preview, (row) => (row.username === 'jdoe' ? { status: 'applied' } : undefined));
	const summary = summarize(final);
	const time = new Date(2025, 2, 9, 14, 5, 7);
	const bytes = await writeResults({
		header: preview.header,
		columnMap: preview.columnMap,
		rows: final,
		fileName: 'upload.csv',
		sheetName: 'upload',
		admin: 'admin@springfield',
		time,
		summary
	});
	const wb = open(bytes);
	const ws = wb.Sheets.Results;

	it('lists the uploaded rows in order with Row, Status, Reason, Changed', () => {
		expect(wb.SheetNames).toEqual(['Results', 'Summary']);
		const v = values(ws);
		expect(v[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Notes', 'Row', 'Status', 'Reason', 'Changed']);
		expect(v.slice(1).map((r) => [r[0], r[1], r[7], r[8], r[10]])).toEqual([
			['1001', 'jdoe', 2, 'Updated', 'Name, Password'],
			['01015', 'ogden', 3, 'Queued', 'Role'],
			['1001', 'ghost', 4, 'Failed', undefined],
			['1001', 'bsmith', 5, 'Unchanged', undefined]
		]);
		expect(v[3][9]).toBe('User ghost not found in account 1001; Password is too short (1 characters; at least 8)');
		expect(isCompressed(bytes)).toBe(true);
	});

	it('never contains a password, only "(set)"', () => {
		expect(values(ws).map((r) => r[4])).toEqual(['Password', '(set)', undefined, '(set)', undefined]);
		const all = JSON.stringify(values(ws)) + JSON.stringify(values(wb.Sheets.Summary));
		expect(all).not.toContain(secret);
		// Not in the raw (decompressed) workbook either.
		const zip = CFB.read(bytes, { type: 'buffer' }) as { FileIndex: { name: string; content?: Uint8Array }[] };
		const parts = zip.FileIndex.filter((f) => f.content && f.content.length > 0);
		expect(parts.some((f) => f.name === 'sheet1.xml')).toBe(true);
		for (const file of parts) expect(new TextDecoder().decode(file.content)).not.toContain(secret);
	});

	it('writes Account ID and Username as text cells formatted "@"', () => {
		const data = cells(ws);
		expect(data[2][0]).toMatchObject({ t: 's', v: '01015', z: '@' });
		expect(data[2][1]).toMatchObject({ t: 's', v: 'ogden', z: '@' });
	});

	it('neutralises every text cell', () => {
		expect(cells(ws)[1][6]?.v).toBe("'=cmd|calc");
		expect(cells(ws)[3][2]?.v).toBe("'@SUM(1)");
		expect(
			cells(ws)
				.flat()
				.some((c) => c?.f)
		).toBe(false);
	});

	it('summarises file, time, admin and counts that add up', () => {
		const v = Object.fromEntries(values(wb.Sheets.Summary).map(([k, x]) => [k, x]));
		expect(v).toMatchObject({
			File: 'upload.csv',
			Sheet: 'upload',
			Uploaded: '2025-03-09 14:05:07',
			Admin: 'admin@springfield',
			Rows: 4,
			Updated: 1,
			Unchanged: 1,
			Failed: 1,
			Queued: 1
		});
	});
});

describe('writeResults of an undo, and after the large-change gate', () => {
	const rows = [
		{ row: 2, cells: ['1001', 'jdoe', 'Janet Doe'], status: 'Updated' as const, reason: '', changed: ['Name'] },
		{
			row: 3,
			cells: ['1001', 'bsmith', 'Bob'],
			status: 'Unchanged' as const,
			reason: 'Changed since this upload; not restored',
			changed: []
		},
		{
			row: 4,
			cells: ['1001', 'ogden', 'Og'],
			status: 'Failed' as const,
			reason: 'Name was changed by someone else since this file was checked',
			changed: []
		},
		{
			row: 5,
			cells: ['1001', 'amy', 'Amy'],
			status: 'Queued' as const,
			reason: 'Saved on this device, to be sent when the portal is reachable',
			changed: ['Name']
		}
	];
	const input = {
		header: ['Account ID', 'Username', 'Name'],
		columnMap: { accountId: 0, username: 1, name: 2 },
		rows,
		fileName: 'roster.xlsx',
		admin: 'admin',
		time: new Date(2025, 2, 9, 14, 5, 7),
		summary: summarize(rows)
	};

	it('says Restored, Not restored or Queued per row in the results layout, and counts them so', async () => {
		const wb = open(await writeResults({ ...input, undoOf: 'roster.xlsx' }));
		expect(values(wb.Sheets.Results).map((r) => r[4])).toEqual(['Status', 'Restored', 'Not restored', 'Not restored', 'Queued']);
		const summary = Object.fromEntries(values(wb.Sheets.Summary).map(([k, x]) => [k, x]));
		expect(summary).toMatchObject({ 'Undo of': 'roster.xlsx', Rows: 4, Restored: 1, 'Not restored': 2, Queued: 1 });
		expect(summary.Updated).toBeUndefined();
		expect(undoResultsFileName(new Date(2025, 2, 9, 14, 5, 7))).toBe('user-update-undo-results-20250309-140507.xlsx');
	});

	it('records on the Summary sheet that the large-change gate was confirmed', async () => {
		const summary = Object.fromEntries(
			values(open(await writeResults({ ...input, largeChangeConfirmed: 2431 })).Sheets.Summary).map(([k, x]) => [k, x])
		);
		expect(summary['Large change']).toBe('Confirmed: the admin typed 2,431, the number of users that would change');
		expect(
			Object.fromEntries(values(open(await writeResults(input)).Sheets.Summary).map(([k, x]) => [k, x]))['Large change']
		).toBeUndefined();
	});
});

describe('writeResults with cells longer than Excel holds', () => {
	// The case from the field: a CSV with one valid row and a 40,000-character Name (or "=" + 32,766,
	// which the formula guard's quote pushes to 32,768). Apply had already synced the valid row when
	// writing the results threw "Text length must not exceed 32767 characters".
	const long = 'N'.repeat(40_000);
	const formula = `=${'x'.repeat(32_766)}`;
	const csv = [
		`Account ID,Username,Name,Email,Password,Role,${'H'.repeat(33_000)}`,
		'1001,jdoe,Janet Doe,,,,',
		`1001,bsmith,${long},,,,${formula}`,
		`1001,ogden,${formula},,,,`
	].join('\r\n');
	const sheet = readUploadedSheet(new TextEncoder().encode(csv), 'long.csv');
	const preview = buildPreview({ rows: sheet.rows, fileName: 'long.csv', sheetName: sheet.sheetName, declaredCount: 3 }, ruleContext());
	const final = finalizeRows(preview, () => ({ status: 'applied' }));

	it('checks them as row errors and still writes every cell, cut to what a cell holds', async () => {
		expect(preview.rows.map((r) => r.status)).toEqual(['update', 'failed', 'failed']);
		const bytes = await writeResults({
			header: preview.header,
			columnMap: preview.columnMap,
			rows: final,
			fileName: 'long.csv',
			admin: 'admin',
			time: new Date(2025, 0, 1),
			summary: summarize(final)
		});
		const v = values(open(bytes).Sheets.Results) as (string | number | undefined)[][];
		for (const row of v) for (const cell of row) if (typeof cell === 'string') expect(cell.length).toBeLessThanOrEqual(32_767);
		expect(v[1].slice(0, 3)).toEqual(['1001', 'jdoe', 'Janet Doe']);
		expect(v[1][8]).toBe('Updated');
		const name = v[2][2] as string;
		expect(name.startsWith('NNNN')).toBe(true);
		expect(name).toMatch(/shortened/);
		// Still neutralised when cut: the quote stays in front.
		expect((v[3][2] as string).startsWith("'=xxx")).toBe(true);
		expect((v[2][6] as string).startsWith("'=xxx")).toBe(true);
		expect(v[2][9]).toBe('Name: 40,000 characters; names can have at most 100. Shorten it and upload again.');
	});
});

describe('file names', () => {
	it('uses local time', () => {
		const d = new Date(2025, 0, 2, 3, 4, 5);
		expect(resultsFileName(d)).toBe('user-update-results-20250102-030405.xlsx');
		expect(usersExportFileName(d)).toBe('users-20250102-030405.xlsx');
		expect(institutionsFileName(d)).toBe('institutions-20250102-030405.xlsx');
		expect(localTimestamp(d)).toBe('2025-01-02 03:04:05');
	});
});
