// Owns cell references ("B12", "A1:XFD1048576"): decoding them exactly as SheetJS does, so that what the
// guards count is what SheetJS will create, and spelling columns as an admin sees them in Excel ("GR").

export interface CellAddress {
	/** 0-based. */
	r: number;
	/** 0-based. */
	c: number;
}

export interface CellRange {
	s: CellAddress;
	e: CellAddress;
}

/** Mirrors SheetJS's safe_decode_range ("A1:XFD1048576"; garbage gives small or negative numbers). */
// Kept line for line as SheetJS writes it, so the two cannot disagree on odd input.
/* eslint-disable no-useless-assignment */
function decodeRange(ref: string): CellRange {
	const o = { s: { c: 0, r: 0 }, e: { c: 0, r: 0 } };
	let i = 0;
	let cc = 0;
	let idx = 0;
	const len = ref.length;
	for (idx = 0; i < len; ++i) {
		if ((cc = ref.charCodeAt(i) - 64) < 1 || cc > 26) break;
		idx = 26 * idx + cc;
	}
	o.s.c = --idx;
	for (idx = 0; i < len; ++i) {
		if ((cc = ref.charCodeAt(i) - 48) < 0 || cc > 9) break;
		idx = 10 * idx + cc;
	}
	o.s.r = --idx;
	if (i === len || cc !== 10) {
		o.e.c = o.s.c;
		o.e.r = o.s.r;
		return o;
	}
	++i;
	for (idx = 0; i !== len; ++i) {
		if ((cc = ref.charCodeAt(i) - 64) < 1 || cc > 26) break;
		idx = 26 * idx + cc;
	}
	o.e.c = --idx;
	for (idx = 0; i !== len; ++i) {
		if ((cc = ref.charCodeAt(i) - 48) < 0 || cc > 9) break;
		idx = 10 * idx + cc;
	}
	o.e.r = --idx;
	return o;
}
/* eslint-enable no-useless-assignment */

/** Cells in a range, as SheetJS would create them (either corner may come first). */
export function rangeCells(ref: string): number {
	const { s, e } = decodeRange(ref);
	const rows = Math.abs(e.r - s.r) + 1;
	const columns = Math.abs(e.c - s.c) + 1;
	return Number.isFinite(rows * columns) ? rows * columns : Infinity;
}

/** Column letters as Excel shows them: 0 -> "A", 199 -> "GR", 16383 -> "XFD". */
export function columnName(c: number): string {
	let s = '';
	for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
}
