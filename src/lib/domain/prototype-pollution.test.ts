// The domain never keys plain objects by user data (header text, usernames, emails, roles, account IDs):
// lookups are Maps, column maps are keyed by our field names only. Values spelled like Object.prototype
// members behave like any other text, and Object.prototype is untouched afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapHeader, matchHeader, normalizeHeader } from './header-map';
import { buildPreview } from './preview';
import { createRuleContext } from './rule-context';
import { validateRow } from './row-rules';
import { institution, PARENT, ruleContext, sheet, user } from '../testing/factories';

const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
let before: string[];
beforeAll(() => {
	before = Object.getOwnPropertyNames(Object.prototype).sort();
});
function expectNoPollution() {
	expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(typeof {}.toString).toBe('function');
	expect({}.constructor).toBe(Object);
}
afterAll(() => expectNoPollution());

describe('header map', () => {
	it('headers named like prototype members match no template column', () => {
		for (const key of KEYS) {
			expect(matchHeader(key), key).toBeNull();
			expect(matchHeader(key.toUpperCase()), key).toBeNull();
			expect(matchHeader(` ${key} (required)`), key).toBeNull();
		}
		expect(normalizeHeader('__proto__')).toBe('proto');
	});

	it('they become unknown columns with a warning; the column map has our field names only', () => {
		const map = mapHeader([[...KEYS, 'Account ID', 'Username']])!;
		expect(map.columns).toEqual({ accountId: KEYS.length, username: KEYS.length + 1 });
		expect(Object.getPrototypeOf(map.columns)).toBe(Object.prototype);
		expect(map.unknown.map((u) => u.header)).toEqual(KEYS);
		expect(map.warnings).toHaveLength(KEYS.length);
		expect(map.errors).toEqual([]);
		expectNoPollution();
	});

	it('duplicate and missing-column rules are unaffected', () => {
		const map = mapHeader([['__proto__', 'Username', 'constructor', 'Username']])!;
		expect(map.errors.map((e) => e.reason)).toEqual([
			'The file has 2 "Username" columns (B "Username", D "Username"). Keep one and delete the others.',
			'The file has no "Account ID" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role.'
		]);
	});
});

describe('users, emails, roles and accounts spelled like prototype members', () => {
	const institutions = [institution(), institution({ accountId: '1003', name: 'constructor' })];
	const users = KEYS.map((key, i) => user({ username: key, email: `${key.replace(/_/g, 'x')}@springfield.example`, name: `User ${i}` }));
	const roles = ['Teacher', '__proto__', 'constructor'];

	it.each([
		['test-factories ruleContext', () => ruleContext({ institutions, users, roles })],
		['production createRuleContext', () => createRuleContext({ parent: PARENT, institutions, users, roles })]
	])('%s: lookups find exactly the users that exist', (_label, make) => {
		const ctx = make();
		for (const key of KEYS) expect(ctx.user('1001', key)?.username, key).toBe(key);
		expect(ctx.user('1001', 'valueof')?.username).toBe('valueOf');
		expect(ctx.user('1002', '__proto__')).toBeUndefined();
		expect(ctx.institution('__proto__')).toBeUndefined();
		expect(ctx.institution('constructor')).toBeUndefined();
		expect(ctx.emailOwner('__proto__')).toBeUndefined();
		expect(ctx.emailOwner('constructor')).toBeUndefined();
		expect(ctx.emailOwner('xxprotoxx@springfield.example')).toMatchObject({ accountId: '1001', username: '__proto__' });
		expectNoPollution();
	});

	it('a preview updates them, finds duplicates and conflicting emails, and refuses unknown ones', () => {
		const ctx = createRuleContext({ parent: PARENT, institutions, users, roles });
		const rows = sheet(
			['1001', '__proto__', 'Proto Renamed', '', '', 'constructor'],
			['1001', 'constructor', '', 'shared@springfield.example', '', ''],
			['1001', 'toString', '', 'shared@springfield.example', '', 'prototype'],
			['1001', 'hasOwnProperty', '', '', '', ''],
			['1001', 'HASOWNPROPERTY', '', '', '', ''],
			['1001', 'isprototypeof', '__proto__', '', '', '__PROTO__'],
			['1001', 'prototypeX', '', '', '', ''],
			['constructor', 'jdoe', '', '', '', '']
		);
		const p = buildPreview({ rows, fileName: 'f.csv', sheetName: 'f', declaredCount: 8 }, ctx);
		expect(p.blocking).toBeNull();
		const byRow = new Map(p.rows.map((r) => [r.row, r]));
		expect(byRow.get(2)).toMatchObject({ status: 'update', mutation: { changes: { name: 'Proto Renamed', role: 'constructor' } } });
		expect(byRow.get(3)!.errors.map((e) => e.reason)).toEqual([
			'Email "shared@springfield.example" is also in row 4; an email address belongs to one user'
		]);
		expect(byRow.get(4)!.errors.map((e) => e.reason)).toEqual([
			'Role "prototype" is not one of Teacher, __proto__, constructor',
			'Email "shared@springfield.example" is also in row 3; an email address belongs to one user'
		]);
		expect(byRow.get(5)!.errors.map((e) => e.reason)).toEqual([
			'Duplicate of row 6 (same Account ID and Username); none of these rows is processed'
		]);
		expect(byRow.get(7)).toMatchObject({ status: 'update', mutation: { changes: { name: '__proto__', role: '__proto__' } } });
		expect(byRow.get(8)!.errors.map((e) => e.reason)).toEqual(['User prototypeX not found in account 1001']);
		expect(byRow.get(9)!.errors.map((e) => e.reason)).toEqual(['Account ID "constructor" must contain digits only']);
		for (const r of p.rows) if (r.mutation) expect(Object.getPrototypeOf(r.mutation.changes)).toBe(Object.prototype);
		expectNoPollution();
	});

	it('validateRow with a hostile column map key set is not possible: only our field names are read', () => {
		const outcome = validateRow(['1001', 'jdoe', '__proto__'], 2, { accountId: 0, username: 1, name: 2 }, ruleContext());
		expect(outcome.mutation?.changes).toEqual({ name: '__proto__' });
		expectNoPollution();
	});
});
