// Upload history, undo and the large-change gate through the data worker's real client and handlers, in
// process: IndexedDB is fake-indexeddb, the portal the in-memory one that passes the sync contract.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getBatch, listBatches } from '../storage/batches-repo';
import { wipeDatabase } from '../storage/db';
import { setMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import { downloadAll, pullChanges } from '../sync/download';
import { syncOnce } from '../sync/engine';
import { MemoryPortal } from '../testing/memory-portal';
import { InProcessWorker } from '../testing/in-process-worker';
import { createDataWorker } from './client';
import { workbookText } from '../spreadsheet/read-back';
import { dataHandlers, describeDataError, useDataTransport } from './handlers';

const worker = createDataWorker(() => new InProcessWorker(dataHandlers as never, describeDataError) as unknown as Worker);
const INSTITUTION = {
	accountId: '1001',
	name: 'Lincoln Elementary',
	parentAccountId: '100',
	signIn: 'password' as const,
	googleDomains: []
};

let portal: MemoryPortal;

async function signIn(users = 3) {
	portal = new MemoryPortal(
		[INSTITUTION],
		Array.from({ length: users }, (_, i) => ({
			accountId: '1001',
			username: `u${i}`,
			name: `User ${i}`,
			email: `u${i}@example.org`,
			role: 'Student'
		}))
	);
	useDataTransport(portal);
	await setMeta('owner', {
		username: 'admin',
		parentAccountId: '100',
		parentName: 'Springfield Public Schools',
		roles: ['Student', 'Teacher']
	});
	await downloadAll(portal);
}

async function check(csv: string, declaredCount: number) {
	const bytes = new TextEncoder().encode(csv).buffer as ArrayBuffer;
	const answer = await worker.call('preflight', { fileName: 'roster.csv', bytes, declaredCount });
	if (answer.match) throw new Error('The template header needs no column matching');
	return answer;
}

async function sheetRows(blob: Blob, name: string): Promise<string[][]> {
	return workbookText(new Uint8Array(await blob.arrayBuffer()))[name];
}

beforeEach(async () => {
	await signIn();
});
afterEach(async () => {
	await wipeDatabase();
});

describe('undo of an upload', () => {
	async function applyRoster() {
		const { previewId } = await check(
			'Account ID,Username,Name,Email,Password\r\n1001,u0,Renamed 0,,\r\n1001,u1,Renamed 1,new1@example.org,\r\n1001,u2,,,New-Password-1\r\n',
			3
		);
		await worker.call('apply', { previewId, batchId: 'b-roster', admin: 'admin' });
		await syncOnce(portal);
	}

	it('gives back what the upload changed, leaves a field edited since alone, and says passwords stay changed', async () => {
		await applyRoster();
		// Someone else renames u1 after the upload; this device hears of it.
		portal.edit('1001', 'u1', { name: 'Edited elsewhere' });
		await pullChanges(portal);

		const { undoId, summary } = await worker.call('undoPreview', { uploadId: 'b-roster' });
		expect(summary).toMatchObject({
			title: 'roster.csv',
			counts: { rows: 3, users: 2, fieldsRestored: 2, fieldsKept: 1, passwordsStay: 1, notRestored: 1 }
		});
		const page = await worker.call('undoPage', { offset: 0, limit: 50, filter: 'all' });
		expect(page.rows.map((r) => [r.username, r.status, r.fields, r.notes])).toEqual([
			['u0', 'restore', [{ field: 'Name', now: 'Renamed 0', back: 'User 0' }], []],
			[
				'u1',
				'restore',
				[
					{ field: 'Name', now: 'Edited elsewhere', note: 'Changed since this upload; not restored' },
					{ field: 'Email', now: 'new1@example.org', back: 'u1@example.org' }
				],
				[]
			],
			['u2', 'not-restored', [], ['Password changes cannot be taken back']]
		]);

		await worker.call('applyUndo', { undoId, batchId: 'b-undo', admin: 'admin' });
		await expect(worker.call('applyUndo', { undoId, batchId: 'b-undo-again', admin: 'admin' })).rejects.toThrow(/already been applied/);
		expect(await pendingMutationCount()).toBe(2);
		await syncOnce(portal);
		expect(portal.user('1001', 'u0')).toMatchObject({ name: 'User 0' });
		expect(portal.user('1001', 'u1')).toMatchObject({ name: 'Edited elsewhere', email: 'u1@example.org' });
		expect(portal.passwordMatches('1001', 'u2', 'New-Password-1')).toBe(true);

		const uploads = (await portal.uploads(null, 10)).uploads;
		expect(uploads.map((u) => [u.id, u.undoOf?.fileName, u.undoneBy])).toEqual([
			['b-undo', 'roster.csv', undefined],
			['b-roster', undefined, 'b-undo']
		]);
		const file = await worker.call('results', { batchId: 'b-undo' });
		expect(file.fileName).toMatch(/^user-update-undo-results-\d{8}-\d{6}\.xlsx$/);
		const rows = await sheetRows(file.blob, 'Results');
		expect(rows.slice(1).map((r) => [r[1], r.at(-3), r.at(-2)])).toEqual([
			['u0', 'Restored', ''],
			['u1', 'Restored', 'Name: changed since this upload; not restored'],
			['u2', 'Not restored', 'Password changes cannot be taken back']
		]);
		expect((await getBatch('b-undo'))!.batch.undoOf).toEqual({ id: 'b-roster', fileName: 'roster.csv' });
	});

	it('an undo can itself be undone', async () => {
		await applyRoster();
		const first = await worker.call('undoPreview', { uploadId: 'b-roster' });
		await worker.call('applyUndo', { undoId: first.undoId, batchId: 'b-undo', admin: 'admin' });
		await syncOnce(portal);
		const again = await worker.call('undoPreview', { uploadId: 'b-undo' });
		expect(again.summary.title).toBe('Undo of roster.csv');
		await worker.call('applyUndo', { undoId: again.undoId, batchId: 'b-redo', admin: 'admin' });
		await syncOnce(portal);
		expect(portal.user('1001', 'u0')).toMatchObject({ name: 'Renamed 0' });
		expect(portal.user('1001', 'u1')).toMatchObject({ name: 'Renamed 1', email: 'new1@example.org' });
		expect((await portal.uploads(null, 10)).uploads.find((u) => u.id === 'b-undo')?.undoneBy).toBe('b-redo');
	});

	it('rebuilds any upload’s results from the portal’s rows on a device that never had it, then offline too', async () => {
		await applyRoster();
		await wipeDatabase();
		await setMeta('owner', { username: 'admin', parentAccountId: '100', parentName: 'Springfield Public Schools', roles: ['Student'] });
		expect(await listBatches()).toEqual([]);
		const file = await worker.call('historyResults', { uploadId: 'b-roster' });
		expect(file.fileName).toMatch(/^user-update-results-\d{8}-\d{6}\.xlsx$/);
		const rows = await sheetRows(file.blob, 'Results');
		expect(rows[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Row', 'Status', 'Reason', 'Changed']);
		expect(rows.slice(1).map((r) => [r[1], r[4], r[6]])).toEqual([
			['u0', '', 'Updated'],
			['u1', '', 'Updated'],
			['u2', '(set)', 'Updated']
		]);
		portal.failNext = { count: 5, kind: 'offline' };
		expect((await worker.call('historyResults', { uploadId: 'b-roster' })).fileName).toMatch(/^user-update-results-/);
	});
});

describe('large-change gate', () => {
	beforeEach(async () => {
		await wipeDatabase();
		await signIn(100);
	});

	const renameCsv = (n: number) => ['Account ID,Username,Name', ...Array.from({ length: n }, (_, i) => `1001,u${i},Big ${i}`)].join('\r\n');

	it('says how many users, which fields and which accounts a large upload changes, and refuses Apply without the typed number', async () => {
		const { previewId, summary } = await check(renameCsv(60), 60);
		expect(summary.largeChange).toMatchObject({
			users: 60,
			parentUsers: 100,
			fields: { name: 60, email: 0, role: 0, password: 0 },
			accounts: [{ accountId: '1001', name: 'Lincoln Elementary', changed: 60, total: 100 }]
		});
		await expect(worker.call('apply', { previewId, batchId: 'b-big', admin: 'admin' })).rejects.toThrow(
			'This upload changes 60 users. Type that number in "Type the number of users that will change" to confirm, then select Apply.'
		);
		await expect(worker.call('apply', { previewId, batchId: 'b-big', admin: 'admin', largeChangeConfirmation: '59' })).rejects.toThrow(
			/changes 60 users/
		);
		await worker.call('apply', { previewId, batchId: 'b-big', admin: 'admin', largeChangeConfirmation: '60' });
		expect((await getBatch('b-big'))!.batch.largeChangeConfirmed).toBe(60);
		const summarySheet = await sheetRows((await worker.call('results', { batchId: 'b-big' })).blob, 'Summary');
		expect(summarySheet.find((r) => r[0] === 'Large change')?.[1]).toBe(
			'Confirmed: the admin typed 60, the number of users that would change'
		);
	});

	it('stays open for a small upload', async () => {
		const { previewId, summary } = await check(renameCsv(12), 12);
		expect(summary.largeChange).toBeNull();
		await worker.call('apply', { previewId, batchId: 'b-small', admin: 'admin' });
		expect((await getBatch('b-small'))!.batch.largeChangeConfirmed).toBeUndefined();
	});
});
