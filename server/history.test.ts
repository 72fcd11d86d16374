// The upload history on the reference server: scoped per parent, durable across restarts, expiring after
// the configured days, never holding a password, and taking a 100,000-row upload in parts that each fit
// the request body limit.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordParts, type RecordMeta, type RecordRow } from '../src/lib/domain/history';
import { PROTOCOL_VERSION, type Mutation } from '../src/lib/sync/protocol';
import { DEFAULT_BODY_LIMIT } from './http';
import { ADMIN_100, ADMIN_200, removeDir, startServer, tempDir, TestClient } from './test-helpers';

const META: RecordMeta = {
	fileName: 'roster.xlsx',
	sheetName: 'Users',
	uploadedAt: Date.now(),
	header: ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'],
	columnMap: { accountId: 0, username: 1, name: 2, email: 3, password: 4, role: 5 }
};

function push(client: TestClient, clientId: string, mutations: Mutation[]) {
	return client.call(
		'POST',
		'/api/push',
		{ protocolVersion: PROTOCOL_VERSION, clientId, mutations },
		{ 'Idempotency-Key': `${clientId}:${mutations[0].id}` }
	);
}

function recordMutations(batchId: string, firstId: number, rows: RecordRow[], meta: Partial<RecordMeta> = {}): Mutation[] {
	return recordParts({ ...META, ...meta }, rows).map((part, i) => ({ id: firstId + i, batchId, kind: 'upload.record', ...part }));
}

async function everyRow(client: TestClient, id: string) {
	const rows = [];
	for (let offset: number | null = 0; offset !== null;) {
		const page = await client.call('GET', `/api/uploads/${id}?offset=${offset}`);
		expect(page.status).toBe(200);
		rows.push(...page.body.rows);
		offset = page.body.nextOffset;
	}
	return rows;
}

async function stateFiles(dir: string): Promise<string> {
	const names = await readdir(dir);
	const texts = await Promise.all(names.filter((n) => n !== 'lock').map((n) => readFile(path.join(dir, n), 'utf8')));
	return texts.join('\n');
}

describe('upload history on the reference server', () => {
	it('takes a 100,000-row upload in parts that each fit the body limit, and keeps it across a restart', async () => {
		const dir = await tempDir('history-100k');
		let server = await startServer({ stateDir: dir });
		try {
			const client = new TestClient(server.url);
			await client.signIn(ADMIN_100);
			const rows: RecordRow[] = Array.from({ length: 100_000 }, (_, i) => ({
				row: i + 2,
				cells: ['1001', `user${i}`, `A new name for user ${i}`, `user${i}@example.org`, '', 'Student'],
				status: 'Failed',
				reason: `User user${i} not found in account 1001`,
				changed: []
			}));
			const mutations = recordMutations('b-100k', 1, rows);
			expect(mutations.length).toBeGreaterThan(1);
			for (const m of mutations) {
				const body = JSON.stringify({ protocolVersion: PROTOCOL_VERSION, clientId: 'client-100k', mutations: [m] });
				expect(Buffer.byteLength(body)).toBeLessThan(DEFAULT_BODY_LIMIT);
				const answer = await push(client, 'client-100k', [m]);
				expect(answer.status).toBe(200);
				expect(answer.body.results[0]).toEqual({ id: m.id, status: 'recorded' });
			}
			const list = await client.call('GET', '/api/uploads');
			expect(list.body.uploads[0]).toMatchObject({ id: 'b-100k', counts: { rows: 100_000, failed: 100_000 } });
			expect((await everyRow(client, 'b-100k')).map((r) => r.row)).toEqual(rows.map((r) => r.row));

			await server.close();
			server = await startServer({ stateDir: dir });
			const again = new TestClient(server.url);
			await again.signIn(ADMIN_100);
			const rowsAfter = await everyRow(again, 'b-100k');
			expect(rowsAfter).toHaveLength(100_000);
			expect(rowsAfter[99_999]).toMatchObject({ row: 100_001, cells: rows[99_999].cells, status: 'Failed' });
		} finally {
			await server.close();
			await removeDir(dir);
		}
	}, 120_000);

	it('keeps each parent’s history to its own admins', async () => {
		const dir = await tempDir('history-scope');
		const server = await startServer({ stateDir: dir });
		try {
			const springfield = new TestClient(server.url);
			await springfield.signIn(ADMIN_100);
			await push(springfield, 'client-scope', recordMutations('b-secret', 1, [], { fileName: 'springfield-only.csv' }));
			const shelbyville = new TestClient(server.url);
			await shelbyville.signIn(ADMIN_200);
			const list = await shelbyville.call('GET', '/api/uploads');
			expect(list.body.uploads).toEqual([]);
			const one = await shelbyville.call('GET', '/api/uploads/b-secret');
			expect(one.status).toBe(404);
			expect(JSON.stringify(one.body)).not.toContain('springfield-only');
			expect((await new TestClient(server.url).call('GET', '/api/uploads')).status).toBe(401);
			expect((await springfield.call('GET', '/api/uploads')).body.uploads.map((u: { fileName: string }) => u.fileName)).toEqual([
				'springfield-only.csv'
			]);
		} finally {
			await server.close();
			await removeDir(dir);
		}
	});

	it('forgets an upload after the configured number of days, on disk too', async () => {
		const dir = await tempDir('history-expiry');
		let clock = Date.now();
		let server = await startServer({ stateDir: dir, historyDays: 2, now: () => clock });
		try {
			const client = new TestClient(server.url);
			await client.signIn(ADMIN_100);
			await push(client, 'client-expiry', recordMutations('b-expiring', 1, [], { fileName: 'expiring-upload.csv' }));
			clock += 1.9 * 86_400_000;
			expect((await client.call('GET', '/api/uploads')).body.uploads).toHaveLength(1);
			clock += 0.2 * 86_400_000;
			expect((await client.call('GET', '/api/uploads')).body.uploads).toEqual([]);
			expect((await client.call('GET', '/api/uploads/b-expiring')).status).toBe(404);
			// Folding the journal into a snapshot drops it from disk.
			await server.close();
			expect(await stateFiles(dir)).not.toContain('expiring-upload.csv');
			server = await startServer({ stateDir: dir, historyDays: 2, now: () => clock });
		} finally {
			await server.close();
			await removeDir(dir);
		}
	});

	it('never stores a password: not in the journal, not in the snapshot', async () => {
		const dir = await tempDir('history-passwords');
		const server = await startServer({ stateDir: dir });
		const secret = 'Plaintext-Never-Stored-77';
		try {
			const client = new TestClient(server.url);
			await client.signIn(ADMIN_100);
			await push(client, 'client-pw', [
				{
					id: 1,
					batchId: 'b-pw',
					kind: 'user.update',
					accountId: '1001',
					username: 'asmith',
					changes: { password: secret, name: 'Alicia' },
					base: {}
				}
			]);
			const rows: RecordRow[] = [
				{ row: 2, cells: ['1001', 'asmith', 'Alicia', '', '(set)', ''], status: 'Queued', reason: '', changed: ['Name', 'Password'], m: 1 }
			];
			await push(client, 'client-pw', recordMutations('b-pw', 2, rows));
			const [row] = await everyRow(client, 'b-pw');
			expect(row).toMatchObject({ status: 'Updated', applied: { username: 'asmith', password: true } });
			expect(await stateFiles(dir)).toContain('b-pw');
			expect(await stateFiles(dir)).not.toContain(secret);
			await server.close();
			expect(await stateFiles(dir)).toContain('Alicia');
			expect(await stateFiles(dir)).not.toContain(secret);
		} finally {
			await server.close();
			await removeDir(dir);
		}
	});
});
