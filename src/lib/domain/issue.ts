// Owns the shape of a validation finding (error or warning) and how its sentence is worded.
// Field rules (field-rules.ts) return reasons like `Email "x@" is not a valid email address`; the preview
// shows them with the row in front (`Row 5, Email: "x@" is not a valid email address`), the results
// sheet has its own Row column and uses the bare reason.

/** A problem with the file's structure or one cell: row is the spreadsheet row number the admin sees. */
export interface Issue {
	row: number;
	/** The column's label (e.g. "Email"), or the header text for a header problem. */
	column: string;
	/** The offending value, when meaningful. Never a password. */
	value?: string;
	/** Full sentence naming row, column and value: `Row 5, Email: "x@" is not a valid email address`. */
	message: string;
	/** The same without the row prefix, for the results sheet: `Email "x@" is not a valid email address`. */
	reason: string;
}

/**
 * Words a cell finding. Reasons starting with the column label read naturally after "Row 5, ":
 * `Email "x@" is…` -> `Row 5, Email: "x@" is…`; `Password is too short…` -> `Row 5, Password is too short…`;
 * `Name: 40,000 characters…` -> `Row 5, Name: 40,000 characters…`;
 * others get the label: `Row 5, Account ID: Account 4711 is not a child account…`.
 */
export function cellIssue(row: number, column: string, reason: string, value?: string): Issue {
	let message: string;
	if (reason.startsWith(`${column}: `)) message = `Row ${row}, ${reason}`;
	else if (reason.startsWith(`${column} "`)) message = `Row ${row}, ${column}: ${reason.slice(column.length + 1)}`;
	else if (reason.startsWith(`${column} `)) message = `Row ${row}, ${reason}`;
	else message = `Row ${row}, ${column}: ${reason}`;
	return value === undefined ? { row, column, message, reason } : { row, column, value, message, reason };
}

/** A finding about the header row or the file as a whole. */
export function rowIssue(row: number, column: string, reason: string, value?: string): Issue {
	const message = `Row ${row}: ${reason}`;
	return value === undefined ? { row, column, message, reason } : { row, column, value, message, reason };
}
