// Every screen at every width an admin uses, from a small phone to a large monitor: no sideways
// scrolling, the dialog's actions always in view, the backdrop over everything, touch-sized controls on
// narrow screens, and no serious accessibility violations on phones and desktops.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { PortalPage } from './pages/portal';
import { expectAccessible, expectFits, expectInViewport, expectTouchSized } from './pages/layout-checks';

const WIDTHS = [360, 390, 768, 1024, 1280, 1920];

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

/** The modal's backdrop, not the page, is what a tap on the header or the title band hits. */
async function expectBackdropCovers(page: Page, covered: Locator, what: string) {
	const box = (await covered.boundingBox())!;
	const hit = await page.evaluate(
		([x, y]) =>
			document.elementFromPoint(x, y)?.closest('dialog')?.querySelector('h2')?.textContent ?? document.elementFromPoint(x, y)?.tagName,
		[box.x + 2, box.y + box.height / 2]
	);
	expect(hit, `the backdrop covers ${what}`).toBe('Bulk Upload');
}

for (const width of WIDTHS) {
	test(`at ${width} px wide every screen of the update fits, with its actions in view`, async ({ browser }) => {
		const context = await browser.newContext({ viewport: { width, height: width < 700 ? 740 : 800 }, acceptDownloads: true });
		const page = await context.newPage();
		const portal = new PortalPage(page);
		await portal.goto();
		await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
		await expectFits(page, 'sign-in');
		await expectTouchSized(page.locator('main'), width);
		await expectAccessible(page, width, 'sign-in');

		await portal.signIn();
		await expectFits(page, 'Institutions');
		await expectAccessible(page, width, 'Institutions');

		await portal.openUsers();
		await expectFits(page, 'Users');
		await expectTouchSized(page.locator('body'), width);
		await expectAccessible(page, width, 'Users');

		await portal.bulkTool('Bulk upload');
		const dialog = portal.dialog();
		await expectFits(page, 'dialog: action');
		await expectInViewport(page, dialog.getByRole('button', { name: 'Next' }), 'Next');
		await expectBackdropCovers(page, page.getByRole('banner'), 'the header');
		await expectBackdropCovers(page, page.getByRole('heading', { name: 'Institutions & Users' }), 'the title band');
		await expectAccessible(page, width, 'dialog: action');
		await dialog.getByLabel('User Update').check();
		await dialog.getByRole('button', { name: 'Next' }).click();

		await expect(dialog.getByLabel('Number of users')).toBeVisible();
		await expectFits(page, 'dialog: form');
		await expectInViewport(page, dialog.getByRole('button', { name: 'Upload' }), 'Upload');
		await expectTouchSized(dialog, width);
		await expectAccessible(page, width, 'dialog: form');
		await portal.uploadFile('tests/fixtures/e2e/mixed-user-update.xlsx', 14);

		await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
		await expectFits(page, 'preview');
		for (const name of ['Apply', 'Cancel', 'Upload another file']) {
			await expectInViewport(page, dialog.getByRole('button', { name, exact: true }), name);
		}
		await expectInViewport(page, dialog.getByRole('heading', { name: 'Bulk Upload' }), 'the dialog title');
		await expectTouchSized(dialog, width);
		await expectAccessible(page, width, 'preview');
		// The row editor, inline in the preview: fits, touch-sized, its buttons reachable.
		await dialog.getByRole('button', { name: 'Edit row 6', exact: true }).click();
		const editor = portal.rowEditor(6);
		await expect(editor.getByLabel('Account ID')).toBeFocused();
		await expectFits(page, 'row editor');
		await expectTouchSized(editor, width);
		await editor.getByRole('button', { name: 'Save row' }).scrollIntoViewIfNeeded();
		await expectInViewport(page, editor.getByRole('button', { name: 'Save row' }), 'Save row');
		await expectInViewport(page, editor.getByRole('button', { name: 'Cancel' }), 'Cancel in the editor');
		await expectAccessible(page, width, 'row editor');
		await editor.getByRole('button', { name: 'Cancel' }).click();
		// Only the body scrolls: scrolled to its end, the title and Apply are still where they were.
		await dialog.locator('.body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
		await expectInViewport(page, dialog.getByRole('button', { name: 'Apply' }), 'Apply after scrolling');
		await expectInViewport(page, dialog.getByRole('heading', { name: 'Bulk Upload' }), 'the title after scrolling');

		await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
		await expect(dialog.getByText(/rows? updated, \d+ rows? had errors/)).toBeVisible();
		await expectFits(page, 'done');
		await expectInViewport(page, dialog.getByRole('button', { name: 'Close' }).last(), 'Close');
		await expectAccessible(page, width, 'done');
		await context.close();
	});
}

for (const width of [390, 1280]) {
	test(`at ${width} px wide Match columns fits, with Continue in view`, async ({ browser }) => {
		const context = await browser.newContext({ viewport: { width, height: width < 700 ? 740 : 800 }, acceptDownloads: true });
		const page = await context.newPage();
		const portal = new PortalPage(page);
		await portal.openAsAdmin();
		await portal.startUserUpdate();
		await portal.uploadFile('tests/fixtures/e2e/google-workspace-export.csv', 3);
		const dialog = portal.dialog();
		await expect(dialog.getByRole('heading', { name: 'Match columns' })).toBeVisible({ timeout: 30_000 });
		await expectFits(page, 'match columns');
		for (const name of ['Continue', 'Back']) await expectInViewport(page, dialog.getByRole('button', { name, exact: true }), name);
		await expectTouchSized(dialog, width);
		await expectAccessible(page, width, 'match columns');
		await dialog.locator('.body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
		await expectInViewport(page, dialog.getByRole('button', { name: 'Continue' }), 'Continue after scrolling');
		await dialog.getByRole('button', { name: 'Continue' }).click();
		await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible();
		await expectFits(page, 'preview of a matched file');
		await context.close();
	});
}

for (const width of [390, 768, 1280]) {
	test(`at ${width} px wide User Add with User Update fits every step, and so does an added user waiting to sync`, async ({ browser }) => {
		const context = await browser.newContext({ viewport: { width, height: width < 700 ? 740 : 800 }, acceptDownloads: true });
		const page = await context.newPage();
		const portal = new PortalPage(page);
		await portal.openAsAdmin();
		await portal.bulkTool('Bulk upload');
		const dialog = portal.dialog();
		await dialog.getByLabel('User Add', { exact: true }).check();
		await dialog.getByLabel('User Update', { exact: true }).check();
		await expect(dialog.getByRole('note')).toContainText('Both ticked');
		await expectFits(page, 'dialog: both actions');
		await expectInViewport(page, dialog.getByRole('button', { name: 'Next' }), 'Next');
		// As on the update's action step, the 44 px target is each checkbox's whole label row, not the box.
		await expectAccessible(page, width, 'dialog: both actions');
		await dialog.getByRole('button', { name: 'Next' }).click();

		await expect(dialog.getByRole('link', { name: 'User Add' })).toBeVisible();
		await expectFits(page, 'dialog: form with both templates');
		await expectInViewport(page, dialog.getByRole('button', { name: 'Upload' }), 'Upload');
		await expectTouchSized(dialog, width);
		await expectAccessible(page, width, 'dialog: form with both templates');
		// Offline, so the added user is still waiting to sync in the Users tab afterwards.
		await context.setOffline(true);
		await portal.uploadFile('tests/fixtures/e2e/user-add-and-update-mixed.xlsx', 4);
		await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
		await dialog.getByLabel('Show').selectOption('all');
		await expect(dialog.getByText('Will be added', { exact: true })).toBeVisible();
		await expectFits(page, 'preview of adds and updates');
		for (const name of ['Apply', 'Cancel']) await expectInViewport(page, dialog.getByRole('button', { name, exact: true }), name);
		await expectTouchSized(dialog, width);
		await expectAccessible(page, width, 'preview of adds and updates');

		await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
		await expect(dialog.getByText(/rows are queued/)).toBeVisible();
		await expectFits(page, 'done, queued');
		await expectAccessible(page, width, 'done, queued');
		await portal.closeDialog();
		await portal.search('new.face26');
		await expect(portal.usersTable().getByText('Waiting to sync')).toBeVisible();
		await expectFits(page, 'Users with an added user waiting to sync');
		await expectAccessible(page, width, 'Users with an added user waiting to sync');
		// Synced, the history gains its Added column: the table still fits (cards on a phone).
		await context.setOffline(false);
		await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
		await expect(portal.history().getByRole('columnheader', { name: 'Added' })).toHaveCount(1);
		await expect(portal.usersTable().getByText('Waiting to sync')).toHaveCount(0);
		await expectFits(page, 'history with added users');
		await context.close();
	});
}
