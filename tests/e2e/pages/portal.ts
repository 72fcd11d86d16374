// Page model of the portal, driven by visible labels only, as an admin would use it.
import { expect, type APIRequestContext, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import * as XLSX from 'xlsx';

export type EditorField = 'Account ID' | 'Username' | 'Name' | 'Email' | 'Password' | 'Role';
export type BulkActionBox = 'User Add' | 'User Update';

export const DEMO = {
	admin: { username: 'admin', password: 'springfield-demo', parent: 'Springfield Public Schools' },
	other: { username: 'shelby-admin', password: 'shelbyville-demo', parent: 'Shelbyville Library System' }
};

export class PortalPage {
	constructor(readonly page: Page) {}

	async goto(): Promise<void> {
		await this.page.goto('/');
	}

	async signIn(username = DEMO.admin.username, password = DEMO.admin.password): Promise<void> {
		await this.page.getByLabel('Username').fill(username);
		await this.page.getByLabel('Password').fill(password);
		await this.page.getByRole('button', { name: 'Sign in' }).click();
		await expect(this.page.getByRole('heading', { name: 'Institutions & Users' })).toBeVisible({ timeout: 30_000 });
	}

	async signOut(): Promise<void> {
		await this.page.getByRole('button', { name: 'Sign out' }).click();
		const discard = this.page.getByRole('button', { name: 'Sign out and discard changes' });
		if (await discard.isVisible().catch(() => false)) await discard.click();
		await expect(this.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	}

	/** Signed in as `username` with the Users tab open: where most flows start. */
	async openAsAdmin(username = DEMO.admin.username, password = DEMO.admin.password): Promise<void> {
		await this.goto();
		await this.signIn(username, password);
		await this.openUsers();
	}

	tab(name: 'Institutions' | 'Users') {
		return this.page.getByRole('tab', { name });
	}

	async openUsers(): Promise<void> {
		await this.tab('Users').click();
		await expect(this.page.getByText(/\d[\d,]* of [\d,]+ users/)).toBeVisible({ timeout: 20_000 });
	}

	async search(text: string): Promise<void> {
		await this.page.getByLabel('Search users').fill(text);
	}

	usersTable() {
		return this.page.getByRole('table', { name: 'Users' });
	}

	async bulkTool(item: 'Bulk upload' | 'Export users'): Promise<void> {
		await this.page.getByRole('button', { name: /Bulk tools/ }).click();
		await this.page.getByRole('menuitem', { name: item }).click();
	}

	dialog() {
		return this.page.getByRole('dialog', { name: 'Bulk Upload' });
	}

	/** Opens Bulk Upload, picks User Update, Next: leaves the dialog at the upload form. */
	async startUserUpdate(): Promise<void> {
		await this.startBulkAction(['User Update']);
	}

	/** Opens Bulk Upload, ticks the bulk actions (both: add the new users, update the others), Next. */
	async startBulkAction(actions: readonly BulkActionBox[]): Promise<void> {
		await this.bulkTool('Bulk upload');
		const dialog = this.dialog();
		for (const action of actions) await dialog.getByLabel(action, { exact: true }).check();
		await dialog.getByRole('button', { name: 'Next' }).click();
		await expect(dialog.getByLabel('Number of users')).toBeVisible();
	}

	async uploadFile(path: string, count: number): Promise<void> {
		const dialog = this.dialog();
		await dialog.getByLabel('Number of users').fill(String(count));
		await dialog.getByLabel('Spreadsheet file').setInputFiles(path);
		await dialog.getByRole('button', { name: 'Upload' }).click();
	}

	/** Bulk upload → User Update (or the actions given) → file and count → Upload, then waits for the preview. */
	async preflight(path: string, count: number, actions: readonly BulkActionBox[] = ['User Update']): Promise<void> {
		await this.startBulkAction(actions);
		await this.uploadFile(path, count);
		await expect(this.dialog().getByRole('heading', { name: 'Check before applying' })).toBeVisible({ timeout: 30_000 });
	}

	/** The inline editor of spreadsheet row `row` in the preview (open it with its Edit button). */
	rowEditor(row: number) {
		return this.dialog().getByRole('form', { name: `Edit row ${row}` });
	}

	/** Edit row N → fill the fields by their labels → Save row; waits until the row is saved. */
	async editRow(row: number, values: Partial<Record<EditorField, string>>): Promise<void> {
		const dialog = this.dialog();
		await dialog.getByRole('button', { name: `Edit row ${row}`, exact: true }).click();
		const editor = this.rowEditor(row);
		for (const [label, value] of Object.entries(values)) await editor.getByLabel(label, { exact: true }).fill(value);
		await editor.getByRole('button', { name: 'Save row' }).click();
		await expect(dialog.getByRole('status').filter({ hasText: `Row ${row} saved` })).toBeVisible();
		await expect(editor).toHaveCount(0);
	}

	/** The preview's count of a kind, e.g. count('with errors') → 8. */
	async count(kind: 'will update' | 'will be added' | 'unchanged' | 'with errors' | 'edited'): Promise<number> {
		const text = await this.dialog().getByRole('list', { name: 'Summary' }).innerText();
		const match = new RegExp(`([\\d,]+)\\s*${kind}`).exec(text);
		return match ? Number(match[1].replace(/,/g, '')) : 0;
	}

	/** In Match columns, the select named by the file's header. */
	matchSelect(header: string) {
		return this.dialog().getByRole('combobox', { name: header, exact: true });
	}

	/** An upload changing more users than the parent's threshold: types the number, which enables Apply. */
	async confirmLargeChange(users: number): Promise<void> {
		const gate = this.dialog().getByRole('region', { name: 'Large change' });
		await gate.getByLabel('Type the number of users that will change').fill(users.toLocaleString('en-US'));
		await expect(this.dialog().getByRole('button', { name: 'Apply' })).toBeEnabled();
	}

	/** Apply in the open dialog; returns the results workbook that downloads by itself. */
	async applyAndRead(): Promise<Record<string, string[][]>> {
		const download = await this.expectDownload(() => this.dialog().getByRole('button', { name: 'Apply' }).click());
		return readWorkbook(download);
	}

	async closeDialog(): Promise<void> {
		await this.dialog().getByRole('button', { name: 'Close' }).first().click();
	}

	history() {
		return this.page.getByRole('region', { name: 'Upload history' });
	}

	/** The history's row of an upload, by the title it shows ("roster.xlsx", "Undo of roster.xlsx"). */
	historyRow(title: string) {
		const starts = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
		return this.history()
			.getByRole('row')
			.filter({ has: this.page.getByRole('cell', { name: starts }) });
	}

	undoDialog() {
		return this.page.getByRole('dialog', { name: 'Undo upload' });
	}

	/** Undo on the history entry titled `title`; waits for the undo's preview. */
	async openUndo(title: string): Promise<void> {
		await this.history()
			.getByRole('button', { name: `Undo upload ${title}`, exact: true })
			.click();
		await expect(this.undoDialog().getByRole('heading', { name: 'Check before undoing' })).toBeVisible({ timeout: 30_000 });
	}

	/** Apply undo in the open Undo upload dialog; returns the undo's results workbook. */
	async applyUndoAndRead(): Promise<{ name: string; book: Record<string, string[][]> }> {
		const download = await this.expectDownload(() => this.undoDialog().getByRole('button', { name: 'Apply undo' }).click());
		return { name: download.suggestedFilename(), book: await readWorkbook(download) };
	}

	async expectDownload(action: () => Promise<void>): Promise<Download> {
		const [download] = await Promise.all([this.page.waitForEvent('download', { timeout: 30_000 }), action()]);
		return download;
	}
}

/** Reads a downloaded workbook (or a file): sheet name → rows of cell text (header row first). */
export async function readWorkbook(download: Download | string): Promise<Record<string, string[][]>> {
	const path = typeof download === 'string' ? download : await download.path();
	const wb = XLSX.read(await readFile(path), { type: 'buffer' });
	const out: Record<string, string[][]> = {};
	for (const name of wb.SheetNames) {
		out[name] = XLSX.utils.sheet_to_json<string[]>(wb.Sheets[name], { header: 1, raw: false, defval: '' });
	}
	return out;
}

/** The server's view of one user (test-only endpoint of the reference server started with --faults). */
export async function serverUser(request: APIRequestContext, accountId: string, username: string) {
	const response = await request.get(`/api/__test/state?accountId=${accountId}&username=${username}`);
	return (await response.json()) as {
		user: { name: string; email: string; role: string };
		hasPassword: boolean;
		appliedMutationCount: number;
	};
}

/** Someone else adds a user on the portal (test-only endpoint of the reference server started with --faults). */
export async function addUserOnPortal(
	request: APIRequestContext,
	user: { accountId: string; username: string; name: string; email: string; role: string }
): Promise<void> {
	const response = await request.post('/api/__test/add-user', { data: user });
	expect(response.status()).toBe(200);
}

/** Cell type of a downloaded workbook's cell, e.g. "s" for text. */
export async function cellType(download: Download, sheet: string, address: string): Promise<string | undefined> {
	const wb = XLSX.read(await readFile(await download.path()), { type: 'buffer' });
	return wb.Sheets[sheet]?.[address]?.t;
}
