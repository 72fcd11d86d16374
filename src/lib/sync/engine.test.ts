import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPreview } from '../domain/preview';
import { createRuleContext } from '../domain/rule-context';
import type { Institution, UserRecord } from '../domain/types';
import { getBatch } from '../storage/batches-repo';
import { db, wipeDatabase } from '../storage/db';
import { listInstitutions } from '../storage/institutions-repo';
import { setMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import { UsersChangedError } from '../storage/commit-batch-repo';
import { loadAllUsers, loadUserSnapshot, patchUsers, snapshotUsers } from '../storage/users-repo';
import { applyUpload } from './apply-upload';
import { downloadAll, pullChanges } from './download';
import { syncOnce } from './engine';
import { sealMany } from './password-vault';
import { MemoryPortal } from '../testing/memory-portal';
import { TransportError } from './transport';

const INSTITUTIONS: Institution[] = [
	{ accountId: '1001', name: 'Lincoln Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] }
];
const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

function portalWith(n: number): MemoryPortal {
	return new MemoryPortal(
		INSTITUTIONS,
		Array.from({ length: n }, (_, i) => ({
			accountId: '1001',
			username: `u${i}`,
			name: `User ${i}`,
			email: `u${i}@example.org`,
			role: 'Student'
		}))
	);
}

let portal: MemoryPortal;

async function signedIn(p: MemoryPortal) {
	await setMeta('owner', {
		username: 'admin',
		parentAccountId: '100',
		parentName: 'Springfield Public Schools',
		roles: ['Student', 'Teacher']
	});
	await downloadAll(p);
}

/** Uploads rows through the same code path as the worker's Apply (checked against a snapshot of the users). */
async function upload(rows: string[][], batchId = 'b1', beforeCommit?: () => Promise<void>) {
	const snapshot = await loadUserSnapshot();
	const ctx = createRuleContext({
		parent: { accountId: '100', name: 'Springfield Public Schools' },
		roles: ['Student', 'Teacher'],
		institutions: await listInstitutions(),
		users: snapshotUsers(snapshot)
	});
	const preview = buildPreview(
		{ rows: [HEADER, ...rows], fileName: `${batchId}.xlsx`, sheetName: 'Users', declaredCount: rows.length },
		ctx
	);
	expect(preview.blocking).toBeNull();
	await beforeCommit?.();
	return applyUpload(preview, ctx, { batchId, admin: 'admin', parentName: 'Springfield Public Schools' }, snapshot);
}

beforeEach(async () => {
	portal = portalWith(1200);
	await signedIn(portal);
});
afterEach(async () => {
	await wipeDatabase();
});

/** Syncs once; answers the password the portal was sent in the first pushed update. */
async function syncSeeingPassword(on: MemoryPortal): Promise<string> {
	let seen = '';
	const push = on.push.bind(on);
	on.push = async (request) => {
		const first = request.mutations[0];
		if (first.kind === 'user.update') seen = first.changes.password ?? '';
		return push(request);
	};
	await syncOnce(on);
	return seen;
}

describe('sync engine', () => {
	it('pushes a large queue in push-sized chunks, settles every row and finishes the batch', async () => {
		await upload(Array.from({ length: 1200 }, (_, i) => ['1001', `u${i}`, `Renamed ${i}`, '', '', '']));
		expect(await pendingMutationCount()).toBe(1200);
		// Three chunks of rows, then the upload's record for the portal's history in two parts.
		const chunks = await db().outbox.orderBy('id').toArray();
		expect(chunks.map((c) => [c.mutations.length, c.record?.part])).toEqual([
			[500, undefined],
			[500, undefined],
			[200, undefined],
			[0, 0],
			[0, 1]
		]);
		const result = await syncOnce(portal);
		expect(portal.pushes).toBe(5);
		expect(result.pushed).toBe(1200);
		expect(result.finishedBatches.map((b) => b.id)).toEqual(['b1']);
		expect(result.recordedBatches).toEqual(['b1']);
		expect((await getBatch('b1'))!.batch.history).toBe('recorded');
		const [kept] = (await portal.uploads(null, 10)).uploads;
		expect(kept).toMatchObject({ id: 'b1', fileName: 'b1.xlsx', admin: 'admin', counts: { rows: 1200, updated: 1200, queued: 0 } });
		const rowsOnPortal = await portal.uploadRows('b1', 0, 5000);
		expect(rowsOnPortal.rows[1199]).toMatchObject({
			row: 1201,
			status: 'Updated',
			applied: { accountId: '1001', username: 'u1199', fields: { name: { before: 'User 1199', after: 'Renamed 1199' } } }
		});
		expect(portal.appliedCount).toBe(1200);
		expect(await pendingMutationCount()).toBe(0);
		const { batch, rows } = (await getBatch('b1'))!;
		expect(batch.counts).toMatchObject({ rows: 1200, updated: 1200, queued: 0, failed: 0 });
		expect(rows.every((r) => r.status === 'Updated')).toBe(true);
	});

	it('an upload that changes nobody still reaches the portal’s history, with its rows as checked', async () => {
		await upload([['1001', 'u1', 'User 1', '', '', '']]);
		expect(await pendingMutationCount()).toBe(0);
		await syncOnce(portal);
		const rows = await portal.uploadRows('b1', 0, 10);
		expect(rows.upload.counts).toMatchObject({ rows: 1, unchanged: 1 });
		expect(rows.rows[0]).toMatchObject({ status: 'Unchanged', reason: 'No changes: the values match the current ones' });
	});

	it('the portal’s word on a rejected row reaches its history: a rejection there reads Failed with the reason', async () => {
		await upload([['1001', 'u1', 'Mine', '', '', '']]);
		portal.edit('1001', 'u1', { name: 'Theirs' });
		await syncOnce(portal);
		const [row] = (await portal.uploadRows('b1', 0, 10)).rows;
		expect(row).toMatchObject({ status: 'Failed', reason: 'Name was changed by someone else since this file was checked', changed: [] });
	});

	it('a dropped answer after the server applied is retried without a second effect', async () => {
		await upload([['1001', 'u1', 'Once', '', '', '']]);
		portal.dropAfterApply = 1;
		await expect(syncOnce(portal)).rejects.toMatchObject({ kind: 'offline' });
		expect(portal.appliedCount).toBe(1);
		expect(await pendingMutationCount()).toBe(1);
		await syncOnce(portal);
		expect(portal.appliedCount).toBe(1);
		expect(await pendingMutationCount()).toBe(0);
		expect((await getBatch('b1'))!.rows[0].status).toBe('Updated');
	});

	it('server errors leave the queue intact for the next attempt', async () => {
		await upload([['1001', 'u2', 'Later', '', '', '']]);
		portal.failNext = { count: 2, kind: 'server' };
		for (let i = 0; i < 2; i++) {
			const error = await syncOnce(portal).catch((e) => e);
			expect(error).toBeInstanceOf(TransportError);
			expect(error.retryable).toBe(true);
		}
		expect(await pendingMutationCount()).toBe(1);
		await syncOnce(portal);
		expect(portal.users.get('1001\u0000u2')?.name).toBe('Later');
	});

	it('a field changed by someone else is rejected with the conflict reason and rolled back locally; untouched rows apply', async () => {
		await upload([
			['1001', 'u3', '', 'mine@example.org', '', ''],
			['1001', 'u4', 'Fine', '', '', '']
		]);
		portal.edit('1001', 'u3', { email: 'theirs@example.org' });
		await syncOnce(portal);
		const { rows, batch } = (await getBatch('b1'))!;
		expect(rows.map((r) => [r.status, r.reason])).toEqual([
			['Failed', 'Email was changed by someone else since this file was checked'],
			['Updated', '']
		]);
		expect(batch.counts).toMatchObject({ updated: 1, failed: 1, queued: 0 });
		// The rollback restores the pre-upload value, then the pull brings the other person's edit.
		const local = await loadAllUsers();
		expect(local.find((u) => u.username === 'u3')?.email).toBe('theirs@example.org');
		expect(local.find((u) => u.username === 'u4')?.name).toBe('Fine');
	});

	it('refuses to commit a plan made against users that changed since (its rollback values would be wrong)', async () => {
		await expect(
			upload([['1001', 'u5', 'Mine', '', '', '']], 'b1', () =>
				patchUsers([{ accountId: '1001', username: 'u5', set: { name: 'Synced meanwhile' } }]).then(() => {})
			)
		).rejects.toBeInstanceOf(UsersChangedError);
		expect(await pendingMutationCount()).toBe(0);
		expect(await getBatch('b1')).toBeUndefined();
		expect((await loadAllUsers()).find((u) => u.username === 'u5')?.name).toBe('Synced meanwhile');
	});

	it('passwords travel to the server but are stored encrypted and deleted once acknowledged', async () => {
		await upload([['1001', 'u5', '', '', 'Correct-Horse-99', '']]);
		const stored = await db().outbox.toArray();
		expect(JSON.stringify(stored)).not.toContain('Correct-Horse-99');
		expect(stored[0].passwords?.data).toBeInstanceOf(ArrayBuffer);
		const seen = await syncSeeingPassword(portal);
		expect(seen).toBe('Correct-Horse-99');
		expect(await db().outbox.count()).toBe(0);
	});

	it('a chunk queued by an earlier build, each password sealed on its own, still sends its passwords', async () => {
		await upload([['1001', 'u7', '', '', 'Older-Build-Pass-1', '']]);
		const [chunk] = await db().outbox.toArray();
		const [sealed] = await sealMany(['Older-Build-Pass-1']);
		await db().outbox.put({ id: chunk.id, batchId: chunk.batchId, mutations: [{ ...chunk.mutations[0], password: sealed }] });
		const seen = await syncSeeingPassword(portal);
		expect(seen).toBe('Older-Build-Pass-1');
		expect(portal.passwordMatches('1001', 'u7', 'Older-Build-Pass-1')).toBe(true);
	});

	it('an expired session stops the pass with the queue kept', async () => {
		await upload([['1001', 'u6', 'After sign-in', '', '', '']]);
		portal.failNext = { count: 1, kind: 'unauthenticated' };
		await expect(syncOnce(portal)).rejects.toMatchObject({ kind: 'unauthenticated' });
		expect(await pendingMutationCount()).toBe(1);
		await syncOnce(portal);
		expect(await pendingMutationCount()).toBe(0);
	});
});

// ---- rolling back chains of queued changes ------------------------------------------------------
// Two uploads made offline can change the same field of one user: the second is checked against the
// first one's value, which the portal may never accept. Whatever the portal answers, the local copy
// must end up as the portal's copy, never a value only this device ever had.

const FIELDS = ['name', 'email', 'role'] as const;

async function local(username: string): Promise<UserRecord> {
	return (await loadAllUsers()).find((u) => u.username === username)!;
}

/** Every given user's visible fields, on this device and on the portal. */
async function expectSameAsPortal(on: MemoryPortal, usernames: string[]): Promise<void> {
	const mine = new Map((await loadAllUsers()).map((u) => [u.username, u]));
	const view = (u: UserRecord | undefined) => (u ? FIELDS.map((f) => `${f}=${u[f]}`).join(' ') : 'missing');
	for (const username of usernames) {
		expect(`${username}: ${view(mine.get(username))}`).toBe(`${username}: ${view(on.users.get(`1001\u0000${username}`))}`);
	}
}

/** The connection drops after `pushes` more pushes (each push is one upload's chunk). */
function dropConnectionAfter(on: MemoryPortal, pushes: number): () => void {
	const push = on.push;
	let left = pushes;
	on.push = async (request) => {
		if (left-- <= 0) throw new TransportError('offline', 'connection dropped');
		return push.call(on, request);
	};
	return () => {
		on.push = push;
	};
}

describe('rolling back a chain of queued changes to one field', () => {
	const email = (row: string[]) => ['1001', row[0], '', row[1], '', ''];

	it('two rejected email changes (the first address taken on the portal meanwhile) leave the portal email, not the first upload one', async () => {
		await upload([email(['u7', 'e1@example.org'])], 'b1');
		await upload([email(['u7', 'e2@example.org'])], 'b2');
		expect((await local('u7')).email).toBe('e2@example.org');
		portal.edit('1001', 'u8', { email: 'e1@example.org' });

		await syncOnce(portal);
		expect((await getBatch('b1'))!.rows[0]).toMatchObject({
			status: 'Failed',
			reason: 'Email "e1@example.org" is already used by another user'
		});
		expect((await getBatch('b2'))!.rows[0]).toMatchObject({
			status: 'Failed',
			reason: 'Email was changed by someone else since this file was checked'
		});
		expect((await local('u7')).email).toBe('u7@example.org');
		expect((await loadAllUsers()).filter((u) => u.email === 'e1@example.org').map((u) => u.username)).toEqual(['u8']);
		await expectSameAsPortal(portal, ['u7', 'u8']);
		// And it stays so: the next pass (a reload, a pull) has nothing to change it back with.
		await syncOnce(portal);
		await expectSameAsPortal(portal, ['u7', 'u8']);
	});

	it('applied, then rejected, then rejected: the applied value stays', async () => {
		await upload([email(['u7', 'e1@example.org'])], 'b1');
		await upload([email(['u7', 'e2@example.org'])], 'b2');
		await upload([email(['u7', 'e3@example.org'])], 'b3');
		portal.edit('1001', 'u8', { email: 'e2@example.org' });

		await syncOnce(portal);
		const statuses = await Promise.all(['b1', 'b2', 'b3'].map(async (id) => (await getBatch(id))!.rows[0].status));
		expect(statuses).toEqual(['Updated', 'Failed', 'Failed']);
		expect((await local('u7')).email).toBe('e1@example.org');
		await expectSameAsPortal(portal, ['u7', 'u8']);
	});

	it('rejections of one chain in two passes (the connection dropped in between) still end on the portal value', async () => {
		await upload([email(['u7', 'e1@example.org'])], 'b1');
		await upload([email(['u7', 'e2@example.org'])], 'b2');
		portal.edit('1001', 'u8', { email: 'e1@example.org' });

		const restore = dropConnectionAfter(portal, 1);
		await expect(syncOnce(portal)).rejects.toMatchObject({ kind: 'offline' });
		restore();
		expect((await getBatch('b1'))!.rows[0].status).toBe('Failed');
		// Upload 2 is still queued: the device keeps showing it until the portal answers.
		expect((await local('u7')).email).toBe('e2@example.org');

		await syncOnce(portal);
		expect((await getBatch('b2'))!.rows[0].status).toBe('Failed');
		expect((await local('u7')).email).toBe('u7@example.org');
		await expectSameAsPortal(portal, ['u7', 'u8']);
	});

	it('an applied change while a later one is queued: the queued value shows until it is answered', async () => {
		await upload([['1001', 'u7', 'First', '', '', '']], 'b1');
		await upload([['1001', 'u7', 'Second', '', '', 'Teacher']], 'b2');
		const restore = dropConnectionAfter(portal, 1);
		await expect(syncOnce(portal)).rejects.toMatchObject({ kind: 'offline' });
		restore();
		expect(await local('u7')).toMatchObject({ name: 'Second', role: 'Teacher' });
		portal.edit('1001', 'u7', { name: 'Theirs' });
		await syncOnce(portal);
		expect((await getBatch('b2'))!.rows[0]).toMatchObject({
			status: 'Failed',
			reason: 'Name was changed by someone else since this file was checked'
		});
		await expectSameAsPortal(portal, ['u7']);
		expect((await local('u7')).name).toBe('Theirs');
	});

	it('a rejected change followed by an applied one: the applied state, with the rejected field at the portal value', async () => {
		await upload([email(['u7', 'e1@example.org'])], 'b1');
		await upload([['1001', 'u7', 'Renamed', '', '', 'Teacher']], 'b2');
		await upload([email(['u7', 'u7@example.org'])], 'b3');
		portal.edit('1001', 'u8', { email: 'e1@example.org' });
		await syncOnce(portal);
		const statuses = await Promise.all(['b1', 'b2', 'b3'].map(async (id) => (await getBatch(id))!.rows[0].status));
		expect(statuses).toEqual(['Failed', 'Updated', 'Updated']);
		expect(await local('u7')).toMatchObject({ name: 'Renamed', role: 'Teacher', email: 'u7@example.org' });
		await expectSameAsPortal(portal, ['u7', 'u8']);
	});

	it('a pull while a change is queued keeps showing the change, and its rejection shows what the pull brought', async () => {
		await upload([['1001', 'u7', 'Mine', '', '', '']], 'b1');
		portal.edit('1001', 'u7', { name: 'Theirs' });
		await pullChanges(portal);
		expect((await local('u7')).name).toBe('Mine');
		await syncOnce(portal);
		expect((await getBatch('b1'))!.rows[0].status).toBe('Failed');
		expect((await local('u7')).name).toBe('Theirs');
		await expectSameAsPortal(portal, ['u7']);
	});

	it('any mix of uploads, edits on the portal and dropped connections ends with the portal copy of every user', async () => {
		// mulberry32: seeded, so a failure replays the same way.
		let seed = 20240611;
		const random = (n: number) => {
			seed = (seed + 0x6d2b79f5) | 0;
			let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
			t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
			return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
		};
		const emails = ['a@example.org', 'b@example.org', 'c@example.org'];
		let serverRejections = 0;
		for (let scenario = 0; scenario < 40; scenario++) {
			await wipeDatabase();
			const p = portalWith(4);
			await signedIn(p);
			// Someone else on the portal: u2 takes an address an upload may want, or u0/u1 get a new name.
			const interfere = () => {
				const free = emails.filter((e) => ![...p.users.values()].some((u) => u.email === e));
				if (random(3) && free.length) p.edit('1001', 'u2', { email: free[random(free.length)] });
				else p.edit('1001', `u${random(2)}`, { name: `Theirs ${random(3)}` });
			};
			const steps = 2 + random(5);
			for (let step = 0; step < steps; step++) {
				const row = ['1001', `u${random(2)}`, '', '', '', ''];
				const field = random(4);
				if (field === 0) row[2] = `Name ${random(3)}`;
				else if (field === 1) row[5] = random(2) ? 'Teacher' : 'Student';
				else row[3] = emails[random(emails.length)];
				await upload([row], `b${step}`);
				if (random(3) === 0) interfere();
				if (random(4) === 0) {
					const restore = dropConnectionAfter(p, random(3));
					await syncOnce(p).catch((e) => expect(e).toMatchObject({ kind: 'offline' }));
					restore();
				}
			}
			if (random(2)) interfere();
			const restore = dropConnectionAfter(p, random(steps + 1));
			await syncOnce(p).catch((e) => expect(e).toMatchObject({ kind: 'offline' }));
			restore();
			await syncOnce(p);
			expect(await pendingMutationCount()).toBe(0);
			// Nothing is queued, so no portal copy is kept either.
			expect((await db().userChunks.toArray()).filter((c) => c.portal)).toEqual([]);
			serverRejections += [...p.results.values()].filter((r) => r.status === 'rejected').length;
			await expectSameAsPortal(p, ['u0', 'u1', 'u2', 'u3']);
		}
		// The scenarios are only worth something if the portal really said no, and often.
		expect(serverRejections).toBeGreaterThan(20);
	});
});
