// Owns turning the bytes of a delimited text file (.csv, .tsv, .txt) into rows of text:
// encoding detection, delimiter detection and a CSV parser that never guesses types.
// Pure (no xlsx, no DOM): TextDecoder is available in Web Workers and Node.
//
// Why a hand-written parser: spreadsheet parsers guess types ("01015" -> 1015, "1e3" -> 1000,
// "3/4" -> a date). Account IDs and usernames must arrive exactly as typed, so every field stays text.

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t';

export interface DecodedText {
	text: string;
	encoding: TextEncoding;
}

/** Caps checked while parsing, so a huge file stops early instead of filling memory first. */
export interface CsvLimits {
	maxRows: number;
	maxColumns: number;
}

/** Thrown by parseCsv when a row or column beyond CsvLimits would be added. */
export class CsvLimitError extends Error {
	constructor(
		readonly limit: 'rows' | 'columns',
		/** 1-based row where the limit was crossed. */
		readonly row: number
	) {
		super(limit === 'rows' ? `more than the row limit (row ${row})` : `more than the column limit in row ${row}`);
		this.name = 'CsvLimitError';
	}
}

export interface CsvRead {
	rows: string[][];
	encoding: TextEncoding;
	delimiter: Delimiter;
}

/**
 * Decodes bytes to a string. BOMs win; then UTF-32 and UTF-16 without BOM are recognised by their NUL
 * bytes (Excel's "Unicode Text" always has a BOM, but other tools do not); then strict UTF-8; and when
 * the bytes are not valid UTF-8, Windows-1252, which is what Excel on Windows writes for "CSV".
 */
export function decodeText(bytes: Uint8Array): DecodedText {
	if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
		return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
	}
	// Before UTF-16: a UTF-32 LE BOM begins with the UTF-16 LE one (FF FE), then two NULs.
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) {
		return { text: decodeUtf32(bytes.subarray(4), true), encoding: 'utf-32le' };
	}
	if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) {
		return { text: decodeUtf32(bytes.subarray(4), false), encoding: 'utf-32be' };
	}
	if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
		return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
	}
	if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
		return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
	}
	const utf32 = guessUtf32WithoutBom(bytes);
	if (utf32) return { text: decodeUtf32(bytes, utf32 === 'utf-32le'), encoding: utf32 };
	const utf16 = guessUtf16WithoutBom(bytes);
	if (utf16) return { text: new TextDecoder(utf16).decode(bytes), encoding: utf16 };
	try {
		return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
	} catch {
		return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
	}
}

// 0x80-0x9F of Windows-1252 (undefined bytes map to U+FFFD). Decoded by hand because Node's
// TextDecoder('windows-1252') treats the label as ISO-8859-1 and turns "’" and "€" into C1 controls.
const CP1252_HIGH = '€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ';

export function decodeWindows1252(bytes: Uint8Array): string {
	const chunk = 8192;
	const parts: string[] = [];
	const codes = new Uint16Array(Math.min(chunk, bytes.length));
	for (let start = 0; start < bytes.length; start += chunk) {
		const end = Math.min(start + chunk, bytes.length);
		for (let i = start; i < end; i++) {
			const b = bytes[i];
			codes[i - start] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH.charCodeAt(b - 0x80) : b;
		}
		parts.push(String.fromCharCode(...codes.subarray(0, end - start)));
	}
	return parts.join('');
}

/**
 * UTF-32 (TextDecoder has no such label). Code points beyond U+10FFFF, surrogates, and a final partial unit
 * become U+FFFD, as TextDecoder does for broken UTF-16.
 */
export function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const units = new Uint16Array(8192);
	const parts: string[] = [];
	let n = 0;
	const flush = () => {
		parts.push(String.fromCharCode(...units.subarray(0, n)));
		n = 0;
	};
	const whole = bytes.length - (bytes.length % 4);
	for (let at = 0; at < whole; at += 4) {
		if (n >= units.length - 2) flush();
		let cp = view.getUint32(at, littleEndian);
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
		if (cp > 0xffff) {
			cp -= 0x10000;
			units[n++] = 0xd800 + (cp >> 10);
			units[n++] = 0xdc00 + (cp & 0x3ff);
		} else units[n++] = cp;
	}
	if (whole < bytes.length) units[n++] = 0xfffd;
	flush();
	return parts.join('');
}

// Text in UTF-32 LE has a NUL at offset 3 of every four bytes (code points end at U+10FFFF) and, outside
// rare scripts, at offset 2; BE mirrors it. UTF-16 LE ASCII has NULs at 1 and 3 but not at 2. Look at the
// first KiB only.
function guessUtf32WithoutBom(bytes: Uint8Array): 'utf-32le' | 'utf-32be' | null {
	const n = Math.min(bytes.length, 1024) & ~3;
	if (n < 8) return null;
	const nul = [0, 0, 0, 0];
	for (let i = 0; i < n; i++) if (bytes[i] === 0) nul[i & 3]++;
	const units = n / 4;
	if (nul[3] === units && nul[2] > units / 2 && nul[0] < units) return 'utf-32le';
	if (nul[0] === units && nul[1] > units / 2 && nul[3] < units) return 'utf-32be';
	return null;
}

// ASCII text in UTF-16 has a NUL in every other byte; look at the first KiB only.
function guessUtf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
	const n = Math.min(bytes.length, 1024) & ~1;
	if (n < 4) return null;
	let evenNul = 0;
	let oddNul = 0;
	for (let i = 0; i < n; i += 2) {
		if (bytes[i] === 0) evenNul++;
		if (bytes[i + 1] === 0) oddNul++;
	}
	const pairs = n / 2;
	if (oddNul > pairs * 0.6 && evenNul < pairs * 0.1) return 'utf-16le';
	if (evenNul > pairs * 0.6 && oddNul < pairs * 0.1) return 'utf-16be';
	return null;
}

const CANDIDATES: readonly Delimiter[] = [',', ';', '\t'];
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Picks the delimiter among comma, semicolon and tab by counting them outside quotes on the first
 * lines. The header line decides (header names never contain delimiters, data like "Doe, John" may);
 * ties are broken by how consistently the count repeats on the next lines; no evidence means comma.
 */
export function detectDelimiter(text: string, maxLines = 10): Delimiter {
	const counts = CANDIDATES.map(() => [] as number[]);
	let line = CANDIDATES.map(() => 0);
	let inQuotes = false;
	let lines = 0;
	let nonBlank = false;
	for (let i = 0; i < text.length && lines < maxLines; i++) {
		const c = text.charCodeAt(i);
		if (c === QUOTE) {
			inQuotes = !inQuotes;
			nonBlank = true;
		} else if (!inQuotes && (c === LF || c === CR)) {
			if (nonBlank) {
				line.forEach((count, k) => counts[k].push(count));
				lines++;
			}
			line = CANDIDATES.map(() => 0);
			nonBlank = false;
		} else if (!inQuotes) {
			const k = c === 0x2c ? 0 : c === 0x3b ? 1 : c === 0x09 ? 2 : -1;
			if (k >= 0) line[k]++;
			if (c > 0x20) nonBlank = true;
		}
	}
	if (nonBlank && lines < maxLines) line.forEach((count, k) => counts[k].push(count));

	let best: Delimiter = ',';
	let bestScore = 0;
	CANDIDATES.forEach((delimiter, k) => {
		const perLine = counts[k];
		const first = perLine[0] ?? 0;
		if (first === 0) return;
		const consistent = perLine.slice(1).filter((n) => n === first).length;
		const score = first * 1000 + consistent;
		if (score > bestScore) {
			bestScore = score;
			best = delimiter;
		}
	});
	return best;
}

/**
 * RFC 4180 parsing, lenient where real files are sloppy: CRLF, LF or CR line ends; quoted fields may
 * hold delimiters, quotes ("") and line breaks; a quote inside an unquoted field is kept literally;
 * text after a closing quote is appended; an unterminated quote runs to the end of the file.
 * A final line break does not make an extra row. Every field is returned exactly as text.
 * With `limits`, throws CsvLimitError as soon as a row or a field beyond them would be added.
 */
export function parseCsv(text: string, delimiter: Delimiter, limits?: CsvLimits): string[][] {
	const rows: string[][] = [];
	const delim = delimiter.charCodeAt(0);
	const n = text.length;
	const maxRows = limits?.maxRows ?? Infinity;
	const maxColumns = limits?.maxColumns ?? Infinity;
	let row: string[] = [];
	let i = 0;
	// Each iteration reads one field starting at i.
	while (i < n) {
		let field: string;
		if (text.charCodeAt(i) === QUOTE) {
			let value = '';
			let start = i + 1;
			i = start;
			for (;;) {
				const q = text.indexOf('"', i);
				if (q === -1) {
					value += text.slice(start);
					i = n;
					break;
				}
				if (text.charCodeAt(q + 1) === QUOTE) {
					value += text.slice(start, q + 1);
					i = start = q + 2;
					continue;
				}
				value += text.slice(start, q);
				i = q + 1;
				break;
			}
			// Sloppy files: `"abc"def,` -> `abcdef`.
			const rest = i;
			while (i < n) {
				const c = text.charCodeAt(i);
				if (c === delim || c === LF || c === CR) break;
				i++;
			}
			field = rest < i ? value + text.slice(rest, i) : value;
		} else {
			const start = i;
			while (i < n) {
				const c = text.charCodeAt(i);
				if (c === delim || c === LF || c === CR) break;
				i++;
			}
			field = text.slice(start, i);
		}
		if (row.length >= maxColumns) throw new CsvLimitError('columns', rows.length + 1);
		row.push(field);
		if (i >= n) break;
		const c = text.charCodeAt(i);
		if (c === delim) {
			i++;
			if (i >= n) {
				if (row.length >= maxColumns) throw new CsvLimitError('columns', rows.length + 1);
				row.push('');
			}
			continue;
		}
		// Line end: CRLF, LF or CR.
		i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
		// An empty line becomes a row [''] on the next iteration: blank rows keep the row numbers the admin sees.
		if (rows.length >= maxRows) throw new CsvLimitError('rows', rows.length + 1);
		rows.push(row);
		row = [];
	}
	if (row.length > 0) {
		if (rows.length >= maxRows) throw new CsvLimitError('rows', rows.length + 1);
		rows.push(row);
	}
	return rows;
}

// Excel writes and honours a first line "sep=;" naming the delimiter; it is not shown as a row.
const SEP_LINE = /^sep=(.)\r?\n?/i;

/** Decodes and parses a delimited text file (see parseCsv for `limits`). */
export function readCsv(bytes: Uint8Array, limits?: CsvLimits): CsvRead {
	const { text, encoding } = decodeText(bytes);
	let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	let delimiter: Delimiter | null = null;
	const sep = SEP_LINE.exec(body.slice(0, 8));
	if (sep && (CANDIDATES as readonly string[]).includes(sep[1])) {
		delimiter = sep[1] as Delimiter;
		body = body.slice(sep[0].length);
	}
	delimiter ??= detectDelimiter(body);
	return { rows: parseCsv(body, delimiter, limits), encoding, delimiter };
}
