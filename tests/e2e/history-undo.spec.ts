// The portal keeps every upload: another browser sees it and rebuilds its results, any device can undo
// it (offline too, queued like an upload), an undo can be undone, and a large upload waits for the admin
// to type how many users it changes. The server runs with --faults (test-only switches).
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortalPage, readWorkbook, serverUser } from './pages/portal';
import { serverUsers } from '../factories/uploads';

const FIX = 'tests/fixtures/e2e';
const dir = mkdtempSync(join(tmpdir(), 'portal-history-'));

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

/** Waits until the portal's history (as the page's session sees it) lists an upload of `fileName`. */
async function onPortal(page: Page, fileName: string) {
	await expect
		.poll(
			async () => ((await (await page.request.get('/api/uploads')).json()).uploads ?? []).map((u: { fileName: string }) => u.fileName),
			{
				timeout: 30_000
			}
		)
		.toContain(fileName);
}

async function applyMixed(portal: PortalPage) {
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	await portal.applyAndRead();
	await portal.closeDialog();
	await onPortal(portal.page, 'mixed-user-update.xlsx');
}

const status = (book: Record<string, string[][]>, row: number) => book.Results.find((r) => r[6] === String(row))!.slice(7, 9);

test('an upload applied in one browser shows in another’s history, from another device, and its results download there, also after signing in again', async ({
	page,
	browser
}) => {
	const here = new PortalPage(page);
	await here.openAsAdmin();
	await applyMixed(here);
	await expect(here.historyRow('mixed-user-update.xlsx')).not.toContainText('from another device');

	const context = await browser.newContext({ acceptDownloads: true });
	try {
		const there = new PortalPage(await context.newPage());
		await there.openAsAdmin();
		const row = there.historyRow('mixed-user-update.xlsx');
		await expect(row).toContainText('from another device', { timeout: 20_000 });
		await expect(row).toContainText('Complete');
		const read = async () =>
			readWorkbook(
				await there.expectDownload(() => row.getByRole('button', { name: /Download results of mixed-user-update\.xlsx/ }).click())
			);
		const book = await read();
		expect(book.Results[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Row', 'Status', 'Reason', 'Changed']);
		expect(book.Results.length).toBe(15);
		expect(status(book, 2)).toEqual(['Updated', '']);
		expect(status(book, 7)).toEqual(['Failed', 'User nobody not found in account 1001']);
		expect(book.Results.find((r) => r[6] === '14')![4]).toBe('(set)');
		expect(JSON.stringify(book)).not.toContain('Correct-Horse-42');
		expect(Object.fromEntries(book.Summary.map((r) => [r[0], r[1]]))).toMatchObject({ Updated: '5', Failed: '8', Queued: '0' });

		// Signing out wipes this device; the portal still has the upload.
		await there.signOut();
		await there.signIn();
		await there.openUsers();
		await expect(row).toContainText('from another device', { timeout: 20_000 });
		expect((await read()).Results.length).toBe(15);
	} finally {
		await context.close();
	}
});

test('undo gives the users their values back, leaves a field edited since alone, says passwords stay changed; an undo can be undone', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await applyMixed(portal);
	// Someone else changes a role the upload set; this device hears of it when it syncs.
	await request.post('/api/__test/edit-user', { data: { accountId: '1001', username: 'asmith', changes: { role: 'Administrator' } } });
	await page.reload();
	await portal.openUsers();

	await portal.openUndo('mixed-user-update.xlsx');
	const dialog = portal.undoDialog();
	const summary = dialog.getByRole('list', { name: 'Summary' });
	await expect(summary).toContainText('3 users get values back');
	await expect(summary).toContainText('1 field changed since, not restored');
	await expect(dialog.getByText('Password changes cannot be taken back: 1 user keeps the new password this upload set.')).toBeVisible();
	const asmith = dialog.getByRole('row').filter({ hasText: 'asmith' });
	await expect(asmith).toContainText('Administrator — Changed since this upload; not restored');
	await expect(dialog.getByRole('row').filter({ hasText: '01015' })).toContainText('Johnny Doe → John Doe');

	const { name, book } = await portal.applyUndoAndRead();
	expect(name).toMatch(/^user-update-undo-results-\d{8}-\d{6}\.xlsx$/);
	expect(book.Results[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Row', 'Status', 'Reason', 'Changed']);
	expect(status(book, 2)).toEqual(['Restored', '']);
	expect(status(book, 3)).toEqual(['Not restored', 'Role: changed since this upload; not restored']);
	expect(status(book, 4)).toEqual(['Restored', '']);
	expect(status(book, 14)).toEqual(['Not restored', 'Password changes cannot be taken back']);
	await expect(dialog.getByText('3 users restored, 2 users not restored. A spreadsheet with the results is downloading.')).toBeVisible();
	await dialog.getByRole('button', { name: 'Close' }).last().click();

	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('John Doe');
	expect((await serverUser(request, '1002', 'jdoe')).user.email).toBe('jdoe.1002@example.org');
	expect((await serverUser(request, '01015', 'jdoe')).user.name).toBe('John Doe');
	expect((await serverUser(request, '1001', 'asmith')).user.role).toBe('Administrator');
	expect((await serverUser(request, '1009', 'jdoe')).hasPassword).toBe(true);
	await expect(portal.historyRow('mixed-user-update.xlsx')).toContainText('Undone');
	await expect(portal.history().getByRole('button', { name: 'Undo upload mixed-user-update.xlsx', exact: true })).toHaveCount(0);

	// The undo, once the portal has it, can be taken back in turn.
	await portal.openUndo('Undo of mixed-user-update.xlsx');
	await expect(dialog.getByRole('list', { name: 'Summary' })).toContainText('3 users get values back');
	const redo = await portal.applyUndoAndRead();
	expect(status(redo.book, 2)).toEqual(['Restored', '']);
	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('Jonathan Doe');
	expect((await serverUser(request, '1002', 'jdoe')).user.email).toBe('jdoe.new.1002@example.org');
	await dialog.getByRole('button', { name: 'Close' }).last().click();
	await expect(portal.historyRow('Undo of mixed-user-update.xlsx')).toContainText('Undone', { timeout: 20_000 });
});

test('an undo applied offline is queued, and syncs when the portal answers again', async ({ page, context, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/offline-name-update.xlsx`, 2);
	await portal.applyAndRead();
	await portal.closeDialog();
	await onPortal(page, 'offline-name-update.xlsx');
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('Offline Doe');
	// Seen once online, the upload's rows stay on this device for an undo without the portal.
	await portal.openUndo('offline-name-update.xlsx');
	await portal.undoDialog().getByRole('button', { name: 'Cancel' }).click();

	await context.setOffline(true);
	await portal.openUndo('offline-name-update.xlsx');
	const { book } = await portal.applyUndoAndRead();
	expect(book.Results.slice(1).map((r) => r[7])).toEqual(['Queued', 'Queued']);
	await expect(portal.undoDialog().getByText(/2 users are queued/)).toBeVisible();
	await portal.undoDialog().getByRole('button', { name: 'Close' }).last().click();
	await expect(page.getByText('2 changes wait to sync')).toBeVisible();
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('Offline Doe');

	await context.setOffline(false);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('John Doe');
	expect((await serverUser(request, '1012', 'asmith')).user.name).toBe('Alice Smith');
	const history = portal.history();
	const final = await readWorkbook(
		await portal.expectDownload(() =>
			history.getByRole('button', { name: /Download results of Undo of offline-name-update\.xlsx/ }).click()
		)
	);
	expect(final.Results.slice(1).map((r) => r[7])).toEqual(['Restored', 'Restored']);
});

/** An email change for each of the first `count` users of password-sign-in accounts. */
async function emailChanges(request: APIRequestContext, count: number): Promise<string> {
	const google = new Set(['1003', '1005', '1008', '1011']);
	const users = (await serverUsers(request)).filter((u) => !google.has(u.accountId)).slice(0, count);
	const lines = [
		'Account ID,Username,Email',
		...users.map((u) => `${u.accountId},${u.username},${u.username}.${u.accountId}.new@example.org`)
	];
	const path = join(dir, `email-change-${count}.csv`);
	writeFileSync(path, lines.join('\r\n') + '\r\n');
	return path;
}

test('a 300-user email change asks for the number of users before Apply; a 12-row file does not', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	const dialog = portal.dialog();

	await portal.preflight(await emailChanges(page.request, 12), 12);
	await expect(dialog.getByRole('region', { name: 'Large change' })).toHaveCount(0);
	await expect(dialog.getByRole('button', { name: 'Apply' })).toBeEnabled();
	await dialog.getByRole('button', { name: 'Cancel' }).click();

	await portal.preflight(await emailChanges(page.request, 300), 300);
	const gate = dialog.getByRole('region', { name: 'Large change' });
	await expect(gate).toContainText('This upload changes 300 users: 13 % of the 2,400 users of your parent account.');
	await expect(gate).toContainText('300 emails, 0 names, 0 roles');
	await expect(gate).toContainText(/Springfield Elementary School \(1001\): \d+ of \d+ users \(\d+ %\)/);
	const apply = dialog.getByRole('button', { name: 'Apply' });
	await expect(apply).toBeDisabled();
	const typed = gate.getByLabel('Type the number of users that will change');
	await typed.fill('299');
	await expect(apply).toBeDisabled();
	await expect(gate).toContainText('That is not the number of users this upload changes. Type 300 to enable Apply');
	await typed.fill('300');
	await expect(apply).toBeEnabled();
	const book = await portal.applyAndRead();
	expect(book.Summary.find((r) => r[0] === 'Large change')?.[1]).toBe(
		'Confirmed: the admin typed 300, the number of users that would change'
	);
	expect(book.Summary.find((r) => r[0] === 'Updated')?.[1]).toBe('300');
});

test('undo by keyboard only: Tab to Undo, Enter, Tab to Apply undo, Enter; Escape closes', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/offline-name-update.xlsx`, 2);
	await portal.applyAndRead();
	await portal.closeDialog();
	const undoButton = portal.history().getByRole('button', { name: 'Undo upload offline-name-update.xlsx', exact: true });
	await expect(undoButton).toBeVisible({ timeout: 30_000 });
	await portal
		.history()
		.getByRole('button', { name: /Download results of offline-name-update/ })
		.focus();
	await page.keyboard.press('Tab');
	await expect(undoButton).toBeFocused();
	await page.keyboard.press('Enter');
	const dialog = portal.undoDialog();
	await expect(dialog.getByRole('heading', { name: 'Check before undoing' })).toBeVisible({ timeout: 30_000 });
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(undoButton).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(dialog.getByRole('button', { name: 'Apply undo' })).toBeVisible({ timeout: 30_000 });
	await dialog.getByRole('button', { name: 'Cancel' }).focus();
	await page.keyboard.press('Tab');
	await expect(dialog.getByRole('button', { name: 'Apply undo' })).toBeFocused();
	await portal.expectDownload(() => page.keyboard.press('Enter'));
	await expect(dialog.getByText(/2 users restored/)).toBeVisible();
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('John Doe');
});
