import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { read, utils } from 'xlsx';
import { inspectZip } from './zip-guard';
import { writeXlsx, xmlText } from './xlsx-writer';

function readBack(bytes: Uint8Array, sheetStubs = false) {
	return read(bytes, { type: 'array', dense: true, cellNF: true, sheetStubs });
}

describe('xlsx writer', () => {
	it('writes text, numbers, Text-formatted cells and gaps that read back exactly', async () => {
		const bytes = await writeXlsx([
			{ name: 'Data', widths: [10, 20], rows: [['Account ID', 'Count'], [{ text: '01015' }, 3], [undefined, 'x'], []] }
		]);
		const wb = readBack(bytes);
		expect(wb.SheetNames).toEqual(['Data']);
		const ws = wb.Sheets.Data;
		expect(utils.sheet_to_json(ws, { header: 1, defval: null })).toEqual([
			['Account ID', 'Count'],
			['01015', 3],
			[null, 'x']
		]);
		expect(ws['!ref']).toBe('A1:B3');
		expect(ws['!data']![1][0]).toMatchObject({ t: 's', v: '01015', z: '@' });
		expect(ws['!data']![1][1]).toMatchObject({ t: 'n', v: 3 });
	});

	it('keeps every character: markup, control characters, a literal _x0041_, emoji and lone surrogates', async () => {
		const samples = [
			'a & b < c > d "e"',
			'tab\there\r\nline',
			'bell\u0007 nul\u0000 esc\u001b',
			'_x0041_ stays literal',
			'👩‍🏫 Zoë 𠮷',
			'lone \ud800 half'
		];
		const bytes = await writeXlsx([{ name: 'T', widths: [], rows: samples.map((s) => [s]) }]);
		const wb = readBack(bytes);
		const back = utils.sheet_to_json<string[]>(wb.Sheets.T, { header: 1 }).map((r) => r[0]);
		// A lone surrogate, which UTF-8 cannot carry, included. CR is written as _x000D_ (an XML parser would
		// turn it into LF); SheetJS itself reads CRLF inside a cell as LF, Excel keeps it.
		expect(back).toEqual(samples.map((t) => t.replace('\r\n', '\n')));
		expect(strFromU8(unzipSync(bytes)['xl/worksheets/sheet1.xml'])).toContain('here_x000D_\nline');
	});

	it('any text survives the round trip', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 20 }), async (texts) => {
				// A prefix, so an empty text is still a cell and every row reads back in place.
				const wb = readBack(await writeXlsx([{ name: 'P', widths: [], rows: texts.map((t) => [`#${t}`]) }]));
				const back = (wb.Sheets.P['!data'] ?? []).map((row) => row?.[0]?.v);
				expect(back).toEqual(texts.map((t) => `#${t}`.replace(/\r\n/g, '\n')));
			}),
			{ numRuns: 200 }
		);
	});

	it('never writes a formula, whatever the text begins with', async () => {
		const bytes = await writeXlsx([{ name: 'F', widths: [], rows: [['=1+1'], ['+SUM(A1)'], ['@x']] }]);
		const ws = readBack(bytes).Sheets.F;
		expect(ws['!data']!.flat().some((c) => c?.f)).toBe(false);
	});

	it('names sheets as Excel allows, escapes them, and keeps an autofilter over the table', async () => {
		const bytes = await writeXlsx([
			{
				name: 'Results',
				widths: [5],
				rows: [
					['h1', 'h2'],
					['a', 'b']
				],
				autofilter: true
			},
			{ name: "A/B: [x]*?'s & more, far too long for a sheet", widths: [], rows: [['x']] }
		]);
		const wb = readBack(bytes);
		expect(wb.SheetNames[1]).toHaveLength(31);
		expect(wb.SheetNames[1]).not.toMatch(/[:\\/?*[\]]/);
		expect(wb.Sheets.Results['!autofilter']).toEqual({ ref: 'A1:B2' });
		expect(wb.Workbook?.Names?.find((n) => n.Name === '_xlnm._FilterDatabase')?.Ref).toBe("'Results'!$A$1:$B$2");
	});

	it('is a compressed archive our own upload guard accepts', async () => {
		const bytes = await writeXlsx([{ name: 'S', widths: [], rows: Array.from({ length: 500 }, (_, i) => [`user${i}`, i]) }]);
		const zip = inspectZip(bytes);
		const sheet = zip.entries.find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
		expect(sheet.method).toBe(8);
		expect(sheet.compressedSize).toBeLessThan(sheet.uncompressedSize / 4);
	});

	it('escapes only what it must', () => {
		expect(xmlText('plain text, 123')).toBe('plain text, 123');
		expect(xmlText('a&b')).toBe('a&amp;b');
	});
});
