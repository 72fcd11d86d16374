// Owns turning a workbook SheetJS parsed into sheets of cell text (a SheetSource for choose-sheet.ts):
// finding a sheet by name safely, checking how far its cells reach before converting them, and the text
// of every kind of cell.
import type { CellObject, WorkBook, WorkSheet } from 'xlsx';
import { booleanCellText, numberCellText } from './cell-text';
import { decodeRange } from './cell-ref';
import type { SheetContent, SheetSource } from './choose-sheet';
import type { ReadLimits } from './limits';
import { sheetTooLarge, type Extent } from './refusals';

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
export function sheetJsSource(wb: WorkBook, limits: Readonly<ReadLimits>): SheetSource {
	const hidden = wb.SheetNames.map((_, i) => Boolean(wb.Workbook?.Sheets?.[i]?.Hidden));
	// SheetJS lists an ODS table without table:name as undefined (and files it under "undefined").
	const sheetNames = wb.SheetNames.map((name: unknown, i) => (typeof name === 'string' && name !== '' ? name : `Sheet${i + 1}`));
	return {
		sheetNames,
		hidden,
		readSheet: (i) => sheetJsRows(sheetByName(wb, String(wb.SheetNames[i])), sheetNames[i], limits)
	};
}

/** The extent a sheet declares: !fullref when sheetRows cut it short, else !ref (for .xlsx, <dimension ref>). */
function declaredExtent(ws: WorkSheet): Extent {
	const ref = (ws as { '!fullref'?: unknown })['!fullref'] ?? ws['!ref'];
	if (typeof ref !== 'string' || ref === '') return { rows: 0, columns: 0 };
	const range = decodeRange(ref);
	const rows = Math.max(range.s.r, range.e.r) + 1;
	const columns = Math.max(range.s.c, range.e.c) + 1;
	return { rows: Number.isFinite(rows) && rows > 0 ? rows : 0, columns: Number.isFinite(columns) && columns > 0 ? columns : 0 };
}

/**
 * The cells of a dense SheetJS sheet as rows of text. The extent of the cells themselves is checked
 * first (O(rows), never O(rows × columns)): a lone cell at XFD1048576 makes a sparse array of length
 * 1,048,576 whose holes must not be walked, and a row's holes are only padded up to the limit.
 */
function sheetJsRows(ws: WorkSheet | undefined, sheetName: string, limits: Readonly<ReadLimits>): SheetContent {
	if (!ws || typeof ws !== 'object') return { rows: [], extent: { rows: 0, columns: 0 } };
	const declared = declaredExtent(ws);
	const data = (ws as { '!data'?: (CellObject | undefined)[][] })['!data'];
	if (!Array.isArray(data)) return { rows: [], extent: declared };
	if (data.length > limits.maxRows) {
		const last = data[data.length - 1];
		throw sheetTooLarge(sheetName, { rows: Math.max(data.length, declared.rows), columns: Math.max(declared.columns, Array.isArray(last) ? last.length : 0) }, limits);
	}
	let columns = declared.columns;
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
		const width = Array.isArray(cells) ? cells.length : 0;
		if (width > limits.maxColumns) throw sheetTooLarge(sheetName, { rows: Math.max(data.length, declared.rows), columns: Math.max(width, declared.columns) }, limits);
		if (width > columns) columns = width;
	}
	const rows: string[][] = new Array(data.length);
	for (let r = 0; r < data.length; r++) {
		const cells = data[r];
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
	return { rows, extent: { rows: Math.max(data.length, declared.rows), columns } };
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
