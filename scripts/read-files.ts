// `npm run read-files -- [FOLDER|FILE ...]`: runs the upload reader over real files, one child process per
// file (with the heap and time an admin's browser tab would allow), and prints one line per file:
// outcome, time, peak memory, and what the admin would see. Without arguments it reads tests/fixtures/.
// Use it on your own collection of spreadsheets to find false refusals, slow files and unclear messages.
//
//   npm run read-files -- ~/spreadsheets tests/fixtures --jobs 2
//   options: --heap MB (1024)  --timeout SECONDS (30)  --jobs N (1)  --json FILE (every result)
//            --budget-seconds S (10)  --budget-heap MB (1024): a file beyond either is marked OVER. The
//            time budget counts the CPU time of the read (wall time is shown too): on a busy machine a
//            file can wait for the processor without being slow itself.
// Exit code 1 when any file ran out of memory, hit the timeout, threw something other than a refusal,
// or went over a budget.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args, positionals } = parseArgs({
	options: {
		heap: { type: 'string', default: '1024' },
		timeout: { type: 'string', default: '30' },
		jobs: { type: 'string', default: '1' },
		json: { type: 'string' },
		'budget-seconds': { type: 'string', default: '10' },
		'budget-heap': { type: 'string', default: '1024' }
	},
	allowPositionals: true
});
const heapMB = Number(args.heap);
const timeoutMs = Number(args.timeout) * 1000;
const jobs = Math.max(1, Number(args.jobs) || 1);
const budgetMs = Number(args['budget-seconds']) * 1000;
const budgetHeapMB = Number(args['budget-heap']);
const roots = positionals.length > 0 ? positionals : ['tests/fixtures'];

function filesUnder(path: string): string[] {
	const stat = statSync(path);
	if (stat.isFile()) return [path];
	return readdirSync(path)
		.filter((name) => !name.startsWith('.') && !/\.md$/i.test(name))
		.sort()
		.flatMap((name) => filesUnder(join(path, name)));
}

interface Result {
	file: string;
	outcome: 'read' | 'refused' | 'threw' | 'out-of-memory' | 'timeout' | 'crashed';
	code?: string;
	message?: string;
	format?: string;
	sheet?: string;
	rows?: number;
	columns?: number;
	bytes?: number;
	wallMs?: number;
	cpuMs?: number;
	peakHeapMB?: number;
	peakRssMB?: number;
	over?: string[];
}

function readOne(file: string): Promise<Result> {
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(process.execPath, [`--max-old-space-size=${heapMB}`, '--import', 'tsx', 'scripts/read-one.ts', file], {
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const wallMs = Date.now() - started;
			const line = stdout.trim().split('\n').pop() ?? '';
			if (code === 0 && line.startsWith('{')) return resolve({ ...JSON.parse(line), file });
			if (/heap out of memory|Invalid array length|invalid size error/i.test(stderr)) {
				return resolve({
					file,
					outcome: 'out-of-memory',
					wallMs,
					message: stderr
						.split('\n')
						.find((l) => /memory|invalid/i.test(l))
						?.trim()
				});
			}
			if (signal === 'SIGKILL' && wallMs >= timeoutMs) return resolve({ file, outcome: 'timeout', wallMs });
			resolve({ file, outcome: 'crashed', wallMs, message: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' ')}` });
		});
	});
}

function describe(r: Result): string {
	switch (r.outcome) {
		case 'read':
			return `${r.format} "${r.sheet}" ${r.rows} rows × ${r.columns} columns`;
		case 'refused':
			return `${r.code}: ${r.message}`;
		default:
			return r.message ?? '';
	}
}

const seconds = (ms?: number) => (ms === undefined ? '      ' : `${(ms / 1000).toFixed(2).padStart(5)}s`);
const mb = (n?: number) => (n === undefined ? '      ' : `${String(n).padStart(4)}MB`);

const files = roots.flatMap(filesUnder);
const results: Result[] = new Array(files.length);
let next = 0;
async function worker() {
	while (next < files.length) {
		const i = next++;
		const r = await readOne(files[i]);
		r.over = [];
		if ((r.cpuMs ?? r.wallMs ?? 0) > budgetMs) r.over.push(`CPU time > ${budgetMs / 1000} s`);
		if ((r.peakHeapMB ?? 0) > budgetHeapMB) r.over.push(`heap > ${budgetHeapMB} MB`);
		results[i] = r;
		const flag = r.over.length ? ` OVER (${r.over.join(', ')})` : '';
		console.log(
			`${r.outcome.padEnd(13)} ${seconds(r.wallMs)} (CPU ${seconds(r.cpuMs)}) ${mb(r.peakHeapMB)} heap ${mb(r.peakRssMB)} rss  ${relative('.', r.file)}  ${describe(r)}${flag}`
		);
	}
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));

const counts = new Map<string, number>();
for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
const slowest = results.reduce((a, b) => ((b.cpuMs ?? b.wallMs ?? 0) > (a.cpuMs ?? a.wallMs ?? 0) ? b : a), results[0]);
const hungriest = results.reduce((a, b) => ((b.peakHeapMB ?? 0) > (a.peakHeapMB ?? 0) ? b : a), results[0]);
console.log(`\n${files.length} files: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
if (slowest) {
	console.log(
		`slowest: CPU ${seconds(slowest.cpuMs)} (wall ${seconds(slowest.wallMs)}) ${relative('.', slowest.file)}; most heap: ${hungriest.peakHeapMB ?? '?'} MB (${hungriest.peakRssMB ?? '?'} MB resident) ${relative('.', hungriest.file)}`
	);
}
if (args.json) writeFileSync(args.json, JSON.stringify(results, null, '\t'));
const bad = results.filter((r) => !['read', 'refused'].includes(r.outcome) || (r.over?.length ?? 0) > 0);
process.exit(bad.length > 0 ? 1 : 0);
