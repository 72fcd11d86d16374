// Starting from a state directory that was left by a crash, damaged, or half deleted: only a torn last
// line (no newline) is a crash artefact; everything else that cannot be read refuses the start and
// leaves the files exactly as they were.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../src/lib/sync/protocol';
import { applyPush } from './push';
import type { Snapshot } from './state';
import { PortalStore } from './store';
import { CHEAP_COST, removeDir, tempDir, testDataset } from './test-helpers';

const scope = { adminUsername: 'admin', parent: { accountId: '100', name: 'Springfield Public Schools' } };
const CLIENT = 'admin\u0000journal-client';
const dataset = testDataset(40);
const open = (dir: string, log?: (line: string) => void) =>
	PortalStore.open({ dir, dataset, seedCosts: { user: CHEAP_COST, admin: CHEAP_COST }, log });

let root: string;
/** state.json and journal.ndjson as a crash leaves them after three acknowledged pushes (ids 1–30). */
let crashed: string;

beforeAll(async () => {
	root = await tempDir('journal');
	const live = path.join(root, 'live');
	const store = await open(live);
	for (let push = 0; push < 3; push++) {
		const mutations: Mutation[] = Array.from({ length: 10 }, (_, i) => ({
			id: push * 10 + i + 1,
			batchId: 'b',
			kind: 'user.update',
			accountId: i % 2 ? '1001' : '01003',
			username: `user${i}`,
			changes: { name: `Renamed ${push * 10 + i + 1}` },
			base: {}
		}));
		await store.withLock(async () => {
			const outcome = await applyPush(
				store.state,
				scope,
				{ protocolVersion: 1, clientId: 'journal-client', mutations },
				new Map(),
				CHEAP_COST
			);
			if (outcome.record) await store.commit(outcome.record);
		});
	}
	crashed = path.join(root, 'crashed');
	await copyDir(live, crashed);
	await store.close();
});

afterAll(async () => {
	await removeDir(root);
});

async function copyDir(from: string, to: string): Promise<void> {
	await mkdir(to, { recursive: true });
	for (const f of ['state.json', 'journal.ndjson']) await copyFile(path.join(from, f), path.join(to, f)).catch(() => {});
}

let cases = 0;
async function stateDir(change?: (files: { journal: string; snapshot: string }) => Promise<void>): Promise<string> {
	const dir = path.join(root, `case-${++cases}`);
	await copyDir(crashed, dir);
	await change?.({ journal: path.join(dir, 'journal.ndjson'), snapshot: path.join(dir, 'state.json') });
	return dir;
}

async function contents(dir: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const f of (await readdir(dir)).sort()) out[f] = await readFile(path.join(dir, f), 'latin1');
	return out;
}

/** Replaces the last complete line of the journal; the newline after it stays. */
async function editLastLine(journal: string, edit: (line: string) => string): Promise<void> {
	const lines = (await readFile(journal, 'utf8')).split('\n');
	expect(lines.pop()).toBe('');
	lines[lines.length - 1] = edit(lines[lines.length - 1]);
	await writeFile(journal, `${lines.join('\n')}\n`);
}

async function expectRefusal(dir: string, pattern: RegExp): Promise<string> {
	const before = await contents(dir);
	const error = await open(dir).then(
		async (store) => {
			await store.close();
			return null;
		},
		(err: unknown) => err as Error
	);
	expect(error, 'the store opened').not.toBeNull();
	expect(error?.message).toMatch(pattern);
	expect(error?.message).not.toMatch(/Cannot read properties/);
	expect(await contents(dir)).toEqual(before);
	return error?.message ?? '';
}

async function legacyJournal(dir: string, lines: unknown[]): Promise<void> {
	const snapshot = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as Snapshot;
	const text = [
		JSON.stringify({ generation: snapshot.generation }),
		...lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
	].join('\n');
	await writeFile(path.join(dir, 'journal.ndjson'), `${text}\n`);
}

describe('journal recovery', () => {
	it('replays every acknowledged commit, and drops only a torn last line that has no newline', async () => {
		const dir = await stateDir(({ journal }) => writeFile(journal, '{"crc32":"0badf00d","entry":{"seq":99,"us', { flag: 'a' }));
		const logs: string[] = [];
		const store = await open(dir, (l) => logs.push(l));
		try {
			expect(store.state.clients.get(CLIENT)?.lastAppliedId).toBe(30);
			expect(store.state.getUser('01003', 'user8')?.name).toBe('Renamed 29');
			expect(logs.join('\n')).toContain('incomplete last journal entry');
		} finally {
			await store.close();
		}
	});

	it('refuses a last complete line with one byte flipped, naming the file and the line', async () => {
		const dir = await stateDir(({ journal }) => editLastLine(journal, (line) => line.replace('Renamed 29', 'Renamed 2:')));
		const message = await expectRefusal(dir, /journal\.ndjson line 4 is damaged/);
		expect(message).toContain(path.join(dir, 'journal.ndjson'));
		expect(message).toMatch(/backup/);
	});

	it('refuses a last complete line whose JSON is broken or cut short', async () => {
		await expectRefusal(
			await stateDir(({ journal }) => editLastLine(journal, (line) => line.replace('"users":', '"users"#'))),
			/line 4 is damaged/
		);
		await expectRefusal(
			await stateDir(({ journal }) => editLastLine(journal, (line) => line.slice(0, line.length / 2))),
			/line 4 is damaged/
		);
	});

	it('refuses a damaged header line instead of treating the journal as an old one', async () => {
		const dir = await stateDir(async ({ journal }) => {
			const text = await readFile(journal, 'utf8');
			await writeFile(journal, text.replace(/"generation":(\d)/, '"generation":x$1'));
		});
		await expectRefusal(dir, /line 1 is damaged/);
	});

	it('refuses a journal that belongs to a newer state.json than the one present', async () => {
		const dir = await stateDir(async ({ snapshot }) => {
			const s = JSON.parse(await readFile(snapshot, 'utf8')) as Snapshot;
			await writeFile(snapshot, JSON.stringify({ ...s, generation: s.generation - 1 }));
		});
		await expectRefusal(dir, /newer/);
	});

	it('loads a journal without checksums, as earlier builds wrote it', async () => {
		const dir = await stateDir(async ({ snapshot }) => {
			const s = JSON.parse(await readFile(snapshot, 'utf8')) as Snapshot;
			const jdoe = s.users.find((u) => u[0] === '1001' && u[1] === 'jdoe');
			if (!jdoe) throw new Error('jdoe missing');
			await legacyJournal(path.dirname(snapshot), [
				{
					seq: s.seq + 1,
					applied: s.applied + 1,
					users: [[...jdoe.slice(0, 2), 'Legacy Entry', ...jdoe.slice(3, 5), s.seq + 1, jdoe[6], jdoe[7] + 1]],
					client: {
						key: 'admin\u0000legacy',
						lastAppliedId: 1,
						results: [
							{
								id: 1,
								status: 'applied',
								user: { accountId: '1001', username: 'jdoe', name: 'Legacy Entry', email: jdoe[3], role: jdoe[4], rev: s.seq + 1 }
							}
						]
					}
				}
			]);
		});
		const store = await open(dir);
		try {
			expect(store.state.getUser('1001', 'jdoe')?.name).toBe('Legacy Entry');
			expect(store.state.clients.get('admin\u0000legacy')?.lastAppliedId).toBe(1);
		} finally {
			await store.close();
		}
		// Loading it folds it into a snapshot; the journal starts over in the checksummed format.
		expect(await readFile(path.join(dir, 'journal.ndjson'), 'utf8')).toMatch(/^\{"crc32":"[0-9a-f]{8}","entry":\{"generation":\d+\}\}\n$/);
	});

	it('refuses journal lines that are valid JSON but not commit records, saying which line and why', async () => {
		for (const bad of ['null', '{}', '[1,2]', '{"seq":5,"applied":1,"users":[["1001"]]}']) {
			const dir = await stateDir((f) => legacyJournal(path.dirname(f.journal), [bad, { seq: 1, applied: 0, users: [] }]));
			await expectRefusal(dir, /journal\.ndjson line 2 is damaged \(.*not a commit record|users\[0\]/);
		}
	});
});

describe('a missing snapshot', () => {
	it('refuses to reseed over a journal that holds acknowledged commits', async () => {
		await expectRefusal(await stateDir(({ snapshot }) => rm(snapshot)), /state\.json is missing/);
	});

	it('refuses to reseed after a clean stop too: the snapshot held all the data', async () => {
		const dir = path.join(root, 'clean-stop');
		const store = await open(dir);
		await store.close();
		await rm(path.join(dir, 'state.json'));
		await expectRefusal(dir, /state\.json is missing/);
	});

	it('refuses a state.json that is JSON but not a snapshot, naming the file', async () => {
		for (const text of ['null', '{}', '[]']) {
			const dir = await stateDir(({ snapshot }) => writeFile(snapshot, text));
			const message = await expectRefusal(dir, /is not a portal state snapshot/);
			expect(message).toContain(path.join(dir, 'state.json'));
		}
	});

	it('seeds a directory whose first start stopped before anything was written', async () => {
		const dir = path.join(root, 'first-start');
		await mkdir(dir);
		await writeFile(path.join(dir, 'journal.ndjson'), '');
		const store = await open(dir);
		try {
			expect(store.seeded).toBe(true);
		} finally {
			await store.close();
		}
	});
});

describe('the command line', () => {
	const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

	async function start(dir: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', 'server/main.ts', '--state', dir, '--port', '0', '--static', path.join(dir, 'none')],
			{ cwd: repo }
		);
		let stderr = '';
		let stdout = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			// It started, which is the failure this test looks for; stop it rather than wait.
			if (stdout.includes('Portal running')) child.kill('SIGKILL');
		});
		const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
		return { code, stderr, stdout };
	}

	it('refuses a damaged journal in one paragraph, exits 1 and changes nothing', async () => {
		const dir = await stateDir(({ journal }) => editLastLine(journal, (line) => line.replace('Renamed 29', 'Renamed 2:')));
		const before = await contents(dir);
		const { code, stderr, stdout } = await start(dir);
		expect(stdout).not.toContain('Portal running');
		expect(code).toBe(1);
		expect(stderr).toContain(path.join(dir, 'journal.ndjson'));
		expect(stderr.trim().split('\n')).toHaveLength(1);
		expect(stderr).not.toMatch(/\n\s+at /);
		expect(await contents(dir)).toEqual(before);
	});

	it('refuses a missing state.json next to a journal, exits 1 and changes nothing', async () => {
		const dir = await stateDir(({ snapshot }) => rm(snapshot));
		const before = await contents(dir);
		const { code, stderr, stdout } = await start(dir);
		expect(stdout).not.toContain('Portal running');
		expect(code).toBe(1);
		expect(stderr).toContain(path.join(dir, 'state.json'));
		expect(stderr.trim().split('\n')).toHaveLength(1);
		expect(await contents(dir)).toEqual(before);
	});
});
