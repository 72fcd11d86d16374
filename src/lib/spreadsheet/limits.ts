// Owns the limits the upload reader enforces before an upload can cost the worker unbounded memory or
// time: one object of defaults, and an override for tests (small limits make small fixtures).
// Sizes are binary megabytes (1 MB = 1,048,576 bytes), as Windows Explorer shows file sizes.

const MB = 1024 * 1024;

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
	/** Rows of the sheet read, counted from row 1 (header and blank rows included). */
	maxRows: number;
	/** Columns of the sheet read, counted from column A (our template has 6). */
	maxColumns: number;
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
	maxRows: 1_000_000,
	maxColumns: 200,
	maxExpandedCells: 1_000_000
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
