import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Institution } from '../domain/types';
import { db, wipeDatabase } from '../storage/db';
import { downloadInProgress } from '../storage/download-repo';
import { listInstitutions } from '../storage/institutions-repo';
import { getMeta } from '../storage/meta-repo';
import { loadAllUsers, patchUsers } from '../storage/users-repo';
import { MemoryPortal } from '../testing/memory-portal';
import { transportFailure } from '../testing/transport-failure';
import { downloadAll, pullChanges } from './download';
import type { PullResponse } from './protocol';
import { TransportError } from './transport';

const INSTITUTIONS: Institution[] = [
	{ accountId: '1001', name: 'Lincoln Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] },
	{ accountId: '1002', name: 'Adams Middle', parentAccountId: '100', signIn: 'password', googleDomains: [] }
];

/** Pages of 100 users; the connection drops on the pulls listed in `dropOn` (counted from 1). */
class PagedPortal extends MemoryPortal {
	pulls: string[] = [];
	dropOn = new Set<number>();
	override async pull(cursor: string, limit: number): Promise<PullResponse> {
		this.pulls.push(cursor);
		if (this.dropOn.has(this.pulls.length)) throw new TransportError('offline', 'The connection dropped.');
		return super.pull(cursor, Math.min(limit, 100));
	}
}

function portalWith(n: number): PagedPortal {
	return new PagedPortal(
		INSTITUTIONS,
		Array.from({ length: n }, (_, i) => ({
			accountId: i % 3 === 0 ? '1002' : '1001',
			username: `u${String(i).padStart(4, '0')}`,
			name: `User ${i}`,
			email: `u${i}@example.org`,
			role: 'Student'
		}))
	);
}

afterEach(async () => {
	await wipeDatabase();
});

describe('the full download, paged and resumable', () => {
	it('a dropped connection keeps the pages stored so far; the next attempt resumes from the last one', async () => {
		const portal = portalWith(450);
		portal.dropOn.add(3);
		const progress: number[] = [];
		await transportFailure(downloadAll(portal, (p) => progress.push(p.received)));
		expect(progress).toEqual([100, 200]);
		expect(await downloadInProgress()).toMatchObject({ received: 200, pages: 2, complete: false });
		// Nothing of the unfinished download is visible yet.
		expect(await loadAllUsers()).toEqual([]);
		expect(await getMeta('downloadedAt')).toBeUndefined();

		const resumedFrom = portal.pulls.length;
		const count = await downloadAll(portal, (p) => progress.push(p.received));
		expect(count).toBe(450);
		// The retry asked for the page after the last stored one, never for cursor "0" again.
		expect(portal.pulls[resumedFrom]).toBe(portal.pulls[resumedFrom - 1]);
		expect(portal.pulls.filter((c) => c === '0').length).toBe(1);
		expect(progress.slice(2)).toEqual([200, 300, 400, 450]);
		const users = await loadAllUsers();
		expect(new Set(users.map((u) => `${u.accountId}/${u.username}`)).size).toBe(450);
		expect(await downloadInProgress()).toBeUndefined();
		expect(await db().stagedUsers.count()).toBe(0);
		expect((await listInstitutions()).length).toBe(2);
		expect(await getMeta('pullCursor')).toBe('450');
	});

	it('stores users sorted per account, and a user edited elsewhere mid-download once, as last sent', async () => {
		const portal = portalWith(250);
		portal.dropOn.add(2);
		await transportFailure(downloadAll(portal));
		portal.edit('1002', 'u0000', { name: 'Renamed Meanwhile' });
		expect(await downloadAll(portal)).toBe(250);
		const users = await loadAllUsers();
		expect(users.filter((u) => u.username === 'u0000').map((u) => u.name)).toEqual(['Renamed Meanwhile']);
		const first = users.filter((u) => u.accountId === '1001').map((u) => u.username);
		expect(first).toEqual([...first].sort());
	});

	it('the previous local copy stays until the new download is complete, then is replaced whole', async () => {
		const portal = portalWith(150);
		await downloadAll(portal);
		const version = await getMeta('usersVersion');
		portal.edit('1001', 'u0001', { name: 'Second Copy' });
		portal.dropOn.add(portal.pulls.length + 2);
		await transportFailure(downloadAll(portal));
		expect((await loadAllUsers()).find((u) => u.username === 'u0001')?.name).toBe('User 1');
		expect(await getMeta('usersVersion')).toBe(version);
		await downloadAll(portal);
		expect((await loadAllUsers()).find((u) => u.username === 'u0001')?.name).toBe('Second Copy');
		expect(await getMeta('usersVersion')).toBe(version! + 1);
	});

	it('a swap that did not commit is run again by the next attempt, without pulling again', async () => {
		const portal = portalWith(120);
		const institutions = portal.institutions.bind(portal);
		portal.institutions = async () => {
			throw new TransportError('offline', 'The connection dropped.');
		};
		await transportFailure(downloadAll(portal));
		expect(await downloadInProgress()).toMatchObject({ complete: true, received: 120 });
		const pulls = portal.pulls.length;
		portal.institutions = institutions;
		expect(await downloadAll(portal)).toBe(120);
		expect(portal.pulls.length).toBe(pulls);
	});

	it('incremental pulls after a resumed download start from its last cursor', async () => {
		const portal = portalWith(220);
		portal.dropOn.add(2);
		await transportFailure(downloadAll(portal));
		await downloadAll(portal);
		portal.edit('1001', 'u0002', { email: 'new@example.org' });
		expect(await pullChanges(portal)).toBe(1);
		expect((await loadAllUsers()).find((u) => u.username === 'u0002')?.email).toBe('new@example.org');
		// A local patch still finds its user in the swapped-in chunks.
		expect(await patchUsers([{ accountId: '1002', username: 'U0000', set: { role: 'Teacher' } }])).toEqual([]);
	});
});
