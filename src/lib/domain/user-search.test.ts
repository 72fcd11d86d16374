import { describe, expect, it } from 'vitest';
import type { UserRecord } from './types';
import { UserSearch } from './user-search';

const NAMES = ['Ann Lee', 'Bob Smith', 'José Núñez', 'Zoë Brontë', 'Min-jun Lee', 'ANNA SMITHSON', 'İlker Şahin'];

function users(n: number): UserRecord[] {
	return Array.from({ length: n }, (_, i) => ({
		accountId: i % 4 === 0 ? '01015' : '1001',
		username: `u${i}${NAMES[i % NAMES.length].split(' ')[0].toLowerCase()}`,
		name: NAMES[i % NAMES.length],
		email: i % 9 === 0 ? '' : `user${i}@example.org`,
		role: 'Student',
		rev: i
	}));
}

/** The rule, spelled out slowly: every term somewhere in username, name, email or Account ID. */
function naive(list: UserRecord[], query: string, accountId = ''): number[] {
	const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
	return list.flatMap((u, i) => {
		if (accountId && u.accountId !== accountId) return [];
		const text = `${u.username}\u0001${u.name}\u0001${u.email}\u0001${u.accountId}`.toLowerCase();
		return terms.every((t) => text.includes(t)) ? [i] : [];
	});
}

describe('UserSearch', () => {
	const list = users(500);

	it('finds what the plain rule finds, for one term, several, within an account, and nothing', () => {
		const search = new UserSearch(list);
		for (const [query, account] of [
			['smith', ''],
			['SMITH  ann', ''],
			['lee 1001', ''],
			['ñ', '01015'],
			['u1', '1001'],
			['example.org u2', ''],
			['zzqx', ''],
			['', '01015'],
			['i̇lker', ''],
			['1015', '']
		] as const) {
			expect([...search.search(query, account)], `${query} in ${account || 'all'}`).toEqual(naive(list, query, account));
		}
	});

	it('narrows a query that extends the last one to the last matches, and gets the same answer as a fresh search', () => {
		const search = new UserSearch(list);
		const typed = 'u12 smith';
		for (let k = 1; k <= typed.length; k++) {
			const query = typed.slice(0, k);
			expect([...search.search(query)], query).toEqual(naive(list, query));
		}
		// Deleting back (not an extension) searches everything again.
		expect([...search.search('u1')]).toEqual(naive(list, 'u1'));
		expect([...search.search('u1', '01015')]).toEqual(naive(list, 'u1', '01015'));
	});

	it('never matches across two users, and finds the last user', () => {
		const two: UserRecord[] = [
			{ accountId: '1', username: 'ab', name: 'x', email: '', role: 'Student', rev: 1 },
			{ accountId: '2', username: 'cd', name: 'y', email: '', role: 'Student', rev: 2 }
		];
		const search = new UserSearch(two);
		expect(search.search('1cd')).toEqual([]);
		expect(search.search('cd')).toEqual([1]);
		expect(search.search('2')).toEqual([1]);
	});
});
