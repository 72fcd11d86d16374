import { describe, expect, it } from 'vitest';
import { buildPreview, PROGRESS_EVERY, rowsForDisplay, type PreviewInput } from './preview';
import { HEADER, institution, ruleContext, sheet, user } from '../testing/factories';
import type { RuleContext } from './row-rules';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

function preview(rows: string[][], declaredCount?: number, ctx: RuleContext = ruleContext()) {
	const nonBlank = rows.slice(1).filter((r) => r.some((c) => c.trim() !== '')).length;
	const input: PreviewInput = { rows, fileName: 'users.xlsx', sheetName: 'Users', declaredCount: declaredCount ?? nonBlank };
	return buildPreview(input, ctx);
}

describe('buildPreview: structure', () => {
	it('blocks an empty sheet', () => {
		const p = preview([], 0);
		expect(p.blocking?.code).toBe('empty');
		expect(p.rows).toEqual([]);
	});

	it('blocks a header without user rows', () => {
		const p = preview(sheet(), 0);
		expect(p.blocking).toEqual({ code: 'no-users', message: 'The file has headers in row 1 but no user rows below them.' });
	});

	it('blocks a missing required column, still counting rows', () => {
		const p = preview(
			[
				['Account ID', 'Name'],
				['1001', 'Jane'],
				['1001', 'Bob']
			],
			2
		);
		expect(p.blocking?.code).toBe('header');
		expect(p.blocking?.message).toBe(
			'The file has no "Username" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role.'
		);
		expect(p.counts.rows).toBe(2);
		expect(p.rows).toEqual([]);
	});

	it('maps reordered and aliased headers and reports unknown columns', () => {
		const p = preview([
			['E-mail Address', 'Login', 'Account #', 'Notes'],
			['jdoe@springfield.example', 'jdoe', '1001', 'hello']
		]);
		expect(p.blocking).toBeNull();
		expect(p.columnMap).toEqual({ email: 0, username: 1, accountId: 2 });
		expect(p.headerWarnings.map((w) => w.reason)).toEqual(['Column D "Notes" is not a template column; its values are ignored']);
		expect(p.counts.warnings).toBe(1);
		expect(p.rows[0].status).toBe('unchanged');
	});

	it('warns about values under a blank header', () => {
		const p = preview([
			['Account ID', 'Username', ''],
			['1001', 'jdoe', 'Teacher', 'extra']
		]);
		expect(p.headerWarnings.map((w) => w.reason)).toEqual([
			'Column C has values but no header; its values are ignored',
			'Column D has values but no header; its values are ignored'
		]);
	});
});

describe('buildPreview: safety count', () => {
	it('blocks when the declared number differs, with both numbers', () => {
		const p = preview(sheet(['1001', 'jdoe', 'A'], ['1001', 'bsmith', 'B']), 3);
		expect(p.blocking?.code).toBe('count-mismatch');
		expect(p.blocking?.message).toMatch(/^You entered 3, the file has 2 user rows\./);
		expect(p.counts.rows).toBe(2);
	});

	it('says "1 user row"', () => {
		expect(preview(sheet(['1001', 'jdoe', 'A']), 120).blocking?.message).toMatch(/^You entered 120, the file has 1 user row\./);
	});

	it('does not count the header or blank rows', () => {
		const rows = [[], [...HEADER], ['1001', 'jdoe', 'A'], [], ['  ', ''], ['1001', 'bsmith', 'B'], []];
		const p = preview(rows, 2);
		expect(p.blocking).toBeNull();
		expect(p.counts.rows).toBe(2);
		// Row numbers are the spreadsheet's: header in row 2, users in rows 3 and 6.
		expect(p.headerRow).toBe(2);
		expect(p.rows.map((r) => r.row)).toEqual([3, 6]);
	});

	it('blocks a count that is not a whole number', () => {
		expect(preview(sheet(['1001', 'jdoe']), Number.NaN).blocking?.code).toBe('count-invalid');
		expect(preview(sheet(['1001', 'jdoe']), 1.5).blocking?.code).toBe('count-invalid');
		expect(preview(sheet(['1001', 'jdoe']), -1).blocking?.code).toBe('count-invalid');
	});
});

describe('buildPreview: rows', () => {
	it('keeps file order and counts each status', () => {
		const p = preview(
			sheet(
				['4711', 'jdoe'], // foreign
				['1001', 'jdoe', 'Janet Doe'], // update
				['1001', 'bsmith'], // unchanged
				['1002', 'gwen', '', '', 'Correct-Horse-1'] // unchanged + warning
			)
		);
		expect(p.rows.map((r) => [r.row, r.status])).toEqual([
			[2, 'failed'],
			[3, 'update'],
			[4, 'unchanged'],
			[5, 'unchanged']
		]);
		expect(p.counts).toEqual({ rows: 4, update: 1, add: 0, unchanged: 2, failed: 1, warnings: 1 });
		expect(p.counts.update + p.counts.unchanged + p.counts.failed).toBe(p.counts.rows);
		expect(p.blocking).toBeNull();
		expect(rowsForDisplay(p).map((r) => r.row)).toEqual([2, 5, 3, 4]);
	});

	it('keeps the original cells for the results sheet', () => {
		const p = preview(sheet([' 1001 ', 'jdoe', 'Janet', '', 'Correct-Horse-1', 'x', 'extra']));
		expect(p.rows[0].cells).toEqual([' 1001 ', 'jdoe', 'Janet', '', 'Correct-Horse-1', 'x', 'extra']);
	});

	it('fails both rows of a duplicate user, each naming the other', () => {
		const p = preview(sheet(['1001', 'jdoe', 'A'], ['1001', 'bsmith'], ['1001', 'JDoe', 'B']));
		expect(p.rows[0].errors.map((e) => e.message)).toEqual([
			'Row 2, Username: Duplicate of row 4 (same Account ID and Username); none of these rows is processed'
		]);
		expect(p.rows[2].errors.map((e) => e.reason)).toEqual([
			'Duplicate of row 2 (same Account ID and Username); none of these rows is processed'
		]);
		expect(p.rows[1].status).toBe('unchanged');
		expect(p.counts.failed).toBe(2);
	});

	it('names duplicates of a user that does not exist too', () => {
		const p = preview(sheet(['1001', 'ghost'], ['1001', 'Ghost']));
		expect(p.rows[0].errors.map((e) => e.reason)).toEqual([
			'User ghost not found in account 1001',
			'Duplicate of row 3 (same Account ID and Username); none of these rows is processed'
		]);
	});

	it('lists several duplicates briefly', () => {
		const rows = sheet(...Array.from({ length: 9 }, () => ['1001', 'jdoe', 'A']));
		const p = preview(rows);
		expect(p.rows[0].errors[0].reason).toBe(
			'Duplicate of rows 3, 4, 5, 6, 7 and 3 more (same Account ID and Username); none of these rows is processed'
		);
	});

	it('does not treat the same username in two accounts as a duplicate', () => {
		const ctx = ruleContext({ users: [user(), user({ accountId: '01015' })] });
		const p = preview(sheet(['1001', 'jdoe', 'A'], ['01015', 'jdoe', 'B']), 2, ctx);
		expect(p.counts.update).toBe(2);
	});

	it('fails two rows that give two users the same new email, naming both rows', () => {
		const p = preview(sheet(['1001', 'jdoe', '', 'shared@springfield.example'], ['1001', 'bsmith', '', 'Shared@springfield.example']));
		expect(p.rows[0].errors.map((e) => e.message)).toEqual([
			'Row 2, Email: "shared@springfield.example" is also in row 3; an email address belongs to one user'
		]);
		expect(p.rows[1].errors.map((e) => e.reason)).toEqual([
			'Email "Shared@springfield.example" is also in row 2; an email address belongs to one user'
		]);
	});

	it('does not report an unchanged email as shared', () => {
		// bsmith keeps his address; jdoe tries to take it: only jdoe's row fails (already used).
		const p = preview(sheet(['1001', 'jdoe', '', 'bsmith@springfield.example'], ['1001', 'bsmith', '', 'bsmith@springfield.example']));
		expect(p.rows[0].errors.map((e) => e.reason)).toEqual([
			'Email "bsmith@springfield.example" is already used by user bsmith in account 1001'
		]);
		expect(p.rows[1].status).toBe('unchanged');
	});

	it('fails a row with a cell longer than a spreadsheet cell can hold, also in an ignored column', () => {
		const p = preview([
			['Account ID', 'Username', 'Name', 'Notes'],
			['1001', 'jdoe', 'Janet Doe', 'fine'],
			['1001', 'bsmith', 'Bobby', 'n'.repeat(32_768)]
		]);
		expect(p.rows[0].status).toBe('update');
		expect(p.rows[1].status).toBe('failed');
		expect(p.rows[1].errors.map((e) => e.message)).toEqual([
			'Row 3, Column D: 32,768 characters; a spreadsheet cell can hold at most 32,767. Shorten it and upload again.'
		]);
		expect(p.counts).toMatchObject({ update: 1, failed: 1 });
	});

	it('never applies a row with errors and applies every valid row', () => {
		const p = preview(sheet(['1001', 'jdoe', 'Ok Name'], ['1001', 'bsmith', 'Ok', 'bad@'], ['01015', 'ogden', '', '', 'Correct-Horse-1']));
		expect(p.rows.filter((r) => r.mutation).map((r) => r.row)).toEqual([2, 4]);
		expect(p.rows[1].mutation).toBeUndefined();
	});

	it('validates 100,000 rows in well under a second', () => {
		const institutions = Array.from({ length: 50 }, (_, i) => institution({ accountId: String(2000 + i), name: `School ${i}` }));
		const users = Array.from({ length: 100_000 }, (_, i) =>
			user({ accountId: String(2000 + (i % 50)), username: `user${i}`, name: `Person ${i}` })
		);
		const ctx = ruleContext({ institutions, users });
		const rows = sheet(
			...users.map((u, i) => [
				u.accountId,
				u.username,
				i % 2 ? `Renamed ${i}` : u.name,
				i % 3 ? '' : `new${i}@springfield.example`,
				i % 5 ? '' : 'Correct-Horse-1',
				'Student'
			])
		);
		const start = cpuStart();
		const p = buildPreview({ rows, fileName: 'big.xlsx', sheetName: 'Users', declaredCount: users.length }, ctx);
		const ms = cpuMsSince(start);
		expect(p.counts.rows).toBe(100_000);
		expect(p.counts.failed).toBe(0);
		console.log(`buildPreview 100,000 rows: ${ms.toFixed(0)} ms`);
		expect(ms).toBeLessThan(5000); // catches quadratic regressions (minutes), not noise; ~0.6-0.9 s on the 2-core dev VM
	});
});

describe('buildPreview progress', () => {
	it('reports rows checked as it goes', () => {
		const n = PROGRESS_EVERY * 2 + 7;
		const users = Array.from({ length: n }, (_, i) => user({ accountId: '1001', username: `p${i}` }));
		const rows = [HEADER.slice(), ...users.map((u) => [u.accountId, u.username, 'New Name', '', '', ''])];
		const seen: [number, number][] = [];
		buildPreview({ rows, fileName: 'f.csv', sheetName: 'f', declaredCount: n }, ruleContext({ users }), (done, total) =>
			seen.push([done, total])
		);
		expect(seen).toEqual([
			[PROGRESS_EVERY, n],
			[PROGRESS_EVERY * 2, n]
		]);
	});
});
