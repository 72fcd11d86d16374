// The rules of a row that adds a user (User Add, and User Add with User Update), and the decision of
// whether a row adds or updates. The update rules themselves are in row-rules.test.ts.
import { describe, expect, it } from 'vitest';
import type { BulkAction } from './bulk-action';
import { bulkActionOf } from './bulk-action';
import { checkNewUsername } from './field-rules';
import { mapHeader } from './header-map';
import { buildPreview } from './preview';
import { finishRow, validateRow, type RowOutcome } from './row-rules';
import { HEADER, ruleContext, sheet } from '../testing/factories';

const columns = mapHeader([[...HEADER]])!.columns;

function add(cells: string[], action: BulkAction = 'add'): RowOutcome {
	return finishRow(validateRow(cells, 2, columns, ruleContext(), undefined, action));
}
const messages = (o: RowOutcome) => o.errors.map((e) => e.message);
const warnings = (o: RowOutcome) => o.warnings.map((w) => w.message);

describe('bulkActionOf: the ticked boxes', () => {
	it.each([
		[true, false, 'add'],
		[false, true, 'update'],
		[true, true, 'add-or-update'],
		[false, false, null]
	])('User Add %s, User Update %s -> %s', (addBox, updateBox, action) => expect(bulkActionOf(addBox, updateBox)).toBe(action));
});

describe('checkNewUsername: 3-64 letters, digits and . _ -', () => {
	it.each(['abc', 'j.doe', 'j_doe-2', 'A'.repeat(64), 'ALL.CAPS'])('takes %j', (name) => expect(checkNewUsername(name)).toBeNull());
	it.each([
		['ab', 'Username "ab" has 2 characters; a new username needs 3 to 64. Choose another and upload again.'],
		['a'.repeat(65), `Username "${'a'.repeat(60)}…" has 65 characters; a new username needs 3 to 64. Choose another and upload again.`],
		['jane doe', 'Username "jane doe" may only hold letters, digits and . _ - (no spaces or accents). Choose another and upload again.'],
		['josé', 'Username "josé" may only hold letters, digits and . _ - (no spaces or accents). Choose another and upload again.'],
		['a@b', 'Username "a@b" may only hold letters, digits and . _ - (no spaces or accents). Choose another and upload again.']
	])('refuses %j', (name, reason) => expect(checkNewUsername(name)).toBe(reason));
});

describe('validateRow: User Add', () => {
	it('adds a user to a password account with every field, role in its own spelling, password never shown', () => {
		const o = add(['1001', 'new.kid', 'New Kid', 'new.kid@springfield.example', 'Secret-pass-1', 'student']);
		expect(o.status).toBe('add');
		expect(o.errors).toEqual([]);
		expect(o.mutation).toEqual({
			changes: { name: 'New Kid', email: 'new.kid@springfield.example', role: 'Student', password: 'Secret-pass-1' },
			base: {},
			create: true
		});
		expect(o.diff).toEqual([
			{ field: 'name', from: '', to: 'New Kid' },
			{ field: 'email', from: '', to: 'new.kid@springfield.example' },
			{ field: 'password', from: '', to: '', secret: true },
			{ field: 'role', from: '', to: 'Student' }
		]);
	});

	it('lets Email stay blank in a password account', () => {
		expect(add(['1001', 'noemail', 'No Email', '', 'Secret-pass-1', 'Teacher']).status).toBe('add');
	});

	it('fails a username taken in that account, in any letter case, and says what to do', () => {
		const o = add(['1001', 'JDOE', 'Another Jane', 'other@springfield.example', 'Secret-pass-1', 'Teacher']);
		expect(o.status).toBe('failed');
		expect(messages(o)).toEqual([
			'Row 2, Username JDOE is already taken in account 1001 (as "jdoe"). Choose another username, or tick User Update to change that user.'
		]);
	});

	it('takes a username another account has', () => {
		expect(add(['01015', 'jdoe', 'Jane Again', 'jane.again@ogdenville.example', 'Secret-pass-1', 'Teacher']).status).toBe('add');
	});

	it('holds a new username to the rule', () => {
		expect(messages(add(['1001', 'x', 'X', '', 'Secret-pass-1', 'Teacher']))).toEqual([
			'Row 2, Username: "x" has 1 character; a new username needs 3 to 64. Choose another and upload again.'
		]);
	});

	it('requires Name, Role and (with password sign-in) Password, each naming what to enter', () => {
		expect(messages(add(['1001', 'blank.kid', '', '', '', '']))).toEqual([
			'Row 2, Name is required to add a user. Fill it in and upload again.',
			'Row 2, Password is required to add a user to account 1001, which uses password sign-in (8 to 128 characters, not the username). Fill it in and upload again.',
			'Row 2, Role is required to add a user: one of Teacher, Student, Administrator. Fill it in and upload again.'
		]);
	});

	it('requires an Email of the Google domain with Google sign-in, and ignores a Password there with a warning', () => {
		expect(messages(add(['1002', 'gnew', 'G New', '', '', 'Student']))).toEqual([
			'Row 2, Email is required to add a user to account 1002, which uses Google sign-in (@shelbyville.edu). Fill it in and upload again.'
		]);
		expect(messages(add(['1002', 'gnew', 'G New', 'gnew@gmail.com', '', 'Student']))).toEqual([
			'Row 2, Email: "gnew@gmail.com" does not match the Google sign-in domain of account 1002 (@shelbyville.edu)'
		]);
		const o = add(['1002', 'gnew', 'G New', 'gnew@shelbyville.edu', 'Secret-pass-1', 'Student']);
		expect(o.status).toBe('add');
		expect(o.mutation?.changes).toEqual({ name: 'G New', email: 'gnew@shelbyville.edu', role: 'Student' });
		expect(warnings(o)).toEqual(['Row 2, Password is ignored: account 1002 uses Google sign-in']);
	});

	it('checks the password policy and the email rules like an update', () => {
		expect(messages(add(['1001', 'pw.kid', 'Pw Kid', 'not-an-email', 'pw.kid', 'Janitor']))).toEqual([
			'Row 2, Email: "not-an-email" is not a valid email address',
			'Row 2, Password is too short (6 characters; at least 8)',
			'Row 2, Role: "Janitor" is not one of Teacher, Student, Administrator'
		]);
		expect(messages(add(['1001', 'longpass', 'Long Pass', '', 'LONGPASS', 'Teacher']))).toEqual([
			'Row 2, Password must not be the same as the username'
		]);
	});

	it('keeps an email to one user of the parent: an existing user’s address fails the row', () => {
		expect(messages(add(['01015', 'copycat', 'Copy Cat', 'BSMITH@springfield.example', 'Secret-pass-1', 'Student']))).toEqual([
			'Row 2, Email: "BSMITH@springfield.example" is already used by user bsmith in account 1001'
		]);
	});

	it('stops at a foreign account like an update', () => {
		expect(messages(add(['9999', 'new.kid', 'New Kid', '', 'Secret-pass-1', 'Student']))).toEqual([
			'Row 2, Account ID: Account 9999 is not a child account of Springfield Public Schools; row not processed'
		]);
	});
});

describe('validateRow: User Add and User Update both ticked', () => {
	it('updates a row whose Account ID + Username exists (in any letter case), and adds one whose does not', () => {
		const updated = add(['1001', 'BSmith', 'Robert Smith', '', '', ''], 'add-or-update');
		expect(updated.status).toBe('update');
		expect(updated.mutation).toEqual({ changes: { name: 'Robert Smith' }, base: { name: 'Bob Smith' } });
		const added = add(['1001', 'csmith', 'Cara Smith', '', 'Secret-pass-1', 'Student'], 'add-or-update');
		expect(added.status).toBe('add');
		expect(added.mutation?.create).toBe(true);
	});

	it('holds an existing user’s row to the update rules only: blank cells keep values, nothing is required', () => {
		const o = add(['1001', 'jdoe', '', '', '', ''], 'add-or-update');
		expect(o.status).toBe('unchanged');
	});

	it('holds a new user’s row to the add rules', () => {
		expect(messages(add(['1001', 'csmith', 'Cara Smith', '', '', ''], 'add-or-update'))).toEqual([
			'Row 2, Password is required to add a user to account 1001, which uses password sign-in (8 to 128 characters, not the username). Fill it in and upload again.',
			'Row 2, Role is required to add a user: one of Teacher, Student, Administrator. Fill it in and upload again.'
		]);
	});

	it('User Update alone still fails an unknown user', () => {
		expect(messages(add(['1001', 'csmith', 'Cara Smith', '', 'Secret-pass-1', 'Student'], 'update'))).toEqual([
			'Row 2, Username: User csmith not found in account 1001'
		]);
	});
});

describe('buildPreview: rules across the new rows', () => {
	const preview = (action: BulkAction, ...rows: string[][]) =>
		buildPreview({ rows: sheet(...rows), fileName: 'new.xlsx', sheetName: 'Users', declaredCount: rows.length, action }, ruleContext());

	it('fails both rows adding one username (in any letter case), as duplicates do', () => {
		const p = preview(
			'add',
			['1001', 'twin', 'Twin One', '', 'Secret-pass-1', 'Student'],
			['1001', 'TWIN', 'Twin Two', '', 'Secret-pass-2', 'Student'],
			['1001', 'single', 'Single', '', 'Secret-pass-3', 'Student']
		);
		expect(p.rows.map((r) => [r.row, r.status, r.errors.map((e) => e.reason)])).toEqual([
			[2, 'failed', ['Duplicate of row 3 (same Account ID and Username); none of these rows is processed']],
			[3, 'failed', ['Duplicate of row 2 (same Account ID and Username); none of these rows is processed']],
			[4, 'add', []]
		]);
		expect(p.counts).toMatchObject({ rows: 3, add: 1, update: 0, failed: 2 });
	});

	it('fails new rows sharing an email, and a new row taking the address an update row gives another user', () => {
		const p = preview(
			'add-or-update',
			['1001', 'ann', 'Ann', 'shared@springfield.example', 'Secret-pass-1', 'Student'],
			['01015', 'ben', 'Ben', 'SHARED@springfield.example', 'Secret-pass-2', 'Student'],
			['1001', 'bsmith', '', 'moved@springfield.example', '', ''],
			['1001', 'cal', 'Cal', 'moved@springfield.example', 'Secret-pass-3', 'Student']
		);
		expect(p.rows.map((r) => [r.row, r.status, r.errors.map((e) => e.reason)])).toEqual([
			[2, 'failed', ['Email "shared@springfield.example" is also in row 3; an email address belongs to one user']],
			[3, 'failed', ['Email "SHARED@springfield.example" is also in row 2; an email address belongs to one user']],
			[4, 'failed', ['Email "moved@springfield.example" is also in row 5; an email address belongs to one user']],
			[5, 'failed', ['Email "moved@springfield.example" is also in row 4; an email address belongs to one user']]
		]);
	});

	it('counts adds and updates apart, and says which is which per row', () => {
		const p = preview(
			'add-or-update',
			['1001', 'jdoe', 'Janet Doe', '', '', ''],
			['1001', 'newbie', 'New Bie', '', 'Secret-pass-1', 'Teacher'],
			['1001', 'bsmith', '', '', '', '']
		);
		expect(p.rows.map((r) => r.status)).toEqual(['update', 'add', 'unchanged']);
		expect(p.counts).toMatchObject({ rows: 3, add: 1, update: 1, unchanged: 1, failed: 0 });
		expect(p.action).toBe('add-or-update');
	});
});
