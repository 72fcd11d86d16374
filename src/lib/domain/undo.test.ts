import { describe, expect, it } from 'vitest';
import type { HistoryRow } from './history';
import { QUEUED_REASON } from './results';
import { CHANGED_SINCE, passwordsStaySentence, planUndo } from './undo';
import { userKey, type User } from './types';

function applied(row: number, username: string, fields: NonNullable<HistoryRow['applied']>['fields'], password = false): HistoryRow {
	return {
		row,
		cells: ['1001', username],
		status: 'Updated',
		reason: '',
		changed: [],
		applied: { accountId: '1001', username, fields, password }
	};
}

function users(...list: User[]) {
	const map = new Map(list.map((u) => [userKey(u.accountId, u.username), u]));
	return (accountId: string, username: string) => map.get(userKey(accountId, username));
}

const u = (username: string, over: Partial<User> = {}): User => ({
	accountId: '1001',
	username,
	name: 'New name',
	email: `${username}@new.example`,
	role: 'Teacher',
	...over
});

describe('undo of an upload', () => {
	it('gives every field still holding the uploaded value its old value back, with the uploaded value as base', () => {
		const plan = planUndo(
			[
				applied(2, 'jdoe', {
					name: { before: 'Old name', after: 'New name' },
					email: { before: 'jdoe@old.example', after: 'jdoe@new.example' }
				})
			],
			users(u('jdoe'))
		);
		expect(plan.views[0]).toEqual({
			row: 2,
			accountId: '1001',
			username: 'jdoe',
			status: 'restore',
			fields: [
				{ field: 'Name', now: 'New name', back: 'Old name' },
				{ field: 'Email', now: 'jdoe@new.example', back: 'jdoe@old.example' }
			],
			notes: []
		});
		expect(plan.apply.mutations).toEqual([
			{
				rowIndex: 0,
				accountId: '1001',
				username: 'jdoe',
				changes: { name: 'Old name', email: 'jdoe@old.example' },
				base: { name: 'New name', email: 'jdoe@new.example' }
			}
		]);
		expect(plan.apply.rows[0]).toMatchObject({ status: 'Queued', reason: QUEUED_REASON, changed: ['Name', 'Email'], mutationIndex: 0 });
		expect(plan.counts).toMatchObject({ rows: 1, users: 1, fieldsRestored: 2, fieldsKept: 0, notRestored: 0 });
	});

	it('leaves a field someone changed since alone and says so, restoring the row’s other fields', () => {
		const plan = planUndo(
			[applied(3, 'asmith', { name: { before: 'Old', after: 'New name' }, role: { before: 'Student', after: 'Teacher' } })],
			users(u('asmith', { name: 'Edited later' }))
		);
		expect(plan.views[0].fields).toEqual([
			{ field: 'Name', now: 'Edited later', note: CHANGED_SINCE },
			{ field: 'Role', now: 'Teacher', back: 'Student' }
		]);
		expect(plan.apply.mutations[0].changes).toEqual({ role: 'Student' });
		expect(plan.apply.rows[0].reason).toBe(`${QUEUED_REASON}; Name: changed since this upload; not restored`);
		expect(plan.counts).toMatchObject({ users: 1, fieldsRestored: 1, fieldsKept: 1 });
	});

	it('counts passwords that stay changed, and rows with nothing to give back as not restored', () => {
		const plan = planUndo(
			[
				applied(2, 'pw', {}, true),
				applied(3, 'gone', { name: { before: 'A', after: 'B' } }),
				applied(4, 'edited', { email: { before: 'a@x.example', after: 'edited@new.example' } }),
				{ row: 5, cells: [], status: 'Failed', reason: 'nope', changed: [] }
			],
			users(u('pw'), u('edited', { email: 'someone-else@x.example' }))
		);
		expect(plan.counts).toEqual({ rows: 3, users: 0, fieldsRestored: 0, fieldsKept: 1, passwordsStay: 1, addedStay: 0, notRestored: 3 });
		expect(plan.apply.mutations).toEqual([]);
		expect(plan.apply.rows.map((r) => [r.row, r.status, r.reason])).toEqual([
			[2, 'Unchanged', 'Password changes cannot be taken back'],
			[3, 'Unchanged', 'User gone not found in account 1001; not restored'],
			[4, 'Unchanged', 'Email: changed since this upload; not restored']
		]);
		expect(passwordsStaySentence(1)).toBe('Password changes cannot be taken back: 1 user keeps the new password this upload set.');
		expect(passwordsStaySentence(2431)).toBe(
			'Password changes cannot be taken back: 2,431 users keep their new passwords this upload set.'
		);
	});

	it('an undo of an undo is the same plan again: the undo’s rows say what it set', () => {
		const undo = applied(2, 'jdoe', { name: { before: 'New name', after: 'Old name' } });
		const plan = planUndo([undo], users(u('jdoe', { name: 'Old name' })));
		expect(plan.apply.mutations[0]).toMatchObject({ changes: { name: 'New name' }, base: { name: 'Old name' } });
	});
});
