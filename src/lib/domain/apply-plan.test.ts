import { describe, expect, it } from 'vitest';
import { PASSWORD_MASK, planApply } from './apply-plan';
import { buildPreview } from './preview';
import { QUEUED_REASON } from './results';
import { ruleContext, sheet } from '../testing/factories';

const ctx = ruleContext();

function plan(...rows: string[][]) {
	const preview = buildPreview({ rows: sheet(...rows), fileName: 'f.xlsx', sheetName: 'Users', declaredCount: rows.length }, ctx);
	return { preview, plan: planApply(preview, ctx) };
}

describe('planApply', () => {
	const { preview, plan: result } = plan(
		['1001', 'JDOE', 'Janet Doe', '', 'Correct-Horse-1'], // update with a password, username in another case
		['1001', 'bsmith', '', 'bob.new@springfield.example'], // update, no password
		['1001', 'ghost'], // failed
		['01015', 'ogden', 'Ogden User'], // unchanged
		['1001', 'xwhite', '', '', '   '] // failed (unknown user), password cell only spaces
	);

	it('queues one mutation per update row, with the portal spelling of the username and the values it changes from', () => {
		expect(result.mutations).toEqual([
			{
				rowIndex: 0,
				accountId: '1001',
				username: 'jdoe',
				changes: { name: 'Janet Doe', password: 'Correct-Horse-1' },
				base: { name: 'Jane Doe' }
			},
			{
				rowIndex: 1,
				accountId: '1001',
				username: 'bsmith',
				changes: { email: 'bob.new@springfield.example' },
				base: { email: 'bsmith@springfield.example' }
			}
		]);
		expect(result.rows.map((r) => [r.status, r.mutationIndex])).toEqual([
			['Queued', 0],
			['Queued', 1],
			['Failed', undefined],
			['Unchanged', undefined],
			['Failed', undefined]
		]);
		expect(result.rows[0].reason).toBe(QUEUED_REASON);
	});

	it('never keeps a password in the rows it stores: "(set)" when one was given, blank when the cell was blank', () => {
		expect(result.rows.map((r) => r.cells[4] ?? '')).toEqual([PASSWORD_MASK, '', '', '', '']);
		expect(JSON.stringify(result.rows)).not.toContain('Correct-Horse-1');
		// Rows without a password keep the preview's cells as they are.
		expect(result.rows[1].cells).toBe(preview.rows[1].cells);
	});

	it('refuses a preview that was blocked (nothing may be applied)', () => {
		const blocked = buildPreview({ rows: sheet(['1001', 'jdoe', 'X']), fileName: 'f.xlsx', sheetName: 'Users', declaredCount: 2 }, ctx);
		expect(blocked.blocking).not.toBeNull();
		expect(() => planApply(blocked, ctx)).toThrow(/Nothing can be applied/);
	});
});

describe('planApply: adds', () => {
	it('queues an add with every field of the new user as the file spells its username, and masks its password', () => {
		const preview = buildPreview(
			{
				rows: sheet(['1001', 'jdoe', 'Janet Doe'], ['1001', 'New.Kid', 'New Kid', '', 'Correct-Horse-2', 'student']),
				fileName: 'f.xlsx',
				sheetName: 'Users',
				declaredCount: 2,
				action: 'add-or-update'
			},
			ctx
		);
		const result = planApply(preview, ctx);
		expect(result.mutations).toEqual([
			{ rowIndex: 0, accountId: '1001', username: 'jdoe', changes: { name: 'Janet Doe' }, base: { name: 'Jane Doe' } },
			{
				rowIndex: 1,
				accountId: '1001',
				username: 'New.Kid',
				changes: { name: 'New Kid', role: 'Student', password: 'Correct-Horse-2' },
				base: {},
				create: true
			}
		]);
		expect(result.rows[1]).toMatchObject({ status: 'Queued', changed: ['Name', 'Password', 'Role'], mutationIndex: 1 });
		expect(result.rows[1].cells[4]).toBe(PASSWORD_MASK);
	});
});
