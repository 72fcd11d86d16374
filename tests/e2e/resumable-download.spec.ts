// The first download after sign-in, cut mid-way: the admin sees how far it got and that it resumes, and it
// carries on from the last stored page (after a reload too) to every user exactly once.
// The server runs with --faults: pullLimit makes the download take many small pages, dropPullsAfter
// hangs up on every pull after the first N until it is switched off.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { dumpIndexedDb } from './pages/indexed-db';
import { expectAccessible, expectFits } from './pages/layout-checks';
import { DEMO, PortalPage } from './pages/portal';

const PARENT_USERS = '2,400';

async function faults(request: APIRequestContext, body: Record<string, number>) {
	expect((await request.post('/api/__test/faults', { data: body })).ok()).toBe(true);
}

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

test('a download cut after 8 pages shows the progress bar, resumes from the last stored page when the portal answers, and ends with every user once', async ({
	page,
	request
}) => {
	await faults(request, { pullLimit: 100, dropPullsAfter: 8 });
	const cursors: string[] = [];
	const pulled: { accountId: string; username: string }[] = [];
	page.on('request', (r) => {
		if (r.url().includes('/api/pull')) cursors.push(new URL(r.url()).searchParams.get('cursor') ?? '');
	});
	page.on('response', async (r) => {
		if (!r.url().includes('/api/pull') || !r.ok()) return;
		const body = (await r.json().catch(() => null)) as { users: { accountId: string; username: string }[] } | null;
		for (const u of body?.users ?? []) pulled.push(u);
	});

	const portal = new PortalPage(page);
	await portal.goto();
	await page.getByLabel('Username').fill(DEMO.admin.username);
	await page.getByLabel('Password').fill(DEMO.admin.password);
	await page.getByRole('button', { name: 'Sign in' }).click();

	const bar = page.getByRole('progressbar', { name: `Downloading users: 800 of ${PARENT_USERS}` });
	await expect(bar).toBeVisible();
	await expect(bar).toHaveAttribute('aria-valuenow', '800');
	await expect(bar).toHaveAttribute('aria-valuemax', '2400');
	await expect(page.getByRole('status').filter({ hasText: 'The download will resume when the portal answers' })).toBeVisible();
	for (const width of [390, 1280]) {
		await page.setViewportSize({ width, height: 800 });
		await expectFits(page, `the interrupted download at ${width} px`);
		await expectAccessible(page, width, 'the interrupted download');
	}

	// Someone edits a user this device already has: the rest of the download sends them again.
	expect(pulled.some((u) => u.accountId === '1001' && u.username === 'jdoe')).toBe(true);
	const edit = await request.post('/api/__test/edit-user', {
		data: { accountId: '1001', username: 'jdoe', changes: { name: 'Edited Meanwhile' } }
	});
	expect(edit.ok()).toBe(true);

	// Closing the tab does not lose the stored pages either: the reopened portal carries on by itself.
	await page.reload();
	await expect(page.getByRole('progressbar', { name: `Downloading users: 800 of ${PARENT_USERS}` })).toBeVisible();
	await faults(request, { dropPullsAfter: -1 });
	await expect(page.getByRole('heading', { name: 'Institutions & Users' })).toBeVisible({ timeout: 30_000 });

	// Only the very first pull started from zero; every later attempt asked for the page after the last one stored.
	expect(cursors.filter((c) => c === '0').length).toBe(1);
	expect(pulled.filter((u) => u.accountId === '1001' && u.username === 'jdoe').length).toBe(2);

	await portal.openUsers();
	await expect(page.getByText(`${PARENT_USERS} of ${PARENT_USERS} users`)).toBeVisible();
	await portal.search('jdoe.1001@');
	await expect(page.getByText(`1 of ${PARENT_USERS} users`)).toBeVisible();
	await expect(portal.usersTable()).toContainText('Edited Meanwhile');
});

test('Stop and sign out during a cut download removes what was downloaded; signing in again starts afresh and finishes', async ({
	page,
	request
}) => {
	await faults(request, { pullLimit: 100, dropPullsAfter: 3 });
	const cursors: string[] = [];
	page.on('request', (r) => {
		if (r.url().includes('/api/pull')) cursors.push(new URL(r.url()).searchParams.get('cursor') ?? '');
	});
	const portal = new PortalPage(page);
	await portal.goto();
	await page.getByLabel('Username').fill(DEMO.admin.username);
	await page.getByLabel('Password').fill(DEMO.admin.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('progressbar', { name: `Downloading users: 300 of ${PARENT_USERS}` })).toBeVisible();
	await expect(page.getByText('The download will resume when the portal answers')).toBeVisible();

	await page.getByRole('button', { name: 'Stop and sign out' }).click();
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	const stored = JSON.parse(await dumpIndexedDb(page)) as Record<string, unknown[]>;
	for (const [store, records] of Object.entries(stored)) expect(records, `${store} is empty after Stop and sign out`).toEqual([]);

	// The portal answering now does not bring the stopped download back.
	await faults(request, { pullLimit: 0, dropPullsAfter: -1 });
	await page.waitForTimeout(1500);
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	const before = cursors.length;

	await page.getByLabel('Username').fill(DEMO.admin.username);
	await page.getByLabel('Password').fill(DEMO.admin.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { name: 'Institutions & Users' })).toBeVisible({ timeout: 30_000 });
	expect(cursors[before], 'the new download starts from the beginning').toBe('0');
	await portal.openUsers();
	await expect(page.getByText(`${PARENT_USERS} of ${PARENT_USERS} users`)).toBeVisible();
});
