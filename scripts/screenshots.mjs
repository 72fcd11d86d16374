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
		await page.close();
	}
} finally {
	await browser.close();
	// npx starts the server as a grandchild: stop the whole process group.
	process.kill(-server.pid);
}
