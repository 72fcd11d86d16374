// Tests outside this folder read the workbooks we write through here, so xlsx stays imported only in
// src/lib/spreadsheet: every sheet as rows of the text Excel would show.
import { read, utils } from 'xlsx';

export function workbookText(bytes: Uint8Array): Record<string, string[][]> {
	const wb = read(bytes, { type: 'array' });
	return Object.fromEntries(
		wb.SheetNames.map((name) => [name, utils.sheet_to_json<string[]>(wb.Sheets[name], { header: 1, raw: false, defval: '' })])
	);
}
