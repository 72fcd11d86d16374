// The status says whether the portal answers, not whether the browser has a network: with the browser
// "online" but the portal out of reach (blocked, a captive portal's login page), changes are queued,
// never failed, and nothing hammers the portal; when it answers again they sync at once.
import { expect, test, type Page } from '@playwright/test';
import { PortalPage, readWorkbook, serverUser } from './pages/portal';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

const pill = (page: Page) => page.getByRole('banner').getByRole('status').first();

test('the portal unreachable while the browser says online: Offline with the reason, Apply queues, and the rows sync when it answers', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await expect(pill(page)).toContainText('Online');

	let attempts = 0;
	await page.route('**/api/**', (route) => {
		attempts++;
		return route.abort('connectionrefused');
	});
	expect(await page.evaluate(() => navigator.onLine)).toBe(true);

	await portal.preflight('tests/fixtures/e2e/offline-name-update.xlsx', 2);
	const book = await portal.applyAndRead();
	expect(book.Results.slice(1).map((r) => r[7])).toEqual(['Queued', 'Queued']);
	await expect(portal.dialog().getByText(/2 rows are queued/)).toBeVisible();
	await portal.closeDialog();

	await expect(pill(page)).toContainText('Offline');
	await expect(pill(page)).toContainText('Connected, but the portal does not answer. Changes wait on this device.');
	await expect(page.getByText('2 changes wait to sync')).toBeVisible();
	await expect(page.getByText(/Sync paused/)).toHaveCount(0);
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('John Doe');

	// Probes back off (2 s, 4 s, 8 s …): a few requests in 8 s, not a request every few milliseconds.
	const before = attempts;
	await page.waitForTimeout(8000);
	expect(attempts - before).toBeLessThanOrEqual(4);

	await page.unroute('**/api/**');
	await expect(pill(page)).toContainText('Online', { timeout: 40_000 });
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 20_000 });
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('Offline Doe');
	const history = page.getByRole('region', { name: 'Upload history' });
	const final = await portal.expectDownload(() =>
		history.getByRole('button', { name: /Download results of offline-name-update\.xlsx/ }).click()
	);
	expect((await readWorkbook(final)).Results.slice(1).map((r) => r[7])).toEqual(['Updated', 'Updated']);
});

test('a captive portal answering every request with its login page reads as Offline, not as an error', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await page.route('**/api/**', (route) =>
		route.fulfill({ status: 200, contentType: 'text/html', body: '<html><body>Sign in to SchoolWiFi</body></html>' })
	);
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Institutions & Users' })).toBeVisible();
	await expect(pill(page)).toContainText('Offline');
	await expect(pill(page)).toContainText('Connected, but the portal does not answer.');
	await expect(page.getByText(/session has expired/)).toHaveCount(0);
});
