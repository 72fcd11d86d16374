import { describe, expect, it } from 'vitest';
import { CsvLimitError, parseCsv, readCsv } from './csv-decode';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

function limitError(run: () => unknown): CsvLimitError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(CsvLimitError);
		return error as CsvLimitError;
	}
	throw new Error('expected a CsvLimitError');
}

describe('parseCsv limits', () => {
	it('reads up to the limits exactly', () => {
		expect(parseCsv('a,b\nc,d\n', ',', { maxRows: 2, maxColumns: 2 })).toEqual([
			['a', 'b'],
			['c', 'd']
		]);
		expect(parseCsv('a,b\nc,d', ',', { maxRows: 2, maxColumns: 2 })).toHaveLength(2);
	});

	it('stops at the first row beyond the limit, with or without a final line break', () => {
		expect(limitError(() => parseCsv('a\nb\nc\n', ',', { maxRows: 2, maxColumns: 5 }))).toMatchObject({ limit: 'rows', row: 3 });
		expect(limitError(() => parseCsv('a\nb\nc', ',', { maxRows: 2, maxColumns: 5 }))).toMatchObject({ limit: 'rows', row: 3 });
		// Blank lines are rows (they keep the row numbers the admin sees).
		expect(limitError(() => parseCsv('a\n\n\n', ',', { maxRows: 2, maxColumns: 5 }))).toMatchObject({ limit: 'rows' });
	});

	it('stops at the first field beyond the column limit, trailing empty fields included', () => {
		expect(limitError(() => parseCsv('a,b\nc,d,e\n', ',', { maxRows: 9, maxColumns: 2 }))).toMatchObject({ limit: 'columns', row: 2 });
		expect(limitError(() => parseCsv('a,b,', ',', { maxRows: 9, maxColumns: 2 }))).toMatchObject({ limit: 'columns', row: 1 });
		expect(limitError(() => parseCsv('a;"b;c";d', ';', { maxRows: 9, maxColumns: 2 }))).toMatchObject({ limit: 'columns' });
	});

	it('stops early: a million blank lines beyond the limit cost nothing', () => {
		const text = 'Account ID,Username\n' + '\n'.repeat(5_000_000);
		const started = cpuStart();
		expect(limitError(() => readCsv(new TextEncoder().encode(text), { maxRows: 1000, maxColumns: 200 })).row).toBe(1001);
		expect(cpuMsSince(started)).toBeLessThan(2000);
	});

	it('without limits parses as before', () => {
		expect(parseCsv('a,b,\n', ',')).toEqual([['a', 'b', '']]);
	});
});
