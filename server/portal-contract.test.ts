// The sync contract against the reference server, in-process on a free port, through the app's own
// HttpTransport over real HTTP; the hooks use the server's /api/__test/ routes.
import { expect } from 'vitest';
import { registerPortalContractTests } from '../src/lib/testing/portal-contract';
import type { UserRecord } from '../src/lib/domain/types';
import { HttpTransport } from '../src/lib/sync/transport';
import { cookieKeepingFetch, removeDir, startServer, tempDir } from './test-helpers';

registerPortalContractTests('reference server over HTTP', async (dataset) => {
	const dir = await tempDir('contract');
	let clock = Date.now();
	const server = await startServer({ stateDir: dir, dataset, faults: true, now: () => clock });
	const testRoute = async (method: string, route: string, body?: unknown) => {
		const res = await fetch(`${server.url}/api/__test/${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		return { status: res.status, body: await res.json() };
	};
	return {
		transport: new HttpTransport(server.url, cookieKeepingFetch()),
		async editAsSomeoneElse(accountId, username, changes) {
			expect((await testRoute('POST', 'edit-user', { accountId, username, changes })).status).toBe(200);
		},
		async addAsSomeoneElse(user) {
			expect((await testRoute('POST', 'add-user', user)).status).toBe(200);
		},
		async userOnPortal(accountId, username) {
			const res = await testRoute('GET', `state?${new URLSearchParams({ accountId, username })}`);
			return res.status === 404 ? undefined : (res.body.user as UserRecord);
		},
		async passwordMatches(accountId, username, password) {
			return (await testRoute('POST', 'check-password', { accountId, username, password })).body.matches === true;
		},
		async loseNextPushAnswer() {
			expect((await testRoute('POST', 'faults', { dropAfterApply: 1 })).status).toBe(200);
		},
		async advanceClock(ms) {
			clock += ms;
		},
		async close() {
			await server.close();
			await removeDir(dir);
		}
	};
});
