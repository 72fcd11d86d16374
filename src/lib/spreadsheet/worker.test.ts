// The spreadsheet worker's message handling, run in Node: `self` is a stand-in that records what the
// worker posts, and IndexedDB is fake-indexeddb holding a signed-in admin's users.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listBatches } from '../storage/batches-repo';
import { wipeDatabase } from '../storage/db';
import { setMeta } from '../storage/meta-repo';
import { pendingMutationCount } from '../storage/outbox-repo';
import { downloadAll } from '../sync/download';
import { MemoryPortal } from '../sync/memory-transport';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';

const posted: WorkerResponse[] = [];
const scope: { postMessage: (m: WorkerResponse) => void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null } = {
	postMessage: (m) => posted.push(m),
	onmessage: null
};
vi.stubGlobal('self', scope);
await import('./worker');

function send(message: WorkerRequest): void {
	scope.onmessage!({ data: message } as MessageEvent<WorkerRequest>);
}

/** The worker's final answer to request `id` (progress messages are skipped). */
async function answer(id: number): Promise<WorkerResponse> {
	await vi.waitFor(() => expect(posted.some((m) => m.id === id && m.type !== 'progress')).toBe(true), { timeout: 10_000 });
	return posted.find((m) => m.id === id && m.type !== 'progress')!;
}

const portal = new MemoryPortal(
	[{ accountId: '1001', name: 'Lincoln Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] }],
	[
		{ accountId: '1001', username: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.org', role: 'Student' },
		{ accountId: '1001', username: 'bsmith', name: 'Bob Smith', email: 'bsmith@example.org', role: 'Student' }
	]
);

beforeAll(async () => {
	await setMeta('owner', { username: 'admin', parentAccountId: '100', parentName: 'Springfield Public Schools', roles: ['Student', 'Teacher'] });
	await downloadAll(portal);
});
afterAll(async () => {
	await wipeDatabase();
	vi.unstubAllGlobals();
});

let nextId = 1;

async function check(csv: string, declaredCount: number): Promise<string> {
	const id = nextId++;
	const bytes = new TextEncoder().encode(csv).buffer as ArrayBuffer;
	send({ type: 'preflight', id, fileName: 'users.csv', bytes, declaredCount });
	const preview = await answer(id);
	if (preview.type !== 'preview') throw new Error(`expected a preview, got ${JSON.stringify(preview)}`);
	return preview.previewId;
}

describe('spreadsheet worker: Apply', () => {
	it('applies a checked file once, however often Apply arrives', async () => {
		const previewId = await check('Account ID,Username,Name\r\n1001,jdoe,Janet Doe\r\n1001,bsmith,Robert Smith\r\n', 2);
		// Two clicks in one task: both requests are in the worker before the first has finished.
		const first = nextId++;
		const second = nextId++;
		send({ type: 'apply', id: first, previewId, batchId: 'b-first', admin: 'admin' });
		send({ type: 'apply', id: second, previewId, batchId: 'b-second', admin: 'admin' });
		const answers = [await answer(first), await answer(second)];
		expect(answers.map((a) => a.type)).toEqual(['applied', 'error']);
		expect(answers[1]).toMatchObject({ message: expect.stringMatching(/already been applied/) });
		// And later too, once the first has finished.
		const third = nextId++;
		send({ type: 'apply', id: third, previewId, batchId: 'b-third', admin: 'admin' });
		expect(await answer(third)).toMatchObject({ type: 'error', message: expect.stringMatching(/already been applied/) });

		expect((await listBatches()).map((b) => [b.id, b.counts.updated + b.counts.queued])).toEqual([['b-first', 2]]);
		expect(await pendingMutationCount()).toBe(2);
	});

	it('refuses to apply a preview the worker no longer holds (another file was checked since)', async () => {
		const old = await check('Account ID,Username,Role\r\n1001,jdoe,Teacher\r\n', 1);
		await check('Account ID,Username,Role\r\n1001,bsmith,Teacher\r\n', 1);
		const id = nextId++;
		send({ type: 'apply', id, previewId: old, batchId: 'b-stale', admin: 'admin' });
		expect(await answer(id)).toMatchObject({ type: 'error', message: expect.stringMatching(/Upload the file again/) });
		expect((await listBatches()).map((b) => b.id)).not.toContain('b-stale');
	});
});
