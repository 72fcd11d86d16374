// Child process of scripts/read-files.ts (and of fixtures-memory.test.ts): reads files with the upload
// reader and prints one JSON line per file (outcome, rows, CPU and wall time, peak heap and peak resident
// memory). Run in its own process so that a file that exhausts the heap or hangs ends only this process,
// and the peaks belong to these files alone. With --expose-gc, the heap is collected between files so
// each file's peak is its own.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import v8 from 'node:v8';
import { SpreadsheetError } from '../src/lib/spreadsheet/errors';
import { readUploadedSheet } from '../src/lib/spreadsheet/read';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

for (const file of process.argv.slice(2)) {
	gc?.();
	const bytes = new Uint8Array(readFileSync(file));
	const profiler = new v8.GCProfiler();
	profiler.start();
	const heapAtStart = v8.getHeapStatistics().used_heap_size;
	const cpu = process.cpuUsage();
	const started = performance.now();
	let result: Record<string, unknown>;
	try {
		const read = readUploadedSheet(bytes, basename(file));
		const columns = read.rows.reduce((n, row) => Math.max(n, row.length), 0);
		result = { outcome: 'read', format: read.format, sheet: read.sheetName, rows: read.rows.length, columns };
	} catch (error) {
		result =
			error instanceof SpreadsheetError
				? {
						outcome: 'refused',
						code: error.code,
						message: error.message,
						cause: error.cause instanceof Error ? error.cause.message.slice(0, 200) : undefined
					}
				: { outcome: 'threw', message: String(error instanceof Error ? error.stack : error).slice(0, 500) };
	}
	const wallMs = performance.now() - started;
	const used = process.cpuUsage(cpu);
	const heapAtEnd = v8.getHeapStatistics().used_heap_size;
	const gcs = profiler.stop()?.statistics ?? [];
	// The heap is largest just before a collection (or at the end, if none came after the peak).
	let peakHeap = heapAtEnd;
	for (const collection of gcs) peakHeap = Math.max(peakHeap, collection.beforeGC.heapStatistics.usedHeapSize);
	process.stdout.write(
		JSON.stringify({
			file,
			...result,
			bytes: bytes.length,
			wallMs: Math.round(wallMs),
			cpuMs: Math.round((used.user + used.system) / 1000),
			peakHeapMB: Math.round((peakHeap - Math.min(heapAtStart, peakHeap)) / MB),
			peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
		}) + '\n'
	);
}
