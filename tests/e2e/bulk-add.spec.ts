// User Add, and both boxes ticked (add the new users, update the others), from the admin's side: the
// preview, Apply online and queued offline, the results workbook read back, the Users tab and Export users.
// The server runs with --faults (test-only switches: reset, someone else adding a user).
import { expect, test } from '@playwright/test';
import { addUserOnPortal, PortalPage, readWorkbook, serverUser } from './pages/portal';

const FIX = 'tests/fixtures/e2e';
const TAKEN_SINCE =
	'Username offline.two26 was taken in account 1012 since this file was checked. Choose another username and upload the row again.';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

/** Results sheet rows by spreadsheet row: status, reason, changed, and the uploaded cells. */
function byRow(book: Record<string, string[][]>) {
	const [header, ...rows] = book.Results;
	const at = (name: string) => header.indexOf(name);
	return new Map(
		rows.map((r) => [Number(r[at('Row')]), { status: r[at('Status')], reason: r[at('Reason')], changed: r[at('Changed')], cells: r }])
	);
}

test('a User Add file with good and bad rows: the good users are added online, every row’s result is read back', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startBulkAction(['User Add']);
	const dialog = portal.dialog();
	const template = await portal.expectDownload(() => dialog.getByRole('link', { name: 'User Add' }).click());
	expect(template.suggestedFilename()).toBe('user-add-template.xlsx');
	const templateBook = await readWorkbook(template);
	expect(templateBook.Users[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role']);
	expect(templateBook.Instructions[0][0]).toBe('Bulk User Add');
	await expect(dialog.getByRole('link', { name: 'User Update' })).toHaveCount(0);

	await portal.uploadFile(`${FIX}/user-add-good-and-bad-rows.xlsx`, 9);
	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	expect(await portal.count('will be added')).toBe(3);
	expect(await portal.count('with errors')).toBe(6);
	await expect(dialog.getByRole('list', { name: 'Summary' })).not.toContainText('will update');
	const table = dialog.getByRole('table', { name: 'Rows of the uploaded file' });
	await expect(table).toContainText(
		'Row 4, Username JDOE is already taken in account 1001 (as "jdoe"). Choose another username, or tick User Update to change that user.'
	);
	await dialog.getByLabel('Show').selectOption('add');
	await expect(table.getByText('Will be added')).toHaveCount(3);
	await expect(table.getByText('will be set')).toHaveCount(2);
	await expect(dialog.getByText('Welcome-2026a')).toHaveCount(0);

	const download = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	expect(download.suggestedFilename()).toMatch(/^user-add-results-\d{8}-\d{6}\.xlsx$/);
	await expect(
		dialog.getByText('3 rows added, 0 rows updated, 6 rows had errors. A spreadsheet with the results is downloading.')
	).toBeVisible();
	const book = await readWorkbook(download);
	const rows = byRow(book);
	expect(rows.size).toBe(9);
	const expectRow = (row: number, status: string, reason: string | RegExp, changed = '') => {
		const got = rows.get(row)!;
		expect(got.status, `row ${row} status`).toBe(status);
		if (typeof reason === 'string') expect(got.reason, `row ${row} reason`).toBe(reason);
		else expect(got.reason, `row ${row} reason`).toMatch(reason);
		expect(got.changed, `row ${row} changed`).toBe(changed);
	};
	expectRow(2, 'Added', '', 'Name, Password, Role');
	expectRow(3, 'Added', '', 'Name, Email, Role');
	expectRow(4, 'Failed', /^Username JDOE is already taken in account 1001/);
	expectRow(5, 'Failed', /^Username "bad name!" may only hold letters, digits and \. _ -/);
	expectRow(6, 'Failed', /^Email is required to add a user to account 1003, which uses Google sign-in \(@springfieldschools\.org\)/);
	expectRow(7, 'Failed', /^Password is required to add a user to account 1001, which uses password sign-in/);
	expectRow(8, 'Failed', /Duplicate of row 9/);
	expectRow(9, 'Failed', /Duplicate of row 8/);
	expectRow(10, 'Added', '', 'Name, Password, Role');
	expect(rows.get(2)!.cells[4]).toBe('(set)');
	expect(rows.get(10)!.cells[0]).toBe('01015');
	expect(JSON.stringify(book)).not.toContain('Welcome-2026');
	expect(Object.fromEntries(book.Summary.map((r) => [r[0], r[1]]))).toMatchObject({
		'Bulk action': 'User Add',
		Rows: '9',
		Added: '3',
		Updated: '0',
		Failed: '6',
		Queued: '0'
	});

	const nina = await serverUser(request, '1001', 'nina.new26');
	expect(nina).toMatchObject({ user: { name: 'Nina New', email: '', role: 'Student' }, hasPassword: true });
	expect(await serverUser(request, '1003', 'tom.teach26')).toMatchObject({
		user: { email: 'tom.teach26@springfieldschools.org', role: 'Teacher' },
		hasPassword: false
	});
	expect((await serverUser(request, '01015', 'zero.kid26')).user.role).toBe('Librarian');
	expect((await serverUser(request, '1001', 'jdoe')).user.name).toBe('John Doe');

	await portal.closeDialog();
	await portal.search('nina.new26');
	const users = portal.usersTable();
	await expect(users.getByRole('cell', { name: 'Nina New' })).toBeVisible();
	await expect(users.getByText('Waiting to sync')).toHaveCount(0);
	const history = portal.historyRow('user-add-good-and-bad-rows.xlsx');
	await expect(history).toContainText('Complete');
	// An upload that only added users offers no undo: undo does not delete users.
	await expect(history.getByRole('button', { name: /^Undo upload/ })).toHaveCount(0);
});

test('a User Add file queued offline shows its users at once; at sync a username taken on the portal in between is rejected, rolled back and reported', async ({
	page,
	context,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await context.setOffline(true);
	await portal.preflight(`${FIX}/user-add-offline-username-taken.xlsx`, 2, ['User Add']);
	const dialog = portal.dialog();
	expect(await portal.count('will be added')).toBe(2);
	const queued = await portal.applyAndRead();
	expect([...byRow(queued).values()].map((r) => r.status)).toEqual(['Queued', 'Queued']);
	await expect(dialog.getByText(/2 rows are queued/)).toBeVisible();
	await portal.closeDialog();
	await expect(page.getByText('2 changes wait to sync')).toBeVisible();

	await portal.search('offline.two26');
	const users = portal.usersTable();
	await expect(users.getByRole('cell', { name: /offline\.two26/ })).toContainText('Waiting to sync');
	await expect(users.getByRole('cell', { name: 'Offline Two' })).toBeVisible();

	await addUserOnPortal(request, { accountId: '1012', username: 'Offline.Two26', name: 'Someone Else', email: '', role: 'Teacher' });
	await context.setOffline(false);
	await expect(page.getByText('All changes synced')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByText(/finished syncing: 1 row added, 0 rows updated, 1 row had errors/)).toBeVisible();
	// Ours is gone; the portal's user with that username came with the pull.
	await expect(users.getByRole('cell', { name: 'Someone Else' })).toBeVisible();
	await expect(users.getByRole('cell', { name: 'Offline Two' })).toHaveCount(0);
	await expect(users.getByText('Waiting to sync')).toHaveCount(0);
	expect((await serverUser(request, '1012', 'offline.two26')).user.name).toBe('Someone Else');
	expect((await serverUser(request, '1012', 'offline.one26')).user.name).toBe('Offline One');
	await portal.search('offline.one26');
	await expect(users.getByRole('cell', { name: 'Offline One' })).toBeVisible();
	await expect(users.getByText('Waiting to sync')).toHaveCount(0);

	const history = portal.historyRow('user-add-offline-username-taken.xlsx');
	const final = await portal.expectDownload(() => history.getByRole('button', { name: /Download results of/ }).click());
	const rows = byRow(await readWorkbook(final));
	expect([...rows.values()].map((r) => [r.status, r.reason])).toEqual([
		['Added', ''],
		['Failed', TAKEN_SINCE]
	]);
	const errors = await portal.expectDownload(() => history.getByRole('button', { name: /Download rows with errors of/ }).click());
	expect(errors.suggestedFilename()).toMatch(/^user-add-errors-\d{8}-\d{6}\.xlsx$/);
	const errorBook = await readWorkbook(errors);
	expect(errorBook.Users.slice(1).map((r) => [r[0], r[1], r[2], r[4], r[6]])).toEqual([
		['1012', 'offline.two26', 'Offline Two', '', TAKEN_SINCE]
	]);
});

test('with both boxes ticked the new users are added and the others updated, each row saying which; undo takes back only the updates', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startBulkAction(['User Add', 'User Update']);
	const dialog = portal.dialog();
	await expect(dialog.getByRole('link', { name: 'User Add' })).toBeVisible();
	await expect(dialog.getByRole('link', { name: 'User Update' })).toBeVisible();
	await portal.uploadFile(`${FIX}/user-add-and-update-mixed.xlsx`, 4);
	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	expect([
		await portal.count('will be added'),
		await portal.count('will update'),
		await portal.count('unchanged'),
		await portal.count('with errors')
	]).toEqual([1, 1, 1, 1]);
	const table = dialog.getByRole('table', { name: 'Rows of the uploaded file' });
	await dialog.getByLabel('Show').selectOption('all');
	await expect(table.getByRole('row').filter({ hasText: 'new.face26' })).toContainText('Will be added');
	await expect(table.getByRole('row').filter({ hasText: 'Jordan Doe' })).toContainText('Will update');
	await expect(table).toContainText('Row 5, Role is required to add a user: one of Student, Teacher, Librarian, Administrator.');

	const download = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Apply' }).click());
	expect(download.suggestedFilename()).toMatch(/^user-add-update-results-\d{8}-\d{6}\.xlsx$/);
	await expect(dialog.getByText('1 row added, 1 row updated, 1 row had errors.', { exact: false })).toBeVisible();
	const rows = byRow(await readWorkbook(download));
	expect([...rows.entries()].map(([row, r]) => [row, r.status, r.changed])).toEqual([
		[2, 'Updated', 'Name'],
		[3, 'Added', 'Name, Email, Password, Role'],
		[4, 'Unchanged', ''],
		[5, 'Failed', '']
	]);
	expect((await serverUser(request, '1010', 'jdoe')).user.name).toBe('Jordan Doe');
	expect((await serverUser(request, '1010', 'new.face26')).user).toMatchObject({ name: 'New Face', role: 'Teacher' });
	await portal.closeDialog();

	const history = portal.historyRow('user-add-and-update-mixed.xlsx');
	await expect(history.getByRole('button', { name: /^Undo upload/ })).toBeVisible({ timeout: 30_000 });
	await portal.openUndo('user-add-and-update-mixed.xlsx');
	await expect(portal.undoDialog()).toContainText(
		'Undo does not remove users: 1 user this upload added stays. Remove that user in the portal if they should not exist.'
	);
	const undone = await portal.applyUndoAndRead();
	expect(undone.book.Results.slice(1).map((r) => r[1])).toEqual(['jdoe']);
	expect((await serverUser(request, '1010', 'jdoe')).user.name).toBe('John Doe');
	expect((await serverUser(request, '1010', 'new.face26')).user.name).toBe('New Face');
});

test('Export users after an add holds the added users, never their passwords', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/user-add-offline-username-taken.xlsx`, 2, ['User Add']);
	await portal.applyAndRead();
	await portal.closeDialog();
	const exported = await portal.expectDownload(() => portal.bulkTool('Export users'));
	const users = (await readWorkbook(exported)).Users;
	expect(users.filter((r) => r[1].startsWith('offline.')).map((r) => r.slice(0, 6))).toEqual([
		['1012', 'offline.one26', 'Offline One', '', '', 'Student'],
		['1012', 'offline.two26', 'Offline Two', '', '', 'Student']
	]);
	expect(JSON.stringify(users)).not.toContain('Welcome-2026');
});
