// Every committed fixture (tests/fixtures/, all folders) is read or refused in a child process with the
// 1 GB heap an admin's browser tab allows, each in a fraction of it (the Excel 2007 beta .xlsb once took
// 950 MB). One child for all files keeps this to a few seconds; `npm run read-files` does the same one
// process per file, for any folder.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function filesUnder(dir: string): string[] {
	return readdirSync(dir)
		.filter((name) => !name.startsWith('.') && !name.endsWith('.md'))
		.flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

interface Outcome {
	file: string;
	outcome: string;
	message?: string;
	cpuMs: number;
	peakHeapMB: number;
}

describe('every fixture within 1 GB of heap', () => {
	it('reads or refuses each file with --max-old-space-size=1024, in at most 1 s of CPU and 100 MB of heap', () => {
		const files = filesUnder(join(root, 'tests', 'fixtures'));
		expect(files.length).toBeGreaterThan(60);
		const child = spawnSync(
			process.execPath,
			['--max-old-space-size=1024', '--expose-gc', '--import', 'tsx', join(root, 'scripts', 'read-one.ts'), ...files],
			{
				cwd: root,
				encoding: 'utf8',
				maxBuffer: 16 * 1024 * 1024
			}
		);
		expect(child.status, child.stderr.slice(-2000)).toBe(0);
		const outcomes: Outcome[] = child.stdout
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line));
		expect(outcomes.map((o) => o.file)).toEqual(files);
		for (const o of outcomes) {
			expect(['read', 'refused'], `${o.file}: ${o.message}`).toContain(o.outcome);
			expect(o.cpuMs, o.file).toBeLessThan(1000);
			expect(o.peakHeapMB, o.file).toBeLessThan(100);
		}
	}, 60_000);
});
