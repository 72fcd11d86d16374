// The data worker's handlers through the real client and expose(), in process: IndexedDB is
// fake-indexeddb holding a signed-in admin's users.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBatches } from '../storage/batches-repo';
import { wipeDatabase } from '../storage/db';
import { pendingMutationCount } from '../storage/outbox-repo';
import { inProcessDataWorker, lincolnPortal, signInDevice } from '../testing/signed-in-worker';
import { describeDataError } from './handlers';

const worker = inProcessDataWorker();
const portal = lincolnPortal();

beforeAll(() => signInDevice(portal));
afterAll(async () => {
	await wipeDatabase();
});

async function check(csv: string, declaredCount: number): Promise<string> {
	const bytes = new TextEncoder().encode(csv).buffer as ArrayBuffer;
	return (await worker.call('preflight', { fileName: 'users.csv', bytes, declaredCount })).previewId;
}

describe('data worker: Apply', () => {
	it('applies a checked file once, however often Apply arrives', async () => {
		const previewId = await check('Account ID,Username,Name\r\n1001,jdoe,Janet Doe\r\n1001,bsmith,Robert Smith\r\n', 2);
		// Two clicks in one task: both requests are in the worker before the first has finished.
		const answers = await Promise.allSettled([
			worker.call('apply', { previewId, batchId: 'b-first', admin: 'admin' }),
			worker.call('apply', { previewId, batchId: 'b-second', admin: 'admin' })
		]);
		expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected']);
		expect((answers[1] as PromiseRejectedResult).reason.message).toMatch(/already been applied/);
		// And later too, once the first has finished.
		await expect(worker.call('apply', { previewId, batchId: 'b-third', admin: 'admin' })).rejects.toThrow(/already been applied/);

		expect((await listBatches()).map((b) => [b.id, b.counts.updated + b.counts.queued])).toEqual([['b-first', 2]]);
		expect(await pendingMutationCount()).toBe(2);
	});

	it('refuses to apply a preview the worker no longer holds (another file was checked since)', async () => {
		const old = await check('Account ID,Username,Role\r\n1001,jdoe,Teacher\r\n', 1);
		await check('Account ID,Username,Role\r\n1001,bsmith,Teacher\r\n', 1);
		await expect(worker.call('apply', { previewId: old, batchId: 'b-stale', admin: 'admin' })).rejects.toThrow(/Upload the file again/);
		expect((await listBatches()).map((b) => b.id)).not.toContain('b-stale');
	});

	it('a programming error reaches the admin as a sentence, not a stack trace', () => {
		expect(describeDataError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatch(
			/^Something went wrong while processing the file\. Nothing was changed\./
		);
		expect(describeDataError(new Error('Row 3, Email: "x" is not a valid email address'))).toBe(
			'Row 3, Email: "x" is not a valid email address'
		);
	});
});
