// User Add through the outbox: added users show on this device at once (rev 0 until the portal has
// them), go to the portal exactly once as user.create, and are taken away again when the portal rejects
// them; the upload's rows and the portal's history say Added or why not.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BulkAction } from '../domain/bulk-action';
import { buildPreview } from '../domain/preview';
import { createRuleContext } from '../domain/rule-context';
import { addedStaySentence, planUndo } from '../domain/undo';
import type { Institution } from '../domain/types';
import { getBatch } from '../storage/batches-repo';
import { db, wipeDatabase } from '../storage/db';
import { listInstitutions } from '../storage/institutions-repo';
import { setMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import { loadAllUsers, loadUserSnapshot, snapshotUsers } from '../storage/users-repo';
import { MemoryPortal } from '../testing/memory-portal';
import { applyUpload } from './apply-upload';
import { downloadAll } from './download';
import { syncOnce } from './engine';
import { takenSinceReason } from './portal-rules';

const INSTITUTIONS: Institution[] = [
	{ accountId: '1001', name: 'Lincoln Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] },
	{ accountId: '1002', name: 'Lincoln High', parentAccountId: '100', signIn: 'google', googleDomains: ['lincoln.edu'] }
];
const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];
const SECRET = 'Plaintext-Kept-Sealed-7';

let portal: MemoryPortal;

beforeEach(async () => {
	portal = new MemoryPortal(INSTITUTIONS, [
		{ accountId: '1001', username: 'jdoe', name: 'John Doe', email: 'jdoe@example.org', role: 'Student' }
	]);
	await setMeta('owner', { username: 'admin', parentAccountId: '100', parentName: 'Springfield', roles: ['Student', 'Teacher'] });
	await downloadAll(portal);
});

afterEach(async () => {
	await wipeDatabase();
});

async function upload(rows: string[][], action: BulkAction = 'add', batchId = 'b-add') {
	const snapshot = await loadUserSnapshot();
	const ctx = createRuleContext({
		parent: { accountId: '100', name: 'Springfield' },
		roles: ['Student', 'Teacher'],
		institutions: await listInstitutions(),
		users: snapshotUsers(snapshot)
	});
	const preview = buildPreview(
		{ rows: [HEADER, ...rows], fileName: `${batchId}.xlsx`, sheetName: 'Users', declaredCount: rows.length, action },
		ctx
	);
	expect(preview.blocking).toBeNull();
	return applyUpload(preview, ctx, { batchId, admin: 'admin', parentName: 'Springfield' }, snapshot);
}

const local = async (username: string) => (await loadAllUsers()).find((u) => u.username === username);
const statuses = async (batchId = 'b-add') => (await getBatch(batchId))!.rows.map((r) => [r.row, r.status, r.reason]);

describe('User Add through the outbox', () => {
	it('shows an added user at once as waiting to sync, seals its password, and once synced has the portal’s version', async () => {
		const batch = await upload([
			['1001', 'new.kid', 'New Kid', '', SECRET, 'student'],
			['1002', 'gnew', 'G New', 'gnew@lincoln.edu', '', 'Teacher']
		]);
		expect(batch).toMatchObject({ action: 'add', counts: { rows: 2, added: 0, queued: 2 } });
		expect(await local('new.kid')).toEqual({ accountId: '1001', username: 'new.kid', name: 'New Kid', email: '', role: 'Student', rev: 0 });
		expect(await pendingMutationCount()).toBe(2);
		const outbox = await db().outbox.toArray();
		expect(JSON.stringify(outbox)).not.toContain(SECRET);
		// One seal per push-sized chunk, not per password.
		expect(outbox[0].mutations[0]).toMatchObject({ create: true });
		expect(outbox[0].mutations[0]).not.toHaveProperty('password');
		expect(outbox[0].passwords).toMatchObject({ iv: expect.any(Uint8Array) });

		await syncOnce(portal);
		const added = portal.user('1001', 'new.kid')!;
		expect(await local('new.kid')).toEqual(added);
		expect(added.rev).toBeGreaterThan(0);
		expect(portal.passwordMatches('1001', 'new.kid', SECRET)).toBe(true);
		expect(await statuses()).toEqual([
			[2, 'Added', ''],
			[3, 'Added', '']
		]);
		expect((await getBatch('b-add'))!.batch).toMatchObject({ state: 'done', counts: { added: 2, queued: 0 } });
		expect(JSON.stringify(await db().batchRows.toArray())).not.toContain(SECRET);
	});

	it('when the username was taken on the portal in between, rejects the row, takes the user away here and says why', async () => {
		await upload([
			['1001', 'taken.later', 'Mine', '', SECRET, 'Student'],
			['1001', 'free.name', 'Free', '', SECRET, 'Student']
		]);
		portal.add({ accountId: '1001', username: 'Taken.Later', name: 'Theirs', email: '', role: 'Teacher' });
		await syncOnce(portal);
		expect(await statuses()).toEqual([
			[2, 'Failed', takenSinceReason({ accountId: '1001', username: 'taken.later' })],
			[3, 'Added', '']
		]);
		const users = await loadAllUsers();
		expect(users.filter((u) => u.username.toLowerCase() === 'taken.later')).toEqual([
			{ accountId: '1001', username: 'Taken.Later', name: 'Theirs', email: '', role: 'Teacher', rev: expect.any(Number) }
		]);
		expect(portal.user('1001', 'taken.later')?.name).toBe('Theirs');
		const history = await portal.uploadRows('b-add', 0, 10);
		expect(history.rows.map((r) => [r.status, r.reason, r.applied?.created])).toEqual([
			['Failed', takenSinceReason({ accountId: '1001', username: 'taken.later' }), undefined],
			['Added', '', true]
		]);
		expect(JSON.stringify(history)).not.toContain(SECRET);
	});

	it('a create whose answer was lost is answered again as added, not as taken, and made once', async () => {
		await upload([['1001', 'once', 'Only Once', '', SECRET, 'Student']]);
		portal.dropAfterApply = 1;
		await expect(syncOnce(portal)).rejects.toThrow();
		expect(await local('once')).toMatchObject({ rev: 0 });
		const applied = portal.appliedCount;
		await syncOnce(portal);
		expect(portal.appliedCount).toBe(applied);
		expect(await statuses()).toEqual([[2, 'Added', '']]);
		expect((await local('once'))!.rev).toBe(portal.user('1001', 'once')!.rev);
	});

	it('with both boxes ticked adds the new users and updates the others, and undo leaves the added ones', async () => {
		await upload(
			[
				['1001', 'jdoe', 'Johnny Doe', '', '', ''],
				['1001', 'fresh', 'Fresh Face', '', SECRET, 'Teacher']
			],
			'add-or-update',
			'b-mixed'
		);
		await syncOnce(portal);
		expect(await statuses('b-mixed')).toEqual([
			[2, 'Updated', ''],
			[3, 'Added', '']
		]);
		expect(portal.user('1001', 'jdoe')?.name).toBe('Johnny Doe');
		expect(portal.user('1001', 'fresh')).toMatchObject({ name: 'Fresh Face', role: 'Teacher' });
		const { upload: kept, rows } = await portal.uploadRows('b-mixed', 0, 10);
		expect(kept).toMatchObject({ action: 'add-or-update', counts: { rows: 2, added: 1, updated: 1 } });
		const undo = planUndo(rows, (accountId, username) => portal.user(accountId, username));
		expect(undo.counts).toMatchObject({ rows: 1, users: 1, addedStay: 1 });
		expect(undo.apply.mutations).toEqual([
			{ rowIndex: 0, accountId: '1001', username: 'jdoe', changes: { name: 'John Doe' }, base: { name: 'Johnny Doe' } }
		]);
		expect(addedStaySentence(undo.counts.addedStay)).toBe(
			'Undo does not remove users: 1 user this upload added stays. Remove that user in the portal if they should not exist.'
		);
	});
});
