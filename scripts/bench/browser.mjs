// The browser side of the bench: baselines (a) and (c) in a blank same-origin page, and one full
// portal run (sign-in, search, upload, offline apply) with long tasks and heap sampled throughout.
import { statSync } from 'node:fs';
import path from 'node:path';
import { measureRowEdits } from './edit.mjs';
import { BENCH_PAGE } from './static.mjs';

export const BENCH_DB = 'bench-naive-users';

// ---- in-page recorders (added with addInitScript, so they run before the app's own scripts) ------

function recorders() {
	const state = { longtasks: [], loaf: [], clicks: [] };
	Object.defineProperty(window, '__bench', { value: state, enumerable: false });
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) state.longtasks.push({ start: e.startTime, duration: e.duration, name: e.name });
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		state.noLongtask = true;
	}
	try {
		// Long animation frames name the scripts that ran (function, file, position): attribution for long tasks.
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) {
				if (e.duration < 100) continue;
				state.loaf.push({
					start: e.startTime,
					duration: e.duration,
					blocking: e.blockingDuration,
					render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
					scripts: (e.scripts ?? []).map((s) => ({
						invoker: s.invoker,
						type: s.invokerType,
						fn: s.sourceFunctionName,
						url: s.sourceURL,
						pos: s.sourceCharPosition,
						start: s.startTime,
						duration: s.duration,
						forcedLayout: s.forcedStyleAndLayoutDuration
					}))
				});
			}
		}).observe({ type: 'long-animation-frame', buffered: true });
	} catch {
		state.noLoaf = true;
	}
	addEventListener(
		'click',
		(e) => {
			const target = e.target instanceof Element ? e.target.closest('button,[role=menuitem]') : null;
			if (target) state.clicks.push({ t: performance.now(), text: (target.textContent ?? '').trim().slice(0, 40) });
		},
		true
	);
}

// ---- heap sampling over CDP (works while a thread is busy: DevTools commands interrupt running JS) --

export class HeapSampler {
	constructor(browser, page, origin, intervalMs = 100) {
		this.browser = browser;
		this.page = page;
		this.origin = origin;
		this.intervalMs = intervalMs;
		this.main = { peak: 0, last: 0, samples: 0 };
		this.workers = new Map(); // targetId → { url, sessionId, peak, last, samples }
		this.peakSum = 0;
		this.stopped = false;
		this.nextId = 1;
		this.pending = new Map();
		this.errors = [];
	}

	async start() {
		this.pageSession = await this.page.context().newCDPSession(this.page);
		this.browserSession = await this.browser.newBrowserCDPSession();
		this.browserSession.on('Target.receivedMessageFromTarget', (event) => {
			let message;
			try {
				message = JSON.parse(event.message);
			} catch {
				return;
			}
			const entry = message.id !== undefined ? this.pending.get(message.id) : undefined;
			if (!entry) return;
			this.pending.delete(message.id);
			if (message.error) entry.reject(new Error(message.error.message));
			else entry.resolve(message.result);
		});
		this.loops = [this.mainLoop(), this.discoverLoop()];
	}

	sleep(ms) {
		return new Promise((resolve) => setTimeout(resolve, ms));
	}

	record(slot, used) {
		slot.last = used;
		slot.samples++;
		// Wall-clock times, so each sample can be put in the phase of the flow it was taken in.
		(slot.series ??= []).push([Date.now(), used]);
		if (used > slot.peak) slot.peak = used;
		let sum = this.main.last;
		for (const w of this.workers.values()) if (w.alive) sum += w.last;
		if (sum > this.peakSum) this.peakSum = sum;
	}

	async mainLoop() {
		while (!this.stopped) {
			try {
				const { usedSize } = await this.pageSession.send('Runtime.getHeapUsage');
				this.record(this.main, usedSize);
			} catch (error) {
				if (!this.stopped) this.errors.push(`main: ${error.message}`);
				return;
			}
			await this.sleep(this.intervalMs);
		}
	}

	async discoverLoop() {
		while (!this.stopped) {
			try {
				const { targetInfos } = await this.browserSession.send('Target.getTargets');
				for (const t of targetInfos) {
					if (t.type !== 'worker' || !t.url.startsWith(this.origin) || this.workers.has(t.targetId)) continue;
					const slot = { url: t.url, peak: 0, last: 0, samples: 0, alive: true };
					this.workers.set(t.targetId, slot);
					const { sessionId } = await this.browserSession.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
					slot.sessionId = sessionId;
					this.loops.push(this.workerLoop(slot));
				}
			} catch (error) {
				if (!this.stopped) this.errors.push(`discover: ${error.message}`);
			}
			await this.sleep(250);
		}
	}

	workerCall(slot, method) {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.browserSession
				.send('Target.sendMessageToTarget', { sessionId: slot.sessionId, message: JSON.stringify({ id, method }) })
				.catch((error) => {
					this.pending.delete(id);
					reject(error);
				});
		});
	}

	async workerLoop(slot) {
		while (!this.stopped) {
			try {
				const { usedSize } = await Promise.race([
					this.workerCall(slot, 'Runtime.getHeapUsage'),
					this.sleep(30_000).then(() => Promise.reject(new Error('no answer in 30 s')))
				]);
				this.record(slot, usedSize);
			} catch {
				slot.alive = false; // the worker ended (or stopped answering)
				return;
			}
			await this.sleep(this.intervalMs);
		}
	}

	async stop() {
		this.stopped = true;
		for (const entry of this.pending.values()) entry.resolve({ usedSize: 0 });
		this.pending.clear();
		await Promise.race([Promise.allSettled(this.loops), this.sleep(2000)]);
		await this.pageSession.detach().catch(() => {});
		await this.browserSession.detach().catch(() => {});
		const workers = [...this.workers.values()].map((w) => ({
			url: w.url.replace(this.origin, ''),
			peakBytes: w.peak,
			samples: w.samples,
			series: w.series ?? []
		}));
		return {
			mainPeakBytes: this.main.peak,
			mainSamples: this.main.samples,
			workerPeakBytes: workers.reduce((max, w) => Math.max(max, w.peakBytes), 0),
			workers,
			peakSumBytes: this.peakSum,
			errors: this.errors
		};
	}
}

// ---- baselines ------------------------------------------------------------------------------------

/** (a) SheetJS XLSX.read of the file in a fresh dedicated worker, timed inside the worker. */
export async function sheetjsRead(page, fileUrl, variant) {
	return page.evaluate(
		async ({ fileUrl, variant }) => {
			const bytes = await (await fetch(fileUrl)).arrayBuffer();
			const worker = new Worker('/bench/sheetjs-read.js');
			try {
				return await new Promise((resolve, reject) => {
					worker.onmessage = (e) => resolve(e.data);
					worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
					worker.postMessage({ bytes, variant }, [bytes]);
				});
			} finally {
				worker.terminate();
			}
		},
		{ fileUrl, variant }
	);
}

/** (c) The naive layout: one record per user, all put in ONE readwrite transaction, timed to oncomplete. */
export async function naiveIdbPut(page, usersUrl) {
	return page.evaluate(
		async ({ usersUrl, dbName }) => {
			const users = await (await fetch(usersUrl)).json();
			const del = () =>
				new Promise((resolve, reject) => {
					const r = indexedDB.deleteDatabase(dbName);
					r.onsuccess = () => resolve();
					r.onerror = () => reject(r.error);
					r.onblocked = () => resolve();
				});
			await del();
			const db = await new Promise((resolve, reject) => {
				const r = indexedDB.open(dbName, 1);
				r.onupgradeneeded = () => r.result.createObjectStore('users', { keyPath: ['accountId', 'username'] });
				r.onsuccess = () => resolve(r.result);
				r.onerror = () => reject(r.error);
			});
			try {
				const started = performance.now();
				const tx = db.transaction('users', 'readwrite');
				const done = new Promise((resolve, reject) => {
					tx.oncomplete = () => resolve();
					tx.onerror = () => reject(tx.error);
					tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
				});
				const store = tx.objectStore('users');
				for (const user of users) store.put(user);
				const queuedMs = performance.now() - started;
				await done;
				return { ms: performance.now() - started, queuedMs, count: users.length };
			} finally {
				db.close();
				await del();
			}
		},
		{ usersUrl, dbName: BENCH_DB }
	);
}

/** (a) and (c); `read: false` (a CSV file, which the app reads without SheetJS) leaves out (a). */
export async function baselineRun({ browser, baseURL, fileUrl, usersUrl, timeoutMs, read: withRead = true }) {
	const context = await browser.newContext({ baseURL });
	try {
		const page = await context.newPage();
		page.setDefaultTimeout(timeoutMs);
		await page.goto(BENCH_PAGE);
		const read = withRead ? await sheetjsRead(page, fileUrl, 'dense') : undefined;
		const readApp = withRead ? await sheetjsRead(page, fileUrl, 'app-options') : undefined;
		const idb = await naiveIdbPut(page, usersUrl);
		return { read, readApp, idb };
	} finally {
		await context.close();
	}
}

// ---- the portal flow ------------------------------------------------------------------------------

/**
 * Typing into "Search users" key by key; each keystroke timed until its answer is on screen (the results
 * region's aria-busy turns false, in the same update that renders the rows), and until the next frame.
 */
/** Types each query a key at a time into Search users; per key, how long until the results region answered. */
export async function measureSearch(page, queries, pauseMs = 60) {
	return page.evaluate(
		async ([queries, pauseMs]) => {
			const label = [...document.querySelectorAll('label')].find((l) => l.textContent?.includes('Search users'));
			const input = label?.querySelector('input');
			const panel = document.getElementById('panel-users');
			const results = document.getElementById('user-results');
			if (!input || !panel || !results) throw new Error('Search users input or the users results region not found');
			const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
			const keys = [];
			for (const query of queries) {
				for (let k = 1; k <= query.length; k++) {
					const value = query.slice(0, k);
					let observer;
					const answered = new Promise((resolve) => {
						observer = new MutationObserver(() => {
							if (results.getAttribute('aria-busy') === 'false') resolve(performance.now());
						});
						observer.observe(results, { attributes: true, attributeFilter: ['aria-busy'] });
					});
					const started = performance.now();
					input.value = value;
					input.dispatchEvent(new Event('input', { bubbles: true }));
					const answeredAt = await Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve(undefined), 10_000))]);
					observer.disconnect();
					const frameAt = await nextFrame();
					const status = panel.querySelector('[role=status]')?.textContent?.trim() ?? '';
					keys.push({
						query: value,
						domMs: answeredAt === undefined ? 10_000 : answeredAt - started,
						frameMs: frameAt - started,
						changed: answeredAt !== undefined,
						status
					});
					// a human types no faster than ~10 keys/s; also lets the frame finish
					await new Promise((resolve) => setTimeout(resolve, pauseMs));
				}
				input.value = '';
				input.dispatchEvent(new Event('input', { bubbles: true }));
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			return keys;
		},
		[queries, pauseMs]
	);
}

async function waitQuiet(page, quietMs, maxMs) {
	const until = Date.now() + maxMs;
	while (Date.now() < until) {
		const quietFor = await page.evaluate(() => {
			const last = window.__bench.longtasks.reduce((end, t) => Math.max(end, t.start + t.duration), 0);
			return performance.now() - last;
		});
		if (quietFor >= quietMs) return;
		await page.waitForTimeout(250);
	}
}

/**
 * Marks and measures the app records inside its dedicated workers (e.g. signin:data-arrived, since the
 * first download happens in the data worker), shifted onto the page's timeline via timeOrigin.
 */
async function workerTimeline(page) {
	const pageOrigin = await page.evaluate(() => performance.timeOrigin);
	const marks = [];
	const measures = [];
	for (const worker of page.workers()) {
		try {
			const got = await worker.evaluate(() => ({
				origin: performance.timeOrigin,
				marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, t: m.startTime })),
				measures: performance.getEntriesByType('measure').map((m) => ({ name: m.name, t: m.startTime, duration: m.duration }))
			}));
			const shift = got.origin - pageOrigin;
			const source = `worker ${new URL(worker.url()).pathname}`;
			for (const m of got.marks) marks.push({ ...m, t: m.t + shift, source });
			for (const m of got.measures) measures.push({ ...m, t: m.t + shift, source });
		} catch {
			// the worker ended
		}
	}
	return { marks, measures };
}

function mergeEntries(into, more) {
	for (const e of more) if (!into.some((x) => x.name === e.name && Math.abs(x.t - e.t) < 0.01)) into.push(e);
}

function numberIn(text, pattern) {
	const match = pattern.exec(text);
	return match ? Number(match[1].replace(/,/g, '')) : undefined;
}

export const TRACE_CATEGORIES = [
	'toplevel',
	'devtools.timeline',
	'disabled-by-default-devtools.timeline',
	'v8',
	'v8.execute',
	'blink.user_timing',
	'disabled-by-default-v8.cpu_profiler'
];

export async function portalRun({
	browser,
	baseURL,
	xlsxFile,
	rows,
	searchQueries,
	timeoutMs,
	traceFile,
	undo = true,
	/** Sync the queue (as before (j)) but leave out the undo preview. */
	syncOnly = false,
	rowEdits = true,
	action = 'update',
	progress = () => {}
}) {
	const context = await browser.newContext({ baseURL, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
	await context.addInitScript(recorders);
	const page = await context.newPage();
	page.setDefaultTimeout(timeoutMs);
	const heap = new HeapSampler(browser, page, baseURL);
	const result = { ok: false, step: 'start' };
	const started = Date.now();
	const step = (name) => {
		result.step = name;
		progress(`${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	};
	let early = { marks: [], measures: [] };
	if (traceFile) await browser.startTracing(page, { path: traceFile, categories: TRACE_CATEGORIES });
	try {
		await heap.start();
		await page.goto('/');
		await page.getByLabel('Username').fill('admin');
		await page.getByLabel('Password').fill('springfield-demo');
		await page.getByRole('button', { name: 'Sign in' }).click();
		step('signing in');
		await page.getByRole('heading', { name: 'Institutions & Users' }).waitFor();
		await page.waitForFunction(() => performance.getEntriesByName('users:ready').length > 0, null, { timeout: timeoutMs, polling: 100 });
		early = await workerTimeline(page);

		await page.getByRole('tab', { name: 'Users' }).click();
		await page.getByText(/\d[\d,]* of [\d,]+ users/).waitFor();
		step('searching');
		result.searchKeys = await measureSearch(page, searchQueries);
		await page.getByText(/\d[\d,]* of [\d,]+ users/).waitFor();

		await page.getByRole('button', { name: /Bulk tools/ }).click();
		await page.getByRole('menuitem', { name: 'Bulk upload' }).click();
		const dialog = page.getByRole('dialog', { name: 'Bulk Upload' });
		await dialog.getByLabel(action === 'add' ? 'User Add' : 'User Update', { exact: true }).check();
		await dialog.getByRole('button', { name: 'Next' }).click();
		await dialog.getByLabel('Number of users').fill(String(rows));
		await dialog.getByLabel('Spreadsheet file').setInputFiles(xlsxFile);
		await dialog.getByRole('button', { name: 'Upload' }).click();
		step('preflight');
		await outcome(dialog, dialog.getByRole('heading', { name: 'Check before applying' }), timeoutMs);
		const summary = await dialog.getByRole('list', { name: 'Summary' }).innerText();
		result.preview = {
			update: numberIn(summary, /([\d,]+)\s*will update/),
			add: numberIn(summary, /([\d,]+)\s*will be added/),
			unchanged: numberIn(summary, /([\d,]+)\s*unchanged/),
			failed: numberIn(summary, /([\d,]+)\s*with errors/),
			warnings: numberIn(summary, /([\d,]+)\s*warnings/)
		};

		if (rowEdits) {
			step('row edits');
			result.rowEdits = await measureRowEdits(page);
		}

		// The bench file changes every user: the large-change gate asks for the number first.
		const gate = dialog.getByRole('region', { name: 'Large change' });
		if (await gate.count()) await gate.getByLabel('Type the number of users that will change').fill(String(result.preview.update ?? rows));

		await context.setOffline(true);
		step('apply (offline)');
		const download = page.waitForEvent('download', { timeout: timeoutMs }).catch(() => null);
		await dialog.getByRole('button', { name: 'Apply' }).click();
		const status = dialog.getByRole('status').filter({ hasText: /rows updated, .* rows had errors/ });
		await outcome(dialog, status, timeoutMs);
		const completion = await status.innerText();
		result.completion = {
			updated: numberIn(completion, /([\d,]+) rows updated/),
			failed: numberIn(completion, /([\d,]+) rows had errors/),
			queued: numberIn(completion, /([\d,]+) rows are queued/),
			text: completion.replace(/\s+/g, ' ').trim()
		};
		const file = await Promise.race([download, page.waitForTimeout(30_000).then(() => null)]);
		if (!file) throw new Error('the completion message showed but no results workbook was downloaded');
		// Its size, against the input file's (target: compressed, at most 1.5 times the upload).
		const saved = await file.path().catch(() => null);
		result.resultsFile = { name: file.suggestedFilename(), bytes: saved ? statSync(saved).size : undefined };
		step('settling');
		await waitQuiet(page, 2000, 60_000);
		if (undo || syncOnly) await undoPreview(page, dialog, path.basename(xlsxFile), timeoutMs, step, result, syncOnly);
		result.ok = true;
	} catch (error) {
		result.error = `${result.step}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
		try {
			result.screen = (await page.getByRole('dialog').innerText({ timeout: 2000 })).replace(/\s+/g, ' ').slice(0, 600);
		} catch {
			// no dialog, or the page is gone
		}
		await waitQuiet(page, 1000, 10_000).catch(() => {});
	}
	try {
		// Also after a failure: whatever was measured up to it is still worth reporting.
		const collected = await page.evaluate(() => ({
			marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, t: m.startTime })),
			measures: performance.getEntriesByType('measure').map((m) => ({ name: m.name, t: m.startTime, duration: m.duration })),
			bench: window.__bench,
			now: performance.now(),
			timeOrigin: performance.timeOrigin
		}));
		const late = await workerTimeline(page);
		for (const part of [early, late]) {
			mergeEntries(collected.marks, part.marks);
			mergeEntries(collected.measures, part.measures);
		}
		collected.marks.sort((a, b) => a.t - b.t);
		collected.measures.sort((a, b) => a.t - b.t);
		Object.assign(result, analyse(collected));
	} catch (error) {
		result.collectError = String(error?.message ?? error);
	}
	result.heap = await heap.stop().catch((error) => ({ errors: [String(error)] }));
	heapByPhase(result);
	if (traceFile) {
		await browser.stopTracing().catch((error) => (result.traceError = String(error)));
		result.traceFile = traceFile;
	}
	result.wallSeconds = (Date.now() - started) / 1000;
	await context.close().catch(() => {});
	return result;
}

/**
 * (j) The undo preview of the whole upload: back online, the queue syncs and the upload's record reaches
 * the portal's history; then Undo on its history entry, until the dialog shows the preview (the upload's
 * rows fetched from the portal and checked against every local user, in the data worker).
 */
async function undoPreview(page, uploadDialog, fileName, timeoutMs, step, result, syncOnly = false) {
	step('sync (online)');
	await page.evaluate(() => performance.mark('bench:sync-start'));
	const started = Date.now();
	await uploadDialog.getByRole('button', { name: 'Close' }).last().click();
	await page.context().setOffline(false);
	await page.getByText('All changes synced').waitFor({ timeout: timeoutMs });
	const undoButton = page
		.getByRole('region', { name: 'Upload history' })
		.getByRole('button', { name: `Undo upload ${fileName}`, exact: true });
	await undoButton.waitFor({ timeout: timeoutMs });
	result.syncSeconds = (Date.now() - started) / 1000;
	if (syncOnly) return;
	await waitQuiet(page, 2000, 60_000);
	step('undo preview');
	await undoButton.click();
	const undoDialog = page.getByRole('dialog', { name: 'Undo upload' });
	await outcome(undoDialog, undoDialog.getByRole('heading', { name: 'Check before undoing' }), timeoutMs);
	result.undoSummary = (await undoDialog.getByRole('list', { name: 'Summary' }).innerText()).replace(/\s+/g, ' ').trim();
	await waitQuiet(page, 1000, 30_000);
}

/** Waits for `success` in the dialog; fails at once with the app's words if an alert shows instead. */
async function outcome(dialog, success, timeoutMs) {
	const alert = dialog.getByRole('alert').first();
	const winner = await Promise.race([
		success.waitFor({ timeout: timeoutMs }).then(() => 'ok'),
		alert.waitFor({ timeout: timeoutMs }).then(
			() => 'alert',
			() => new Promise(() => {}) // no alert before the timeout: let the success wait decide
		)
	]);
	if (winner === 'alert') throw new Error(`the app showed an error: "${(await alert.innerText()).trim()}"`);
}

/**
 * The data worker (the one that measured preflight:read) and its peak heap per phase of the flow: the
 * spreadsheet's own peak is the one of "preflight", not the sync's or the undo's later on.
 */
function heapByPhase(result) {
	const workers = result.heap?.workers ?? [];
	const source = result.measures?.find((m) => m.name === 'preflight:read')?.source;
	const dataUrl = source?.replace(/^worker /, '');
	for (const w of workers) {
		if (result.timeOrigin !== undefined && result.phaseStarts) {
			const peaks = {};
			for (const [wall, used] of w.series) {
				const phase = result.phaseOf(wall - result.timeOrigin);
				peaks[phase] = Math.max(peaks[phase] ?? 0, used);
			}
			w.peakByPhase = peaks;
		}
		w.role = w.url === dataUrl ? 'data' : 'other';
		delete w.series;
	}
	const data = workers.find((w) => w.role === 'data');
	if (result.heap && data) {
		result.heap.dataWorkerPeakBytes = data.peakBytes;
		result.heap.dataWorkerPreflightPeakBytes = data.peakByPhase?.preflight;
	}
	delete result.phaseOf;
	delete result.phaseStarts;
}

/** Times from the app's marks and measures; every long task placed in the phase it happened in. */
function analyse({ marks, measures, bench, now, timeOrigin }) {
	const mark = (name) => marks.find((m) => m.name === name)?.t;
	const measure = (name) => measures.find((m) => m.name === name);
	const signInClick = bench.clicks.find((c) => c.text === 'Sign in')?.t;
	const arrived = mark('signin:data-arrived');
	const ready = mark('users:ready');
	const preflight = measure('bulk:preflight');
	const apply = measure('bulk:apply-local');
	const results = measure('bulk:results');
	const undo = measure('undo:preview');
	const syncStart = mark('bench:sync-start');
	const times = {
		signinReadyMs: arrived !== undefined && ready !== undefined ? ready - arrived : undefined,
		signinTotalMs: signInClick !== undefined && ready !== undefined ? ready - signInClick : undefined,
		signinDownloadMs: signInClick !== undefined && arrived !== undefined ? arrived - signInClick : undefined,
		preflightMs: preflight?.duration,
		applyLocalMs: apply?.duration,
		resultsMs: results?.duration,
		undoPreviewMs: undo?.duration
	};
	const phases = [
		['page load', 0],
		['sign-in: download', signInClick],
		['sign-in: store + index', arrived],
		['browse + search', ready],
		['preflight', mark('bulk:upload-start')],
		['preview shown', preflight ? preflight.t + preflight.duration : undefined],
		['row edits', mark('bench:row-edits')],
		['preview shown (after edits)', mark('bench:row-edits-end')],
		['apply (local)', mark('bulk:apply-start')],
		['between apply and results', apply ? apply.t + apply.duration : undefined],
		['results workbook', mark('bulk:results-start')],
		['after results', results ? results.t + results.duration : undefined],
		['sync (online)', syncStart],
		['undo preview', mark('undo:open')],
		['after undo preview', undo ? undo.t + undo.duration : undefined]
	].filter(([, t]) => t !== undefined);
	const phaseOf = (t) => {
		let name = phases[0][0];
		for (const [n, start] of phases) if (t >= start) name = n;
		return name;
	};
	const longtasks = bench.longtasks.map((t) => ({ ...t, phase: phaseOf(t.start) }));
	// (f) is the flow up to the results workbook, as before the undo measure was added; the sync and the
	// undo preview that follow are reported on their own.
	const flow = longtasks.filter((t) => syncStart === undefined || t.start < syncStart);
	const longest = flow.reduce((best, t) => (!best || t.duration > best.duration ? t : best), undefined);
	const afterLoad = flow.filter((t) => t.phase !== 'page load').reduce((max, t) => Math.max(max, t.duration), 0);
	const undoLongestTaskMs = undo
		? longtasks.filter((t) => t.phase === 'undo preview').reduce((max, t) => Math.max(max, t.duration), 0)
		: undefined;
	const syncLongestTaskMs =
		syncStart !== undefined
			? longtasks.filter((t) => t.phase === 'sync (online)').reduce((max, t) => Math.max(max, t.duration), 0)
			: undefined;
	const byPhase = {};
	for (const t of longtasks) {
		const p = (byPhase[t.phase] ??= { count: 0, totalMs: 0, maxMs: 0, over100: 0 });
		p.count++;
		p.totalMs += t.duration;
		p.maxMs = Math.max(p.maxMs, t.duration);
		if (t.duration > 100) p.over100++;
	}
	const loaf = bench.loaf
		.filter((f) => f.blocking > 0 || f.duration > 100)
		.map((f) => ({ ...f, phase: phaseOf(f.start), scripts: f.scripts.filter((s) => s.duration >= 20) }));
	return {
		times,
		longestTaskMs: longest?.duration ?? 0,
		longestTaskAfterLoadMs: afterLoad,
		undoLongestTaskMs,
		syncLongestTaskMs,
		longestTask: longest,
		longtaskObserver: !bench.noLongtask,
		longtasksByPhase: byPhase,
		longtasksOver100: longtasks.filter((t) => t.duration > 100),
		longAnimationFrames: loaf,
		marks,
		measures,
		endMs: now,
		timeOrigin,
		phaseStarts: phases,
		phaseOf
	};
}
