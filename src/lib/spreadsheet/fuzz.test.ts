// Fuzzing the upload reader with fast-check. Property: readUploadedSheet (and buildPreview on its rows)
// either returns rows or throws a SpreadsheetError with an admin-readable message, and every call ends
// within MAX_CALL_MS. Inputs: valid .xlsx/.ods/.csv fixtures with bytes flipped, inserted, deleted or cut
// (in the file, and inside the unpacked XML re-packed with valid checksums, so the mutations reach
// SheetJS's parsers), and workbooks written from random cell contents.
//
// The default run (npm test) is sized to stay well under a minute on two cores. For a longer run:
//   FUZZ_RUNS=5000 npx vitest run src/lib/spreadsheet/fuzz.test.ts      (runs per property)
//   FUZZ_SEED=123 …                                                     (replay a reported seed)
// A failure reports fast-check's seed and path (and the counterexample) in the assertion message.
// .xlsb: records of every binary part mutated (SheetJS reads counts and string lengths from them; the
// reader bounds those reads). Not fuzzed: .xls. SheetJS's BIFF parser loops without bound on some
// malformed records (a count read past the end of its record is undefined, and `while (len-- !== 0)`
// never ends), growing memory until the process dies; that needs the worker's time limit or a decision
// about .xls, not a reader fix. The compound file container around it is guarded (hostile-input.test.ts,
// xls-*.xls).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CFB, utils, write, type WorkBook } from 'xlsx';
import { buildPreview } from '../domain/preview';
import { ruleContext } from '../testing/factories';
import { SpreadsheetError } from './errors';
import { readUploadedSheet } from './read';
import { inspectZip, unzip } from './zip-guard';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

/**
 * CPU time one file may take. CPU rather than wall-clock time: on a busy 2-core CI machine a call can
 * wait for the processor for seconds without being slow itself (that made this suite flaky); a parser
 * that spins still burns CPU and is caught. (Vitest runs each file in its own process: pool 'forks'.)
 */
const MAX_CALL_MS = 2000;
const RUNS_OVERRIDE = Number(process.env.FUZZ_RUNS) || 0;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** Runs per property: the default, or FUZZ_RUNS. */
const runs = (byDefault: number) => RUNS_OVERRIDE || byDefault;
const params = (byDefault: number): fc.Parameters<unknown> => ({
	numRuns: runs(byDefault),
	seed: SEED,
	endOnFailure: false,
	markInterruptAsFailure: true
});
/** A long run must not hit vitest's 20 s default. */
const timeout = (byDefault: number) => Math.max(20_000, runs(byDefault) * 400);

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/${name}`, import.meta.url))));
}

const ctx = ruleContext();
const stats = { calls: 0, rows: 0, refused: new Map<string, number>(), slowestMs: 0 };

/** The property for one input: rows, or an admin-readable SpreadsheetError, in time. */
function checkUpload(bytes: Uint8Array, fileName: string): string[][] | SpreadsheetError {
	const started = cpuStart();
	let outcome: string[][] | SpreadsheetError;
	try {
		const read = readUploadedSheet(bytes, fileName);
		expect(Array.isArray(read.rows)).toBe(true);
		for (const row of read.rows) for (const cell of row) expect(typeof cell).toBe('string');
		const preview = buildPreview({ rows: read.rows, fileName, sheetName: read.sheetName, declaredCount: read.rows.length }, ctx);
		expect(preview.counts.rows).toBe(preview.rows.length === 0 ? preview.counts.rows : preview.rows.length);
		outcome = read.rows;
		stats.rows++;
	} catch (error) {
		if (!(error instanceof SpreadsheetError)) throw error;
		expect(typeof error.message).toBe('string');
		expect(error.message.length).toBeGreaterThan(20);
		expect(error.message).not.toMatch(/\n|\bat \S+ \(|\.(?:m?js|ts):\d|Error:|undefined|\[object/);
		stats.refused.set(error.code, (stats.refused.get(error.code) ?? 0) + 1);
		outcome = error;
	}
	const ms = cpuMsSince(started);
	stats.calls++;
	stats.slowestMs = Math.max(stats.slowestMs, ms);
	if (ms > MAX_CALL_MS) {
		throw new Error(`"${fileName}" (${bytes.length} bytes) took ${Math.round(ms)} ms of CPU; the limit is ${MAX_CALL_MS} ms`);
	}
	return outcome;
}

// ---- byte mutations -------------------------------------------------------------------------------

type Mutation =
	| { kind: 'flip'; at: number; bit: number }
	| { kind: 'set'; at: number; value: number }
	| { kind: 'insert'; at: number; bytes: Uint8Array }
	| { kind: 'delete'; at: number; length: number }
	| { kind: 'truncate'; keep: number }
	| { kind: 'repeat'; at: number; length: number; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	{ arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), weight: 4 },
	{
		arbitrary: fc.record({
			kind: fc.constant('set' as const),
			at: fc.nat(),
			value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x3c, 0x3e, 0x22, 0x0a, 0x2c)
		}),
		weight: 3
	},
	{
		arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
		weight: 2
	},
	{ arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }), weight: 2 },
	{ arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }), weight: 1 },
	{
		arbitrary: fc.record({
			kind: fc.constant('repeat' as const),
			at: fc.nat(),
			length: fc.integer({ min: 1, max: 40 }),
			times: fc.integer({ min: 2, max: 200 })
		}),
		weight: 1
	}
);

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
	let bytes = input.slice();
	for (const m of mutations) {
		const n = bytes.length;
		const at = n === 0 ? 0 : m.kind === 'truncate' ? 0 : ('at' in m ? m.at : 0) % n;
		switch (m.kind) {
			case 'flip':
				if (n) bytes[at] ^= 1 << m.bit;
				break;
			case 'set':
				if (n) bytes[at] = m.value;
				break;
			case 'insert': {
				const out = new Uint8Array(n + m.bytes.length);
				out.set(bytes.subarray(0, at));
				out.set(m.bytes, at);
				out.set(bytes.subarray(at), at + m.bytes.length);
				bytes = out;
				break;
			}
			case 'delete': {
				const end = Math.min(n, at + m.length);
				const out = new Uint8Array(n - (end - at));
				out.set(bytes.subarray(0, at));
				out.set(bytes.subarray(end), at);
				bytes = out;
				break;
			}
			case 'truncate':
				bytes = bytes.slice(0, n === 0 ? 0 : m.keep % n);
				break;
			case 'repeat': {
				const piece = bytes.subarray(at, Math.min(n, at + m.length));
				const out = new Uint8Array(n + piece.length * (m.times - 1));
				out.set(bytes.subarray(0, at));
				for (let i = 0; i < m.times; i++) out.set(piece, at + i * piece.length);
				out.set(bytes.subarray(at + piece.length), at + piece.length * m.times);
				bytes = out;
				break;
			}
		}
	}
	return bytes;
}

// Tokens that matter to the parsers, inserted into the unpacked XML.
const TOKENS = [
	'<',
	'>',
	'/>',
	'"',
	'&amp;',
	'&#0;',
	'&#x10FFFF;',
	'<![CDATA[',
	'<!--',
	' r="XFD1048576"',
	' r="A99999999"',
	' ref="A1:XFD1048576"',
	' ref="A1:B2"',
	'<row r="1000002">',
	'<c r="XFD3" t="inlineStr"><is><t>x</t></is></c>',
	'<c r="B2" t="s"><v>99999</v></c>',
	'<f t="array" ref="A1:Z9999">1</f>',
	'<hyperlink ref="A1:Z9" location="x"/>',
	'<mergeCell ref="A1:XFD1048576"/>',
	'<dimension ref="A1:B2"/>',
	' table:number-rows-repeated="1000000"',
	' table:number-columns-repeated="16384"',
	'<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>',
	'<table:table-row>',
	'</table:table-row>',
	' office:value-type="float" office:value="1e308"',
	'__proto__',
	'constructor',
	' t="e"',
	' t="d"',
	' s="999"',
	'\u0000',
	'\uFFFE',
	'\uD800'
];

type TextMutation =
	{ kind: 'token'; at: number; token: string } | { kind: 'cut'; at: number; length: number } | { kind: 'char'; at: number; char: string };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
	fc.record({ kind: fc.constant('token' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
	fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
	fc.record({ kind: fc.constant('char' as const), at: fc.nat(), char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) })
);

function mutateText(text: string, mutations: TextMutation[]): string {
	let s = text;
	for (const m of mutations) {
		const at = s.length === 0 ? 0 : m.at % s.length;
		if (m.kind === 'token') s = s.slice(0, at) + m.token + s.slice(at);
		else if (m.kind === 'cut') s = s.slice(0, at) + s.slice(at + m.length);
		else s = s.slice(0, at) + m.char + s.slice(at + 1);
	}
	return s;
}

/** Re-packs unpacked parts (one of them changed) as a ZIP with valid checksums (SheetJS's writer). */
function repack(parts: { name: string; data: Uint8Array }[]): Uint8Array {
	const container = CFB.utils.cfb_new();
	for (const part of parts) CFB.utils.cfb_add(container, part.name, part.data);
	CFB.utils.cfb_del(container, '\u0001Sh33tJ5');
	return new Uint8Array(CFB.write(container, { type: 'buffer', fileType: 'zip', compression: true }));
}

const SOURCES = {
	xlsx: [
		'leading-zero-account-ids.xlsx',
		'excel-ooxml-edge-cases.xlsx',
		'several-sheets-first-non-empty.xlsx',
		'hostile/proto-comments-cve-2023-30533.xlsx'
	],
	ods: ['user-update.ods', 'e2e/libreoffice-name-update.ods'],
	csv: [
		'windows-1252-accents.csv',
		'utf16-bom-semicolon.csv',
		'quoted-multiline.csv',
		'sep-line-semicolon.csv',
		'csv-leading-zeros-and-exponents.csv'
	]
} as const;

const loaded = new Map<string, Uint8Array>();
const source = (name: string) => loaded.get(name) ?? (loaded.set(name, fixture(name)), loaded.get(name)!);

describe('fuzz: mutated bytes of valid files', () => {
	for (const [format, names] of Object.entries(SOURCES)) {
		const byDefault = 1500;
		it(
			`.${format}: ${runs(byDefault)} mutated files`,
			() => {
				fc.assert(
					fc.property(
						fc.constantFrom(...names),
						fc.array(mutation, { minLength: 1, maxLength: 6 }),
						fc.boolean(),
						(name, mutations, keepExtension) => {
							checkUpload(
								mutate(source(name), mutations),
								keepExtension ? name.replace(/^.*\//, '') : `renamed.${format === 'csv' ? 'xlsx' : 'csv'}`
							);
						}
					),
					params(byDefault)
				);
			},
			timeout(byDefault)
		);
	}
});

describe('fuzz: mutated XML inside valid archives (re-packed, so SheetJS parses it)', () => {
	for (const format of ['xlsx', 'ods'] as const) {
		const byDefault = 500;
		it(
			`.${format}: ${runs(byDefault)} archives with mutated parts`,
			() => {
				fc.assert(
					fc.property(
						fc.constantFrom(...SOURCES[format]),
						fc.nat(),
						fc.array(textMutation, { minLength: 1, maxLength: 8 }),
						(name, which, mutations) => {
							const bytes = source(name);
							const parts = unzip(bytes, inspectZip(bytes));
							const xml = parts.map((p, i) => ({ p, i })).filter(({ p }) => /\.(xml|rels)$/i.test(p.name));
							const target = xml[which % xml.length].i;
							const text = new TextDecoder().decode(parts[target].data);
							const changed = parts.map((p, i) =>
								i === target ? { name: p.name, data: new TextEncoder().encode(mutateText(text, mutations)) } : p
							);
							checkUpload(repack(changed), name.replace(/^.*\//, ''));
						}
					),
					params(byDefault)
				);
			},
			timeout(byDefault)
		);
	}
});

describe('fuzz: mutated records inside a valid .xlsb (re-packed, so SheetJS parses them)', () => {
	const byDefault = 400;
	it(
		`.xlsb: ${runs(byDefault)} archives with a mutated binary part`,
		() => {
			const wb: WorkBook = utils.book_new();
			utils.book_append_sheet(
				wb,
				utils.aoa_to_sheet([
					HEADER,
					[1001, 'jdoe', 'Jane Doe with a longer name', 'jane@x.org', '', 'Teacher'],
					[1015, 'x', 'y', '', 'pw', 'Student']
				]),
				'Users'
			);
			utils.book_append_sheet(wb, utils.aoa_to_sheet([['notes', 1.5, true]]), 'Notes');
			const bytes = new Uint8Array(write(wb, { type: 'array', bookType: 'xlsb', bookSST: true }) as ArrayBuffer);
			const parts = unzip(bytes, inspectZip(bytes));
			const binary = parts.map((p, i) => ({ p, i })).filter(({ p }) => /\.bin$/i.test(p.name));
			fc.assert(
				fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
					const target = binary[which % binary.length].i;
					checkUpload(repack(parts.map((p, i) => (i === target ? { name: p.name, data: mutate(p.data, mutations) } : p))), 'fuzz.xlsb');
				}),
				params(byDefault)
			);
		},
		timeout(byDefault)
	);
});

// ---- random cell contents ----------------------------------------------------------------------------

const cellText: fc.Arbitrary<string> = fc.oneof(
	{ arbitrary: fc.string({ maxLength: 12 }), weight: 4 },
	{ arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }), weight: 3 },
	{ arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 2 },
	{ arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 4 }), weight: 1 },
	{
		arbitrary: fc
			.tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 500, max: 10_000 }))
			.map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n)),
		weight: 1
	},
	{
		arbitrary: fc.constantFrom(
			'=1+1',
			'=HYPERLINK("http://x","y")',
			"=cmd|' /C calc'!A0",
			'+1',
			'-1',
			'@SUM(A1)',
			"'=Smith",
			'=',
			'==',
			'{=A1}'
		),
		weight: 2
	},
	{
		arbitrary: fc.constantFrom(
			'00123',
			'1e5',
			'1E+308',
			'-0',
			'0x1F',
			'NaN',
			'Infinity',
			'1,234.5',
			'3/4',
			'2024-01-05',
			'TRUE',
			'false',
			'١٢٣',
			'  42  ',
			'4.2e-7',
			'99999999999999999999'
		),
		weight: 2
	},
	{
		arbitrary: fc.constantFrom(
			'__proto__',
			'constructor',
			'prototype',
			'toString',
			'hasOwnProperty',
			'sep=;',
			'"',
			'""',
			',',
			';',
			'\t',
			'\r\n',
			'\uFEFF'
		),
		weight: 2
	},
	{
		arbitrary: fc.constantFrom('Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', '1001', '01015', 'jdoe', 'Teacher'),
		weight: 3
	}
);

const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];
const sheetRows = fc
	.tuple(fc.boolean(), fc.array(fc.array(cellText, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }))
	.map(([withHeader, rows]) => (withHeader ? [HEADER, ...rows] : rows));

function csvOf(rows: string[][]): Uint8Array {
	const quote = (cell: string) => `"${cell.replace(/"/g, '""')}"`;
	return new TextEncoder().encode(rows.map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n');
}

function workbookOf(rows: string[][], bookType: 'xlsx' | 'ods'): Uint8Array {
	const wb: WorkBook = utils.book_new();
	// xlsx allows 32,767 characters per cell; longer text is refused by SheetJS's writer, not by us.
	utils.book_append_sheet(wb, utils.aoa_to_sheet(rows.map((r) => r.map((c) => c.slice(0, 32_767)))), 'Users');
	return new Uint8Array(write(wb, { type: 'array', bookType }) as ArrayBuffer);
}

/** Text a CSV round-trip must keep exactly: no NUL/controls (binary check), no BOM, no "sep=" first line,
 * no lone surrogates (not valid UTF-8). */
function plainText(rows: string[][]): boolean {
	if (/^sep=/i.test(rows[0][0])) return false;
	return rows.every((row) =>
		// eslint-disable-next-line no-control-regex -- control characters are what this looks for
		row.every((cell) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFEFF\uFFFD]/.test(cell) && cell.isWellFormed())
	);
}

function withoutTrailingBlankRows(rows: string[][]): string[][] {
	let end = rows.length;
	while (end > 0 && rows[end - 1].every((c) => c === '')) end--;
	return rows.slice(0, end);
}

describe('fuzz: random cell contents', () => {
	const byDefault = 1000;
	it(
		`.csv: ${runs(byDefault)} sheets round-trip exactly (or are refused with a message)`,
		() => {
			fc.assert(
				fc.property(sheetRows, (rows) => {
					const outcome = checkUpload(csvOf(rows), 'random.csv');
					const expected = withoutTrailingBlankRows(rows);
					if (Array.isArray(outcome) && plainText(rows)) expect(outcome).toEqual(expected);
					if (!Array.isArray(outcome) && plainText(rows) && expected.some((r) => r.some((c) => c.trim() !== ''))) throw outcome;
				}),
				params(byDefault)
			);
		},
		timeout(byDefault)
	);

	for (const bookType of ['xlsx', 'ods'] as const) {
		const byDefault = 250;
		it(
			`.${bookType}: ${runs(byDefault)} workbooks written by SheetJS`,
			() => {
				fc.assert(
					fc.property(sheetRows, (rows) => {
						const outcome = checkUpload(workbookOf(rows, bookType), `random.${bookType}`);
						// Printable single-line text survives exactly (the cell text is the string written).
						if (Array.isArray(outcome)) {
							rows.forEach((row, r) =>
								row.forEach((cell, c) => {
									if (/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(cell) && cell.length < 100) {
										expect(outcome[r]?.[c], `${r},${c}`).toBe(cell);
									}
								})
							);
						}
					}),
					params(byDefault)
				);
			},
			timeout(byDefault)
		);
	}

	it('ran real cases', () => {
		expect(stats.calls).toBeGreaterThan(0);
		console.log(
			`fuzz: ${stats.calls} calls, ${stats.rows} read, refused ${JSON.stringify(Object.fromEntries(stats.refused))}, slowest ${Math.round(stats.slowestMs)} ms`
		);
	});
});
