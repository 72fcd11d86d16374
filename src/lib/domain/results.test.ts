import { describe, expect, it } from 'vitest';
import { buildPreview } from './preview';
import {
	finalizeRows,
	neutralizeFormula,
	QUEUED_REASON,
	spreadsheetText,
	summarize,
	outcomeSentence,
	type ApplyOutcome,
	type FinalStatus
} from './results';
import { ruleContext, sheet } from '../testing/factories';

const ctx = ruleContext();
const rows = sheet(
	['1001', 'jdoe', 'Janet Doe', '', 'Correct-Horse-1'], // update: applied
	['1001', 'bsmith', 'Bobby'], // update: rejected by the server
	['01015', 'ogden', '', '', '', 'Teacher'], // update: queued (no answer)
	['1001', 'ghost'], // failed
	['1002', 'gwen', '', '', 'Correct-Horse-1'] // unchanged, with a warning
);

describe('finalizeRows', () => {
	const preview = buildPreview({ rows, fileName: 'f.xlsx', sheetName: 'Users', declaredCount: 5 }, ctx);
	const answers: Record<string, ApplyOutcome> = {
		jdoe: { status: 'applied' },
		bsmith: { status: 'rejected', reason: 'Name was changed by someone else since your download; upload again' }
	};
	const final = finalizeRows(preview, (row) => answers[row.username]);

	it('gives every row a final status, reason and changed fields', () => {
		expect(final.map((r) => [r.row, r.status, r.reason, r.changed])).toEqual([
			[2, 'Updated', '', ['Name', 'Password']],
			[3, 'Failed', 'Name was changed by someone else since your download; upload again', []],
			[4, 'Queued', QUEUED_REASON, ['Role']],
			[5, 'Failed', 'User ghost not found in account 1001', []],
			[6, 'Unchanged', 'Password is ignored: account 1002 uses Google sign-in', []]
		]);
	});

	it('reconciles the counts', () => {
		const summary = summarize(final);
		expect(summary).toEqual({ rows: 5, added: 0, updated: 1, unchanged: 1, failed: 2, queued: 1 });
		expect(summary.updated + summary.unchanged + summary.failed + summary.queued).toBe(summary.rows);
		expect(outcomeSentence(summary)).toBe('1 row updated, 2 rows had errors, 1 row queued to sync.');
		expect(outcomeSentence({ updated: 12_000, failed: 1 })).toBe('12,000 rows updated, 1 row had errors.');
		expect(outcomeSentence({ updated: 0, failed: 1, queued: 2 })).toBe('0 rows updated, 1 row had errors, 2 rows queued to sync.');
	});

	it('fails every row of a blocked preview with the blocking reason', () => {
		const blocked = buildPreview({ rows, fileName: 'f.xlsx', sheetName: 'Users', declaredCount: 7 }, ctx);
		const out = finalizeRows(blocked, () => ({ status: 'applied' }));
		expect(out.every((r) => r.status === 'Failed' && r.reason.startsWith('Not processed: You entered 7, the file has 5 user rows'))).toBe(
			true
		);
		expect(summarize(out).failed).toBe(5);
	});

	it('summarize always reconciles', () => {
		const statuses: FinalStatus[] = ['Updated', 'Unchanged', 'Failed', 'Queued'];
		for (let n = 0; n < 50; n++) {
			const list = Array.from({ length: n }, (_, i) => ({ status: statuses[(i * 7 + n) % 4] }));
			const s = summarize(list);
			expect(s.rows).toBe(n);
			expect(s.updated + s.unchanged + s.failed + s.queued).toBe(n);
		}
	});
});

describe('neutralizeFormula', () => {
	it.each([
		['=SUM(A1:A2)', "'=SUM(A1:A2)"],
		['+1', "'+1"],
		['-1', "'-1"],
		['@cmd', "'@cmd"],
		['\t=1', "'\t=1"],
		['\r=1', "'\r=1"],
		['Jane Doe', 'Jane Doe'],
		['a=b', 'a=b'],
		['', ''],
		["'already", "'already"]
	])('%j -> %j', (input, output) => expect(neutralizeFormula(input)).toBe(output));
});

describe('spreadsheetText', () => {
	it('leaves text that fits alone, apart from the formula guard', () => {
		expect(spreadsheetText('Jane Doe')).toBe('Jane Doe');
		expect(spreadsheetText('=1')).toBe("'=1");
		expect(spreadsheetText('x'.repeat(32_767))).toBe('x'.repeat(32_767));
	});

	it('never returns more than a cell holds, even when the guard adds its quote', () => {
		const guarded = spreadsheetText(`=${'x'.repeat(32_766)}`);
		expect(guarded.length).toBeLessThanOrEqual(32_767);
		expect(guarded.startsWith("'=x")).toBe(true);
		expect(guarded).toMatch(/shortened/);
		for (const n of [32_768, 40_000, 1_000_000]) expect(spreadsheetText('y'.repeat(n)).length).toBeLessThanOrEqual(32_767);
	});

	it('does not split a character made of two UTF-16 units', () => {
		for (const pad of [0, 1]) {
			const text = spreadsheetText('a'.repeat(pad) + '😀'.repeat(20_000));
			expect(text.length).toBeLessThanOrEqual(32_767);
			expect(text.isWellFormed()).toBe(true);
		}
	});
});

describe('added rows', () => {
	it('count and read as added, before the updated rows; an upload without adds reads as before', () => {
		expect(summarize([{ status: 'Added' }, { status: 'Added' }, { status: 'Updated' }, { status: 'Failed' }])).toEqual({
			rows: 4,
			added: 2,
			updated: 1,
			unchanged: 0,
			failed: 1,
			queued: 0
		});
		expect(outcomeSentence({ added: 2, updated: 1, failed: 1, queued: 3 })).toBe(
			'2 rows added, 1 row updated, 1 row had errors, 3 rows queued to sync.'
		);
		expect(outcomeSentence({ added: 0, updated: 1, failed: 0 })).toBe('1 row updated, 0 rows had errors.');
	});

	it('an add the portal applied is Added with every field it set; one it rejected Failed with its reason', () => {
		const preview = buildPreview(
			{
				rows: sheet(
					['1001', 'kid.one', 'Kid One', '', 'Secret-pass-1', 'Student'],
					['1001', 'kid.two', 'Kid Two', '', 'Secret-pass-2', 'Student']
				),
				fileName: 'add.xlsx',
				sheetName: 'Users',
				declaredCount: 2,
				action: 'add'
			},
			ruleContext()
		);
		const rows = finalizeRows(preview, (row) =>
			row.username === 'kid.one' ? { status: 'applied' } : { status: 'rejected', reason: 'Username kid.two was taken' }
		);
		expect(rows.map((r) => [r.status, r.reason, r.changed])).toEqual([
			['Added', '', ['Name', 'Password', 'Role']],
			['Failed', 'Username kid.two was taken', []]
		]);
	});
});
