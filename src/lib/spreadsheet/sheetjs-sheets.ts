// Owns turning a workbook SheetJS parsed into sheets of cell text (a SheetSource for choose-sheet.ts):
// finding a sheet by name safely, checking how far its filled cells reach before converting them, and the
// text of every kind of cell.
import type { CellObject, WorkBook, WorkSheet } from 'xlsx';
import { booleanCellText, numberCellText } from './cell-text';
import type { SheetContent, SheetSource } from './choose-sheet';
import type { ReadLimits } from './limits';
import { columnsBeyondLimit, rowsBeyondLimit } from './refusals';

/**
 * wb.Sheets is a plain object keyed by sheet name, so a sheet named "toString" would otherwise find
 * Object.prototype.toString. SheetJS's assignment `Sheets["__proto__"] = ws` makes that sheet the
 * object's prototype rather than a property: look there for it.
 */
function sheetByName(wb: WorkBook, name: string): WorkSheet | undefined {
	const sheets = wb.Sheets as Record<string, WorkSheet> | undefined;
	if (!sheets) return undefined;
	if (Object.prototype.hasOwnProperty.call(sheets, name)) return sheets[name];
	if (name === '__proto__') {
		const proto: unknown = Object.getPrototypeOf(sheets);
		if (proto && proto !== Object.prototype && typeof proto === 'object') return proto as WorkSheet;
	}
	return undefined;
}

/** The sheets of a SheetJS workbook as rows of cell text. */
export function sheetJsSource(wb: WorkBook, fileName: string, limits: Readonly<ReadLimits>): SheetSource {
	const hidden = wb.SheetNames.map((_, i) => Boolean(wb.Workbook?.Sheets?.[i]?.Hidden));
	// SheetJS lists an ODS table without table:name as undefined (and files it under "undefined").
	const sheetNames = wb.SheetNames.map((name: unknown, i) => (typeof name === 'string' && name !== '' ? name : `Sheet${i + 1}`));
	const sheet = (i: number) => sheetByName(wb, String(wb.SheetNames[i]));
	// Reading a sheet consumes SheetJS's cells (see sheetJsRows), so a sheet read twice answers from here.
	const read = new Map<number, SheetContent>();
	return {
		sheetNames,
		hidden,
		readSheet: (i) => {
			let content = read.get(i);
			if (!content) read.set(i, (content = sheetJsRows(sheet(i), sheetNames[i], fileName, limits)));
			return content;
		},
		hasData: (i) => {
			const content = read.get(i);
			return content ? content.rows.some((row) => row.some((cell) => cell.trim() !== '')) : hasText(sheet(i));
		}
	};
}

type DenseData = (CellObject | undefined)[][];

function denseData(ws: WorkSheet | undefined): DenseData | null {
	const data = ws && typeof ws === 'object' ? (ws as { '!data'?: DenseData })['!data'] : undefined;
	return Array.isArray(data) ? data : null;
}

/** Some cell of the sheet has non-blank text (visits the cells that exist, never a row's holes). */
function hasText(ws: WorkSheet | undefined): boolean {
	const data = denseData(ws);
	if (!data) return false;
	for (const cells of data) {
		if (!Array.isArray(cells)) continue;
		for (const key in cells) if (sheetJsCellText(cells[key as unknown as number]).trim() !== '') return true;
	}
	return false;
}

/**
 * The cells of a dense SheetJS sheet as rows of text. How far the filled cells reach is checked first
 * (O(rows), never O(rows × columns)): a lone cell at XFD1048576 makes a sparse array of length 1,048,576
 * whose holes must not be walked, and a row's holes are only padded up to the limit. The range the sheet
 * declares (!ref, from <dimension> or DIMENSIONS) plays no part: writers declare whole columns and rows
 * around small tables. Rows beyond maxRows + 1 were never parsed (sheetRows), so one row too many is
 * enough to know.
 */
function sheetJsRows(ws: WorkSheet | undefined, sheetName: string, fileName: string, limits: Readonly<ReadLimits>): SheetContent {
	const data = denseData(ws);
	if (!data) return { rows: [] };
	if (data.length > limits.maxRows) throw rowsBeyondLimit(fileName, sheetName, null, limits);
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
		const width = Array.isArray(cells) ? cells.length : 0;
		if (width > limits.maxColumns) throw columnsBeyondLimit(fileName, sheetName, { r, c: width - 1 }, limits);
	}
	const rows: string[][] = new Array(data.length);
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
		// Each row of cell objects is dropped once it is text: the garbage collector can take SheetJS's cells
		// (several hundred bytes per cell) while the text rows grow, instead of the worker holding both whole.
		data[r] = [];
		const row: string[] = [];
		if (Array.isArray(cells)) {
			for (let c = 0; c < cells.length; c++) {
				const text = sheetJsCellText(cells[c]);
				if (text === '' && c >= row.length) continue;
				while (row.length < c) row.push('');
				row[c] = text;
			}
		}
		rows[r] = row;
	}
	return { rows };
}

function sheetJsCellText(cell: CellObject | undefined): string {
	if (!cell || cell.v === undefined || cell.v === null) return '';
	switch (cell.t) {
		case 'n':
			return numberCellText(cell.v as number, typeof cell.z === 'string' ? cell.z : undefined, cell.w);
		case 'b':
			return booleanCellText(Boolean(cell.v));
		case 'e':
			return cell.w ?? '';
		case 'd':
			return cell.w ?? (cell.v instanceof Date ? cell.v.toISOString() : String(cell.v));
		case 'z':
			return '';
		default:
			return String(cell.v);
	}
}
