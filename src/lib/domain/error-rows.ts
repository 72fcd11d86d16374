// Owns which rows go into "Download rows with errors" and with which values: the rows that failed the
// check, or (after Apply) every Failed row of the upload, the portal's rejections included, in the
// template's columns whatever the file's were, without passwords, each with its reason. Pure.
import type { ColumnMap } from './header-map';
import type { Preview } from './preview';
import { readField } from './row-rules';
import type { FinalStatus } from './results';

export interface ErrorRow {
	/** The row in the uploaded file. */
	row: number;
	values: Record<'accountId' | 'username' | 'name' | 'email' | 'role', string>;
	reason: string;
}

function valuesOf(cells: readonly string[], columns: ColumnMap): ErrorRow['values'] {
	return {
		accountId: readField(cells, columns, 'accountId'),
		username: readField(cells, columns, 'username'),
		name: readField(cells, columns, 'name'),
		email: readField(cells, columns, 'email'),
		role: readField(cells, columns, 'role')
	};
}

/** The preview's failed rows, as edited in the preview (what the reasons are about). */
export function errorRowsOfPreview(preview: Preview): ErrorRow[] {
	const out: ErrorRow[] = [];
	for (const row of preview.rows) {
		if (row.status !== 'failed') continue;
		out.push({ row: row.row, values: valuesOf(row.cells, preview.columnMap), reason: row.errors.map((e) => e.reason).join('; ') });
	}
	return out;
}

/** An applied upload's Failed rows, from its stored results (the check's failures and the portal's rejections). */
export function errorRowsOfResults(
	columns: ColumnMap,
	rows: readonly { row: number; cells: readonly string[]; status: FinalStatus; reason: string }[]
): ErrorRow[] {
	return rows.filter((r) => r.status === 'Failed').map((r) => ({ row: r.row, values: valuesOf(r.cells, columns), reason: r.reason }));
}
