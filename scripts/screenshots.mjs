// `node scripts/screenshots.mjs`: the README's screenshots, taken from the built app (run `npx vite build`
// first) served by the reference server on a free port with a fresh state, at a phone's and a laptop's width.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const port = await new Promise((resolve) => {
	const srv = createServer().listen(0, '127.0.0.1', () => {
		const { port } = srv.address();
		srv.close(() => resolve(port));
	});
});
const server = spawn('npx', ['tsx', 'server/main.ts', '--port', String(port), '--state', mkdtempSync(join(tmpdir(), 'portal-shots-'))], {
	stdio: ['ignore', 'pipe', 'inherit'],
	detached: true
});
await new Promise((resolve) => server.stdout.on('data', (d) => String(d).includes('Portal running') && resolve()));

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
try {
	for (const width of [390, 1280]) {
		const page = await browser.newPage({ viewport: { width, height: width < 800 ? 844 : 800 } });
		await page.goto(`http://127.0.0.1:${port}/`);
		await page.getByLabel('Username').fill('admin');
		await page.getByLabel('Password').fill('springfield-demo');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.getByRole('tab', { name: 'Users' }).click({ timeout: 30_000 });
		await page.getByText(/\d of [\d,]+ users/).waitFor();
		await page.screenshot({ path: `docs/users-tab-${width}.png` });
		await page.getByRole('button', { name: /Bulk tools/ }).click();
		await page.getByRole('menuitem', { name: 'Bulk upload' }).click();
		const dialog = page.getByRole('dialog', { name: 'Bulk Upload' });
		await dialog.getByLabel('User Update').check();
		await dialog.getByRole('button', { name: 'Next' }).click();
		await dialog.getByLabel('Number of users').fill('14');
		await dialog.getByLabel('Spreadsheet file').setInputFiles('tests/fixtures/e2e/mixed-user-update.xlsx');
		await dialog.getByRole('button', { name: 'Upload' }).click();
		await dialog.getByRole('heading', { name: 'Check before applying' }).waitFor({ timeout: 30_000 });
		await page.screenshot({ path: `docs/preview-${width}.png` });
		// Fixing errors: one row fixed (marked Edited), the next one open in the editor.
		await dialog.getByRole('button', { name: 'Edit row 8', exact: true }).click();
		const editor = dialog.getByRole('form', { name: 'Edit row 8' });
		await editor.getByLabel('Email', { exact: true }).fill('jdoe.new.1004@example.org');
		await editor.getByRole('button', { name: 'Save row' }).click();
		await dialog.getByText('Row 8 saved').waitFor();
		await dialog.getByRole('button', { name: 'Edit row 7', exact: true }).click();
		await dialog.getByRole('form', { name: 'Edit row 7' }).getByLabel('Username', { exact: true }).fill('mlee');
		// On a laptop the counts and the editor fit together; on a phone, the editor.
		if (width < 800) await dialog.getByRole('form', { name: 'Edit row 7' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
		else await dialog.locator('.body').evaluate((el) => el.scrollTo(0, 0));
		await page.screenshot({ path: `docs/fixing-errors-${width}.png` });
		await dialog.getByRole('button', { name: 'Close' }).first().click();
		await page.getByRole('button', { name: /Bulk tools/ }).click();
		await page.getByRole('menuitem', { name: 'Bulk upload' }).click();
		await dialog.getByLabel('User Update').check();
		await dialog.getByRole('button', { name: 'Next' }).click();
		await dialog.getByRole('button', { name: 'Discard edits' }).click();
		await dialog.getByLabel('Number of users').fill('3');
		await dialog.getByLabel('Spreadsheet file').setInputFiles('tests/fixtures/e2e/google-workspace-export.csv');
		await dialog.getByRole('button', { name: 'Upload' }).click();
		await dialog.getByRole('heading', { name: 'Match columns' }).waitFor({ timeout: 30_000 });
		await page.screenshot({ path: `docs/match-columns-${width}.png` });
		await page.close();
	}
} finally {
	await browser.close();
	// npx starts the server as a grandchild: stop the whole process group.
	process.kill(-server.pid);
}
