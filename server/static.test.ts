// Tests of static serving (SPA fallback, cache rules, CSP header, traversal) and of the CLI's dataset check.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalServer } from './app';
import { removeDir, startServer, tempDir, testDataset } from './test-helpers';

const HASH = "'sha256-abcDEF123+/=='";
const INDEX = `<!doctype html><html><head>
<meta http-equiv="content-security-policy" content="default-src 'self'; script-src 'self' ${HASH}; style-src 'self' 'unsafe-inline'; object-src 'none'">
</head><body><div id="app"></div></body></html>`;

let dir: string;
let portal: PortalServer;

beforeAll(async () => {
	dir = await tempDir('static');
	const build = path.join(dir, 'build');
	await mkdir(path.join(build, '_app/immutable/chunks'), { recursive: true });
	await writeFile(path.join(build, 'index.html'), INDEX);
	await writeFile(path.join(build, '_app/immutable/chunks/app.abc123.js'), 'export const x = 1;');
	await writeFile(path.join(build, 'manifest.webmanifest'), '{"name":"Portal"}');
	await writeFile(path.join(build, 'service-worker.js'), 'self.addEventListener("fetch", () => {});');
	await writeFile(path.join(dir, 'secret.txt'), 'outside the build');
	portal = await startServer({ stateDir: path.join(dir, 'state'), staticDir: build });
});

afterAll(async () => {
	await portal?.close();
	await removeDir(dir);
});

async function get(route: string): Promise<Response> {
	return fetch(`${portal.url}${route}`);
}

describe('static files', () => {
	it('serves index.html for client-side routes with the page CSP plus frame-ancestors as a header', async () => {
		for (const route of ['/', '/review/batch-7', '/users/jane.doe']) {
			const res = await get(route);
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
			expect(await res.text()).toBe(INDEX);
			const csp = res.headers.get('content-security-policy') ?? '';
			expect(csp).toContain(`script-src 'self' ${HASH}`);
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
			expect(res.headers.get('cache-control')).toBe('no-cache');
			expect(res.headers.get('x-frame-options')).toBe('DENY');
			expect(res.headers.get('referrer-policy')).toBe('no-referrer');
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		}
	});

	it('uses long-lived caching only for immutable assets, and the right content types', async () => {
		const js = await get('/_app/immutable/chunks/app.abc123.js');
		expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
		expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		const manifest = await get('/manifest.webmanifest');
		expect(manifest.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
		expect(manifest.headers.get('cache-control')).toBe('no-cache');
		expect((await get('/service-worker.js')).headers.get('cache-control')).toBe('no-cache');
	});

	it('answers missing files with 404 instead of HTML, and never leaves the build directory', async () => {
		expect((await get('/_app/immutable/chunks/missing.js')).status).toBe(404);
		for (const route of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/_app/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00']) {
			const res = await get(route);
			expect(await res.text()).not.toContain('outside the build');
			expect([400, 404]).toContain(res.status);
		}
	});

	it('shows a "run npm run build" page when there is no build', async () => {
		const bare = await startServer({ stateDir: path.join(dir, 'state-bare'), staticDir: path.join(dir, 'missing') });
		try {
			const res = await fetch(`${bare.url}/`);
			expect(res.status).toBe(200);
			expect(await res.text()).toContain('npm run build');
			expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
		} finally {
			await bare.close();
		}
	});
});

describe('command line', () => {
	it('refuses a bad dataset naming the bad field path, without a stack trace', async () => {
		const dataset = testDataset();
		dataset.users[3] = { ...dataset.users[3], accountId: '4242' };
		const file = path.join(dir, 'bad-dataset.json');
		await writeFile(file, JSON.stringify(dataset));
		const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
		const child = spawn(
			process.execPath,
			['--import', 'tsx', 'server/main.ts', '--data', file, '--state', path.join(dir, 'never'), '--port', '0'],
			{ cwd: root }
		);
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
		expect(code).toBe(1);
		expect(stderr).toContain('users.3.accountId');
		expect(stderr).toContain('unknown institution 4242');
		expect(stderr).not.toMatch(/\n\s+at /);
	});
});
