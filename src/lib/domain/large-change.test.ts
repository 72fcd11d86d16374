import { describe, expect, it } from 'vitest';
import {
	confirmsLargeChange,
	DEFAULT_LARGE_CHANGE,
	isLargeChange,
	largeChangeAccountText,
	largeChangeFieldsText,
	largeChangeOf,
	largeChangeSentence
} from './large-change';
import { buildPreview } from './preview';
import { ruleContext, sheet, user, INSTITUTIONS } from '../testing/factories';

describe('large-change gate', () => {
	it('closes above 10 % of the parent’s users and from 50 users on, by default', () => {
		expect(isLargeChange(300, 2400, DEFAULT_LARGE_CHANGE)).toBe(true);
		expect(isLargeChange(240, 2400, DEFAULT_LARGE_CHANGE)).toBe(false);
		expect(isLargeChange(241, 2400, DEFAULT_LARGE_CHANGE)).toBe(true);
		expect(isLargeChange(49, 100, DEFAULT_LARGE_CHANGE)).toBe(false);
		expect(isLargeChange(50, 100, DEFAULT_LARGE_CHANGE)).toBe(true);
		expect(isLargeChange(12, 2400, DEFAULT_LARGE_CHANGE)).toBe(false);
		expect(isLargeChange(3, 20, { percent: 5, minUsers: 1 })).toBe(true);
	});

	it('counts users, fields and each child account’s share from the preview', () => {
		const users = Array.from({ length: 60 }, (_, i) => user({ username: `u${i}`, email: `u${i}@springfield.example` }));
		const ctx = ruleContext({ users });
		const rows = users.slice(0, 55).map((u, i) => ['1001', u.username, i < 5 ? 'Renamed' : '', `new${i}@springfield.example`, '', '']);
		const preview = buildPreview({ rows: sheet(...rows), fileName: 'f.csv', sheetName: 'Users', declaredCount: 55 }, ctx);
		const totals = new Map([
			['1001', 60],
			['1002', 40]
		]);
		const gate = largeChangeOf(preview, totals, (id) => INSTITUTIONS.find((i) => i.accountId === id), DEFAULT_LARGE_CHANGE);
		expect(gate).toMatchObject({ users: 55, parentUsers: 100, fields: { email: 55, name: 5, role: 0, password: 0 } });
		expect(gate!.accounts).toEqual([{ accountId: '1001', name: 'Springfield Elementary', changed: 55, total: 60 }]);
		expect(largeChangeFieldsText(gate!.fields)).toBe('55 emails, 5 names, 0 roles');
		expect(largeChangeAccountText(gate!.accounts[0])).toBe('Springfield Elementary (1001): 55 of 60 users (92 %)');
		expect(largeChangeSentence(gate!)).toBe('This upload changes 55 users: 55 % of the 100 users of your parent account.');
		expect(largeChangeOf(preview, totals, () => undefined, { percent: 60, minUsers: 1 })).toBeNull();
	});

	it('is confirmed only by exactly the number of users, with or without thousands separators', () => {
		for (const typed of ['2431', '2,431', ' 2,431 ', '2.431', '2 431', '2\u202f431', "2'431"]) {
			expect(confirmsLargeChange(typed, 2431), typed).toBe(true);
		}
		for (const typed of ['', '2430', '24,31', '2,4310', '2,431.0', '2431 users', '2,431,', '2.431,0', '2,431.431', 'two thousand']) {
			expect(confirmsLargeChange(typed, 2431), typed).toBe(false);
		}
		expect(confirmsLargeChange('1,234,567', 1_234_567)).toBe(true);
		expect(confirmsLargeChange('1,234.567', 1_234_567)).toBe(false);
		expect(confirmsLargeChange('300', 300)).toBe(true);
	});
});

describe('large-change gate and User Add', () => {
	it('does not count added users: an add overwrites no one (a start-of-year roster is a large add by design)', () => {
		const rows = Array.from({ length: 80 }, (_, i) => ['1001', `new${i}`, `New ${i}`, '', 'Secret-pass-1', 'Student']);
		rows.push(['1001', 'jdoe', 'Renamed Jane', '', '', '']);
		const preview = buildPreview(
			{ rows: sheet(...rows), fileName: 'f.csv', sheetName: 'Users', declaredCount: rows.length, action: 'add-or-update' },
			ruleContext()
		);
		expect(preview.counts).toMatchObject({ add: 80, update: 1 });
		const totals = new Map([['1001', 4]]);
		expect(largeChangeOf(preview, totals, () => undefined, { percent: 10, minUsers: 1 })).toMatchObject({ users: 1 });
		expect(largeChangeOf(preview, totals, () => undefined, DEFAULT_LARGE_CHANGE)).toBeNull();
	});
});
