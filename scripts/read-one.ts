// Child process of scripts/read-files.ts: reads one file with the upload reader and prints one JSON line
// (outcome, rows, CPU and wall time, peak heap and peak resident memory). Run in its own process so that
// a file that exhausts the heap or hangs ends only this process, and so the peaks belong to this file alone.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import v8 from 'node:v8';
import { SpreadsheetError } from '../src/lib/spreadsheet/errors';
import { readUploadedSheet } from '../src/lib/spreadsheet/read';

const file = process.argv[2];
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
			? { outcome: 'refused', code: error.code, message: error.message, cause: error.cause instanceof Error ? error.cause.message.slice(0, 200) : undefined }
			: { outcome: 'threw', message: String(error instanceof Error ? error.stack : error).slice(0, 500) };
}
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const heapAtEnd = v8.getHeapStatistics().used_heap_size;
const gcs = profiler.stop()?.statistics ?? [];
// The heap is largest just before a collection (or at the end, if none came after the peak).
let peakHeap = heapAtEnd;
for (const gc of gcs) peakHeap = Math.max(peakHeap, gc.beforeGC.heapStatistics.usedHeapSize);
const MB = 1024 * 1024;
process.stdout.write(
	JSON.stringify({
		...result,
		bytes: bytes.length,
		wallMs: Math.round(wallMs),
		cpuMs: Math.round((used.user + used.system) / 1000),
		peakHeapMB: Math.round((peakHeap - Math.min(heapAtStart, peakHeap)) / MB),
		peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
	}) + '\n'
);
