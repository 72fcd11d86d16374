// The upload history with Undo, the Undo upload dialog and the Large change notice on a phone and a
// laptop: no sideways scrolling, actions in view, touch-sized controls, no serious axe violations.
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortalPage } from './pages/portal';
import { expectAccessible, expectFits, expectInViewport, expectTouchSized } from './pages/layout-checks';
import { serverUsers } from '../factories/uploads';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

for (const width of [390, 1280]) {
	test(`at ${width} px the large-change notice, the history with Undo and the Undo upload dialog fit, with their actions in view`, async ({
		browser
	}) => {
		const context = await browser.newContext({ viewport: { width, height: width < 700 ? 740 : 800 }, acceptDownloads: true });
		const page = await context.newPage();
		const portal = new PortalPage(page);
		await portal.openAsAdmin();

		const users = (await serverUsers(page.request)).filter((u) => u.accountId === '1001' || u.accountId === '1006').slice(0, 260);
		const path = join(mkdtempSync(join(tmpdir(), 'portal-layout-')), 'rename-260.csv');
		writeFileSync(path, ['Account ID,Username,Name', ...users.map((u, i) => `${u.accountId},${u.username},Layout ${i}`)].join('\r\n'));
		await portal.preflight(path, users.length);
		const dialog = portal.dialog();
		const gate = dialog.getByRole('region', { name: 'Large change' });
		await expect(gate).toBeVisible();
		await expectFits(page, 'large change');
		await expectTouchSized(dialog, width);
		await expectAccessible(page, width, 'large change');
		await gate.getByLabel('Type the number of users that will change').fill('260');
		await expectInViewport(page, dialog.getByRole('button', { name: 'Apply' }), 'Apply');
		await portal.applyAndRead();
		await portal.closeDialog();

		const undo = portal.history().getByRole('button', { name: 'Undo upload rename-260.csv', exact: true });
		await expect(undo).toBeVisible({ timeout: 30_000 });
		await expectFits(page, 'history');
		await expectTouchSized(portal.history(), width);
		await expectAccessible(page, width, 'history');

		await portal.openUndo('rename-260.csv');
		const undoDialog = portal.undoDialog();
		await expectFits(page, 'undo');
		await expectInViewport(page, undoDialog.getByRole('button', { name: 'Apply undo' }), 'Apply undo');
		await expectInViewport(page, undoDialog.getByRole('heading', { name: 'Undo upload' }), 'the undo dialog title');
		await expectTouchSized(undoDialog, width);
		await expectAccessible(page, width, 'undo');
		await undoDialog.getByRole('button', { name: 'Next rows' }).click();
		await expect(undoDialog.getByText('Rows 51–100 of 260')).toBeVisible();
		await portal.applyUndoAndRead();
		await expect(undoDialog.getByText(/260 users restored/)).toBeVisible();
		await expectFits(page, 'undo done');
		await expectAccessible(page, width, 'undo done');
		await context.close();
	});
}
