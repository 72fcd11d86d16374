import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// A port chosen once per run and shared with workers through the environment.
async function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const srv = createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
	});
}

process.env.PORTAL_PORT ??= String(await freePort());
process.env.PORTAL_STATE ??= mkdtempSync(join(tmpdir(), 'portal-e2e-'));
const port = Number(process.env.PORTAL_PORT);

export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 60_000,
	expect: { timeout: 10_000 },
	fullyParallel: false,
	workers: 1,
	retries: 0,
	reporter: [['list'], ['json']],
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		acceptDownloads: true,
		launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure'
	},
	webServer: {
		command: `npx tsx server/main.ts --port ${port} --state ${process.env.PORTAL_STATE} --faults`,
		url: `http://127.0.0.1:${port}/`,
		reuseExistingServer: false,
		stdout: 'pipe',
		timeout: 60_000
	}
});
