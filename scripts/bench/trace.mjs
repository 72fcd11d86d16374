// Reads a Chromium trace of one portal run (`--trace`) and says where the time went:
//  - every main-thread task >= minTaskMs: its phase, self time by trace event (GC, layout, …) and the
//    JS functions the sampling profiler caught in it;
//  - per phase, the hottest JS functions of the data worker.
// The app is minified, so a function is named by file:line:column plus a snippet of the code there.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function summarizeTrace(file, { staticDir, minTaskMs = 100, top = 6 } = {}) {
	const parsed = JSON.parse(readFileSync(file, 'utf8'));
	const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
	const threadNames = new Map();
	for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);

	// The app's renderer and main thread: where users:ready was marked.
	const ready = events.find((e) => e.cat === 'blink.user_timing' && e.name === 'users:ready');
	if (!ready) return { error: 'no users:ready mark in the trace' };
	const pid = ready.pid;
	const mainTid = ready.tid;
	const workerTids = new Set(
		[...threadNames]
			.filter(([k, name]) => k.startsWith(`${pid}:`) && name === 'DedicatedWorker thread')
			.map(([k]) => Number(k.split(':')[1]))
	);

	// Phases from the app's marks (ts in µs).
	const markTs = (name) =>
		events.find((e) => e.cat === 'blink.user_timing' && e.name === name && (e.ph === 'I' || e.ph === 'R' || e.ph === 'b'))?.ts;
	const measureEnd = (name) => events.find((e) => e.cat === 'blink.user_timing' && e.name === name && e.ph === 'e')?.ts;
	const navigation = events.find((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X')?.ts ?? 0;
	const phases = [
		['page load', navigation],
		['sign-in: store + index', markTs('signin:data-arrived')],
		['browse + search', markTs('users:ready')],
		['preflight', markTs('bulk:upload-start')],
		['preview shown', measureEnd('bulk:preflight')],
		['apply (local)', markTs('bulk:apply-start')],
		['between apply and results', measureEnd('bulk:apply-local')],
		['results workbook', markTs('bulk:results-start')],
		['after results', measureEnd('bulk:results')]
	].filter(([, ts]) => ts !== undefined);
	phases.sort((a, b) => a[1] - b[1]);
	const phaseOf = (ts) => {
		let name = phases[0]?.[0] ?? '?';
		for (const [n, start] of phases) if (ts >= start) name = n;
		return name;
	};
	const origin = markTs('users:ready') !== undefined ? ready.ts - ready.args.data.startTime * 1000 : navigation;

	// CPU profiles: samples per thread with their stacks.
	const profiles = new Map();
	for (const e of events) {
		if (e.name === 'Profile' && e.pid === pid) {
			profiles.set(`${e.pid}:${e.id}`, { tid: e.tid, t: e.args.data.startTime, nodes: new Map(), samples: [] });
		}
	}
	for (const e of events) {
		if (e.name !== 'ProfileChunk') continue;
		const profile = profiles.get(`${e.pid}:${e.id}`);
		if (!profile) continue;
		const data = e.args.data;
		for (const node of data.cpuProfile?.nodes ?? []) profile.nodes.set(node.id, node);
		const samples = data.cpuProfile?.samples ?? [];
		const deltas = data.timeDeltas ?? [];
		for (let i = 0; i < samples.length; i++) {
			profile.t += deltas[i] ?? 0;
			profile.samples.push({ t: profile.t, node: samples[i] });
		}
	}
	const samplesOf = (tid) => {
		const out = [];
		for (const p of profiles.values()) {
			if (p.tid === tid) for (const s of p.samples) out.push({ t: s.t, frame: p.nodes.get(s.node)?.callFrame, profile: p });
		}
		out.sort((a, b) => a.t - b.t);
		return out;
	};

	const sources = new Map();
	const snippet = (url, line, column) => {
		if (!staticDir || !url) return '';
		let pathname;
		try {
			pathname = new URL(url).pathname;
		} catch {
			return '';
		}
		if (!sources.has(pathname)) {
			try {
				sources.set(pathname, readFileSync(path.join(staticDir, pathname), 'utf8').split('\n'));
			} catch {
				sources.set(pathname, null);
			}
		}
		const lines = sources.get(pathname);
		const text = lines?.[line];
		if (!text) return '';
		return text.slice(Math.max(0, column - 10), column + 70).replace(/\s+/g, ' ');
	};
	const label = (frame) => {
		if (!frame) return '(unknown)';
		const name = frame.functionName || '(anonymous)';
		if (!frame.url) return name;
		const file = frame.url.split('/').pop();
		return `${name} @ ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
	};
	const hottest = (samples, from, to) => {
		const counts = new Map();
		let total = 0;
		let prevT;
		for (const s of samples) {
			if (s.t < from || s.t > to) continue;
			const weight = prevT === undefined ? 0 : Math.min(s.t - prevT, 5000);
			prevT = s.t;
			const key = label(s.frame);
			if (key === '(idle)') continue;
			total += weight;
			const entry = counts.get(key) ?? { us: 0, frame: s.frame };
			entry.us += weight;
			counts.set(key, entry);
		}
		return {
			sampledMs: total / 1000,
			// Garbage collection on its own: the share that grows faster than the rows when a heap is too full.
			gcMs: (counts.get('(garbage collector)')?.us ?? 0) / 1000,
			functions: [...counts]
				.sort((a, b) => b[1].us - a[1].us)
				.slice(0, top)
				.map(([name, { us, frame }]) => ({
					name,
					ms: us / 1000,
					code: frame?.url ? snippet(frame.url, frame.lineNumber, frame.columnNumber) : ''
				}))
		};
	};

	// Long main-thread tasks.
	const mainEvents = events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && typeof e.dur === 'number');
	const tasks = mainEvents.filter((e) => (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && e.dur >= minTaskMs * 1000);
	// RunTask and ThreadControllerImpl::RunTask nest: keep the outermost of each.
	tasks.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
	const outer = [];
	for (const t of tasks) if (!outer.some((o) => t.ts >= o.ts && t.ts + t.dur <= o.ts + o.dur)) outer.push(t);
	const mainSamples = samplesOf(mainTid);
	const longTasks = outer.map((task) => {
		const inside = mainEvents
			.filter((e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur)
			.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
		const self = new Map();
		const stack = [];
		for (const e of inside) {
			while (stack.length && e.ts >= stack.at(-1).ts + stack.at(-1).dur) stack.pop();
			if (stack.length) self.set(stack.at(-1).name, (self.get(stack.at(-1).name) ?? 0) - e.dur);
			self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
			stack.push(e);
		}
		const generic = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);
		return {
			atMs: (task.ts - origin) / 1000,
			durationMs: task.dur / 1000,
			phase: phaseOf(task.ts),
			selfByEvent: [...self]
				.filter(([name, us]) => us > 2000 && !generic.has(name))
				.sort((a, b) => b[1] - a[1])
				.slice(0, top)
				.map(([name, us]) => ({ name, ms: us / 1000 })),
			js: hottest(mainSamples, task.ts, task.ts + task.dur)
		};
	});

	// The worker's hottest functions per phase.
	const worker = [];
	for (const tid of workerTids) {
		const samples = samplesOf(tid);
		if (samples.length === 0) continue;
		for (let i = 0; i < phases.length; i++) {
			const from = phases[i][1];
			const to = phases[i + 1]?.[1] ?? Infinity;
			const hot = hottest(samples, from, to);
			if (hot.sampledMs >= 50) worker.push({ phase: phases[i][0], ...hot });
		}
	}
	return { longTasks, worker };
}

export function printTraceSummary(summary, log = console.log) {
	if (summary.error) {
		log(`  trace: ${summary.error}`);
		return;
	}
	log(`  main-thread tasks >= 100 ms in the traced run (tracing slows everything down, so durations are inflated):`);
	if (summary.longTasks.length === 0) log('    none');
	for (const t of summary.longTasks) {
		log(
			`    ${t.durationMs.toFixed(0).padStart(5)} ms at ${(t.atMs / 1000).toFixed(1)} s [${t.phase}]: ${t.selfByEvent.map((e) => `${e.name} ${e.ms.toFixed(0)}`).join(', ')}`
		);
		for (const f of t.js.functions.slice(0, 4)) {
			log(`           ${f.ms.toFixed(0).padStart(4)} ms ${f.name}${f.code ? `  «${f.code}»` : ''}`);
		}
	}
	log(`  data worker, hottest functions per phase (sampled):`);
	for (const w of summary.worker) {
		log(`    [${w.phase}] ${w.sampledMs.toFixed(0)} ms busy, of which garbage collection ${w.gcMs.toFixed(0)} ms`);
		for (const f of w.functions.slice(0, 5)) log(`      ${f.ms.toFixed(0).padStart(6)} ms ${f.name}${f.code ? `  «${f.code}»` : ''}`);
	}
}
