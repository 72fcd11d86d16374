import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QUEUED_REASON } from '../domain/results';
import type { UserRecord } from '../domain/types';
import { createBatchInTx, getBatch } from './batches-repo';
import { db, USERS_PER_CHUNK, wipeDatabase, type StoredMutation } from './db';
import { getMeta } from './meta-repo';
import { appendMutationsInTx, oldestOutboxChunk, pendingMutationCount, reserveMutationIdsInTx } from './outbox-repo';
import { settleOutboxChunk } from './settle-repo';
import { loadAllUsers, loadUserSnapshot, patchUsers, patchUsersInTx, replaceAllUsers } from './users-repo';

function users(n: number, accountId = '1001'): UserRecord[] {
	return Array.from({ length: n }, (_, i) => ({
		accountId,
		username: `user${i}`,
		name: `User ${i}`,
		email: `user${i}.${accountId}@example.org`,
		role: 'Student',
		rev: i + 1
	}));
}

afterEach(async () => {
	await wipeDatabase();
});

describe('users repo', () => {
	it('stores users in per-account chunks of at most USERS_PER_CHUNK and reads them all back', async () => {
		const all = [...users(2500, '1001'), ...users(10, '01002')];
		await replaceAllUsers(all);
		const chunks = await db().userChunks.toArray();
		expect(chunks.length).toBe(4);
		expect(chunks.every((c) => c.users.length <= USERS_PER_CHUNK && c.users.every((u) => u.accountId === c.accountId))).toBe(true);
		expect((await loadAllUsers()).length).toBe(2510);
		expect(await getMeta('usersVersion')).toBe(1);
	});

	it('patches users case-insensitively, reports unknown ones, and appends new ones to the account', async () => {
		await replaceAllUsers(users(USERS_PER_CHUNK, '1001'));
		const missing = await patchUsers(
			[
				{ accountId: '1001', username: 'USER5', set: { name: 'Renamed' } },
				{ accountId: '1001', username: 'ghost', set: { name: 'x' } }
			],
			[{ accountId: '1001', username: 'newbie', name: 'New', email: 'n@example.org', role: 'Teacher', rev: 9999 }]
		);
		expect(missing).toEqual(['1001\u0000ghost']);
		const all = await loadAllUsers();
		expect(all.find((u) => u.username === 'user5')?.name).toBe('Renamed');
		expect(all.find((u) => u.username === 'newbie')).toBeTruthy();
		// The full first chunk stays full; the newcomer starts a second one.
		expect((await db().userChunks.toArray()).map((c) => c.users.length)).toEqual([USERS_PER_CHUNK, 1]);
	});
});

describe('patching from the database', () => {
	it('reads one chunk at a time and stops once every patched user was found', async () => {
		await replaceAllUsers(users(2500));
		const reads = vi.spyOn(db().userChunks, 'get');
		await patchUsers([{ accountId: '1001', username: 'user0', set: { name: 'First' } }]);
		// Chunks hold users sorted by username: user0 is in the first of three.
		expect(reads).toHaveBeenCalledTimes(1);
		reads.mockClear();
		expect(await patchUsers([{ accountId: '1001', username: 'nobody', set: { name: 'x' } }])).toEqual(['1001\u0000nobody']);
		expect(reads).toHaveBeenCalledTimes(3);
		reads.mockRestore();
		expect((await loadAllUsers()).find((u) => u.username === 'user0')?.name).toBe('First');
	});
});

describe('patching from a snapshot of the stored users', () => {
	async function patchWith(snapshot: Awaited<ReturnType<typeof loadUserSnapshot>>, name: string) {
		const d = db();
		return d.transaction('rw', d.userChunks, d.meta, () =>
			patchUsersInTx({ patches: [{ accountId: '1001', username: 'user1', set: { name } }], snapshot }, d)
		);
	}

	it('uses a current snapshot instead of re-reading, and never modifies it', async () => {
		await replaceAllUsers(users(1500));
		const snapshot = await loadUserSnapshot();
		expect(snapshot.version).toBe(1);
		// Mark the in-memory copy so the result shows which copy the patch started from.
		const marked = {
			...snapshot,
			chunks: snapshot.chunks.map((c, i) =>
				i === 0 ? { ...c, users: c.users.map((u) => (u.username === 'user2' ? { ...u, role: 'FromSnapshot' } : u)) } : c
			)
		};
		const before = JSON.stringify(marked.chunks);
		await patchWith(marked, 'Patched');
		expect(JSON.stringify(marked.chunks)).toBe(before);
		const all = await loadAllUsers();
		expect(all.find((u) => u.username === 'user1')?.name).toBe('Patched');
		expect(all.find((u) => u.username === 'user2')?.role).toBe('FromSnapshot');
		// Only the chunk that changed was written: the second chunk is the stored one, untouched.
		expect((await db().userChunks.toArray()).map((c) => c.users.length)).toEqual([USERS_PER_CHUNK, 500]);
		expect(await getMeta('usersVersion')).toBe(2);
	});

	it('reads the database when the snapshot is stale (users changed since it was taken)', async () => {
		await replaceAllUsers(users(10));
		const stale = await loadUserSnapshot();
		await patchUsers([{ accountId: '1001', username: 'user2', set: { role: 'Teacher' } }]);
		await patchWith(stale, 'Patched');
		const all = await loadAllUsers();
		expect(all.find((u) => u.username === 'user1')?.name).toBe('Patched');
		// The change made after the snapshot survives.
		expect(all.find((u) => u.username === 'user2')?.role).toBe('Teacher');
	});
});

describe('outbox and settling', () => {
	function mutation(id: number, rowIndex: number, username: string, email: string): StoredMutation {
		return { id, rowIndex, accountId: '1001', username, changes: { email }, base: { email: `${username}.1001@example.org` } };
	}

	it('settles a pushed chunk: applied rows take the server state, rejected rows roll back, the batch finishes', async () => {
		await replaceAllUsers(users(3));
		const d = db();
		await d.transaction('rw', [d.outbox, d.meta, d.batches, d.batchRows, d.userChunks], async () => {
			const first = await reserveMutationIdsInTx(2);
			expect(first).toBe(1);
			await appendMutationsInTx('b1', [mutation(1, 0, 'user0', 'new0@example.org'), mutation(2, 1, 'user1', 'new1@example.org')]);
			await createBatchInTx(
				{
					id: 'b1',
					fileName: 'f.xlsx',
					sheetName: 'Users',
					createdAt: 1,
					admin: 'admin',
					header: ['Account ID', 'Username', 'Email'],
					columnMap: { accountId: 0, username: 1, email: 2 },
					parentName: 'Springfield Public Schools',
					counts: { rows: 3, added: 0, updated: 0, unchanged: 1, failed: 0, queued: 2 },
					state: 'queued'
				},
				[
					{
						row: 2,
						cells: ['1001', 'user0', 'new0@example.org'],
						status: 'Queued',
						reason: `${QUEUED_REASON}; Name was trimmed`,
						changed: ['Email'],
						mutationId: 1
					},
					{ row: 3, cells: ['1001', 'user1', 'new1@example.org'], status: 'Queued', reason: '', changed: ['Email'], mutationId: 2 },
					{ row: 4, cells: ['1001', 'user2', ''], status: 'Unchanged', reason: '', changed: [] }
				]
			);
		});
		// The long note is not stored on every Queued row, but reads come back with it.
		expect((await db().batchRows.toArray())[0].rows.map((r) => r.reason)).toEqual(['Name was trimmed', '', '']);
		expect((await getBatch('b1'))!.rows.map((r) => r.reason)).toEqual([`${QUEUED_REASON}; Name was trimmed`, QUEUED_REASON, '']);
		// The optimistic local change of user1, to be rolled back.
		await patchUsers([{ accountId: '1001', username: 'user1', set: { email: 'new1@example.org' } }]);
		expect(await pendingMutationCount()).toBe(2);
		const chunk = (await oldestOutboxChunk())!;
		const finished = await settleOutboxChunk(chunk, [
			{
				id: 1,
				status: 'applied',
				user: { accountId: '1001', username: 'user0', name: 'User 0', email: 'new0@example.org', role: 'Student', rev: 50 }
			},
			{ id: 2, status: 'rejected', code: 'conflict', reason: 'Email was changed by someone else since this file was checked' }
		]);
		expect(finished.map((b) => b.id)).toEqual(['b1']);
		expect(await pendingMutationCount()).toBe(0);
		const all = await loadAllUsers();
		expect(all.find((u) => u.username === 'user0')).toMatchObject({ email: 'new0@example.org', rev: 50 });
		expect(all.find((u) => u.username === 'user1')?.email).toBe('user1.1001@example.org');
		const stored = (await getBatch('b1'))!;
		expect(stored.batch.counts).toEqual({ rows: 3, added: 0, updated: 1, unchanged: 1, failed: 1, queued: 0 });
		expect(stored.batch.state).toBe('done');
		expect(stored.rows.map((r) => [r.status, r.reason])).toEqual([
			['Updated', 'Name was trimmed'],
			['Failed', 'Email was changed by someone else since this file was checked'],
			['Unchanged', '']
		]);
		// Settling the same chunk twice (another tab raced us) changes nothing.
		expect(await settleOutboxChunk(chunk, [])).toEqual([]);
	});
});

describe('storage errors', () => {
	it('names a full disk and an upgrade in another tab in words an admin can act on', async () => {
		const { toStorageError, StorageError } = await import('./db');
		const quota = toStorageError(Object.assign(new Error('x'), { name: 'QuotaExceededError' }));
		expect(quota).toBeInstanceOf(StorageError);
		expect((quota as Error).message).toMatch(/run out of storage space.*Nothing was half-saved/);
		const wrapped = toStorageError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } });
		expect((wrapped as InstanceType<typeof StorageError>).code).toBe('quota');
		expect((toStorageError(Object.assign(new Error('x'), { name: 'DatabaseClosedError' })) as Error).message).toMatch(
			/another tab\. Reload/
		);
		const other = new Error('something else');
		expect(toStorageError(other)).toBe(other);
	});
});
