import { expect, test, type Download } from '@playwright/test';
import { PortalPage, readWorkbook, serverUser } from './pages/portal';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

function csv(name: string, rows: string[][]) {
	return { name, mimeType: 'text/csv', buffer: Buffer.from(rows.map((r) => r.join(',')).join('\r\n')) };
}

test('two clicks on Apply in one task apply the file once: one download, one history entry', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startUserUpdate();
	const dialog = portal.dialog();
	await dialog.getByLabel('Number of users').fill('2');
	await dialog.getByLabel('Spreadsheet file').setInputFiles(
		csv('double-click.csv', [
			['Account ID', 'Username', 'Name'],
			['1001', 'jdoe', 'Johnny Doe'],
			['1001', 'asmith', 'Alicia Smith']
		])
	);
	await dialog.getByRole('button', { name: 'Upload' }).click();
	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });

	const downloads: Download[] = [];
	page.on('download', (d) => downloads.push(d));
	// Both clicks land before the page re-renders: the button is still there for the second one.
	await dialog.getByRole('button', { name: 'Apply' }).evaluate((button: HTMLButtonElement) => {
		button.click();
		button.click();
	});
	await expect(dialog.getByText('2 rows updated, 0 rows had errors. A spreadsheet with the results is downloading.')).toBeVisible({
		timeout: 30_000
	});
	await expect.poll(() => downloads.length).toBe(1);
	await page.waitForTimeout(1500);
	expect(downloads).toHaveLength(1);
	const book = await readWorkbook(downloads[0]);
	expect(book.Results.slice(1).map((r) => r[4])).toEqual(['Updated', 'Updated']);

	await portal.closeDialog();
	const history = page.getByRole('region', { name: 'Upload history' });
	await expect(history.getByRole('row', { name: /double-click\.csv/ })).toHaveCount(1);
	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('Johnny Doe');
});

test('a 40,000-character Name fails its row; the valid row applies and its results download, also from the history', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startUserUpdate();
	const dialog = portal.dialog();
	await dialog.getByLabel('Number of users').fill('3');
	await dialog.getByLabel('Spreadsheet file').setInputFiles(
		csv('long-name.csv', [
			['Account ID', 'Username', 'Name'],
			['1001', 'jdoe', 'Johnny Doe'],
			['1001', 'asmith', 'N'.repeat(40_000)],
			['1001', 'jnunez', `=${'x'.repeat(32_766)}`]
		])
	);
	await dialog.getByRole('button', { name: 'Upload' }).click();
	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	await expect(dialog.getByText('Row 3, Name: 40,000 characters; names can have at most 100. Shorten it and upload again.')).toBeVisible();

	const book = await readWorkbook(await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click()));
	await expect(dialog.getByText('1 row updated, 2 rows had errors. A spreadsheet with the results is downloading.')).toBeVisible();
	await expect(dialog.getByRole('alert')).toHaveCount(0);
	const rows = book.Results.slice(1);
	expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([
		['1001', 'jdoe', 'Updated'],
		['1001', 'asmith', 'Failed'],
		['1001', 'jnunez', 'Failed']
	]);
	expect(rows[1][2].length).toBeLessThanOrEqual(32_767);
	expect(rows[2][2].startsWith("'=xxx")).toBe(true);
	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('Johnny Doe');

	await portal.closeDialog();
	const history = page.getByRole('region', { name: 'Upload history' });
	const again = await readWorkbook(
		await portal.expectDownload(() => history.getByRole('button', { name: /Download results of long-name\.csv/ }).click())
	);
	expect(again.Results.slice(1).map((r) => r[4])).toEqual(['Updated', 'Failed', 'Failed']);
});
