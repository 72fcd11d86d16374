// Bench baseline (a): SheetJS reading an .xlsx alone, inside a dedicated worker, timed in the worker.
// Bundled by scripts/bench/static.mjs with esbuild into <static>/bench/sheetjs-read.js.
import { read } from 'xlsx';

// The options the app's reader passes (src/lib/spreadsheet/read.ts), for the informational variant.
const APP_OPTIONS = { dense: true, cellDates: false, cellNF: true, cellText: true, cellHTML: false, raw: true };

self.onmessage = (event) => {
	const { bytes, variant } = event.data;
	const data = new Uint8Array(bytes);
	const options = variant === 'app-options' ? APP_OPTIONS : { dense: true };
	const started = performance.now();
	const wb = read(data, options);
	const ms = performance.now() - started;
	const ws = wb.Sheets[wb.SheetNames[0]];
	const rows = ws && ws['!data'] ? ws['!data'].length : 0;
	self.postMessage({ ms, rows, sheet: wb.SheetNames[0] });
};
