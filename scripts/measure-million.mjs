// Measures one parent with 1,000,000 users end to end in headless Chromium: the sign-in download, the time
// until the Users tab is usable, search keystrokes, the longest main-thread task and the peak heaps of the
// page and of each worker. Not part of npm test (it takes minutes); run it after `npm run build`:
//   node scripts/measure-million.mjs [--users 1000000] [--queries 10] [--json FILE]
// The dataset (server/demo-data.ts --users N) is kept in tmp/million/ between runs; the server gets a
// free port and a fresh state directory each run. Run it under `flock /tmp/bench.lock` on a shared machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';
import { measureSearch } from './bench/browser.mjs';

const { values: args } = parseArgs({
	options: {
		users: { type: 'string', default: '1000000' },
		queries: { type: 'string', default: '10' },
		json: { type: 'string' }
	}
});
const USERS = Number(args.users);
const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

// ---- dataset and server ---------------------------------------------------------------------------

function dataset() {
	const dir = path.resolve('tmp/million');
	mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `dataset-${USERS}.json`);
	if (existsSync(file) && statSync(file).size > 0) return file;
	log(`making ${file}`);
	const made = spawnSync('npx', ['tsx', 'server/demo-data.ts', '--users', String(USERS), '--out', file], { stdio: 'inherit' });
	if (made.status !== 0) throw new Error('server/demo-data.ts failed');
	return file;
}

async function startServer(dataFile, stateDir) {
	const child = spawn(
		path.resolve('node_modules/.bin/tsx'),
		['server/main.ts', '--port', '0', '--data', dataFile, '--state', stateDir, '--static', 'build'],
		{ stdio: ['ignore', 'pipe', 'pipe'] }
	);
	let output = '';
	const url = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start in 300 s:\n${output}`)), 300_000);
		child.stdout.on('data', (chunk) => {
			output += chunk;
			const match = /Portal running at (http:\/\/\S+?)\/?\s/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		});
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
	});
	return {
		url,
		stop: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', resolve);
				child.kill('SIGTERM');
			})
	};
}

// ---- in-page long-task recorder (added before the app's scripts) -----------------------------------

function recorder() {
	const state = { longtasks: [] };
	Object.defineProperty(window, '__measure', { value: state, enumerable: false });
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) state.longtasks.push({ start: e.startTime, duration: e.duration });
	}).observe({ type: 'longtask', buffered: true });
}

// ---- heaps over CDP: the page's, and each dedicated worker's (answered even while a thread is busy) ---

class Heaps {
	constructor(browser, page, origin) {
		Object.assign(this, { browser, page, origin, peaks: new Map(), stopped: false, pending: new Map(), nextId: 1, loops: [] });
	}

	async start() {
		this.pageSession = await this.page.context().newCDPSession(this.page);
		this.browserSession = await this.browser.newBrowserCDPSession();
		this.browserSession.on('Target.receivedMessageFromTarget', (event) => {
			const message = JSON.parse(event.message);
			const entry = this.pending.get(message.id);
			if (!entry) return;
			this.pending.delete(message.id);
			entry(message.result);
		});
		this.loops.push(
			this.sample('page', () => this.pageSession.send('Runtime.getHeapUsage')),
			this.discover()
		);
	}

	record(name, used) {
		this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, used));
	}

	async sample(name, ask) {
		while (!this.stopped) {
			const answer = await Promise.race([ask(), new Promise((resolve) => setTimeout(() => resolve(null), 60_000))]).catch(() => null);
			if (!answer) return; // the thread ended
			this.record(name, answer.usedSize);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}

	async discover() {
		const seen = new Set();
		while (!this.stopped) {
			const { targetInfos } = await this.browserSession.send('Target.getTargets').catch(() => ({ targetInfos: [] }));
			for (const t of targetInfos) {
				if (t.type !== 'worker' || !t.url.startsWith(this.origin) || seen.has(t.targetId)) continue;
				seen.add(t.targetId);
				const { sessionId } = await this.browserSession.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
				const name = `worker ${t.title || new URL(t.url).pathname.split('/').pop()}`;
				const ask = () =>
					new Promise((resolve, reject) => {
						const id = this.nextId++;
						this.pending.set(id, resolve);
						const message = JSON.stringify({ id, method: 'Runtime.getHeapUsage' });
						this.browserSession.send('Target.sendMessageToTarget', { sessionId, message }).catch(reject);
					});
				this.loops.push(this.sample(name, ask));
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	async stop() {
		this.stopped = true;
		for (const resolve of this.pending.values()) resolve(null);
		await Promise.race([Promise.allSettled(this.loops), new Promise((resolve) => setTimeout(resolve, 2000))]);
		return Object.fromEntries([...this.peaks].map(([name, bytes]) => [name, Math.round(bytes / 2 ** 20)]));
	}
}

// ---- search: each keystroke until the Users tab shows its answer (the results region's aria-busy) ---

const QUERIES = ['smith', 'maria garcia', 'jdoe', '@springfieldschools.org', 'student', 'lee 1003', 'wong', 'an', 'zzqx', 'taylor'];

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (ms) => Math.round(ms);

// ---- the run ---------------------------------------------------------------------------------------

async function main() {
	if (!existsSync('build/index.html')) throw new Error('no build/: run `npm run build` first');
	const dataFile = dataset();
	const stateDir = mkdtempSync(path.join(tmpdir(), 'measure-million-'));
	log('starting the server');
	const server = await startServer(dataFile, stateDir);
	const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
	const result = {
		users: USERS,
		load: (await import('node:os'))
			.loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')
	};
	try {
		const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
		await context.addInitScript(recorder);
		const page = await context.newPage();
		page.setDefaultTimeout(30 * 60_000);
		const heaps = new Heaps(browser, page, server.url);
		await heaps.start();

		await page.goto('/');
		await page.getByLabel('Username').fill('admin');
		await page.getByLabel('Password').fill('springfield-demo');
		const clicked = Date.now();
		const clickedAt = await page.evaluate(() => performance.timeOrigin + performance.now());
		await page.getByRole('button', { name: 'Sign in' }).click();
		const bar = page.getByRole('progressbar', { name: /Downloading users/ });
		let lastShown = '';
		const watchBar = setInterval(async () => {
			const label = await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null);
			if (label && label !== lastShown && Number(label) % 100_000 < 5000) log(`progress bar: ${Number(label).toLocaleString('en-US')}`);
			if (label) lastShown = label;
		}, 500);
		await page.getByRole('heading', { name: 'Institutions & Users' }).waitFor();
		clearInterval(watchBar);
		result.signInToStoredMs = Date.now() - clicked;
		await page.waitForFunction(() => performance.getEntriesByName('users:ready').length > 0, null, { polling: 100 });
		result.signInToUsableMs = Date.now() - clicked;
		const marks = await Promise.all(
			page
				.workers()
				.map((w) =>
					w
						.evaluate(() => ({ origin: performance.timeOrigin, at: performance.getEntriesByName('signin:data-arrived')[0]?.startTime }))
						.catch(() => null)
				)
		);
		const arrived = marks.find((m) => m?.at !== undefined);
		// From the click to the last page stored in the data worker (its performance mark).
		if (arrived) result.downloadMs = round(arrived.origin + arrived.at - clickedAt);
		log(`signed in: stored ${result.signInToStoredMs} ms, usable ${result.signInToUsableMs} ms`);

		await page.getByRole('tab', { name: 'Users' }).click();
		await page.getByText(/\d[\d,]* of [\d,]+ users/).waitFor();
		result.usersShown = await page.getByText(/\d[\d,]* of [\d,]+ users/).textContent();
		// A fast typist: about 8 keys a second.
		const keys = (await measureSearch(page, QUERIES.slice(0, Number(args.queries)), 120)).map((k) => ({ query: k.query, ms: k.domMs }));
		result.search = {
			keystrokes: keys.length,
			medianMs: round(median(keys.map((k) => k.ms))),
			perQueryMedianMs: QUERIES.slice(0, Number(args.queries)).map((q) => [
				q,
				round(median(keys.filter((k) => q.startsWith(k.query)).map((k) => k.ms)))
			]),
			worstMs: round(Math.max(...keys.map((k) => k.ms))),
			over100: keys.filter((k) => k.ms > 100).map((k) => `${k.query}: ${round(k.ms)}`)
		};
		log(`search: median ${result.search.medianMs} ms, worst ${result.search.worstMs} ms over ${keys.length} keystrokes`);

		const longest = (tasks) => round(Math.max(0, ...tasks.map((t) => t.duration)));
		result.longestTaskMs = longest(await page.evaluate(() => window.__measure.longtasks));
		log(`longest main-thread task (sign-in, browsing, searching): ${result.longestTaskMs} ms`);

		// Opening the portal again from this device: the directory worker reads every user from IndexedDB.
		const reloaded = Date.now();
		await page.reload();
		await page.waitForFunction(() => performance.getEntriesByName('users:ready').length > 0, null, { polling: 100 });
		result.reloadToUsableMs = Date.now() - reloaded;
		result.longestTaskReloadMs = longest(await page.evaluate(() => window.__measure.longtasks));
		result.heapPeaksMB = await heaps.stop();
	} finally {
		await browser.close();
		await server.stop();
		rmSync(stateDir, { recursive: true, force: true });
	}
	console.log(JSON.stringify(result, null, 2));
	if (args.json) writeFileSync(args.json, JSON.stringify(result, null, 2));
}

await main();
