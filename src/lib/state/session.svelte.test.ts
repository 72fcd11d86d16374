// Signing in again after expiry: the device's data and waiting changes belong to one admin, and only
// Sign out (which warns) may discard them.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ wiped: 0, signedOut: 0, signInAs: 'admin', downloads: 0 }));
const owner = { username: 'admin', parentAccountId: '100', parentName: 'Springfield Public Schools', roles: ['Student'] };

vi.mock('../storage/meta-repo', () => ({
	getMeta: async (key: string) => (key === 'owner' ? owner : key === 'downloadedAt' ? 1 : undefined),
	setMeta: async () => undefined
}));
vi.mock('../storage/db', () => ({
	onVersionChange: () => undefined,
	StorageError: class extends Error {},
	wipeDatabase: async () => void calls.wiped++
}));
vi.mock('../storage/outbox-repo', () => ({ pendingMutationCount: async () => 2 }));
vi.mock('../worker/client', () => ({ dataWorker: { call: async () => void calls.downloads++ } }));
vi.mock('./services', () => ({
	transport: {
		session: async () => null,
		signOut: async () => void calls.signedOut++,
		signIn: async () => ({
			protocolVersion: 1,
			admin: { username: calls.signInAs },
			parent:
				calls.signInAs === 'admin'
					? { accountId: '100', name: 'Springfield Public Schools' }
					: { accountId: '200', name: 'Shelbyville Library System' },
			roles: ['Student'],
			largeChange: { percent: 5, minUsers: 20 }
		})
	}
}));

const { SessionState } = await import('./session.svelte');

beforeEach(() => {
	calls.wiped = 0;
	calls.signedOut = 0;
	calls.downloads = 0;
});

describe('signing in again after the session expired', () => {
	it('as another admin keeps everything, ends the new session and says to sign out first', async () => {
		const session = new SessionState();
		await session.restore();
		session.markExpired();
		calls.signInAs = 'shelby-admin';
		expect(await session.signIn('shelby-admin', 'x')).toBe(false);
		expect(calls.wiped).toBe(0);
		expect(calls.downloads).toBe(0);
		expect(calls.signedOut).toBe(1);
		expect(session.expired).toBe(true);
		expect(session.owner?.username).toBe('admin');
		expect(session.error).toBe("This device holds admin's data and waiting changes. To use another account, sign out first.");
	});

	it('as the same admin keeps the data and resumes', async () => {
		const session = new SessionState();
		await session.restore();
		session.markExpired();
		calls.signInAs = 'admin';
		expect(await session.signIn('admin', 'x')).toBe(true);
		expect(session.expired).toBe(false);
		// The parent's large-change gate comes with the session; the worker reads it from the owner.
		expect(session.owner?.largeChange).toEqual({ percent: 5, minUsers: 20 });
		expect(calls.wiped).toBe(0);
		expect(calls.downloads).toBe(0);
	});
});
