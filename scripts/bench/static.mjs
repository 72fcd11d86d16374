// The directory the bench's portal server serves: a private copy of build/ (so a concurrent
// `vite build` or e2e run cannot change the app under measurement) plus a bench/ folder with a
// blank same-origin page, the bundled SheetJS worker and the input files.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const BENCH_PAGE = '/bench/index.html';

export async function prepareStatic(buildDir, staticDir) {
	if (!existsSync(path.join(buildDir, 'index.html'))) {
		throw new Error(`${buildDir}/index.html is missing: build the app first (drop --no-build)`);
	}
	cpSync(buildDir, staticDir, { recursive: true });
	const benchDir = path.join(staticDir, 'bench');
	mkdirSync(benchDir, { recursive: true });
	// No inline script: the server's default CSP (script-src 'self') applies to this page.
	writeFileSync(
		path.join(benchDir, 'index.html'),
		'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body><p>bench</p></body></html>\n'
	);
	const esbuild = await import('esbuild');
	await esbuild.build({
		entryPoints: [path.join(here, 'sheetjs-read.worker.js')],
		outfile: path.join(benchDir, 'sheetjs-read.js'),
		bundle: true,
		format: 'iife',
		platform: 'browser',
		target: 'es2022',
		minify: true,
		logLevel: 'warning'
	});
	return benchDir;
}
