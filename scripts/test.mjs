// `npm test`: type check (warnings fail it too), lint, formatting, unit tests, build, then Playwright e2e against the built app served by the
// reference server (started by playwright.config.ts on a free port with a fresh state dir).
// Ends with one plain "N passed, N failed" line over all suites.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

const e2eOnly = process.argv.includes('--e2e-only');
const extra = process.argv.slice(2).filter((a) => a !== '--e2e-only');
// Outside test-results/, which Playwright empties when it starts.
const reportDir = '.test-reports';
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

function run(label, cmd, args, env = {}) {
	console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
	const started = Date.now();
	const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	console.log(`=== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return result.status === 0;
}

const chromium = findChromium({ install: true });
if (!chromium) {
	console.error('No Chromium found: install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH=/path/to/chromium.');
	process.exit(1);
}

// Which browser ran the e2e matters when a result differs between machines.
const version = spawnSync(chromium, ['--version'], { encoding: 'utf8' });
console.log(`Chromium: ${chromium} (${(version.stdout || version.stderr || 'version unknown').trim()})`);

let ok = true;
if (!e2eOnly) {
	ok = run('types', 'npx', ['svelte-kit', 'sync']) && ok;
	ok = run('types', 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'machine']) && ok;
	ok = run('lint', 'npx', ['eslint', '--max-warnings', '0', '.']) && ok;
	ok = run('format', 'npx', ['prettier', '--check', '.']) && ok;
	ok = run('unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportDir}/vitest.json`]) && ok;
}
ok = run('build', 'npx', ['vite', 'build', '--logLevel', 'warn']) && ok;
if (ok || existsSync('build/index.html')) {
	ok =
		run('e2e', 'npx', ['playwright', 'test', ...extra], {
			CHROMIUM_PATH: chromium,
			PLAYWRIGHT_JSON_OUTPUT_NAME: `${reportDir}/playwright.json`
		}) && ok;
}

function count(file, read) {
	try {
		return read(JSON.parse(readFileSync(file, 'utf8')));
	} catch {
		return { passed: 0, failed: 0 };
	}
}
const unit = count(`${reportDir}/vitest.json`, (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests }));
const e2e = count(`${reportDir}/playwright.json`, (r) => ({ passed: r.stats.expected, failed: r.stats.unexpected + (r.stats.flaky ?? 0) }));
console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed; e2e: ${e2e.passed} passed, ${e2e.failed} failed`);
// A failed step with no failed test (type errors, a broken build) still counts as one failure.
const failed = Math.max(unit.failed + e2e.failed, ok ? 0 : 1);
console.log(`${ok ? 'all' : 'tests'}: ${unit.passed + e2e.passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
