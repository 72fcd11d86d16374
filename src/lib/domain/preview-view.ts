// What the main thread receives about a preflight: a summary, and rows a page at a time.
// Plain data sized for postMessage: the full preview stays in the worker.

import type { LargeChange } from './large-change';
import type { PreviewCounts } from './preview';
import type { RowStatus } from './row-rules';

export interface PreviewSummary {
	fileName: string;
	sheetName: string;
	/** Which sheet was used and why, when the workbook had several. */
	sheetNote: string | null;
	format: string;
	encoding?: string;
	delimiter?: string;
	declaredCount: number;
	/** A problem with the whole file (count mismatch, missing column): nothing can be applied. */
	blocking: string | null;
	counts: PreviewCounts;
	/** File-level warnings: ignored columns, trimmed values, which sheet was read. */
	notices: string[];
	/** Set when the upload changes more users than the parent's threshold: Apply waits for the typed number. */
	largeChange: LargeChange | null;
}

export interface PreviewChange {
	field: string;
	from: string;
	/** For a password: "will be reset"; never the value. */
	to: string;
}

export interface PreviewRowView {
	row: number;
	accountId: string;
	username: string;
	status: RowStatus;
	errors: string[];
	warnings: string[];
	changes: PreviewChange[];
}
