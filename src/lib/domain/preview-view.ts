// What the main thread receives about a preflight: a summary, and rows a page at a time.
// Plain data sized for postMessage: the full preview stays in the worker.

import type { RowValues } from './checked-upload';
import type { ColumnGuess } from './header-match';
import type { LargeChange } from './large-change';
import type { PreviewCounts } from './preview';
import type { RowStatus } from './row-rules';
import type { BulkAction } from './bulk-action';

export interface PreviewSummary {
	action: BulkAction;
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
	/** Rows the admin edited in the preview. */
	edited: number;
	/** File-level warnings: ignored columns, trimmed values, which sheet was read. */
	notices: string[];
	/** Set when the upload changes more users than the parent's threshold: Apply waits for the typed number. */
	largeChange: LargeChange | null;
}

/** Match columns: the file's columns with a guess each, for the admin to confirm or change. */
export interface MatchProposal {
	fileName: string;
	/** The header row's number in the file. */
	headerRow: number;
	columns: ColumnGuess[];
}

export interface PreviewChange {
	field: string;
	from: string;
	/** For a password: "will be reset" ("will be set" for a new user); never the value. */
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
	/** Labels of the fields edited in the preview ("Email"); empty when the row is as in the file. */
	edited: string[];
	/** The row's values for the editor, edits included (never a password). */
	values: RowValues;
	/** A password was typed for this row in the preview. */
	passwordEdited: boolean;
}
