// Medians, ratios, pass/fail and the printed table.

export function stats(values) {
	const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
	if (v.length === 0) return null;
	const mid = Math.floor(v.length / 2);
	const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
	return { median, min: v[0], max: v[v.length - 1], n: v.length, values };
}

const MB = 2 ** 20;

/** The duration of the first measure of that name in a run (the data worker's own laps). */
function measured(run, name) {
	return run.portal.measures?.find((m) => m.name === name)?.duration;
}

/** Per-size summary: medians over runs of every metric; ratios are ratios of the medians. */
export function summarize(entry, targets) {
	// Every run that got far enough to have a value counts for that value; failed runs are listed apart.
	const ok = entry.runs.filter((r) => r.portal.times);
	const base = entry.runs.filter((r) => !r.baseline.error);
	const keys = (r) => r.portal.searchKeys ?? [];
	const m = {
		a: stats(base.map((r) => r.baseline.read?.ms)),
		aApp: stats(base.map((r) => r.baseline.readApp?.ms)),
		b: stats(ok.map((r) => r.portal.times.preflightMs)),
		bRead: stats(ok.map((r) => measured(r, 'preflight:read'))),
		bUsers: stats(ok.map((r) => measured(r, 'preflight:wait-users'))),
		bCheck: stats(ok.map((r) => measured(r, 'preflight:check'))),
		c: stats(base.map((r) => r.baseline.idb.ms)),
		dPlan: stats(ok.map((r) => measured(r, 'apply:plan'))),
		dUsers: stats(ok.map((r) => measured(r, 'apply:commit-users'))),
		dOutbox: stats(ok.map((r) => measured(r, 'apply:commit-outbox'))),
		dRows: stats(ok.map((r) => measured(r, 'apply:commit-rows'))),
		dCommit: stats(ok.map((r) => measured(r, 'apply:commit'))),
		d: stats(ok.map((r) => r.portal.times.applyLocalMs)),
		e: stats(ok.map((r) => r.portal.times.resultsMs)),
		eBytes: stats(ok.map((r) => r.portal.resultsFile?.bytes)),
		f: stats(ok.map((r) => r.portal.longestTaskMs)),
		fAfterLoad: stats(ok.map((r) => r.portal.longestTaskAfterLoadMs)),
		gMain: stats(ok.map((r) => r.portal.heap?.mainPeakBytes / MB)),
		gWorker: stats(ok.map((r) => r.portal.heap?.workerPeakBytes / MB)),
		gSum: stats(ok.map((r) => r.portal.heap?.peakSumBytes / MB)),
		gData: stats(ok.map((r) => r.portal.heap?.dataWorkerPeakBytes / MB)),
		gDataPreflight: stats(ok.map((r) => r.portal.heap?.dataWorkerPreflightPeakBytes / MB)),
		h: stats(ok.map((r) => r.portal.times.signinReadyMs)),
		hTotal: stats(ok.map((r) => r.portal.times.signinTotalMs)),
		iMax: stats(ok.map((r) => (keys(r).length ? Math.max(...keys(r).map((k) => k.domMs)) : undefined))),
		iMedian: stats(ok.map((r) => stats(keys(r).map((k) => k.domMs))?.median)),
		iFrameMax: stats(ok.map((r) => (keys(r).length ? Math.max(...keys(r).map((k) => k.frameMs)) : undefined))),
		j: stats(ok.map((r) => r.portal.times.undoPreviewMs)),
		jTask: stats(ok.map((r) => r.portal.undoLongestTaskMs)),
		syncSeconds: stats(ok.map((r) => r.portal.syncSeconds)),
		syncTask: stats(ok.map((r) => r.portal.syncLongestTaskMs)),
		// Per run the median save; then the median over runs.
		k: stats(ok.map((r) => stats((r.portal.rowEdits?.saves ?? []).map((x) => x.countsMs))?.median)),
		kFrame: stats(ok.map((r) => stats((r.portal.rowEdits?.saves ?? []).map((x) => x.frameMs))?.median)),
		kWorst: stats(ok.map((r) => stats((r.portal.rowEdits?.saves ?? []).map((x) => x.frameMs))?.max)),
		kTask: stats(ok.map((r) => r.portal.rowEdits?.longestTaskMs))
	};
	const ratio = (x, y) => (x && y ? x.median / y.median : undefined);
	const readRatio = ratio(m.b, m.a);
	const applyRatio = ratio(m.d, m.c);
	// The same ratios taken run by run (a and b of one run ran a minute apart), then the median: less
	// sensitive to load that drifts over the whole bench. Informational; pass/fail uses the ratio of medians.
	const paired = (num, den) => stats(entry.runs.filter((r) => r.portal.times && !r.baseline.error).map((r) => num(r) / den(r)))?.median;
	const readRatioPaired = paired(
		(r) => r.portal.times.preflightMs,
		(r) => r.baseline.read?.ms
	);
	const applyRatioPaired = paired(
		(r) => r.portal.times.applyLocalMs,
		(r) => r.baseline.idb.ms
	);
	// Per row: what the app adds to SheetJS's read (b − a; all of b for CSV, which SheetJS does not read),
	// and the data worker's peak heap, so sizes can be compared for linearity.
	const rows = entry.rows;
	const perRow = {
		ownUs: m.b && rows ? ((m.b.median - (m.a?.median ?? 0)) * 1000) / rows : undefined,
		bUs: m.b && rows ? (m.b.median * 1000) / rows : undefined,
		dUs: m.d && rows ? (m.d.median * 1000) / rows : undefined,
		eUs: m.e && rows ? (m.e.median * 1000) / rows : undefined,
		workerHeapKB: m.gDataPreflight && rows ? (m.gDataPreflight.median * 1024) / rows : undefined
	};
	const loads = entry.runs.map((r) => r.loadBefore).filter((x) => typeof x === 'number');
	const pass = {
		readRatio: readRatio === undefined ? null : readRatio <= targets.readRatio,
		applyRatio: applyRatio === undefined ? null : applyRatio <= targets.applyRatio,
		longestTask: m.f ? m.f.median <= targets.longestTaskMs : null,
		signinReady: m.h ? m.h.median < targets.signinReadyMs : null,
		search: m.iMax ? m.iMax.median <= targets.searchMs : null,
		undoPreview: m.j ? m.j.median <= targets.undoPreviewMs : null,
		undoLongestTask: m.jTask ? m.jTask.median <= targets.longestTaskMs : null,
		saveRow: m.kFrame ? m.kFrame.median <= targets.saveRowMs : null,
		saveRowTask: m.kTask ? m.kTask.max <= targets.saveRowTaskMs : null
	};
	// Long tasks over 100 ms, per phase, over all runs: count and the longest.
	const phases = {};
	for (const r of ok) {
		for (const t of r.portal.longtasksOver100 ?? []) {
			const p = (phases[t.phase] ??= { count: 0, maxMs: 0, totalMs: 0 });
			p.count++;
			p.totalMs += t.duration;
			p.maxMs = Math.max(p.maxMs, t.duration);
		}
	}
	return {
		metrics: m,
		readRatio,
		applyRatio,
		readRatioPaired,
		applyRatioPaired,
		maxLoadBefore: loads.length ? Math.max(...loads) : undefined,
		perRow,
		fileBytes: entry.file?.bytes,
		pass: { ...pass, workerHeap: perRow.workerHeapKB === undefined ? null : perRow.workerHeapKB <= targets.workerHeapKBPerRow },
		longtasksOver100ByPhase: phases,
		completedRuns: entry.runs.filter((r) => r.portal.ok).length,
		runs: entry.runs.length
	};
}

function ms(s) {
	if (!s) return 'n/a';
	const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
	return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

function mb(s) {
	if (!s) return 'n/a';
	return `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
}

function verdict(p) {
	return p === null ? 'n/a' : p ? 'PASS' : 'FAIL';
}

export function printReport(report) {
	const sizes = report.sizes;
	const t = report.targets;
	const header = ['metric', ...sizes.map((s) => `${s.users.toLocaleString('en-US')} users`), 'target'];
	const rows = [];
	const row = (label, fn, target = '') => rows.push([label, ...sizes.map((s) => (s.summary ? fn(s.summary) : 'FAILED')), target]);
	const withPass = (text, p) => `${text} ${verdict(p)}`;
	row('(a) SheetJS read in a worker, ms', (s) => ms(s.metrics.a));
	row('    (same, app\u2019s read options), ms', (s) => ms(s.metrics.aApp));
	row('(b) file to preview, ms', (s) => ms(s.metrics.b));
	row(
		'    of which read / wait for users / check, ms',
		(s) => `${ms(s.metrics.bRead)} / ${ms(s.metrics.bUsers)} / ${ms(s.metrics.bCheck)}`
	);
	row(
		'    ratio b/a (run by run)',
		(s) => withPass(`${s.readRatio?.toFixed(2) ?? 'n/a'} (${s.readRatioPaired?.toFixed(2) ?? 'n/a'})`, s.pass.readRatio),
		`<= ${t.readRatio}`
	);
	// Linear: our own cost per row within 15 % of the first (smallest) size's.
	const first = sizes.find((s) => s.summary?.perRow.ownUs !== undefined)?.summary.perRow.ownUs;
	const us = (x) => (x === undefined ? 'n/a' : x.toFixed(1));
	row(
		'    our own cost (b − a) per row, µs (vs first size)',
		(s) =>
			s.perRow.ownUs === undefined
				? 'n/a'
				: `${us(s.perRow.ownUs)}${first ? ` (${s.perRow.ownUs / first >= 1 ? '+' : ''}${((s.perRow.ownUs / first - 1) * 100).toFixed(0)} %)` : ''}`,
		'within 15 %'
	);
	row('    (b) per row, µs', (s) => us(s.perRow.bUs));
	row('(c) naive IndexedDB put, 1 tx, ms', (s) => ms(s.metrics.c));
	row('(d) apply: local DB + outbox, ms', (s) => ms(s.metrics.d));
	row(
		'    of which plan / commit (users, outbox, rows), ms',
		(s) => `${ms(s.metrics.dPlan)} / ${ms(s.metrics.dCommit)} (${ms(s.metrics.dUsers)}, ${ms(s.metrics.dOutbox)}, ${ms(s.metrics.dRows)})`
	);
	row(
		'    ratio d/c (run by run)',
		(s) => withPass(`${s.applyRatio?.toFixed(3) ?? 'n/a'} (${s.applyRatioPaired?.toFixed(3) ?? 'n/a'})`, s.pass.applyRatio),
		`<= ${t.applyRatio}`
	);
	row('(e) results workbook, ms', (s) => ms(s.metrics.e));
	row('    results workbook size, MB (× the upload)', (s) =>
		s.metrics.eBytes && s.fileBytes
			? `${(s.metrics.eBytes.median / MB).toFixed(1)} (${(s.metrics.eBytes.median / s.fileBytes).toFixed(2)} ×)`
			: 'n/a'
	);
	row('    (d) and (e) per row, µs', (s) => `${us(s.perRow.dUs)} / ${us(s.perRow.eUs)}`);
	row('(f) longest main-thread task, ms', (s) => withPass(ms(s.metrics.f), s.pass.longestTask), `<= ${t.longestTaskMs}`);
	row('    same, after the sign-in click, ms', (s) => ms(s.metrics.fAfterLoad));
	row('(g) peak JS heap, page, MB', (s) => mb(s.metrics.gMain));
	row('    peak JS heap, busiest worker, MB', (s) => mb(s.metrics.gWorker));
	row('    peak page + workers, MB', (s) => mb(s.metrics.gSum));
	row('    data worker: file → preview / whole flow, MB', (s) => `${mb(s.metrics.gDataPreflight)} / ${mb(s.metrics.gData)}`);
	row(
		'    data worker in file → preview, per row, KB',
		(s) => withPass(s.perRow.workerHeapKB?.toFixed(2) ?? 'n/a', s.pass.workerHeap),
		`<= ${t.workerHeapKBPerRow}`
	);
	row('(h) sign-in data-arrived→ready, ms', (s) => withPass(ms(s.metrics.h), s.pass.signinReady), `< ${t.signinReadyMs}`);
	row('    sign-in click→ready, ms', (s) => ms(s.metrics.hTotal));
	row('(i) search, worst keystroke, ms', (s) => withPass(ms(s.metrics.iMax), s.pass.search), `<= ${t.searchMs}`);
	row('    search, median keystroke, ms', (s) => ms(s.metrics.iMedian));
	row('    search, worst to next frame, ms', (s) => ms(s.metrics.iFrameMax));
	row('(j) undo preview of the upload, ms', (s) => withPass(ms(s.metrics.j), s.pass.undoPreview), `<= ${t.undoPreviewMs}`);
	row('    longest main-thread task in it, ms', (s) => withPass(ms(s.metrics.jTask), s.pass.undoLongestTask), `<= ${t.longestTaskMs}`);
	row('    sync of the queue before it, s', (s) => ms(s.metrics.syncSeconds));
	row('    longest main-thread task in that sync, ms', (s) => ms(s.metrics.syncTask));
	row('(k) Save row → counts on screen, median, ms', (s) => withPass(ms(s.metrics.kFrame), s.pass.saveRow), `<= ${t.saveRowMs}`);
	row('    Save row → counts changed (DOM), median, ms', (s) => ms(s.metrics.k));
	row('    Save row, worst save to next frame, ms', (s) => ms(s.metrics.kWorst));
	row('    longest task while saving rows, ms', (s) => withPass(ms(s.metrics.kTask), s.pass.saveRowTask), `<= ${t.saveRowTaskMs}`);
	row('runs completed', (s) => `${s.completedRuns}/${s.runs}`);
	row('max load average before a run', (s) =>
		s.maxLoadBefore === undefined ? 'n/a' : `${s.maxLoadBefore.toFixed(2)} on ${report.machine.cpus} CPUs`
	);

	const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => String(r[i]).length)));
	const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
	console.log(
		`\nBulk ${report.options.action === 'add' ? 'User Add' : 'update'} benchmark — medians (min–max) of ${report.options.runs} runs; Chromium ${report.machine.chromium ?? '?'}, ${report.machine.cpus} CPUs`
	);
	console.log(line(header));
	console.log(widths.map((w) => '-'.repeat(w)).join('  '));
	for (const r of rows) console.log(line(r));
	for (const s of sizes) {
		if (s.error) console.log(`\n${s.users}: FAILED: ${s.error.split('\n')[0]}`);
		for (const r of s.runs ?? []) {
			if (r.baseline.error) console.log(`\n${s.users} run ${r.run}: baseline FAILED: ${r.baseline.error}`);
			if (!r.portal.ok) {
				console.log(
					`\n${s.users} run ${r.run}: portal flow FAILED at ${r.portal.error}${r.portal.screen ? `\n  dialog: ${r.portal.screen.slice(0, 300)}` : ''}`
				);
			}
		}
		const phases = s.summary?.longtasksOver100ByPhase ?? {};
		const names = Object.keys(phases);
		if (names.length) {
			console.log(`\n${s.users.toLocaleString('en-US')} users: main-thread tasks > 100 ms, all runs, by phase:`);
			for (const name of names) {
				const p = phases[name];
				console.log(
					`  ${name.padEnd(26)} ${String(p.count).padStart(3)} tasks, longest ${p.maxMs.toFixed(0)} ms, total ${p.totalMs.toFixed(0)} ms`
				);
			}
		}
	}
	const busy = sizes.some((s) => s.summary?.maxLoadBefore > report.machine.cpus * 0.5);
	if (busy) {
		console.log(
			`\nNOTE: the machine was busy with other work during the bench (1-minute load average above ${report.machine.cpus * 0.5} before some runs): expect noisy times.`
		);
	}
	console.log(`\nratios: b/a and d/c are ratios of the medians (pass/fail); in parentheses the median of the per-run ratios.`);
	console.log(
		`heap: V8 used heap from CDP Runtime.getHeapUsage every 100 ms, of the page and of each dedicated worker (spreadsheet and directory; the busiest is shown, the sum counts all).`
	);
	console.log(`longest task: the longtask API reports only tasks of 50 ms or more, so a run without any counts as 0.`);
	console.log(
		`save row: 10 saves per run on the preview of the whole file, each making two rows duplicates of each other or separating them again (the rules across rows); click on Save row until the Summary counts changed and the next frame.`
	);
}
