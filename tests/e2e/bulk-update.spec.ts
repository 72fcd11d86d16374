import { expect, test } from '@playwright/test';
import { PortalPage, readWorkbook, serverUser } from './pages/portal';

const FIX = 'tests/fixtures/e2e';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

test('a mixed file gives exactly the expected status and reason for every row, and the users table shows the new values', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	const dialog = portal.dialog();
	const summary = dialog.getByRole('list', { name: 'Summary' });
	await expect(summary).toContainText('5 will update');
	await expect(summary).toContainText('1 unchanged');
	await expect(summary).toContainText('8 with errors');
	// Errors first, each naming row, column and value.
	const firstRow = dialog.getByRole('table', { name: 'Rows of the uploaded file' }).getByRole('row').nth(1);
	await expect(firstRow).toContainText('Account 2001 is not a child account of Springfield Public Schools; row not processed');
	await dialog.getByLabel('Show').selectOption('update');
	await expect(dialog.getByText('will be reset')).toBeVisible();
	await expect(dialog.getByText('Correct-Horse-42')).toHaveCount(0);

	const download = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	expect(download.suggestedFilename()).toMatch(/^user-update-results-\d{8}-\d{6}\.xlsx$/);
	await expect(dialog.getByText('5 rows updated, 8 rows had errors. A spreadsheet with the results is downloading.')).toBeVisible();

	const book = await readWorkbook(download);
	const [header, ...rows] = book.Results;
	expect(header).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Row', 'Status', 'Reason', 'Changed']);
	const byRow = new Map(rows.map((r) => [r[6], { status: r[7], reason: r[8], changed: r[9], cells: r.slice(0, 6) }]));
	const expectRow = (row: number, status: string, reason: string | RegExp, changed = '') => {
		const got = byRow.get(String(row));
		expect(got, `row ${row}`).toBeTruthy();
		expect(got!.status, `row ${row} status`).toBe(status);
		if (typeof reason === 'string') expect(got!.reason, `row ${row} reason`).toBe(reason);
		else expect(got!.reason, `row ${row} reason`).toMatch(reason);
		expect(got!.changed, `row ${row} changed`).toBe(changed);
	};
	expect(rows.length).toBe(14);
	expectRow(2, 'Updated', '', 'Name');
	expectRow(3, 'Updated', '', 'Role');
	expectRow(4, 'Updated', '', 'Email');
	expectRow(5, 'Unchanged', 'No changes: the values match the current ones');
	expectRow(6, 'Failed', 'Account 2001 is not a child account of Springfield Public Schools; row not processed');
	expectRow(7, 'Failed', 'User nobody not found in account 1001');
	expectRow(8, 'Failed', 'Email "not-an-email" is not a valid email address');
	expectRow(9, 'Failed', /Duplicate.*row 10/);
	expectRow(10, 'Failed', /Duplicate.*row 9/);
	expectRow(11, 'Failed', /does not match the Google sign-in domain of account 1003 \(@springfieldschools\.org\)/);
	expectRow(12, 'Failed', 'Role "Janitor" is not one of Student, Teacher, Librarian, Administrator');
	expectRow(13, 'Updated', '', 'Name');
	expectRow(14, 'Updated', '', 'Password');
	expectRow(15, 'Failed', 'Account 4711 is not a child account of Springfield Public Schools; row not processed');
	// The password is never written back, only that one was given; leading zeros survive.
	expect(byRow.get('14')!.cells[4]).toBe('(set)');
	expect(JSON.stringify(book)).not.toContain('Correct-Horse-42');
	expect(byRow.get('13')!.cells[0]).toBe('01015');
	const summarySheet = Object.fromEntries(book.Summary.map((r) => [r[0], r[1]]));
	expect(summarySheet).toMatchObject({
		Rows: '14',
		Updated: '5',
		Unchanged: '1',
		Failed: '8',
		Queued: '0',
		Admin: 'admin',
		File: 'mixed-user-update.xlsx'
	});

	// The server has the new values, the password was set, and nothing else changed.
	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('Jonathan Doe');
	expect((await serverUser(request, '1001', 'asmith')).user.role).toBe('Librarian');
	expect((await serverUser(request, '1002', 'jdoe')).user.email).toBe('jdoe.new.1002@example.org');
	expect((await serverUser(request, '01015', 'jdoe')).user.name).toBe('Johnny Doe');
	expect((await serverUser(request, '1009', 'jdoe')).hasPassword).toBe(true);
	expect((await serverUser(request, '1006', 'asmith')).user.name).toBe('Alice Smith');
	expect((await serverUser(request, '1001', 'jdoe')).appliedMutationCount).toBe(5);

	await dialog.getByRole('button', { name: 'Close' }).first().click();
	await portal.search('Jonathan Doe');
	await expect(portal.usersTable().getByRole('cell', { name: 'Jonathan Doe' })).toBeVisible();
	await portal.search('jdoe.new.1002@example.org');
	await expect(portal.usersTable().getByRole('cell', { name: 'jdoe.new.1002@example.org' })).toBeVisible();
	// The upload is in the history with its counts and its results.
	const history = page.getByRole('region', { name: 'Upload history' });
	await expect(history.getByRole('row', { name: /mixed-user-update\.xlsx/ })).toContainText('Complete');
	const again = await portal.expectDownload(() =>
		history.getByRole('button', { name: /Download results of mixed-user-update\.xlsx/ }).click()
	);
	expect((await readWorkbook(again)).Results.length).toBe(15);
});

test('a count that does not match the file blocks the upload and names both numbers', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/mixed-user-update.xlsx`, 15);
	await expect(portal.dialog().getByRole('alert')).toContainText('You entered 15, the file has 14 user rows');
	await expect(portal.dialog().getByRole('button', { name: 'Apply' })).toHaveCount(0);
	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('John Doe');
});

test('a Windows-1252 CSV and a LibreOffice .ods file both update users with the right characters', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/windows-1252-accented-names.csv`, 2);
	const dialog = portal.dialog();
	await expect(dialog.getByText('José Núñez-García')).toBeVisible({ timeout: 30_000 });
	await expect(dialog.getByText('Read as CSV (windows-1252, semicolon-separated).')).toBeVisible();
	const csvResults = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	expect((await readWorkbook(csvResults)).Results.map((r) => r[2])).toContain('José Núñez-García');
	expect((await serverUser(request, '1001', 'jnunez')).user.name).toBe('José Núñez-García');
	expect((await serverUser(request, '1001', 'mlee')).user.name).toBe('Zoë Müller-Brontë');
	await dialog.getByRole('button', { name: 'Close' }).first().click();

	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/libreoffice-name-update.ods`, 2);
	await expect(dialog.getByRole('list', { name: 'Summary' })).toContainText('2 will update', { timeout: 30_000 });
	const odsResults = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	expect((await readWorkbook(odsResults)).Results.slice(1).map((r) => r[7])).toEqual(['Updated', 'Updated']);
	expect((await serverUser(request, '1010', 'jdoe')).user.name).toBe('Jordan Doe');
	expect((await serverUser(request, '1010', 'asmith')).user.role).toBe('Administrator');
});

test('with the network off, preflight works and Apply queues the rows; back online they sync and the history results say Updated', async ({
	page,
	context,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await context.setOffline(true);
	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/offline-name-update.xlsx`, 2);
	const dialog = portal.dialog();
	await expect(dialog.getByRole('list', { name: 'Summary' })).toContainText('2 will update', { timeout: 30_000 });
	const queued = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	expect((await readWorkbook(queued)).Results.slice(1).map((r) => r[7])).toEqual(['Queued', 'Queued']);
	await expect(dialog.getByText(/2 rows are queued/)).toBeVisible();
	await dialog.getByRole('button', { name: 'Close' }).first().click();
	await expect(page.getByText('2 changes wait to sync')).toBeVisible();
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('John Doe');

	await context.setOffline(false);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByText(/finished syncing: 2 rows updated, 0 rows had errors/)).toBeVisible();
	expect((await serverUser(request, '1012', 'jdoe')).user.name).toBe('Offline Doe');
	const history = page.getByRole('region', { name: 'Upload history' });
	const final = await portal.expectDownload(() =>
		history.getByRole('button', { name: /Download results of offline-name-update\.xlsx/ }).click()
	);
	expect((await readWorkbook(final)).Results.slice(1).map((r) => r[7])).toEqual(['Updated', 'Updated']);
});

test('the template and Export users download workbooks in the template layout, never with passwords', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startUserUpdate();
	const template = await portal.expectDownload(() => portal.dialog().getByRole('link', { name: 'User Update' }).click());
	const book = await readWorkbook(template);
	expect(Object.keys(book)).toEqual(['Users', 'Instructions', 'Accounts']);
	expect(book.Users[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role']);
	expect(book.Accounts.map((r) => r[0])).toContain('01015');
	await portal.dialog().getByRole('button', { name: 'Close' }).click();

	const exported = await portal.expectDownload(() => portal.bulkTool('Export users'));
	const users = (await readWorkbook(exported)).Users;
	expect(users.length - 1).toBeGreaterThanOrEqual(2400);
	expect(users.find((r) => r[0] === '01015' && r[1] === 'jdoe')).toBeTruthy();
	expect(users.every((r) => r[4] === '' || r[4] === 'Password')).toBe(true);
});
