import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { cellType, DEMO, PortalPage, readWorkbook } from './pages/portal';

async function seriousViolations(page: import('@playwright/test').Page) {
	const results = await new AxeBuilder({ page }).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('sign in lists the institutions, and Export Institutions downloads exactly them with text Account IDs', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.goto();
	expect(await seriousViolations(page)).toEqual([]);
	await portal.signIn();
	await expect(page.getByText(DEMO.admin.parent)).toBeVisible();
	const api = await (await page.request.get('/api/institutions')).json();
	const institutions: { accountId: string; name: string; signIn: string }[] = api.institutions;
	expect(institutions.length).toBeGreaterThanOrEqual(12);
	const table = page.getByRole('table', { name: 'Institutions of your account' });
	for (const inst of institutions) {
		await expect(table.getByRole('row', { name: new RegExp(`^${inst.accountId} ${inst.name}`) })).toBeVisible();
	}
	expect(await seriousViolations(page)).toEqual([]);

	const download = await portal.expectDownload(() => page.getByRole('button', { name: 'Export Institutions' }).click());
	expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
	const book = await readWorkbook(download);
	const [header, ...rows] = Object.values(book)[0];
	expect(header.slice(0, 2)).toEqual(['Account ID', 'Name']);
	const expected = institutions.map((i) => [i.accountId, i.name]).sort();
	expect(rows.map((r) => [r[0], r[1]]).sort()).toEqual(expected);
	expect(await cellType(download, Object.keys(book)[0], 'A2')).toBe('s');
});

test('the Users tab searches and pages through every user, and is accessible', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	expect(await seriousViolations(page)).toEqual([]);
	const total = Number((await page.getByText(/of [\d,]+ users/).innerText()).match(/of ([\d,]+) users/)![1].replace(/,/g, ''));
	expect(total).toBeGreaterThanOrEqual(2000);
	await portal.search('jdoe');
	await expect(portal.usersTable().getByRole('cell', { name: 'jdoe', exact: true }).first()).toBeVisible();
	await portal.bulkTool('Bulk upload');
	await expect(portal.dialog()).toBeVisible();
	expect(await seriousViolations(page)).toEqual([]);
});

test('an admin of another parent sees none of the first parent\u2019s data, in the UI or through the API', async ({
	page,
	playwright,
	baseURL
}) => {
	const portal = new PortalPage(page);
	await portal.goto();
	await portal.signIn(DEMO.other.username, DEMO.other.password);
	await expect(page.getByText(DEMO.other.parent)).toBeVisible();
	await expect(page.getByText(DEMO.admin.parent)).toHaveCount(0);
	const mine = (await (await page.request.get('/api/institutions')).json()).institutions as {
		accountId: string;
		parentAccountId: string;
	}[];
	expect(mine.length).toBeGreaterThan(0);
	expect(mine.every((i) => i.parentAccountId === mine[0].parentAccountId)).toBe(true);

	// The first parent's institutions, read as that admin, must be invisible and untouchable here.
	const first = await playwright.request.newContext({ baseURL });
	await first.post('/api/session', { data: { username: DEMO.admin.username, password: DEMO.admin.password } });
	const theirs = (await (await first.get('/api/institutions')).json()).institutions as { accountId: string }[];
	const theirUsers = (await (await first.get('/api/pull?cursor=0&limit=10')).json()).users as { accountId: string; username: string }[];
	const myIds = new Set(mine.map((i) => i.accountId));
	expect(theirs.some((i) => myIds.has(i.accountId))).toBe(false);
	const pulled = (await (await page.request.get('/api/pull?cursor=0&limit=5000')).json()).users as { accountId: string }[];
	expect(pulled.every((u) => myIds.has(u.accountId))).toBe(true);
	const target = theirUsers[0];
	const push = await page.request.post('/api/push', {
		headers: { 'idempotency-key': 'e2e-isolation-client:1' },
		data: {
			protocolVersion: 1,
			clientId: 'e2e-isolation-client',
			mutations: [
				{
					id: 1,
					batchId: 'x',
					kind: 'user.update',
					accountId: target.accountId,
					username: target.username,
					changes: { name: 'Hacked' },
					base: {}
				}
			]
		}
	});
	const body = await push.json();
	expect(push.status() === 403 || body.results?.[0]?.status === 'rejected').toBe(true);
	expect(JSON.stringify(body)).not.toContain(DEMO.admin.parent);
	const after = (await (await first.get('/api/pull?cursor=0&limit=5000')).json()).users as {
		username: string;
		accountId: string;
		name: string;
	}[];
	expect(after.find((u) => u.accountId === target.accountId && u.username === target.username)?.name).not.toBe('Hacked');
	await first.dispose();
});

test('after one online visit, a reload with the network off still shows the app and the users', async ({ page, context }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	// The service worker must control the page before going offline.
	await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: 20_000 });
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Institutions & Users' })).toBeVisible();
	await portal.openUsers();
	await expect(portal.usersTable().getByRole('row')).toHaveCount(51);
	expect(await seriousViolations(page)).toEqual([]);
	await context.setOffline(false);
});

test('signing out removes this admin\u2019s data from the device', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.signOut();
	const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
	expect(names).not.toContain('admin-portal');
	await page.reload();
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('if the portal screen cannot be fetched, the page says so and offers Reload instead of loading forever', async ({ page }) => {
	// The portal screen is loaded after the first paint (src/lib/state/boot.ts); fail just that file.
	await page.route('**/_app/immutable/chunks/*.js', async (route) => {
		const response = await route.fetch();
		const body = await response.text();
		if (body.includes('Bulk tools')) return route.abort('internetdisconnected');
		return route.fulfill({ response, body });
	});
	await page.goto('/');
	await expect(page.getByRole('alert')).toContainText('The portal could not be loaded. Check the connection and');
	await expect(page.getByRole('button', { name: 'Reload' })).toBeVisible();
	await page.unroute('**/_app/immutable/chunks/*.js');
	await page.getByRole('button', { name: 'Reload' }).click();
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
