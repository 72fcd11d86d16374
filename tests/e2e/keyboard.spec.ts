// The whole update without a mouse: Tab, Enter, Space, arrows and Escape only.
import { expect, test, type Page } from '@playwright/test';
import { PortalPage, readWorkbook } from './pages/portal';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

/** Presses Tab until the focused element's text or label matches, as a keyboard user looks for a control. */
async function tabTo(page: Page, name: RegExp, limit = 40) {
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press('Tab');
		const focused = await page.evaluate(() => {
			const el = document.activeElement as HTMLElement | null;
			if (!el) return '';
			const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
			return [el.getAttribute('aria-label'), el.closest('label')?.textContent, labelled, el.textContent].filter(Boolean).join(' ').trim();
		});
		if (name.test(focused)) return;
	}
	throw new Error(`Tab never reached ${name}`);
}

async function expectFocusRing(page: Page) {
	const outline = await page.evaluate(() => {
		const style = getComputedStyle(document.activeElement!);
		return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
	});
	expect(outline.style).not.toBe('none');
	expect(outline.width).toBeGreaterThanOrEqual(2);
}

test('keyboard only: template, count, file, upload, apply and the results download; focus comes back to Bulk tools', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await page.locator('body').click({ position: { x: 1, y: 1 } }); // start from the top of the page, focus nowhere
	await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

	await tabTo(page, /^Bulk tools/);
	await expectFocusRing(page);
	await page.keyboard.press('Enter');
	const menu = page.getByRole('menu', { name: 'Bulk tools' });
	await expect(menu).toBeVisible();
	await expect(menu.getByRole('menuitem', { name: 'Bulk upload' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(menu.getByRole('menuitem', { name: 'Export users' })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(menu).toBeHidden();
	await expect(page.getByRole('button', { name: /Bulk tools/ })).toBeFocused();
	await page.keyboard.press('Space');
	await expect(menu.getByRole('menuitem', { name: 'Bulk upload' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowDown'); // wraps around to the first item
	await page.keyboard.press('Enter');

	const dialog = portal.dialog();
	await expect(dialog).toBeVisible();
	await tabTo(page, /User Update/);
	await page.keyboard.press('Space');
	await expect(dialog.getByLabel('User Update')).toBeChecked();
	await tabTo(page, /^Next$/);
	await expectFocusRing(page);
	await page.keyboard.press('Enter');

	await expect(dialog.getByLabel('Number of users')).toBeVisible();
	await tabTo(page, /^User Update$/);
	const template = await portal.expectDownload(() => page.keyboard.press('Enter'));
	expect(Object.keys(await readWorkbook(template))).toEqual(['Users', 'Instructions', 'Accounts']);
	await tabTo(page, /Number of users/);
	await page.keyboard.type('14');
	await tabTo(page, /Spreadsheet file/);
	const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
	await chooser.setFiles('tests/fixtures/e2e/mixed-user-update.xlsx');
	await tabTo(page, /^Upload$/);
	await page.keyboard.press('Enter');

	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	// The preview can be read from the keyboard: the filter is reachable and changes the rows.
	await tabTo(page, /Show/);
	await page.keyboard.press('ArrowDown');
	await expect(dialog.getByRole('table', { name: 'Rows of the uploaded file' })).toBeVisible();
	await tabTo(page, /^Apply$/);
	await expectFocusRing(page);
	const results = await portal.expectDownload(() => page.keyboard.press('Enter'));
	const book = await readWorkbook(results);
	expect(book.Results.slice(1).filter((r) => r[7] === 'Updated')).toHaveLength(5);
	await expect(dialog.getByText('5 rows updated, 8 rows had errors.', { exact: false })).toBeVisible();

	// Focus never left the dialog while it was open; Escape closes it and focus returns to Bulk tools.
	await tabTo(page, /^Close$/);
	expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(page.getByRole('button', { name: /Bulk tools/ })).toBeFocused();

	// The history is reachable too.
	await tabTo(page, /Download results of mixed-user-update\.xlsx/, 80);
	await expectFocusRing(page);
});

test('keyboard only: a row fixed in the preview (Escape cancels, focus comes back) and columns matched', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight('tests/fixtures/e2e/mixed-user-update.xlsx', 14);
	const dialog = portal.dialog();
	const edit6 = dialog.getByRole('button', { name: 'Edit row 6', exact: true });

	await tabTo(page, /^Edit row 6\b/);
	await expectFocusRing(page);
	await page.keyboard.press('Enter');
	const editor = portal.rowEditor(6);
	await expect(editor.getByLabel('Account ID')).toBeFocused();
	await page.keyboard.type('9');
	await page.keyboard.press('Escape');
	// Escape closes the editor, not the dialog, and nothing was saved.
	await expect(editor).toHaveCount(0);
	await expect(dialog).toBeVisible();
	await expect(edit6).toBeFocused();
	expect(await portal.count('with errors')).toBe(8);

	await page.keyboard.press('Enter');
	await expect(editor.getByLabel('Account ID')).toBeFocused();
	await page.keyboard.press('ControlOrMeta+a');
	await page.keyboard.type('1008');
	await tabTo(page, /^Save row$/);
	await expectFocusRing(page);
	await page.keyboard.press('Enter');
	await expect(dialog.getByRole('status').filter({ hasText: 'Row 6 saved: it will update.' })).toBeVisible();
	expect(await portal.count('with errors')).toBe(7);
	// Row 6 left "Rows with errors": focus is on the Edit button now in its place, to fix the next row.
	await expect(dialog.getByRole('button', { name: 'Edit row 7', exact: true })).toBeFocused();

	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await portal.startUserUpdate();
	await portal.uploadFile('tests/fixtures/e2e/google-workspace-export.csv', 3);
	await expect(dialog.getByRole('heading', { name: 'Match columns' })).toBeVisible({ timeout: 30_000 });
	await tabTo(page, /^Username\b/);
	await expectFocusRing(page);
	await page.keyboard.press('ArrowDown');
	await expect(portal.matchSelect('Username')).not.toHaveValue('username');
	await expect(dialog.getByRole('button', { name: 'Continue' })).toBeDisabled();
	await page.keyboard.press('ArrowUp');
	await expect(portal.matchSelect('Username')).toHaveValue('username');
	await tabTo(page, /^Continue$/);
	await page.keyboard.press('Enter');
	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible();
});

test('keyboard only: User Add and User Update ticked, the User Add template, a new user fixed in the preview, and Apply', async ({
	page
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.bulkTool('Bulk upload');
	const dialog = portal.dialog();
	await tabTo(page, /^User Add$/);
	await expectFocusRing(page);
	await page.keyboard.press('Space');
	await tabTo(page, /^User Update$/);
	await page.keyboard.press('Space');
	await expect(dialog.getByLabel('User Add', { exact: true })).toBeChecked();
	await expect(dialog.getByLabel('User Update', { exact: true })).toBeChecked();
	await tabTo(page, /^Next$/);
	await page.keyboard.press('Enter');

	await expect(dialog.getByLabel('Number of users')).toBeVisible();
	await tabTo(page, /^User Add$/);
	await expectFocusRing(page);
	const template = await portal.expectDownload(() => page.keyboard.press('Enter'));
	expect(template.suggestedFilename()).toBe('user-add-template.xlsx');
	await tabTo(page, /Number of users/);
	await page.keyboard.type('4');
	await tabTo(page, /Spreadsheet file/);
	const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
	await chooser.setFiles('tests/fixtures/e2e/user-add-and-update-mixed.xlsx');
	await tabTo(page, /^Upload$/);
	await page.keyboard.press('Enter');

	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	await tabTo(page, /^Edit row 5\b/);
	await page.keyboard.press('Enter');
	const editor = portal.rowEditor(5);
	await expect(editor.getByLabel('Account ID')).toBeFocused();
	await tabTo(page, /^Role/);
	await page.keyboard.type('Student');
	await tabTo(page, /^Save row$/);
	await page.keyboard.press('Enter');
	await expect(dialog.getByRole('status').filter({ hasText: 'Row 5 saved: it will be added.' })).toBeVisible();
	expect(await portal.count('will be added')).toBe(2);
	await tabTo(page, /^Apply$/);
	const results = await portal.expectDownload(() => page.keyboard.press('Enter'));
	expect((await readWorkbook(results)).Results.slice(1).map((r) => r[7])).toEqual(['Updated', 'Added', 'Unchanged', 'Added']);
	await expect(dialog.getByText('2 rows added, 1 row updated, 0 rows had errors.', { exact: false })).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
});
