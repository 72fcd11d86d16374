// Fixing an upload without going back to Excel for everything: rows edited in the preview, a file from
// another system matched column by column, and only the failed rows uploaded again.
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { PortalPage, readWorkbook, serverUser } from './pages/portal';

const FIX = 'tests/fixtures/e2e';

test.beforeEach(async ({ request }) => {
	await request.post('/api/__test/reset', { data: {} });
});

/** Results rows by spreadsheet row number: status, reason, changed, edited, and the file's columns. */
function resultsByRow(book: Record<string, string[][]>) {
	const [header, ...rows] = book.Results;
	const at = (name: string) => header.indexOf(name);
	return new Map(
		rows.map((r) => [
			Number(r[at('Row')]),
			{ status: r[at('Status')], reason: r[at('Reason')], changed: r[at('Changed')], edited: r[at('Edited in preview')] ?? '', cells: r }
		])
	);
}

test('the mixed file fixed in place row by row until no row has errors, then applied: the results say what was edited', async ({
	page,
	request
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	const dialog = portal.dialog();
	expect(await portal.count('with errors')).toBe(8);
	await expect(dialog.getByLabel('Show')).toHaveValue('errors');

	// The editor is filled with the file's values; the password is never shown.
	await dialog.getByRole('button', { name: 'Edit row 8', exact: true }).click();
	const editor = portal.rowEditor(8);
	await expect(editor.getByLabel('Account ID')).toHaveValue('1004');
	await expect(editor.getByLabel('Email')).toHaveValue('not-an-email');
	await expect(editor.getByLabel('Password')).toHaveValue('');
	await expect(editor.getByText("Leave empty to keep the file's value. Passwords are never shown.")).toBeVisible();
	await editor.getByRole('button', { name: 'Cancel' }).click();
	await expect(editor).toHaveCount(0);
	await expect(dialog.getByRole('button', { name: 'Edit row 8', exact: true })).toBeFocused();

	const fixes: [number, Parameters<PortalPage['editRow']>[1], number][] = [
		[6, { 'Account ID': '1008' }, 7], // another parent's account → one of ours
		[7, { Username: 'mlee' }, 6], // unknown user → an existing one
		[8, { Email: 'jdoe.new.1004@example.org' }, 5],
		[9, { Username: 'jdoe' }, 3], // the duplicate: fixing row 9 frees row 10 too
		[11, { Email: 'jdoe.new.1003@springfieldschools.org' }, 2],
		[12, { Role: 'Librarian' }, 1],
		[15, { 'Account ID': '1014' }, 0]
	];
	for (const [row, values, errorsLeft] of fixes) {
		await portal.editRow(row, values);
		await expect.poll(() => portal.count('with errors'), { message: `after row ${row}` }).toBe(errorsLeft);
		await expect(
			dialog.getByRole('status').filter({ hasText: `Row ${row} saved: it will update. It no longer matches "Show"` })
		).toBeVisible();
	}
	expect(await portal.count('will update')).toBe(13);
	expect(await portal.count('edited')).toBe(7);
	await dialog.getByLabel('Show').selectOption('edited');
	await expect(dialog.getByRole('table', { name: 'Rows of the uploaded file' }).getByText('Edited', { exact: true })).toHaveCount(7);

	const book = await portal.applyAndRead();
	await expect(dialog.getByText('13 rows updated, 0 rows had errors.')).toBeVisible();
	const results = resultsByRow(book);
	expect(book.Results[0].slice(-5)).toEqual(['Row', 'Status', 'Reason', 'Changed', 'Edited in preview']);
	expect([...results.values()].filter((r) => r.status === 'Updated')).toHaveLength(13);
	expect(results.get(8)).toMatchObject({ status: 'Updated', changed: 'Email', edited: 'Email: was "not-an-email"' });
	expect(results.get(8)!.cells[3]).toBe('jdoe.new.1004@example.org');
	expect(results.get(6)).toMatchObject({ edited: 'Account ID: was "2001"', changed: 'Name' });
	expect(results.get(9)?.edited).toBe('Username: was "asmith"');
	expect(results.get(10)).toMatchObject({ status: 'Updated', edited: '' });
	expect(results.get(12)).toMatchObject({ changed: 'Role', edited: 'Role: was "Janitor"' });
	expect(JSON.stringify(book)).not.toContain('Correct-Horse-42');

	expect((await serverUser(request, '1008', 'jdoe')).user.name).toBe('Foreign Doe');
	expect((await serverUser(request, '1006', 'jdoe')).user.name).toBe('Alice Twice');
	expect((await serverUser(request, '1006', 'asmith')).user.name).toBe('Alice Again');
	expect((await serverUser(request, '1004', 'jdoe')).user.email).toBe('jdoe.new.1004@example.org');
	expect((await serverUser(request, '1007', 'jdoe')).user.role).toBe('Librarian');
	expect((await serverUser(request, '1014', 'jdoe')).user.name).toBe('Ghost');
});

test('a Google Workspace export is matched column by column, applied, and matched the same way next time', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/google-workspace-export.csv`, 3);
	const dialog = portal.dialog();
	await expect(dialog.getByRole('heading', { name: 'Match columns' })).toBeVisible({ timeout: 30_000 });
	await expect(portal.matchSelect('First Name [Required]')).toHaveValue('firstName');
	await expect(portal.matchSelect('Last Name [Required]')).toHaveValue('lastName');
	await expect(portal.matchSelect('Email Address [Required]')).toHaveValue('email');
	await expect(portal.matchSelect('Org Unit Path [Required]')).toHaveValue('ignore');
	await expect(portal.matchSelect('Building ID')).toHaveValue('ignore');
	await expect(portal.matchSelect('Account ID')).toHaveValue('accountId');
	await expect(dialog.getByText('Google Workspace export: First Name [Required]', { exact: true })).toBeVisible();
	await expect(dialog.getByText('"Building ID" sounds like Account ID, but the column is empty')).toBeVisible();

	// Continue needs Account ID and Username, and no field twice.
	const next = dialog.getByRole('button', { name: 'Continue' });
	await expect(next).toBeEnabled();
	await portal.matchSelect('Username').selectOption({ label: 'Ignore this column' });
	await expect(next).toBeDisabled();
	await expect(dialog.getByText('Choose the column that holds the Username.')).toBeVisible();
	await portal.matchSelect('Username').selectOption({ label: 'Username' });
	await portal.matchSelect('Recovery Email').selectOption({ label: 'Email' });
	await expect(next).toBeDisabled();
	await expect(dialog.getByText(/Email is chosen for 2 columns/)).toBeVisible();
	await portal.matchSelect('Recovery Email').selectOption({ label: 'Ignore this column' });
	await next.click();

	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible();
	expect(await portal.count('will update')).toBe(3);
	await expect(
		dialog.getByText(/Columns "Password Hash Function \[UPLOAD ONLY\]".* are not used \(you chose to ignore them\)/)
	).toBeVisible();
	const book = await portal.applyAndRead();
	const results = resultsByRow(book);
	expect(book.Results[0][0]).toBe('First Name [Required]');
	expect([...results.values()].map((r) => [r.status, r.changed])).toEqual([
		['Updated', 'Name'],
		['Updated', 'Name'],
		['Updated', 'Email']
	]);
	expect((await serverUser(request, '1003', 'jdoe')).user.name).toBe('Johnathan Doe');
	expect((await serverUser(request, '1003', 'asmith')).user.name).toBe('Alicia Smith');
	expect((await serverUser(request, '1005', 'jdoe')).user.email).toBe('john.doe@springfieldschools.org');
	await portal.closeDialog();

	await portal.startUserUpdate();
	await portal.uploadFile(`${FIX}/google-workspace-export.csv`, 3);
	await expect(dialog.getByRole('heading', { name: 'Match columns' })).toBeVisible({ timeout: 30_000 });
	await expect(dialog.getByText(/^Matched like your upload of "google-workspace-export\.csv" on /).first()).toBeVisible();
	await expect(portal.matchSelect('First Name [Required]')).toHaveValue('firstName');
});

test('rows with errors download as a template, fixed in the spreadsheet, upload again and apply; the results workbook uploads back too', async ({
	page
}) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	const dialog = portal.dialog();

	const fromPreview = await portal.expectDownload(() => dialog.getByRole('button', { name: 'Download rows with errors' }).click());
	expect(fromPreview.suggestedFilename()).toMatch(/^user-update-errors-\d{8}-\d{6}\.xlsx$/);
	const errors = await readWorkbook(fromPreview);
	expect(Object.keys(errors)).toEqual(['Users', 'Instructions', 'Accounts']);
	expect(errors.Users[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Reason']);
	expect(errors.Users.slice(1).map((r) => [r[0], r[1]])).toEqual([
		['2001', 'jdoe'],
		['1001', 'nobody'],
		['1004', 'jdoe'],
		['1006', 'asmith'],
		['1006', 'asmith'],
		['1003', 'jdoe'],
		['1007', 'jdoe'],
		['4711', 'jdoe']
	]);
	expect(errors.Users[3][6]).toBe('Email "not-an-email" is not a valid email address');

	const applied = await portal.applyAndRead();
	await expect(dialog.getByText('5 rows updated, 8 rows had errors.')).toBeVisible();
	// The completion step and the history offer the same rows, the portal's rejections included.
	const fromDone = await readWorkbook(
		await portal.expectDownload(() => dialog.getByRole('button', { name: 'Download rows with errors' }).click())
	);
	expect(fromDone.Users.slice(1).map((r) => r[6])).toEqual(errors.Users.slice(1).map((r) => r[6]));
	await portal.closeDialog();
	const history = page.getByRole('region', { name: 'Upload history' });
	const fromHistory = await readWorkbook(
		await portal.expectDownload(() => history.getByRole('button', { name: /Download rows with errors of mixed-user-update\.xlsx/ }).click())
	);
	expect(fromHistory.Users).toHaveLength(9);

	// The admin fixes the rows in the spreadsheet, as in Excel, and uploads just that file.
	const dir = mkdtempSync(join(tmpdir(), 'errors-'));
	const fixes: Record<number, [number, string]> = {
		1: [0, '1008'],
		2: [1, 'mlee'],
		3: [3, 'jdoe.new.1004@example.org'],
		4: [1, 'jdoe'],
		6: [3, 'jdoe.new.1003@springfieldschools.org'],
		7: [5, 'Librarian'],
		8: [0, '1014']
	};
	const fixed = errors.Users.map((row, i) => (fixes[i] ? row.map((cell, c) => (c === fixes[i][0] ? fixes[i][1] : cell)) : row));
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(fixed), 'Users');
	const fixedPath = join(dir, 'user-update-errors-fixed.xlsx');
	writeFileSync(fixedPath, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }));
	await portal.preflight(fixedPath, 8);
	await expect(dialog.getByText('Row 1: Column "Reason" holds results of an earlier upload; it is ignored')).toBeVisible();
	expect(await portal.count('will update')).toBe(8);
	const second = resultsByRow(await portal.applyAndRead());
	expect([...second.values()].every((r) => r.status === 'Updated')).toBe(true);
	await portal.closeDialog();

	// The results workbook itself uploads back: its Results sheet is read, its own columns ignored.
	const resultsPath = join(dir, 'user-update-results.xlsx');
	const resultsBook = XLSX.utils.book_new();
	for (const [name, rows] of Object.entries(applied)) XLSX.utils.book_append_sheet(resultsBook, XLSX.utils.aoa_to_sheet(rows), name);
	writeFileSync(resultsPath, XLSX.write(resultsBook, { type: 'buffer', bookType: 'xlsx' }));
	await portal.preflight(resultsPath, 14);
	await expect(
		dialog.getByText('Row 1: Columns "Row", "Status", "Reason" and "Changed" hold results of an earlier upload; they are ignored')
	).toBeVisible();
	await expect(dialog.getByText(/read sheet "Results": no sheet is named "Users"/)).toBeVisible();
	// What the file asked for is done now: its updated rows read as unchanged (row 14's "(set)" is no
	// password to set), and the rows that failed then fail the same way now.
	expect(await portal.count('will update')).toBe(0);
	expect(await portal.count('unchanged')).toBe(6);
	expect(await portal.count('with errors')).toBe(8);
});

test('an edit (and a password typed in the editor) is kept across a reload until the upload is applied', async ({ page }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	await portal.editRow(8, { Email: 'jdoe.kept.1004@example.org' });
	await portal.dialog().getByLabel('Show').selectOption('all');
	await portal.editRow(2, { Password: 'Typed-In-Preview-77' });
	expect(await portal.count('edited')).toBe(2);

	// What the device keeps: the edits, and the password only sealed.
	const stored = await page.evaluate(
		() =>
			new Promise<string>((resolve, reject) => {
				const open = indexedDB.open('admin-portal');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const get = open.result.transaction('meta').objectStore('meta').get('uploadDraft');
					get.onsuccess = () => {
						const bytes = (v: unknown) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v);
						resolve(JSON.stringify(get.result, (_k, v) => bytes(v)));
						open.result.close();
					};
				};
			})
	);
	expect(stored).toContain('jdoe.kept.1004@example.org');
	expect(stored).not.toContain('Typed-In-Preview-77');

	await page.reload();
	await portal.openUsers();
	await portal.startUserUpdate();
	const dialog = portal.dialog();
	const kept = dialog.getByRole('region', { name: 'Kept edits' });
	await expect(kept).toContainText('Your edits to mixed-user-update.xlsx are kept on this device: 2 rows edited');
	await expect(kept).toContainText('choose mixed-user-update.xlsx again below and select Upload');
	await expect(dialog.getByLabel('Number of users')).toHaveValue('14');
	await dialog.getByLabel('Spreadsheet file').setInputFiles(`${FIX}/mixed-user-update.xlsx`);
	await dialog.getByRole('button', { name: 'Upload' }).click();
	await expect(dialog.getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	await expect(dialog.getByText('Your edits to 2 rows of this file were kept on this device and are applied again.')).toBeVisible();
	expect(await portal.count('edited')).toBe(2);
	expect(await portal.count('with errors')).toBe(7);

	const results = resultsByRow(await portal.applyAndRead());
	expect(results.get(8)).toMatchObject({ status: 'Updated', edited: 'Email: was "not-an-email"' });
	expect(results.get(2)).toMatchObject({ status: 'Updated', changed: 'Name, Password', edited: 'Password' });
	await portal.closeDialog();

	// Applied: nothing is kept any more.
	await portal.startUserUpdate();
	await expect(dialog.getByLabel('Number of users')).toBeVisible();
	await expect(dialog.getByRole('region', { name: 'Kept edits' })).toHaveCount(0);
});

test('rows the portal rejected at sync are in the upload’s rows with errors too, with the portal’s reason', async ({ page, request }) => {
	const portal = new PortalPage(page);
	await portal.openAsAdmin();
	await portal.preflight(`${FIX}/mixed-user-update.xlsx`, 14);
	// Someone else changes 1002 jdoe's email after the check: row 4's change of it is rejected at sync.
	await request.post('/api/__test/edit-user', {
		data: { accountId: '1002', username: 'jdoe', changes: { email: 'jdoe.elsewhere@example.org' } }
	});
	await portal.applyAndRead();
	await expect(portal.dialog().getByText('4 rows updated, 9 rows had errors.')).toBeVisible();
	await portal.closeDialog();
	const history = page.getByRole('region', { name: 'Upload history' });
	const errors = await readWorkbook(
		await portal.expectDownload(() => history.getByRole('button', { name: /Download rows with errors of mixed-user-update\.xlsx/ }).click())
	);
	expect(errors.Users).toHaveLength(10);
	expect(errors.Users.find((r) => r[0] === '1002' && r[1] === 'JDOE')).toEqual([
		'1002',
		'JDOE',
		'',
		'jdoe.new.1002@example.org',
		'',
		'',
		'Email was changed by someone else since this file was checked'
	]);
});
