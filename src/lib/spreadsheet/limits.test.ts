import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes, formatCount } from './errors';
import { DEFAULT_LIMITS, overrideReadLimits, readLimits, resetReadLimits, withReadLimits } from './limits';

afterEach(() => resetReadLimits());

describe('limits', () => {
	it('has the documented defaults', () => {
		expect(DEFAULT_LIMITS).toEqual({
			maxFileBytes: 50 * 1024 * 1024,
			maxZipEntries: 10_000,
			maxZipUncompressedBytes: 500 * 1024 * 1024,
			maxZipRatio: 200,
			zipRatioMinBytes: 1024 * 1024,
			maxRows: 350_000,
			maxColumns: 200,
			maxExpandedCells: 1_000_000,
			maxCells: { xlsx: 2_000_000, xlsb: 1_500_000, ods: 750_000, xls: 1_000_000, markup: 2_000_000 },
			maxSharedStrings: 2_000_000,
			maxParsedBytes: 192 * 1024 * 1024,
			maxXlsbChainedChars: 10_000_000
		});
		expect(readLimits()).toBe(DEFAULT_LIMITS);
		expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
	});

	it('overrides some limits until restored', () => {
		const restore = overrideReadLimits({ maxRows: 10 });
		expect(readLimits()).toMatchObject({ maxRows: 10, maxColumns: 200 });
		const restoreAgain = overrideReadLimits({ maxColumns: 3 });
		expect(readLimits()).toMatchObject({ maxRows: 10, maxColumns: 3 });
		restoreAgain();
		expect(readLimits()).toMatchObject({ maxRows: 10, maxColumns: 200 });
		restore();
		expect(readLimits()).toBe(DEFAULT_LIMITS);
	});

	it('withReadLimits restores the limits when the function throws', () => {
		expect(() =>
			withReadLimits({ maxFileBytes: 1 }, () => {
				expect(readLimits().maxFileBytes).toBe(1);
				throw new Error('boom');
			})
		).toThrow('boom');
		expect(readLimits()).toBe(DEFAULT_LIMITS);
		expect(withReadLimits({ maxRows: 5 }, () => readLimits().maxRows)).toBe(5);
	});
});

describe('message formatting', () => {
	it('counts with thousands separators', () => {
		expect(formatCount(1_048_576)).toBe('1,048,576');
		expect(formatCount(200)).toBe('200');
	});

	it('sizes in binary units; rounding up never shows a size over a limit as the limit', () => {
		expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
		expect(formatBytes(500 * 1024 * 1024)).toBe('500 MB');
		expect(formatBytes(Math.round(73.4 * 1024 * 1024), 'up')).toBe('73.4 MB');
		expect(formatBytes(50 * 1024 * 1024 + 1, 'up')).toBe('50.1 MB');
		expect(formatBytes(13.2e9)).toBe('12.3 GB');
		expect(formatBytes(20_400)).toBe('19.9 KB');
		expect(formatBytes(1)).toBe('1 byte');
		expect(formatBytes(1000)).toBe('1,000 bytes');
	});
});
