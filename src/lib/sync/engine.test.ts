import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPreview } from '../domain/preview';
import { createRuleContext } from '../domain/rule-context';
import type { Institution } from '../domain/types';
import { getBatch } from '../storage/batches-repo';
import { db, wipeDatabase } from '../storage/db';
import { listInstitutions } from '../storage/institutions-repo';
import { setMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import { UsersChangedError } from '../storage/commit-batch-repo';
import { loadAllUsers, loadUserSnapshot, patchUsers, snapshotUsers } from '../storage/users-repo';
import { applyUpload } from './apply-upload';
import { downloadAll } from './download';
import { syncOnce } from './engine';
import { MemoryPortal } from './memory-transport';
import { TransportError } from './transport';

const INSTITUTIONS: Institution[] = [{ accountId: '1001', name: 'Lincoln Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] }];
const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

function portalWith(n: number): MemoryPortal {
	return new MemoryPortal(
		INSTITUTIONS,
		Array.from({ length: n }, (_, i) => ({ accountId: '1001', username: `u${i}`, name: `User ${i}`, email: `u${i}@example.org`, role: 'Student' }))
	);
}

let portal: MemoryPortal;

async function signedIn(p: MemoryPortal) {
	await setMeta('owner', { username: 'admin', parentAccountId: '100', parentName: 'Springfield Public Schools', roles: ['Student', 'Teacher'] });
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
	const preview = buildPreview({ rows: [HEADER, ...rows], fileName: `${batchId}.xlsx`, sheetName: 'Users', declaredCount: rows.length }, ctx);
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

describe('sync engine', () => {
	it('pushes a large queue in push-sized chunks, settles every row and finishes the batch', async () => {
		await upload(Array.from({ length: 1200 }, (_, i) => ['1001', `u${i}`, `Renamed ${i}`, '', '', '']));
		expect(await pendingMutationCount()).toBe(1200);
		expect(await db().outbox.count()).toBe(3);
		const result = await syncOnce(portal);
		expect(portal.pushes).toBe(3);
		expect(result.pushed).toBe(1200);
		expect(result.finishedBatches.map((b) => b.id)).toEqual(['b1']);
		expect(portal.appliedCount).toBe(1200);
		expect(await pendingMutationCount()).toBe(0);
		const { batch, rows } = (await getBatch('b1'))!;
		expect(batch.counts).toMatchObject({ rows: 1200, updated: 1200, queued: 0, failed: 0 });
		expect(rows.every((r) => r.status === 'Updated')).toBe(true);
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
		await expect(upload([['1001', 'u5', 'Mine', '', '', '']], 'b1', () => patchUsers([{ accountId: '1001', username: 'u5', set: { name: 'Synced meanwhile' } }]).then(() => {}))).rejects.toBeInstanceOf(UsersChangedError);
		expect(await pendingMutationCount()).toBe(0);
		expect(await getBatch('b1')).toBeUndefined();
		expect((await loadAllUsers()).find((u) => u.username === 'u5')?.name).toBe('Synced meanwhile');
	});

	it('passwords travel to the server but are stored encrypted and deleted once acknowledged', async () => {
		await upload([['1001', 'u5', '', '', 'Correct-Horse-99', '']]);
		const stored = await db().outbox.toArray();
		expect(JSON.stringify(stored)).not.toContain('Correct-Horse-99');
		expect(stored[0].mutations[0].password?.data).toBeInstanceOf(ArrayBuffer);
		let seen = '';
		const push = portal.push.bind(portal);
		portal.push = async (request) => {
			seen = request.mutations[0].changes.password ?? '';
			return push(request);
		};
		await syncOnce(portal);
		expect(seen).toBe('Correct-Horse-99');
		expect(await db().outbox.count()).toBe(0);
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
