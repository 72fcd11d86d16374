// Security through the real app and real HTTP: headers and CSP, markup shown as text, formulas
// neutralised, passwords never at rest in plaintext, sign-in throttling, and one admin's data never
// visible to the next. Reader-level hostile files are covered by src/lib/spreadsheet tests.
import { expect, test } from '@playwright/test';
import { dumpIndexedDb } from './pages/indexed-db';
import { DEMO, PortalPage, readWorkbook } from './pages/portal';

const FIX = 'tests/fixtures/e2e';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

test('every page is served with a strict CSP and security headers, and the app runs under it', async ({ page, request }) => {
	const response = await request.get('/');
	const headers = response.headers();
	const csp = headers['content-security-policy'];
	expect(csp).toContain("frame-ancestors 'none'");
	expect(csp).toMatch(/script-src [^;]*'self'/);
	expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
	expect(csp).toMatch(/script-src[^;]*'sha256-/);
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['referrer-policy']).toBe('no-referrer');
	const violations: string[] = [];
	page.on('console', (m) => {
		if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
	});
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	expect(violations).toEqual([]);
});

test('markup in names is shown as text, formulas are neutralised in results, and passwords never rest in plaintext', async ({
	page,
	context
}) => {
	const dialogs: string[] = [];
	page.on('dialog', async (d) => {
		dialogs.push(d.message());
		await d.dismiss();
	});
	const logs: string[] = [];
	page.on('console', (m) => logs.push(m.text()));
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	// Offline, so the password waits in the outbox: that is where it must be encrypted.
	await context.setOffline(true);
	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/xss-and-formula-names.csv`, 2);
	const dialog = portal.dialog();
	await expect(dialog.getByText('<img src=x onerror=alert(1)>')).toBeVisible({ timeout: 30_000 });
	expect(await dialog.locator('img').count()).toBe(0);
	const download = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	const results = (await readWorkbook(download)).Results;
	const asmith = results.find((r) => r[1] === 'asmith')!;
	expect(asmith[2].startsWith("'=HYPERLINK")).toBe(true);
	expect(asmith[3]).toBe('(set)');
	await dialog.getByRole('button', { name: 'Close' }).first().click();

	const stored = await dumpIndexedDb(page);
	expect(stored.includes('<img src=x onerror=alert(1)>'), 'the queued name is stored').toBe(true);
	expect(stored.includes('Sup3r-Secret-77'), 'the queued password is not stored in plaintext').toBe(false);
	// Sealed once per outbox chunk (OutboxChunk.passwords), never on the mutation itself.
	const [chunk] = JSON.parse(stored).outbox as { passwords?: unknown; mutations: { password?: unknown }[] }[];
	expect(chunk.passwords, 'the sealed passwords wait with their chunk').toBeTruthy();
	expect(chunk.mutations.some((m) => m.password !== undefined)).toBe(false);

	await portal.search('onerror');
	await expect(portal.usersTable().getByRole('cell', { name: '<img src=x onerror=alert(1)>' })).toBeVisible();
	expect(await portal.usersTable().locator('img').count()).toBe(0);

	await context.setOffline(false);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	// Acknowledged: the sealed password is gone from the device too.
	expect(JSON.parse(await dumpIndexedDb(page)).outbox).toEqual([]);
	const history = page.getByRole('region', { name: 'Upload history' });
	const final = await portal.expectDownload(() =>
		history.getByRole('button', { name: /Download results of xss-and-formula-names/ }).click()
	);
	expect(JSON.stringify(await readWorkbook(final))).not.toContain('Sup3r-Secret-77');
	expect(dialogs).toEqual([]);
	expect(logs.join('\n')).not.toContain('Sup3r-Secret-77');
});

test('sign-in attempts are limited with a clear wait time', async ({ page }) => {
	await page.goto('/');
	for (let i = 0; i < 6; i++) {
		await page.getByLabel('Username').fill('shelby-admin');
		await page.getByLabel('Password').fill(`wrong-password-${i}`);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('alert')).toBeVisible();
	}
	await expect(page.getByRole('alert')).toContainText(/Too many sign-in attempts; try again in \d+ s/);
});

test('after one admin signs out, the next admin on the same browser sees nothing of the first', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.signOut();
	await portal.signIn(DEMO.other.username, DEMO.other.password);
	await expect(page.getByText(DEMO.other.parent)).toBeVisible();
	const stored = await dumpIndexedDb(page);
	expect(stored.includes(DEMO.admin.parent), 'first parent name on the device').toBe(false);
	expect(stored.includes('"1001"'), 'first parent account on the device').toBe(false);
	await portal.openUsers();
	await portal.search('springfieldschools.org');
	await expect(page.getByText(/^0 of [\d,]+ users/)).toBeVisible();
});
