// What a pull may see around a journal write: only changes that are on disk, so a failed or still
// running write can never hand a client a cursor the server's durable state does not reach.
import { open } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pullResponseSchema, type UserUpdate } from '../src/lib/sync/protocol';
import type { PortalServer } from './app';
import { ADMIN_100, TestClient, removeDir, startServer, tempDir, testDataset } from './test-helpers';

let dir: string;
let fileHandleProto: { appendFile: (...args: unknown[]) => Promise<void>; datasync: () => Promise<void> };

beforeAll(async () => {
	dir = await tempDir('durability');
	// FileHandle is not exported; the journal's writes go through this prototype.
	const probe = await open(`${dir}/probe`, 'w');
	fileHandleProto = Object.getPrototypeOf(probe);
	await probe.close();
});

afterEach(() => {
	vi.restoreAllMocks();
});

afterAll(async () => {
	await removeDir(dir);
});

let run = 0;

function renames(count: number, first = 1): UserUpdate[] {
	return Array.from({ length: count }, (_, i) => ({
		id: first + i,
		batchId: 'batch-durability',
		kind: 'user.update' as const,
		accountId: '1001',
		username: `user${2 * i + 1}`,
		changes: { name: `Renamed ${run}-${i}` },
		base: {}
	}));
}

function push(client: TestClient, clientId: string, mutations: UserUpdate[]) {
	return client.call(
		'POST',
		'/api/push',
		{ protocolVersion: 1, clientId, mutations },
		{ 'Idempotency-Key': `${clientId}:${mutations[0].id}` }
	);
}

async function pullAll(client: TestClient, cursor: string) {
	const res = await client.call('GET', `/api/pull?cursor=${cursor}&limit=5000`);
	expect(res.status).toBe(200);
	return pullResponseSchema.parse(res.body);
}

async function startIn(stateDir: string): Promise<{ server: PortalServer; client: TestClient }> {
	const server = await startServer({ stateDir, dataset: testDataset(40) });
	const client = new TestClient(server.url);
	expect((await client.signIn(ADMIN_100)).status).toBe(200);
	return { server, client };
}

describe('pulls see only durable changes', () => {
	it('a push whose journal write fails shows nothing to a pull, and later edits reach the client after a restart', async () => {
		run++;
		const stateDir = `${dir}/failed-write`;
		let { server, client } = await startIn(stateDir);
		try {
			const before = await pullAll(client, '0');
			vi.spyOn(fileHandleProto, 'appendFile').mockRejectedValueOnce(
				Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
			);
			const failed = await push(client, 'full-disk', renames(10));
			expect(failed.status).toBe(503);
			expect(failed.body.error.code).toBe('storage_failed');

			const after = await pullAll(client, before.cursor);
			expect(after.users).toEqual([]);
			expect(after.cursor).toBe(before.cursor);

			await server.close();
			({ server, client } = await startIn(stateDir));
			const edited = await push(client, 'after-restart', [
				{ ...renames(1)[0], username: 'jdoe', changes: { name: 'Edited After Restart' } }
			]);
			expect(edited.body.results[0].status).toBe('applied');
			const later = await pullAll(client, after.cursor);
			expect(later.users.map((u) => u.name)).toEqual(['Edited After Restart']);
		} finally {
			await server.close();
		}
	});

	it('a push whose journal write is still running shows nothing to a pull until it is on disk', async () => {
		run++;
		const { server, client } = await startIn(`${dir}/slow-write`);
		let release = () => {};
		try {
			const before = await pullAll(client, '0');
			const gate = new Promise<void>((resolve) => (release = resolve));
			let syncing!: () => void;
			const syncStarted = new Promise<void>((resolve) => (syncing = resolve));
			const datasync = fileHandleProto.datasync;
			vi.spyOn(fileHandleProto, 'datasync').mockImplementationOnce(async function (this: unknown) {
				syncing();
				await gate;
				return datasync.call(this);
			});
			const pending = push(client, 'slow-disk', renames(10));
			await syncStarted;
			expect((await pullAll(client, before.cursor)).users).toEqual([]);
			release();
			expect((await pending).status).toBe(200);
			expect((await pullAll(client, before.cursor)).users).toHaveLength(10);
		} finally {
			release();
			await server.close();
		}
	});

	it('sends everything again to a cursor beyond the highest rev (state restored from an older backup)', async () => {
		const { server, client } = await startIn(`${dir}/restored`);
		try {
			const full = await pullAll(client, '0');
			const ahead = await pullAll(client, String(Number(full.cursor) + 500));
			expect(ahead.users).toEqual(full.users);
			expect(ahead.cursor).toBe(full.cursor);
		} finally {
			await server.close();
		}
	});
});
