// End-to-end tests of the JSON API over real HTTP against an in-process server (port 0, temp state dir).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	apiErrorSchema,
	institutionsResponseSchema,
	pullResponseSchema,
	pushResponseSchema,
	sessionInfoSchema,
	type Mutation,
	type UserUpdate
} from '../src/lib/sync/protocol';
import type { PortalServer } from './app';
import { ADMIN_100, ADMIN_200, TestClient, removeDir, startServer, tempDir, testDataset } from './test-helpers';

let dir: string;
let portal: PortalServer;
let admin: TestClient;
let shelby: TestClient;

beforeAll(async () => {
	dir = await tempDir('api');
	portal = await startServer({ stateDir: dir, faults: true, dataset: testDataset(5000), rateLimit: { perUsername: 5, perAddress: 1000 } });
	admin = new TestClient(portal.url);
	shelby = new TestClient(portal.url);
	expect((await admin.signIn(ADMIN_100)).status).toBe(200);
	expect((await shelby.signIn(ADMIN_200)).status).toBe(200);
});

afterAll(async () => {
	await portal?.close();
	await removeDir(dir);
});

let clientSeq = 0;
/** A fresh client id per test, so mutation ids start at 1 and tests stay independent. */
function newClientId(): string {
	return `test-client-${++clientSeq}-${Date.now()}`;
}

function mutation(id: number, m: Partial<UserUpdate> & Pick<UserUpdate, 'accountId' | 'username' | 'changes'>): UserUpdate {
	return { id, batchId: 'batch-1', kind: 'user.update', base: {}, ...m };
}

function push(client: TestClient, clientId: string, mutations: Mutation[], key = `${clientId}:${mutations[0].id}`) {
	return client.call('POST', '/api/push', { protocolVersion: 1, clientId, mutations }, { 'Idempotency-Key': key });
}

async function userState(accountId: string, username: string) {
	const res = await admin.call('GET', `/api/__test/state?accountId=${accountId}&username=${username}`);
	expect(res.status).toBe(200);
	return res.body;
}

describe('session', () => {
	it('signs in, sets a strict HttpOnly cookie and answers GET /api/session', async () => {
		const c = new TestClient(portal.url);
		const res = await c.signIn(ADMIN_100);
		expect(res.status).toBe(200);
		expect(sessionInfoSchema.parse(res.body)).toMatchObject({
			admin: { username: 'admin' },
			parent: { accountId: '100', name: 'Springfield Public Schools' }
		});
		const cookie = res.headers.get('set-cookie') ?? '';
		expect(cookie).toMatch(/^portal_session=[A-Za-z0-9_-]{43}; /);
		expect(cookie).toContain('HttpOnly');
		expect(cookie).toContain('SameSite=Strict');
		expect(cookie).toContain('Path=/');
		expect(cookie).not.toContain('Secure');
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect((await c.call('GET', '/api/session')).body.admin.username).toBe('admin');

		expect((await c.call('DELETE', '/api/session')).status).toBe(204);
		expect((await c.call('GET', '/api/session')).status).toBe(401);
	});

	it('answers wrong password and unknown user alike, then rate-limits the username', async () => {
		const c = new TestClient(portal.url);
		const wrong = await c.signIn({ username: 'shelby-admin', password: 'nope-nope' });
		const unknown = await c.signIn({ username: 'nobody', password: 'nope-nope' });
		expect(wrong.status).toBe(401);
		expect(unknown.status).toBe(401);
		expect(apiErrorSchema.parse(wrong.body).error.message).toBe('Wrong username or password');
		expect(unknown.body.error.message).toBe(wrong.body.error.message);
		for (let i = 0; i < 4; i++) expect((await c.signIn({ username: 'SHELBY-admin', password: `wrong-${i}` })).status).toBe(401);
		const limited = await c.signIn({ username: 'shelby-admin', password: ADMIN_200.password });
		expect(limited.status).toBe(429);
		expect(limited.body.error.retryAfterSeconds).toBeGreaterThan(0);
		expect(limited.body.error.message).toMatch(/^Too many sign-in attempts; try again in \d+ s$/);
		expect(limited.headers.get('retry-after')).toBe(String(limited.body.error.retryAfterSeconds));
		// The already signed-in session is unaffected, and a reset clears the throttle for later tests.
		expect((await shelby.call('GET', '/api/session')).status).toBe(200);
		await admin.call('POST', '/api/__test/reset');
	});

	it('requires a session on every other route', async () => {
		const anon = new TestClient(portal.url);
		for (const [method, route] of [
			['GET', '/api/institutions'],
			['GET', '/api/pull'],
			['POST', '/api/push']
		] as const) {
			const res = await anon.call(method, route, method === 'POST' ? {} : undefined);
			expect(res.status).toBe(401);
			expect(res.body.error.code).toBe('unauthenticated');
		}
	});

	it('ends all sessions through the test hook', async () => {
		const c = new TestClient(portal.url);
		await c.signIn(ADMIN_100);
		await c.call('POST', '/api/__test/expire-sessions');
		expect((await c.call('GET', '/api/institutions')).status).toBe(401);
		await admin.signIn(ADMIN_100);
		await shelby.signIn(ADMIN_200);
	});
});

describe('scoping', () => {
	it('lists only the admin’s own institutions', async () => {
		const mine = institutionsResponseSchema.parse((await admin.call('GET', '/api/institutions')).body);
		expect(mine.institutions.map((i) => i.accountId)).toEqual(['1001', '1002', '01003']);
		expect(mine.institutions[1]).toMatchObject({ signIn: 'google', googleDomains: ['schools.example.org'] });
		const theirs = institutionsResponseSchema.parse((await shelby.call('GET', '/api/institutions')).body);
		expect(theirs.institutions.map((i) => i.accountId)).toEqual(['2001']);
	});

	it('pulls only the admin’s own users', async () => {
		const page = pullResponseSchema.parse((await shelby.call('GET', '/api/pull?cursor=0&limit=5000')).body);
		expect(page.total).toBe(2);
		expect(page.users.every((u) => u.accountId === '2001')).toBe(true);
	});

	it('refuses pushes into another parent’s account without revealing anything about it', async () => {
		const clientId = newClientId();
		const res = await push(shelby, clientId, [
			mutation(1, { accountId: '1001', username: 'jdoe', changes: { name: 'Hacked' } }),
			mutation(2, { accountId: '9999', username: 'jdoe', changes: { name: 'Hacked' } })
		]);
		const body = pushResponseSchema.parse(res.body);
		const reason = 'Account 1001 is not a child account of Shelbyville Library System; row not processed';
		expect(body.results[0]).toEqual({ id: 1, status: 'rejected', code: 'forbidden', reason });
		// An existing foreign account and a nonexistent one are indistinguishable.
		expect(body.results[1]).toEqual({ id: 2, status: 'rejected', code: 'forbidden', reason: reason.replace('1001', '9999') });
		expect((await userState('1001', 'jdoe')).user.name).toBe('John Doe');
	});
});

describe('pull', () => {
	it('pages 5,000+ users exactly once, then returns only later changes', async () => {
		const seen = new Set<string>();
		let cursor = '0';
		let pages = 0;
		let total: number;
		for (;;) {
			const res = await admin.call('GET', `/api/pull?cursor=${cursor}&limit=1000`);
			const page = pullResponseSchema.parse(res.body);
			total = page.total;
			for (const u of page.users) {
				const key = `${u.accountId}/${u.username}`;
				expect(seen.has(key)).toBe(false);
				seen.add(key);
			}
			expect(page.users.length).toBeLessThanOrEqual(1000);
			cursor = page.cursor;
			pages++;
			if (!page.hasMore) break;
		}
		expect(total).toBe(5005);
		expect(seen.size).toBe(total);
		expect(pages).toBe(6);
		expect(seen.has('01003/zbronte')).toBe(true);

		const empty = pullResponseSchema.parse((await admin.call('GET', `/api/pull?cursor=${cursor}`)).body);
		expect(empty).toMatchObject({ users: [], hasMore: false, cursor });

		await admin.call('POST', '/api/__test/edit-user', { accountId: '1001', username: 'user7', changes: { name: 'Renamed Seven' } });
		await admin.call('POST', '/api/__test/edit-user', { accountId: '2001', username: 'jdoe', changes: { name: 'Not visible to 100' } });
		const later = pullResponseSchema.parse((await admin.call('GET', `/api/pull?cursor=${cursor}`)).body);
		expect(later.users.map((u) => [u.username, u.name])).toEqual([['user7', 'Renamed Seven']]);
		expect(Number(later.cursor)).toBeGreaterThan(Number(cursor));
	});

	it('clamps the page size and rejects a bad cursor', async () => {
		const page = pullResponseSchema.parse((await admin.call('GET', '/api/pull?cursor=0&limit=999999')).body);
		expect(page.users.length).toBe(5000);
		expect(page.hasMore).toBe(true);
		expect((await admin.call('GET', '/api/pull?cursor=abc')).status).toBe(400);
	});
});

describe('push', () => {
	it('applies, answers a replay with the stored results, and applies only once', async () => {
		const clientId = newClientId();
		const before = await userState('1001', 'asmith');
		const mutations = [
			mutation(1, {
				accountId: '1001',
				username: 'ASMITH',
				changes: { name: 'Alice Smythe', role: 'teacher' },
				base: { name: 'Alice Smith', role: 'Teacher' }
			}),
			mutation(2, { accountId: '1001', username: 'ghost', changes: { name: 'Nobody' } })
		];
		const first = await push(admin, clientId, mutations);
		expect(first.status).toBe(200);
		const body = pushResponseSchema.parse(first.body);
		expect(body.lastAppliedId).toBe(2);
		expect(body.results[0]).toMatchObject({ status: 'applied', user: { username: 'asmith', name: 'Alice Smythe', role: 'Teacher' } });
		expect(body.results[1]).toEqual({ id: 2, status: 'rejected', code: 'not_found', reason: 'User ghost not found in account 1001' });

		const after = await userState('1001', 'asmith');
		expect(after.appliedMutationCount).toBe(before.appliedMutationCount + 1);
		expect(after.user.rev).toBeGreaterThan(before.user.rev);

		const replay = await push(admin, clientId, mutations);
		expect(replay.body).toEqual(first.body);
		expect((await userState('1001', 'asmith')).appliedMutationCount).toBe(after.appliedMutationCount);

		// A push overlapping the applied ids: the old part is replayed, the new part applied.
		const overlap = await push(admin, clientId, [
			mutations[1],
			mutation(3, { accountId: '1001', username: 'asmith', changes: { role: 'Librarian' } })
		]);
		expect(overlap.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'applied']);
		expect(overlap.body.lastAppliedId).toBe(3);
	});

	it('refuses a gap with 409 and the expected id, applying nothing', async () => {
		const clientId = newClientId();
		await push(admin, clientId, [mutation(1, { accountId: '1001', username: 'jnunez', changes: { role: 'Teacher' } })]);
		const res = await push(admin, clientId, [mutation(3, { accountId: '1001', username: 'jnunez', changes: { name: 'Skipped' } })]);
		expect(res.status).toBe(409);
		expect(apiErrorSchema.parse(res.body).error).toMatchObject({ code: 'gap', expectedId: 2 });
		expect((await userState('1001', 'jnunez')).user.name).toBe('José Núñez');
	});

	it('checks the Idempotency-Key, id contiguity and the protocol version', async () => {
		const clientId = newClientId();
		const m = [mutation(1, { accountId: '1001', username: 'jnunez', changes: { name: 'X' } })];
		expect((await push(admin, clientId, m, `${clientId}:2`)).status).toBe(400);
		const split = [m[0], mutation(3, { accountId: '1001', username: 'jnunez', changes: { name: 'Y' } })];
		expect((await push(admin, clientId, split)).status).toBe(400);
		const old = await admin.call(
			'POST',
			'/api/push',
			{ protocolVersion: 0, clientId, mutations: m },
			{ 'Idempotency-Key': `${clientId}:1` }
		);
		expect(old.status).toBe(426);
		const invalid = await admin.call(
			'POST',
			'/api/push',
			{ protocolVersion: 1, clientId, mutations: [] },
			{ 'Idempotency-Key': `${clientId}:1` }
		);
		expect(invalid.status).toBe(400);
		expect(invalid.body.error.code).toBe('bad_request');
	});

	it('rejects a change to a field someone else changed, naming every such field', async () => {
		await admin.call('POST', '/api/__test/edit-user', {
			accountId: '01003',
			username: 'zbronte',
			changes: { name: 'Zoe Bronte', email: 'zoe@example.org' }
		});
		const clientId = newClientId();
		const res = await push(admin, clientId, [
			mutation(1, { accountId: '01003', username: 'zbronte', changes: { name: 'Zoë B.' }, base: { name: 'Zoë Brontë' } }),
			mutation(2, {
				accountId: '01003',
				username: 'zbronte',
				changes: { name: 'Zoë C.', email: 'z@example.org' },
				base: { name: 'Zoë Brontë', email: 'zbronte@example.org' }
			}),
			// Agreeing with the other edit is not a conflict.
			mutation(3, {
				accountId: '01003',
				username: 'zbronte',
				changes: { name: 'Zoe Bronte', role: 'Teacher' },
				base: { name: 'Zoë Brontë', role: 'Librarian' }
			})
		]);
		const results = pushResponseSchema.parse(res.body).results;
		expect(results[0]).toMatchObject({
			status: 'rejected',
			code: 'conflict',
			reason: 'Name was changed by someone else since this file was checked'
		});
		expect(results[1]).toMatchObject({
			status: 'rejected',
			code: 'conflict',
			reason: 'Name and Email were changed by someone else since this file was checked'
		});
		expect(results[2]).toMatchObject({ status: 'applied', user: { name: 'Zoe Bronte', role: 'Teacher' } });
	});

	it('re-validates fields: Google domain, duplicate email, password policy, role', async () => {
		const clientId = newClientId();
		const res = await push(admin, clientId, [
			mutation(1, { accountId: '1002', username: 'gteach', changes: { email: 'grace@gmail.com' } }),
			mutation(2, { accountId: '1001', username: 'jdoe', changes: { email: 'ASMITH@example.org' } }),
			mutation(3, { accountId: '1001', username: 'jdoe', changes: { password: 'short' } }),
			mutation(4, { accountId: '1001', username: 'jdoe', changes: { role: 'Janitor', email: 'not an email' } }),
			mutation(5, { accountId: '1002', username: 'gteach', changes: { email: 'grace.t@schools.example.org' } }),
			// Emails only need to be unique within the parent: parent 200 has jane@shelby.example.net.
			mutation(6, { accountId: '1001', username: 'jnunez', changes: { email: 'jane@shelby.example.net' } })
		]);
		const r = pushResponseSchema.parse(res.body).results;
		expect(r[0]).toMatchObject({
			code: 'validation',
			reason: expect.stringContaining('does not match the Google sign-in domain of account 1002 (@schools.example.org)')
		});
		expect(r[1]).toMatchObject({ code: 'validation', reason: 'Email "ASMITH@example.org" is already used by another user' });
		expect(r[2]).toMatchObject({ code: 'validation', reason: expect.stringMatching(/^Password is too short/) });
		expect(r[3]).toMatchObject({
			code: 'validation',
			reason: expect.stringMatching(/not a valid email address; Role "Janitor" is not one of/)
		});
		expect(r[4]).toMatchObject({ status: 'applied', user: { email: 'grace.t@schools.example.org' } });
		expect(r[5]).toMatchObject({ status: 'applied' });
		expect(res.body.lastAppliedId).toBe(6);
	});

	it('stores passwords only as hashes, of updated and of created users alike', async () => {
		const secret = 'Plaintext-Must-Not-Leak-91';
		const created = 'Created-Must-Not-Leak-92';
		const res = await push(admin, newClientId(), [
			mutation(1, { accountId: '1001', username: 'jdoe', changes: { password: secret } }),
			{
				id: 2,
				batchId: 'b-api',
				kind: 'user.create',
				accountId: '1001',
				username: 'newbie',
				fields: { name: 'New Bie', email: '', role: 'Student', password: created }
			}
		]);
		expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);
		expect(JSON.stringify(res.body)).not.toContain(secret);
		expect(JSON.stringify(res.body)).not.toContain(created);
		const check = await admin.call('POST', '/api/__test/check-password', { accountId: '1001', username: 'jdoe', password: secret });
		expect(check.body.matches).toBe(true);
		const checkCreated = await admin.call('POST', '/api/__test/check-password', {
			accountId: '1001',
			username: 'newbie',
			password: created
		});
		expect(checkCreated.body.matches).toBe(true);
		for (const file of await readdir(dir)) {
			if (file === 'no-build-here') continue;
			const content = await readFile(path.join(dir, file), 'utf8');
			expect(content).not.toContain(secret);
			expect(content).not.toContain(created);
			expect(content).not.toContain('Initial-pass-1');
			expect(content).not.toContain(ADMIN_100.password);
		}
	});
});

describe('faults and limits', () => {
	it('loses the answer of an applied push; the retry gets the stored result', async () => {
		const clientId = newClientId();
		const m = [mutation(1, { accountId: '1001', username: 'user1', changes: { name: 'Dropped Answer' } })];
		await admin.call('POST', '/api/__test/faults', { dropAfterApply: 1 });
		await expect(push(admin, clientId, m)).rejects.toThrow();
		const applied = await userState('1001', 'user1');
		expect(applied.user.name).toBe('Dropped Answer');
		const retry = await push(admin, clientId, m);
		expect(retry.body.results[0]).toMatchObject({ status: 'applied', user: { name: 'Dropped Answer', rev: applied.user.rev } });
		expect((await userState('1001', 'user1')).userAppliedMutationCount).toBe(applied.userAppliedMutationCount);
	});

	it('fails the next N requests with the chosen status', async () => {
		await admin.call('POST', '/api/__test/faults', { failNext: 2, status: 500 });
		expect((await admin.call('GET', '/api/institutions')).status).toBe(500);
		const second = await admin.call('GET', '/api/pull?cursor=0&limit=1');
		expect(second.status).toBe(500);
		expect(second.body.error.code).toBe('fault_injected');
		expect((await admin.call('GET', '/api/institutions')).status).toBe(200);
	});

	it('answers pulls in small pages, then drops the connection of every pull after N, until told otherwise', async () => {
		await admin.call('POST', '/api/__test/faults', { pullLimit: 7, dropPullsAfter: 2 });
		const first = await admin.call('GET', '/api/pull?cursor=0&limit=5000');
		expect(first.body.users.length).toBe(7);
		expect((await admin.call('GET', `/api/pull?cursor=${first.body.cursor}&limit=5000`)).body.users.length).toBe(7);
		await expect(admin.call('GET', '/api/pull?cursor=0&limit=5000')).rejects.toThrow();
		expect((await admin.call('GET', '/api/institutions')).status).toBe(200);
		await admin.call('POST', '/api/__test/faults', { pullLimit: 0, dropPullsAfter: -1 });
		expect((await admin.call('GET', '/api/pull?cursor=0&limit=20')).body.users.length).toBe(20);
	});

	it('refuses bodies over the limit with 413, unknown routes with 404, all as JSON errors', async () => {
		const big = await admin.call('POST', '/api/push', JSON.stringify({ protocolVersion: 1, pad: 'x'.repeat(1024 * 1024 + 10) }));
		expect(big.status).toBe(413);
		expect(apiErrorSchema.parse(big.body).error.code).toBe('payload_too_large');
		const unknown = await admin.call('GET', '/api/nope');
		expect(unknown.status).toBe(404);
		expect(apiErrorSchema.parse(unknown.body).error.code).toBe('not_found');
		const notJson = await admin.call('POST', '/api/session', 'username=admin', { 'content-type': 'application/x-www-form-urlencoded' });
		expect(notJson.status).toBe(415);
	});

	it('resets to the initial dataset with revs that keep growing', async () => {
		const before = await userState('1001', 'user1');
		expect(before.user.name).toBe('Dropped Answer');
		expect((await admin.call('POST', '/api/__test/reset')).status).toBe(200);
		const after = await userState('1001', 'user1');
		expect(after.user).toMatchObject({ name: 'User 1', email: 'user1@example.org' });
		expect(
			(await admin.call('POST', '/api/__test/check-password', { accountId: '1001', username: 'jdoe', password: 'Initial-pass-1' })).body
				.matches
		).toBe(true);
		expect(after.user.rev).toBeGreaterThan(before.seq);
		expect(after.appliedMutationCount).toBe(0);
	});
});

describe('persistence', () => {
	it('keeps applied changes and exactly-once records across a restart; refuses test routes without --faults', async () => {
		const restartDir = await tempDir('restart');
		try {
			let server = await startServer({ stateDir: restartDir });
			let c = new TestClient(server.url);
			await c.signIn(ADMIN_100);
			const clientId = newClientId();
			const m = [
				mutation(1, { accountId: '1001', username: 'jdoe', changes: { email: 'john@example.org' }, base: { email: 'jdoe@example.org' } })
			];
			const first = await push(c, clientId, m);
			expect(first.body.results[0].status).toBe('applied');
			expect((await c.call('POST', '/api/__test/reset')).status).toBe(404);
			await server.close();

			// A different dataset must not override existing state.
			server = await startServer({ stateDir: restartDir, dataset: { ...testDataset(), users: [] } });
			c = new TestClient(server.url);
			await c.signIn(ADMIN_100);
			const page = pullResponseSchema.parse((await c.call('GET', '/api/pull?cursor=0')).body);
			expect(page.users.find((u) => u.username === 'jdoe' && u.accountId === '1001')?.email).toBe('john@example.org');
			const replay = await push(c, clientId, m);
			expect(replay.body).toEqual(first.body);
			expect(server.store.state.appliedMutationCount).toBe(1);
			await server.close();
		} finally {
			await removeDir(restartDir);
		}
	});
});
