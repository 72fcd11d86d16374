// Files as other programs really write them (tests/fixtures/real-world, one per pattern found by running
// the reader over ~1,900 real spreadsheets): read when they hold users, refused with what to do otherwise.
import { expect, test } from '@playwright/test';
import { PortalPage } from './pages/portal';

const REAL = 'tests/fixtures/real-world';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

test('a LibreOffice sheet declaring 1,048,576 rows × 1,024 columns around 2 users is read, not refused for its size', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${REAL}/libreoffice-dimension-AMJ1048576.xlsx`, 2);
	const summary = portal.dialog().getByRole('list', { name: 'Summary' });
	// Both rows are checked like any others (bsmith has no account 1002 in the demo data).
	await expect(summary).toContainText('1 will update');
	await expect(summary).toContainText('1 with errors');
	await expect(portal.dialog().getByRole('alert')).toHaveCount(0);
});

test('a UTF-32 CSV is decoded, characters beyond the basic plane included', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${REAL}/utf32le-bom.csv`, 2);
	const dialog = portal.dialog();
	await dialog.getByLabel('Show').selectOption('all');
	await expect(dialog.getByText('Zoë O’Brien')).toBeVisible();
	await expect(dialog.getByText(/Read as CSV \(utf-32le/i)).toBeVisible();
});

for (const [file, words] of [
	[
		'libreoffice-password-protected.ods',
		/protected with a password.*Open it in LibreOffice Calc, choose File > Save As, untick "Save with password"/
	],
	[
		'data-only-on-hidden-sheets.xlsx',
		/has data only on hidden sheets \("Data", "Old data"\)\. In Excel, right-click a sheet tab, choose Unhide/
	],
	['attachment-not-found.xls', /is not a spreadsheet but a text file of 1 line.*get the file again and upload it/]
] as const) {
	test(`${file} is refused with what to do, and nothing changes`, async ({ page }) => {
		const portal = new PortalPage(page);
		await portal.openAsAdmin();
		await portal.startUserUpdate();
		await portal.uploadFile(`${REAL}/${file}`, 2);
		const alert = portal.dialog().getByRole('alert');
		await expect(alert).toContainText(words, { timeout: 30_000 });
		await expect(alert).not.toContainText(/SheetJS|xlsx\.|TypeError|undefined/);
		await expect(portal.dialog().getByLabel('Number of users')).toBeVisible();
	});
}
