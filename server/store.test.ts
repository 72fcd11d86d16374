// Tests of crash recovery (journal replay, torn last line), pull indexing and session expiry, without HTTP.
import { appendFile, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore, SignInThrottle } from './auth';
import { applyPush } from './push';
import { PortalStore } from './store';
import { CHEAP_COST, removeDir, tempDir, testDataset } from './test-helpers';

let dir: string;

beforeAll(async () => {
	dir = await tempDir('store');
});

afterAll(async () => {
	await removeDir(dir);
});

const scope = { adminUsername: 'admin', parent: { accountId: '100', name: 'Springfield Public Schools' } };

describe('store', () => {
	it('recovers commits from the journal after a crash and ignores a torn last line', async () => {
		const live = path.join(dir, 'live');
		const store = await PortalStore.open({ dir: live, dataset: testDataset(), seedCosts: { user: CHEAP_COST, admin: CHEAP_COST } });
		const request = {
			protocolVersion: 1 as const,
			clientId: 'crash-client',
			mutations: [
				{
					id: 1,
					batchId: 'b',
					kind: 'user.update' as const,
					accountId: '1001',
					username: 'jdoe',
					changes: { name: 'After Crash' },
					base: {}
				}
			]
		};
		await store.withLock(async () => {
			const outcome = await applyPush(store.state, scope, request, new Map(), CHEAP_COST);
			if (outcome.record) await store.commit(outcome.record);
		});

		// "Crash": copy the files as they are on disk while the store is still open, plus a half-written line.
		const crashed = path.join(dir, 'crashed');
		await mkdir(crashed);
		for (const f of ['state.json', 'journal.ndjson']) await copyFile(path.join(live, f), path.join(crashed, f));
		await appendFile(path.join(crashed, 'journal.ndjson'), '{"seq":99,"applied":5,"us');
		await store.close();

		const logs: string[] = [];
		const recovered = await PortalStore.open({ dir: crashed, dataset: testDataset(), log: (l) => logs.push(l) });
		try {
			expect(recovered.seeded).toBe(false);
			expect(recovered.state.getUser('1001', 'JDOE')?.name).toBe('After Crash');
			expect(recovered.state.clients.get('admin\u0000crash-client')?.lastAppliedId).toBe(1);
			expect(recovered.state.appliedMutationCount).toBe(1);
			expect(logs.join()).toContain('incomplete last journal entry');
		} finally {
			await recovered.close();
		}
	});

	it('sees a push’s own earlier rows while leaving the state untouched until the record is committed', async () => {
		const store = await PortalStore.open({
			dir: path.join(dir, 'draft'),
			dataset: testDataset(),
			seedCosts: { user: CHEAP_COST, admin: CHEAP_COST }
		});
		try {
			const seq = store.state.seq;
			const row = (id: number, username: string, email: string) => ({
				id,
				batchId: 'b',
				kind: 'user.update' as const,
				accountId: '1001',
				username,
				changes: { email },
				base: {}
			});
			const request = {
				protocolVersion: 1 as const,
				clientId: 'draft-client',
				// jdoe frees his address for asmith; jnunez then collides with jdoe's new one.
				mutations: [
					row(1, 'jdoe', 'john@example.org'),
					row(2, 'asmith', 'jdoe@example.org'),
					row(3, 'jnunez', 'JOHN@example.org'),
					row(4, 'jdoe', 'j.doe@example.org')
				]
			};
			const outcome = await store.withLock(() => applyPush(store.state, scope, request, new Map(), CHEAP_COST));
			expect(outcome.results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'applied']);
			expect(outcome.results[3]).toMatchObject({ user: { email: 'j.doe@example.org', rev: seq + 3 } });
			expect(store.state.seq).toBe(seq);
			expect(store.state.getUser('1001', 'jdoe')?.email).toBe('jdoe@example.org');
			expect(store.state.clients.has('admin\u0000draft-client')).toBe(false);

			await store.withLock(() => store.commit(outcome.record!));
			expect(store.state.seq).toBe(seq + 3);
			expect(store.state.getUser('1001', 'jdoe')).toMatchObject({ email: 'j.doe@example.org', appliedCount: 2 });
			expect(store.state.emailTakenByOther('100', 'JDOE@example.org', '1001\u0000jdoe')).toBe(true);
			expect(store.state.clients.get('admin\u0000draft-client')?.lastAppliedId).toBe(4);
		} finally {
			await store.close();
		}
	});

	it('replays a push that came back to a user it had already changed', async () => {
		const live = path.join(dir, 'revisit');
		const store = await PortalStore.open({ dir: live, dataset: testDataset(), seedCosts: { user: CHEAP_COST, admin: CHEAP_COST } });
		const seq = store.state.seq;
		const row = (id: number, username: string, name: string) => ({
			id,
			batchId: 'b',
			kind: 'user.update' as const,
			accountId: '1001',
			username,
			changes: { name },
			base: {}
		});
		const request = {
			protocolVersion: 1 as const,
			clientId: 'revisit-client',
			mutations: [row(1, 'jdoe', 'J One'), row(2, 'asmith', 'A Two'), row(3, 'jdoe', 'J Three')]
		};
		await store.withLock(async () => {
			const outcome = await applyPush(store.state, scope, request, new Map(), CHEAP_COST);
			if (outcome.record) await store.commit(outcome.record);
		});
		const crashed = path.join(dir, 'revisit-crashed');
		await mkdir(crashed);
		for (const f of ['state.json', 'journal.ndjson']) await copyFile(path.join(live, f), path.join(crashed, f));
		await store.close();

		const recovered = await PortalStore.open({ dir: crashed, dataset: testDataset() });
		try {
			expect(recovered.state.pull('100', seq, 10).users.map((u) => [u.username, u.name, u.rev])).toEqual([
				['asmith', 'A Two', seq + 2],
				['jdoe', 'J Three', seq + 3]
			]);
		} finally {
			await recovered.close();
		}
	});

	it('refuses a second open of the same directory', async () => {
		const d = path.join(dir, 'locked');
		const store = await PortalStore.open({ dir: d, dataset: testDataset(), seedCosts: { user: CHEAP_COST, admin: CHEAP_COST } });
		await expect(PortalStore.open({ dir: d, dataset: testDataset() })).rejects.toThrow(/already open/);
		await store.close();
	});

	it('keeps pull order and counts right while users are rewritten many times', async () => {
		const d = path.join(dir, 'index');
		const store = await PortalStore.open({ dir: d, dataset: testDataset(3000), seedCosts: { user: CHEAP_COST, admin: CHEAP_COST } });
		try {
			const state = store.state;
			// Enough rewrites to trigger index compaction.
			for (let round = 0; round < 3; round++) {
				for (let i = 0; i < 1500; i++) {
					const u = state.getUser(i % 2 ? '1001' : '01003', `user${i}`);
					if (u) state.putUser({ ...u, name: `round ${round}`, rev: ++state.seq });
				}
			}
			const all = state.pull('100', 0, 100_000);
			expect(all.users.length).toBe(state.userCount('100'));
			expect(new Set(all.users.map((u) => `${u.accountId}/${u.username}`)).size).toBe(all.users.length);
			const revs = all.users.map((u) => u.rev);
			expect([...revs].sort((a, b) => a - b)).toEqual(revs);
		} finally {
			await store.close();
		}
	});
});

describe('sessions and throttling', () => {
	it('expires idle sessions and slides the deadline on use', () => {
		let now = 0;
		const sessions = new SessionStore(1000, () => now);
		const token = sessions.create('admin', '100');
		now = 900;
		expect(sessions.touch(token)).toBeDefined();
		now = 1800;
		expect(sessions.touch(token)).toBeDefined();
		now = 2801;
		expect(sessions.touch(token)).toBeUndefined();
	});

	it('counts an attempt while its password is still being checked, and takes back only a success', () => {
		const throttle = new SignInThrottle({ perUsername: 2, perAddress: 3, windowMs: 60_000 }, () => 0);
		const first = throttle.admit('admin', '10.0.0.1');
		expect(throttle.admit('admin', '10.0.0.1')).toHaveProperty('succeeded');
		expect(throttle.admit('admin', '10.0.0.1')).toEqual({ retryAfterSeconds: 60 });
		if (!('succeeded' in first)) throw new Error('first attempt refused');
		first.succeeded();
		// The username starts over; the address still counts the other, unresolved attempt (1 of 3).
		expect(throttle.admit('admin', '10.0.0.1')).toHaveProperty('succeeded');
		expect(throttle.admit('other', '10.0.0.1')).toHaveProperty('succeeded');
		expect(throttle.admit('third', '10.0.0.1')).toEqual({ retryAfterSeconds: 60 });
	});

	it('limits failures per address across usernames and lifts the limit after the window', () => {
		let now = 0;
		const throttle = new SignInThrottle({ perUsername: 5, perAddress: 3, windowMs: 60_000 }, () => now);
		for (const u of ['a', 'b', 'c']) expect(throttle.admit(u, '10.0.0.1')).toHaveProperty('succeeded');
		expect(throttle.admit('d', '10.0.0.1')).toEqual({ retryAfterSeconds: 60 });
		expect(throttle.admit('d', '10.0.0.2')).toHaveProperty('succeeded');
		now = 60_001;
		expect(throttle.admit('d', '10.0.0.1')).toHaveProperty('succeeded');
	});
});
