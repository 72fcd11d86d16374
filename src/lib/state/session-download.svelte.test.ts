// The first download as the session runs it: a reopened tab carries on with a staged download, a dropped
// connection waits for the portal to answer, an error answer for a short wait, and an ended session stops
// it with the stored pages kept.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DownloadAnswer } from '../worker/handlers';

const owner = { username: 'admin', parentAccountId: '100', parentName: 'Springfield Public Schools', roles: ['Student'] };
const staged = { cursor: '200', received: 200, total: 450, pages: 2, complete: false, startedAt: 1 };
const script = vi.hoisted(() => ({ answers: [] as DownloadAnswer[], calls: 0, reachable: () => {}, cancelled: 0, wiped: 0 }));

vi.mock('../storage/meta-repo', () => ({
	getMeta: async (key: string) => (key === 'owner' ? owner : key === 'download' ? staged : undefined),
	setMeta: async () => undefined
}));
vi.mock('../storage/db', () => ({
	onVersionChange: () => undefined,
	StorageError: class extends Error {},
	wipeDatabase: async () => void script.wiped++
}));
vi.mock('../storage/outbox-repo', () => ({ pendingMutationCount: async () => 0 }));
vi.mock('./services', () => ({ transport: { signOut: async () => undefined } }));
vi.mock('./retry-wait', () => ({ retryWait: () => 0 }));
vi.mock('./connectivity.svelte', () => ({
	connectivity: {
		report: () => {},
		untilReachable: () => new Promise<void>((resolve) => (script.reachable = resolve))
	}
}));
vi.mock('../worker/client', () => ({
	dataWorker: {
		call: async (_name: string, _args: undefined, options: { onProgress: (p: { done: number; total: number }) => void }) => {
			script.calls++;
			options.onProgress({ done: 300, total: 450 });
			return script.answers.shift();
		},
		cancel: () => void script.cancelled++
	}
}));

const { SessionState, SIGN_IN_TO_FINISH } = await import('./session.svelte');

function failure(kind: 'offline' | 'server' | 'unauthenticated', status = 0): DownloadAnswer {
	return { ok: false, failure: { kind, message: kind, status, details: {} }, outcome: kind === 'offline' ? 'no-answer' : 'answered' };
}

beforeEach(() => {
	script.calls = 0;
	script.cancelled = 0;
	script.wiped = 0;
});

describe('the first download', () => {
	it('a reopened tab carries on with the staged download; a dropped connection waits until the portal answers', async () => {
		script.answers = [failure('offline'), { ok: true, users: 450, outcome: 'answered' }];
		const session = new SessionState();
		const restoring = session.restore();
		await vi.waitFor(() => expect(session.progress).toEqual({ received: 300, total: 450, waiting: 'no-answer' }));
		expect(session.status).toBe('downloading');
		expect(script.calls).toBe(1);
		script.reachable();
		await restoring;
		await vi.waitFor(() => expect(session.status).toBe('ready'));
		expect(script.calls).toBe(2);
		expect(session.progress).toBeNull();
	});

	it('an error answer (503) is retried by itself', async () => {
		script.answers = [failure('server', 503), failure('server', 503), { ok: true, users: 450, outcome: 'answered' }];
		const session = new SessionState();
		await session.restore();
		await vi.waitFor(() => expect(session.status).toBe('ready'));
		expect(script.calls).toBe(3);
	});

	it('a session that ended stops it and asks to sign in again, keeping what was downloaded', async () => {
		script.answers = [failure('unauthenticated', 401)];
		const session = new SessionState();
		await session.restore();
		await vi.waitFor(() => expect(session.status).toBe('signed-out'));
		expect(session.error).toBe(SIGN_IN_TO_FINISH);
	});
});

describe('Stop and sign out during the first download', () => {
	it('while it waits for the portal: the loop stops for good, the worker is stopped and the device wiped', async () => {
		script.answers = [failure('offline'), { ok: true, users: 450, outcome: 'answered' }];
		const session = new SessionState();
		const restoring = session.restore();
		await vi.waitFor(() => expect(session.progress?.waiting).toBe('no-answer'));
		await session.stopDownloadAndSignOut();
		await restoring;
		expect(session.status).toBe('signed-out');
		expect(session.progress).toBeNull();
		expect(script.cancelled).toBe(1);
		expect(script.wiped).toBe(1);
		// The portal answering later does not start the download again.
		script.reachable();
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(script.calls).toBe(1);
		expect(session.status).toBe('signed-out');
		expect(session.error).toBeNull();
	});
});
