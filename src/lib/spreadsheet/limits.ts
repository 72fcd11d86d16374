// Owns the limits the upload reader enforces before an upload can cost the worker unbounded memory or
// time: one object of defaults, and an override for tests (small limits make small fixtures).
// Sizes are binary megabytes (1 MB = 1,048,576 bytes), as Windows Explorer shows file sizes.
//
// Every limit is judged on what a file holds (its filled cells, its strings, the bytes its parts unpack
// to), never on the range a sheet declares: Excel, LibreOffice and gnumeric declare whole columns and
// rows around small tables. The defaults keep every file under maxFileBytes within about 1 GB of worker
// memory and 10 s on a 2-core machine (measured with `npm run read-files`, README "Security").

const MB = 1024 * 1024;

/** The formats whose cells cost differently: .xlsx/.xlsm, .xlsb, .ods/.fods, .xls (BIFF), and HTML or
 * SpreadsheetML 2003 saved as ".xls". */
export type CellFormat = 'xlsx' | 'xlsb' | 'ods' | 'xls' | 'markup';

export interface ReadLimits {
	/** Largest upload read at all, in bytes. Checked before anything else looks at the bytes. */
	maxFileBytes: number;
	/** .xlsx/.ods (ZIP): most files inside the archive. Our template has about 15; Excel rarely writes 100. */
	maxZipEntries: number;
	/** ZIP: largest sum of the sizes the archive declares its files expand to (what would be held in memory). */
	maxZipUncompressedBytes: number;
	/** ZIP: largest expansion (uncompressed ÷ compressed), per file and for the archive as a whole. Real
	 * workbooks compress 3-30 times; deflate cannot exceed about 1,000. */
	maxZipRatio: number;
	/** ZIP: the ratio is only checked for files (and archives) expanding to at least this many bytes, so a
	 * tiny, highly repetitive part (a 40 KB styles.xml of identical entries) is never a false alarm. */
	zipRatioMinBytes: number;
	/** Rows of the sheet read, counted from row 1 (header and blank rows included) down to its last filled
	 * cell. Where a whole upload (preview, Apply, the results workbook) stays within 1 GB of data worker heap
	 * for a parent of 1,000,000 users with room to spare: 400,000 rows peaked at 955–963 MiB (10^9 bytes: too
	 * close), 600,000 at 1,271 MiB and 1,000,000 at 1,448 MiB, though all three read and previewed well
	 * within it (README, Performance). */
	maxRows: number;
	/** Columns of the sheet read, counted from column A (our template has 6) to its last filled cell. */
	maxColumns: number;
	/** Filled cells of a workbook (all its sheets: SheetJS parses them all), per format. SheetJS needs per
	 * cell about 250 bytes and 5 µs of CPU (here) from .xlsx, 250 bytes and 3 µs from .xlsb, 450 bytes and
	 * 9 µs from .ods, 520 bytes and 5 µs from .xls, 300 bytes and 3.3 µs from SpreadsheetML 2003 and 150 bytes
	 * and 1.8 µs from HTML tables (both read as text). Each limit is at most about 7 s and 600 MB, except
	 * .xlsx's: 2,000,000 cells (about 330,000 rows of the template's six columns), about 9 s and 500 MB by
	 * `npm run read-files` (1,500,006 cells: 7.6 s of CPU, 366 MB), and in the browser at 300,000 rows the data
	 * worker held 536 MB in file → preview and 719 MB over the whole upload (README, Performance). */
	maxCells: Readonly<Record<CellFormat, number>>;
	/** .xlsx/.xlsb: entries of the shared-string table (each costs about as much as a cell, used or not). */
	maxSharedStrings: number;
	/** ZIP: most bytes the parts SheetJS parses (sheets, shared strings, styles; not images) unpack to, as the
	 * directory declares them. SheetJS holds each as one string, about twice its size in memory. */
	maxParsedBytes: number;
	/** .xlsb: characters beyond the 12th of every string. In a browser SheetJS builds .xlsb strings one
	 * character at a time, and each character past the 12th costs about 30 bytes until the string is used. */
	maxXlsbChainedChars: number;
	/** Cells a workbook declares once for a whole range and SheetJS creates one by one: ODS repeat counts
	 * (`table:number-columns-repeated` × `number-rows-repeated`) and hyperlinks over a range. */
	maxExpandedCells: number;
}

export const DEFAULT_LIMITS: Readonly<ReadLimits> = Object.freeze({
	maxFileBytes: 50 * MB,
	maxZipEntries: 10_000,
	maxZipUncompressedBytes: 500 * MB,
	maxZipRatio: 200,
	zipRatioMinBytes: 1 * MB,
	maxRows: 350_000,
	maxColumns: 200,
	maxExpandedCells: 1_000_000,
	maxCells: Object.freeze({ xlsx: 2_000_000, xlsb: 1_500_000, ods: 750_000, xls: 1_000_000, markup: 2_000_000 }),
	maxSharedStrings: 2_000_000,
	maxParsedBytes: 192 * MB,
	maxXlsbChainedChars: 10_000_000
});

let current: Readonly<ReadLimits> = DEFAULT_LIMITS;

/** The limits in force (the defaults unless a test overrode them). */
export function readLimits(): Readonly<ReadLimits> {
	return current;
}

/**
 * For tests: replaces some limits until the returned function is called (or resetReadLimits).
 * `const restore = overrideReadLimits({ maxRows: 10 }); try { … } finally { restore(); }`
 */
export function overrideReadLimits(overrides: Partial<ReadLimits>): () => void {
	const previous = current;
	current = Object.freeze({ ...current, ...overrides });
	return () => {
		current = previous;
	};
}

/** For tests: back to the defaults. */
export function resetReadLimits(): void {
	current = DEFAULT_LIMITS;
}

/** Runs `fn` with some limits replaced, restoring them afterwards (also when `fn` throws). */
export function withReadLimits<T>(overrides: Partial<ReadLimits>, fn: () => T): T {
	const restore = overrideReadLimits(overrides);
	try {
		return fn();
	} finally {
		restore();
	}
}
