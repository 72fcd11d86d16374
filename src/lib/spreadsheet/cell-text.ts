// Owns how a typed spreadsheet cell becomes the text the domain validates, whatever format it came from.
//
// The rule for numbers: the admin meant the digits, not Excel's rendering of them. So a number shows
// as its plain digits ("1001", never "1.001E+3", "1,001" or "1001.0"), with two exceptions where the
// rendering is the meaning: a zero-padding format ("00000" shows 1015 as "01015": leading zeros of
// account IDs survive) and date/time formats (shown as formatted text).
import { SSF } from 'xlsx';

/** Excel's own rendering precision: 15 significant digits hides binary noise like 0.30000000000000004. */
export function plainNumber(value: number): string {
	if (!Number.isFinite(value)) return String(value);
	const rounded = Number(value.toPrecision(15));
	// String() only switches to exponent form at 1e21 for integers, so integers print as digits.
	return Object.is(rounded, -0) ? '0' : String(rounded);
}

type FormatKind = { kind: 'general' } | { kind: 'date' } | { kind: 'pad'; width: number } | { kind: 'other' };

const kinds = new Map<string, FormatKind>();
const ZEROS = /^0+$/;
const SHORT_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;

function formatKind(format: string): FormatKind {
	let kind = kinds.get(format);
	if (kind) return kind;
	if (format === '' || format === 'General' || format === '@' || format === 'general') kind = { kind: 'general' };
	else if (ZEROS.test(format)) kind = { kind: 'pad', width: format.length };
	else {
		let isDate: boolean;
		try {
			isDate = SSF.is_date(format);
		} catch {
			isDate = false;
		}
		kind = isDate ? { kind: 'date' } : { kind: 'other' };
	}
	kinds.set(format, kind);
	return kind;
}

function formatted(format: string, value: number): string | null {
	try {
		return SSF.format(format, value);
	} catch {
		return null;
	}
}

/**
 * Text of a numeric cell under its number format (the format code, e.g. "General", "00000", "yyyy-mm-dd").
 * `displayed` is the reader's own rendering when it has one (ODS stores it), preferred for dates. `stored` is
 * the number as the file writes it, when the caller has it: an integer of up to 15 digits is its plain text.
 */
export function numberCellText(value: number, format: string | undefined, displayed?: string, stored?: string): string {
	const plain = stored !== undefined && SHORT_INTEGER.test(stored) ? stored : plainNumber(value);
	if (!format) return plain;
	const kind = formatKind(format);
	switch (kind.kind) {
		case 'general':
			return plain;
		case 'pad':
			return Number.isInteger(value) && value >= 0 && plain.length < kind.width ? plain.padStart(kind.width, '0') : plain;
		case 'date':
			return displayed ?? formatted(format, value) ?? plain;
		case 'other': {
			// Keep a rendering only when it is the same integer with leading zeros (e.g. '"ID "00000' is not,
			// '000000' and '[<99999]00000' are): that is a zero-padding format in disguise.
			if (!Number.isInteger(value) || value < 0) return plain;
			const shown = displayed ?? formatted(format, value);
			if (shown && shown.length > plain.length && /^0+\d+$/.test(shown) && shown.replace(/^0+(?=\d)/, '') === plain) return shown;
			return plain;
		}
	}
}

export function booleanCellText(value: boolean): string {
	return value ? 'TRUE' : 'FALSE';
}
