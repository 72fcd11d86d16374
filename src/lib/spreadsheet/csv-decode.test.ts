import { describe, expect, it } from 'vitest';
import { decodeText, decodeUtf32, decodeWindows1252, detectDelimiter, parseCsv, readCsv } from './csv-decode';

const utf8 = (s: string) => new TextEncoder().encode(s);
function utf16(s: string, endian: 'le' | 'be', bom = true): Uint8Array {
	const out: number[] = bom ? (endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (endian === 'le') out.push(c & 0xff, c >> 8);
		else out.push(c >> 8, c & 0xff);
	}
	return Uint8Array.from(out);
}

describe('decodeText', () => {
	it('reads UTF-8 without BOM', () => {
		expect(decodeText(utf8('Zoë,山田'))).toEqual({ text: 'Zoë,山田', encoding: 'utf-8' });
	});

	it('strips a UTF-8 BOM', () => {
		expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('Zoë')]))).toEqual({ text: 'Zoë', encoding: 'utf-8-bom' });
	});

	it('reads UTF-16 LE and BE with BOM', () => {
		expect(decodeText(utf16('Łukasz;x', 'le'))).toEqual({ text: 'Łukasz;x', encoding: 'utf-16le' });
		expect(decodeText(utf16('Łukasz;x', 'be'))).toEqual({ text: 'Łukasz;x', encoding: 'utf-16be' });
	});

	it('recognises UTF-16 without BOM by its NUL bytes', () => {
		expect(decodeText(utf16('Account ID,Username', 'le', false)).encoding).toBe('utf-16le');
		expect(decodeText(utf16('Account ID,Username', 'be', false)).encoding).toBe('utf-16be');
	});

	it('reads UTF-32 LE and BE, with BOM (FF FE 00 00 is not UTF-16) and without', () => {
		const text = 'Zoë;山田;𠮷\r\n';
		const utf32 = (endian: 'le' | 'be', bom: boolean) => {
			const points = [...(bom ? '\uFEFF' : ''), ...text].map((ch) => ch.codePointAt(0)!);
			const out = new Uint8Array(points.length * 4);
			points.forEach((p, i) => new DataView(out.buffer).setUint32(i * 4, p, endian === 'le'));
			return out;
		};
		expect(decodeText(utf32('le', true))).toEqual({ text, encoding: 'utf-32le' });
		expect(decodeText(utf32('be', true))).toEqual({ text, encoding: 'utf-32be' });
		expect(decodeText(utf32('le', false))).toEqual({ text, encoding: 'utf-32le' });
		expect(decodeText(utf32('be', false))).toEqual({ text, encoding: 'utf-32be' });
		// UTF-16 LE text that merely starts with FF FE is still UTF-16.
		expect(decodeText(utf16('Account ID', 'le')).encoding).toBe('utf-16le');
	});

	it('UTF-32: code points beyond U+10FFFF, surrogates and a cut-off unit become U+FFFD', () => {
		expect(decodeUtf32(Uint8Array.of(0x41, 0, 0, 0, 0, 0, 0x11, 0, 0x00, 0xd8, 0, 0, 0x42, 0), true)).toBe('A\uFFFD\uFFFD\uFFFD');
		const many = new Uint8Array(4 * 20_000).fill(0);
		for (let i = 0; i < many.length; i += 4) many[i] = 0x61;
		expect(decodeUtf32(many, true)).toBe('a'.repeat(20_000));
	});

	it('falls back to Windows-1252 when the bytes are not UTF-8', () => {
		// "Zoë O’Brien €" in Windows-1252.
		const bytes = Uint8Array.from([0x5a, 0x6f, 0xeb, 0x20, 0x4f, 0x92, 0x42, 0x72, 0x69, 0x65, 0x6e, 0x20, 0x80]);
		expect(decodeText(bytes)).toEqual({ text: 'Zoë O’Brien €', encoding: 'windows-1252' });
	});

	it('decodes every Windows-1252 byte', () => {
		const all = Uint8Array.from({ length: 256 }, (_, i) => i);
		const text = decodeWindows1252(all);
		expect(text.length).toBe(256);
		expect(text.slice(0x80, 0x88)).toBe('€\uFFFD‚ƒ„…†‡');
		expect(text.slice(0xa0)).toBe(String.fromCharCode(...Array.from({ length: 96 }, (_, i) => 0xa0 + i)));
	});
});

describe('detectDelimiter', () => {
	it.each([
		['a,b,c\n1,2,3', ','],
		['a;b;c\n1;2;3', ';'],
		['a\tb\tc\n1\t2\t3', '\t'],
		// The header decides even when data holds commas.
		['Account ID;Username;Name\n1001;jdoe;"Doe, John"\n1001;x;"A, B, C, D"', ';'],
		// Commas inside quotes do not count.
		['"a,b,c";"d"\n1;2', ';'],
		['single column\nvalue', ','],
		['', ',']
	])('%j -> %j', (text, delimiter) => expect(detectDelimiter(text)).toBe(delimiter));
});

describe('parseCsv', () => {
	it('keeps every field as text, exactly', () => {
		expect(parseCsv('01015,1e3,3/4,TRUE, spaced ,=1+2\n', ',')).toEqual([['01015', '1e3', '3/4', 'TRUE', ' spaced ', '=1+2']]);
	});

	it('handles quotes, escaped quotes, delimiters and line breaks inside quotes', () => {
		expect(parseCsv('"a,b","say ""hi""","line\r\nbreak"\r\nx,y,z', ',')).toEqual([
			['a,b', 'say "hi"', 'line\r\nbreak'],
			['x', 'y', 'z']
		]);
	});

	it('handles CRLF, LF and CR line ends, and empty fields', () => {
		expect(parseCsv('a,b\r\nc,\rd\n,e', ',')).toEqual([['a', 'b'], ['c', ''], ['d'], ['', 'e']]);
	});

	it('keeps blank lines as rows (row numbers stay right) but no row after the final newline', () => {
		expect(parseCsv('h\n\n1\n', ',')).toEqual([['h'], [''], ['1']]);
	});

	it('is lenient with sloppy quoting', () => {
		expect(parseCsv('a"b,"c"d,"unterminated', ',')).toEqual([['a"b', 'cd', 'unterminated']]);
	});

	it('returns no rows for an empty string', () => {
		expect(parseCsv('', ',')).toEqual([]);
	});
});

describe('readCsv', () => {
	it('honours and drops an Excel "sep=" line', () => {
		expect(readCsv(utf8('sep=;\r\na;b\r\n1;2'))).toEqual({
			rows: [
				['a', 'b'],
				['1', '2']
			],
			encoding: 'utf-8',
			delimiter: ';'
		});
	});

	it('reports encoding and delimiter', () => {
		const read = readCsv(utf16('Account ID\tUsername\r\n01015\tjdoe\r\n', 'le'));
		expect(read).toEqual({
			rows: [
				['Account ID', 'Username'],
				['01015', 'jdoe']
			],
			encoding: 'utf-16le',
			delimiter: '\t'
		});
	});
});
