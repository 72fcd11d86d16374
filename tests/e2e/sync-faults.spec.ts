// Fault tests of the offline-first sync: nothing applied may be lost or applied twice, whatever the
// network, the browser or the server does. The server runs with --faults (test-only switches).
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { PortalPage, readWorkbook, serverUser } from './pages/portal';
import { renameCsv, serverUsers } from '../factories/uploads';

const FIX = 'tests/fixtures/e2e';

async function faults(request: APIRequestContext, body: Record<string, number>) {
	expect((await request.post('/api/__test/faults', { data: body })).ok()).toBe(true);
}

async function applyAndDownload(portal: PortalPage, path: string, count: number, largeChange = false) {
	await portal.preflight(path, count);
	if (largeChange) await portal.confirmLargeChange(count);
	const book = await portal.applyAndRead();
	await portal.closeDialog();
	return book;
}

/** Pushes of user changes; the upload's record for the portal's history follows them in pushes of its own. */
function countPushes(page: Page): { count: number } {
	const counter = { count: 0 };
	page.on('request', (r) => {
		if (r.url().includes('/api/push') && r.postData()?.includes('"kind":"user.update"')) counter.count++;
	});
	return counter;
}

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

test('a connection that drops after the server applied a push is retried with no second effect', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	const before = (await serverUser(request, '1012', 'jdoe')).appliedMutationCount;
	await faults(request, { dropAfterApply: 1 });
	const book = await applyAndDownload(portal, `${FIX}/offline-name-update.xlsx`, 2);
	expect(book.Results.slice(1).map((r) => r[7])).toEqual(['Updated', 'Updated']);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	const after = await serverUser(request, '1012', 'jdoe');
	expect(after.user.name).toBe('Offline Doe');
	expect(after.appliedMutationCount - before).toBe(2);
});

test('the server answering 503 for a while: the engine backs off, then finishes with nothing lost', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await faults(request, { failNext: 3, status: 503 });
	await applyAndDownload(portal, `${FIX}/offline-name-update.xlsx`, 2);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 45_000 });
	expect((await serverUser(request, '1012', 'asmith')).user.name).toBe('Offline Smith');
	const history = page.getByRole('region', { name: 'Upload history' });
	await expect(history.getByRole('row', { name: /offline-name-update/ })).toContainText('Complete');
});

/** Two changes queued offline in a page the service worker controls (so Background Sync is live). */
async function queueTwoUnderServiceWorker(page: Page, context: import('@playwright/test').BrowserContext) {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: 20_000 });
	await context.setOffline(true);
	await applyAndDownload(portal, `${FIX}/offline-name-update.xlsx`, 2);
	await expect(page.getByText('2 changes wait to sync')).toBeVisible();
	return portal;
}

test('503 with Retry-After: one push, then nothing until the time is up, whatever Background Sync and the online event say', async ({
	page,
	context,
	request
}) => {
	await queueTwoUnderServiceWorker(page, context);
	await faults(request, { failNext: 1000, status: 503, retryAfterSeconds: 10 });
	const pushes = countPushes(page);
	await context.setOffline(false);
	await expect.poll(() => pushes.count, { timeout: 10_000 }).toBe(1);
	await page.waitForTimeout(6000);
	expect(pushes.count).toBe(1);
	await faults(request, { failNext: 0 });
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 20_000 });
	expect(pushes.count).toBe(2);
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('Offline Doe');
});

test('429 and 503 without Retry-After back off exponentially: a handful of pushes in 12 s, not thousands', async ({
	page,
	context,
	request
}) => {
	await queueTwoUnderServiceWorker(page, context);
	for (const status of [429, 503]) {
		await faults(request, { failNext: 1000, status });
		const pushes = countPushes(page);
		if (status === 429) await context.setOffline(false);
		else await page.reload();
		await page.waitForTimeout(12_000);
		expect(pushes.count, `pushes while the portal answers ${status}`).toBeGreaterThanOrEqual(1);
		expect(pushes.count, `pushes while the portal answers ${status}`).toBeLessThanOrEqual(6);
		page.removeAllListeners('request');
	}
	await faults(request, { failNext: 0 });
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 60_000 });
});

test('closing the page in the middle of a sync: reopening finishes the rest', async ({ page, context, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	const users = (await serverUsers(page.request)).slice(0, 1500);
	const file = renameCsv(users, 'Reopened');
	// Slow answers, so the page closes while the second of three chunks is on its way.
	await faults(request, { delayMs: 1500 });
	await portal.startUserUpdate();
	await portal.uploadFile(file.path, file.count);
	await expect(portal.dialog().getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	await portal.confirmLargeChange(file.count);
	await portal.dialog().getByRole('button', { name: 'Apply' }).click();
	await expect(page.getByText(/1,000 changes wait to sync/)).toBeVisible({ timeout: 30_000 });
	await page.close();
	await faults(request, { delayMs: 0 });

	const again = await context.newPage();
	const reopened = new PortalPage(again);
	await reopened.goto();
	await expect(again.getByText('All changes synced')).toBeVisible({ timeout: 45_000 });
	for (const i of [0, 700, 1499]) {
		const u = users[i];
		expect((await serverUser(request, u.accountId, u.username)).user.name).toBe(`Reopened ${i}`);
	}
	const total = (await serverUser(request, users[0].accountId, users[0].username)).appliedMutationCount;
	expect(total).toBe(1500);
});

test('two tabs: exactly one pushes, both show the final state', async ({ page, context, request }) => {
	const a = new PortalPage(page);
	await a.goto();
	await a.signIn();
	await a.openUsers();
	const second = await context.newPage();
	const b = new PortalPage(second);
	await b.goto();
	await b.openUsers();
	const pushesA = countPushes(page);
	const pushesB = countPushes(second);

	await context.setOffline(true);
	await applyAndDownload(a, `${FIX}/offline-name-update.xlsx`, 2);
	await expect(second.getByText('2 changes wait to sync')).toBeVisible();
	await context.setOffline(false);
	for (const p of [page, second]) await expect(p.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	expect(pushesA.count + pushesB.count).toBe(1);
	for (const portal of [a, b]) {
		await portal.search('Offline Doe');
		await expect(portal.usersTable().getByRole('cell', { name: 'Offline Doe' })).toBeVisible();
	}
	expect((await serverUser(request, '1012', 'jdoe')).appliedMutationCount).toBe(2);
});

test('10,000 queued mutations sync in chunks; applied on the server plus rejected equals queued', async ({ page, context, request }) => {
	test.setTimeout(240_000);
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	const users = (await serverUsers(page.request)).slice(0, 2000);
	const pushes = countPushes(page);
	await context.setOffline(true);
	for (let round = 1; round <= 5; round++) {
		const file = renameCsv(users, `Round ${round}`);
		const book = await applyAndDownload(portal, file.path, file.count, true);
		expect(book.Summary.find((r) => r[0] === 'Queued')?.[1]).toBe('2000');
	}
	await expect(page.getByText('10,000 changes wait to sync')).toBeVisible();
	await context.setOffline(false);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 120_000 });
	expect(pushes.count).toBe(20);
	const history = page.getByRole('region', { name: 'Upload history' });
	let updated = 0;
	let failed = 0;
	for (const row of await history.getByRole('row').all()) {
		const cells = await row.getByRole('cell').allInnerTexts();
		if (cells.length < 7) continue;
		updated += Number(cells[3]);
		failed += Number(cells[5]);
		expect(cells[7]).toBe('Complete');
	}
	expect(updated + failed).toBe(10_000);
	const applied = (await serverUser(request, users[0].accountId, users[0].username)).appliedMutationCount;
	expect(applied).toBe(updated);
	expect((await serverUser(request, users[1999].accountId, users[1999].username)).user.name).toBe('Round 5 1999');
});

test('a concurrent edit on the server between preflight and sync produces the field-level conflict', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	const dialog = portal.dialog();
	// Someone else changes 1002 jdoe's email (row 4 changes it too) and 1001 jdoe's role (row 2 changes only the name).
	await request.post('/api/__test/edit-user', {
		data: { accountId: '1002', username: 'jdoe', changes: { email: 'jdoe.elsewhere@example.org' } }
	});
	await request.post('/api/__test/edit-user', { data: { accountId: '1001', username: 'jdoe', changes: { role: 'Teacher' } } });
	const download = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	const rows = (await readWorkbook(download)).Results;
	const row = (n: number) => rows.find((r) => r[6] === String(n))!;
	expect(row(4).slice(7, 9)).toEqual(['Failed', 'Email was changed by someone else since this file was checked']);
	expect(row(2)[7]).toBe('Updated');
	expect((await serverUser(request, '1002', 'jdoe')).user.email).toBe('jdoe.elsewhere@example.org');
	const jdoe1001 = await serverUser(request, '1001', 'jdoe');
	expect(jdoe1001.user.name).toBe('Jonathan Doe');
	await dialog.getByRole('button', { name: 'Close' }).first().click();
	await portal.search('jdoe.elsewhere@example.org');
	await expect(portal.usersTable().getByRole('cell', { name: 'jdoe.elsewhere@example.org' })).toBeVisible({ timeout: 15_000 });
});

test('session expiry mid-queue: the queue is kept, the admin signs in again, then it finishes', async ({ page, context, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await context.setOffline(true);
	await applyAndDownload(portal, `${FIX}/offline-name-update.xlsx`, 2);
	await request.post('/api/__test/expire-sessions', { data: {} });
	await context.setOffline(false);
	await expect(page.getByText('Your session has expired.')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByText('2 changes wait to sync')).toBeVisible();
	// Only this admin can sign in again here: another account goes through Sign out, which warns first.
	await expect(page.getByLabel('Username')).toHaveValue('admin');
	await expect(page.getByLabel('Username')).not.toBeEditable();
	await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
	await expect(page.getByRole('alertdialog')).toContainText('2 changes have not reached the portal yet');
	await page.getByRole('button', { name: 'Stay signed in' }).click();
	await page.getByLabel('Password').fill('springfield-demo');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByText('Your session has expired.')).toHaveCount(0);
	expect((await serverUser(request, '1012', 'asmith')).user.name).toBe('Offline Smith');
});
