import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../domain/types';
import { DirectoryService } from './service';

function users(n: number, accountId = '1001'): UserRecord[] {
	return Array.from({ length: n }, (_, i) => ({
		accountId,
		username: `user${i}`,
		name: `User ${i}`,
		email: `user${i}@example.org`,
		role: 'Student',
		rev: i
	}));
}

function loader(...generations: UserRecord[][]) {
	let calls = 0;
	const load = async () => generations[Math.min(calls++, generations.length - 1)];
	return { load, calls: () => calls };
}

const all = { query: '', accountId: '', page: 0, pageSize: 50 };

describe('DirectoryService', () => {
	it('pages through every user and counts them per account', async () => {
		const service = new DirectoryService(loader([...users(120), ...users(7, '01015')]).load);
		const first = await service.view(all);
		expect(first).toMatchObject({ total: 127, matchCount: 127, page: 0, pageCount: 3 });
		expect(first.users.map((u) => u.username).slice(0, 2)).toEqual(['user0', 'user1']);
		expect(new Map(first.counts)).toEqual(
			new Map([
				['1001', 120],
				['01015', 7]
			])
		);
		const last = await service.view({ ...all, page: 2 });
		expect(last.users.length).toBe(27);
	});

	it('clamps a page past the end to the last page, and a negative one to the first', async () => {
		const service = new DirectoryService(loader(users(120)).load);
		expect((await service.view({ ...all, page: 99 })).page).toBe(2);
		expect((await service.view({ ...all, page: -3 })).page).toBe(0);
	});

	it('searches every term in username, name, email and Account ID, within one account if asked', async () => {
		const service = new DirectoryService(loader([...users(30), ...users(30, '1002')]).load);
		const hits = await service.view({ ...all, query: '  USER2 example ' });
		expect(hits.matchCount).toBe(22); // user2 and user20-29, in both accounts
		expect(hits.total).toBe(60);
		const inOne = await service.view({ ...all, query: 'user2', accountId: '1002' });
		expect(inOne.matchCount).toBe(11);
		expect(inOne.users.every((u) => u.accountId === '1002')).toBe(true);
		expect((await service.view({ ...all, query: 'zzqx' })).matchCount).toBe(0);
		expect((await service.view({ ...all, query: 'zzqx' })).pageCount).toBe(1);
	});

	it('reads the users once until told they changed, then once more however many requests arrive meanwhile', async () => {
		const source = loader(users(5), users(8));
		const service = new DirectoryService(source.load);
		await Promise.all([service.view(all), service.view(all), service.view(all)]);
		expect(source.calls()).toBe(1);
		service.markStale();
		service.markStale();
		const views = await Promise.all([service.view(all), service.view({ ...all, query: 'user7' })]);
		expect(source.calls()).toBe(2);
		expect(views.map((v) => [v.total, v.matchCount])).toEqual([
			[8, 8],
			[8, 1]
		]);
	});

	it('a failed read is reported, and the next request tries again', async () => {
		let fail = true;
		const service = new DirectoryService(async () => {
			if (fail) throw new Error('disk on fire');
			return users(3);
		});
		await expect(service.view(all)).rejects.toThrow('disk on fire');
		fail = false;
		expect((await service.view(all)).total).toBe(3);
	});
});
