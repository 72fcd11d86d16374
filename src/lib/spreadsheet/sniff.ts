// Owns telling what an upload is from its first bytes (the file name only breaks ties): a ZIP archive
// (.xlsx, .xlsb, .ods), an OLE compound file (.xls, or an encrypted .xlsx), a bare BIFF stream (very
// old .xls), a known non-spreadsheet (PDF, images, archives, other office documents), or text (CSV and
// markup), and naming what it is when it is not a spreadsheet.

export type Kind = 'zip' | 'cfb' | 'biff' | 'text' | 'binary';

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
	return magic.every((b, i) => bytes[i] === b);
}

/** Files that are not spreadsheets, by their first bytes, as an admin would name them. */
const KNOWN: { magic: number[]; what: string; archive?: boolean }[] = [
	{ magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' }, // %PDF
	{ magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
	{ magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
	{ magic: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' }, // GIF8
	{ magic: [0x7b, 0x5c, 0x72, 0x74], what: 'an RTF document' }, // {\rt
	{ magic: [0x1f, 0x8b], what: 'a compressed (.gz) file', archive: true },
	{ magic: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive', archive: true }, // Rar!
	{ magic: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive', archive: true }
];

export function sniff(bytes: Uint8Array): Kind {
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'cfb';
	// A bare BIFF2-4 stream (very old .xls, not in a compound file): BOF record 0x0009/0x0209/0x0409.
	if ((bytes[0] === 0x09 && bytes[1] <= 0x04 && bytes[2] <= 0x10 && bytes[3] === 0x00) || (bytes[0] === 0x09 && bytes[1] === 0x08)) {
		return 'biff';
	}
	if (KNOWN.some((k) => startsWith(bytes, k.magic))) return 'binary';
	return 'text';
}

/** What a 'binary' file is ("a PDF document"), and whether it is an archive the spreadsheet may be in. */
export function describeBinary(bytes: Uint8Array): { what: string; archive: boolean } | null {
	const known = KNOWN.find((k) => startsWith(bytes, k.magic));
	return known ? { what: known.what, archive: known.archive ?? false } : null;
}

/** A ZIP archive that is an office document but not a workbook, by its part names ("a Word document"). */
export function describeOtherDocument(bytes: Uint8Array, partNames: string[]): string | null {
	const names = new Set(partNames.map((n) => n.toLowerCase()));
	if (names.has('word/document.xml')) return 'a Word document';
	if (names.has('ppt/presentation.xml')) return 'a PowerPoint presentation';
	const head = new TextDecoder('latin1').decode(bytes.subarray(30, 110));
	if (head.startsWith('mimetype') && /opendocument\.(text|presentation|graphics)/.test(head)) {
		return /text/.test(head) ? 'a text document' : 'a presentation or drawing';
	}
	return null;
}

/** Extensions of workbook formats: text content under one of these names must be a table to be read. */
export const WORKBOOK_EXTENSIONS = new Set(['xls', 'xlsx', 'xlsm', 'xlsb', 'ods']);

/** "xlsx" for "Users.XLSX"; '' without a dot. */
export function extension(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/** ODF puts an uncompressed "mimetype" entry first: a cheap look at the first local header, no unzipping. */
export function looksLikeOpenDocument(bytes: Uint8Array): boolean {
	const head = new TextDecoder('latin1').decode(bytes.subarray(30, 100));
	return head.startsWith('mimetype') && head.includes('application/vnd.oasis.opendocument');
}

/** A "CSV" full of NULs or other control characters is some binary format we do not know. */
export function looksBinary(rows: string[][]): boolean {
	let checked = 0;
	let bad = 0;
	for (const row of rows) {
		for (const cell of row) {
			for (let i = 0; i < cell.length && checked < 4096; i++, checked++) {
				const c = cell.charCodeAt(i);
				if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) bad++;
			}
		}
		if (checked >= 4096) break;
	}
	return bad > 0 && bad * 20 > checked;
}
