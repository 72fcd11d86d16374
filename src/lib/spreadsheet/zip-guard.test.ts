import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CFB } from 'xlsx';
import { SpreadsheetError } from './errors';
import { DEFAULT_LIMITS } from './limits';
import { crc32, guardZip, inflateRaw, inspectZip, unzip, ZipFormatError } from './zip-guard';
import { cpuMsSince, cpuStart } from '../testing/test-cpu';

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/${name}`, import.meta.url))));
}

/** A plain ZIP of the given files, deflated (zlib) or stored. (SheetJS's writer is quadratic in entries.) */
function zipOf(files: Record<string, Uint8Array | string>, compression = true): Uint8Array {
	const locals: Buffer[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	for (const [path, content] of Object.entries(files)) {
		const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
		const body = compression ? deflateRawSync(data) : data;
		const name = Buffer.from(path, 'latin1');
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt16LE(compression ? 8 : 0, 8);
		local.writeUInt32LE(zlibCrc32(data), 14);
		local.writeUInt32LE(body.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(name.length, 26);
		const header = Buffer.alloc(46);
		header.writeUInt32LE(0x02014b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt16LE(20, 6);
		header.writeUInt16LE(compression ? 8 : 0, 10);
		header.writeUInt32LE(zlibCrc32(data), 16);
		header.writeUInt32LE(body.length, 20);
		header.writeUInt32LE(data.length, 24);
		header.writeUInt16LE(name.length, 28);
		header.writeUInt32LE(offset, 42);
		locals.push(local, name, body);
		central.push(header, name);
		offset += 30 + name.length + body.length;
	}
	const cd = Buffer.concat(central);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(Object.keys(files).length, 8);
	eocd.writeUInt16LE(Object.keys(files).length, 10);
	eocd.writeUInt32LE(cd.length, 12);
	eocd.writeUInt32LE(offset, 16);
	return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

function formatError(bytes: Uint8Array): string {
	try {
		inspectZip(bytes);
	} catch (error) {
		expect(error).toBeInstanceOf(ZipFormatError);
		return (error as Error).message;
	}
	throw new Error('expected a ZipFormatError');
}

function guardFailure(bytes: Uint8Array, limits = DEFAULT_LIMITS): SpreadsheetError {
	try {
		guardZip(bytes, 'f.xlsx', limits);
	} catch (error) {
		expect(error).toBeInstanceOf(SpreadsheetError);
		return error as SpreadsheetError;
	}
	throw new Error('expected a SpreadsheetError');
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const eocdOf = (bytes: Uint8Array) => bytes.length - 22;

describe('inspectZip: the directory without unpacking', () => {
	it('lists the entries of a workbook SheetJS wrote, with the sizes it declared', () => {
		const bytes = fixture('leading-zero-account-ids.xlsx');
		const dir = inspectZip(bytes);
		expect(dir.entries.map((e) => e.name)).toContain('xl/worksheets/sheet1.xml');
		expect(dir.encrypted).toBe(false);
		expect(dir.zip64).toBe(false);
		const unpacked = CFB.read(bytes, { type: 'buffer' });
		for (const entry of dir.entries) expect(entry.uncompressedSize).toBe(CFB.find(unpacked, `/${entry.name}`).size);
		expect(dir.totalUncompressed).toBe(dir.entries.reduce((sum, e) => sum + e.uncompressedSize, 0));
	});

	it('finds the end record behind a ZIP comment', () => {
		const bytes = zipOf({ 'a.txt': 'hello' });
		const comment = new TextEncoder().encode('a comment mentioning PK but no signature');
		const withComment = new Uint8Array(bytes.length + comment.length);
		withComment.set(bytes);
		withComment.set(comment, bytes.length);
		view(withComment).setUint16(eocdOf(bytes) + 20, comment.length, true);
		expect(inspectZip(withComment).entries.map((e) => e.name)).toEqual(['a.txt']);
	});

	it('refuses a file without an end record, and one whose end record is cut off', () => {
		const bytes = fixture('hostile/valid-users.xlsx');
		expect(formatError(bytes.slice(0, bytes.length - 30))).toMatch(/no end of central directory/);
		expect(formatError(bytes.slice(0, bytes.length - 10))).toMatch(/cut off/);
		expect(formatError(fixture('hostile/truncated-half.xlsx'))).toMatch(/no end of central directory/);
		expect(formatError(new Uint8Array(10))).toMatch(/too short/);
	});

	it('refuses a directory out of bounds, an entry count the directory cannot hold, and a spanned archive', () => {
		expect(formatError(fixture('hostile/zip-directory-out-of-bounds.xlsx'))).toMatch(/runs past its end record/);
		const bytes = fixture('hostile/valid-users.xlsx');
		const lying = bytes.slice();
		view(lying).setUint16(eocdOf(lying) + 8, 5000, true);
		view(lying).setUint16(eocdOf(lying) + 10, 5000, true);
		expect(formatError(lying)).toMatch(/cannot fit/);
		const spanned = bytes.slice();
		view(spanned).setUint16(eocdOf(spanned) + 4, 1, true);
		expect(formatError(spanned)).toMatch(/multi-part/);
	});

	it('refuses local headers that disagree with the directory (what other readers would unpack)', () => {
		const bytes = zipOf({ 'a.txt': 'hello world' });
		const dir = inspectZip(bytes);
		const local = dir.entries[0].localOffset;
		const size = bytes.slice();
		view(size).setUint32(local + 22, 0x7fffffff, true);
		expect(formatError(size)).toMatch(/sizes differ/);
		const method = bytes.slice();
		view(method).setUint16(local + 8, 0, true);
		expect(formatError(method)).toMatch(/method differs/);
		const name = bytes.slice();
		name[local + 30] = 'b'.charCodeAt(0);
		expect(formatError(name)).toMatch(/name differs/);
		const signature = bytes.slice();
		signature[local] = 0;
		expect(formatError(signature)).toMatch(/no local header/);
	});

	it('zip-overlapping-entries.xlsx: two entries sharing bytes are refused', () => {
		expect(formatError(fixture('hostile/zip-overlapping-entries.xlsx'))).toMatch(/overlap/);
	});

	it('zip64-valid.xlsx: reads the ZIP64 end records and extra fields', () => {
		const dir = inspectZip(fixture('hostile/zip64-valid.xlsx'));
		expect(dir.zip64).toBe(true);
		expect(dir.entries.length).toBe(5);
		expect(dir.entries.every((e) => e.uncompressedSize > 0 && e.uncompressedSize < 10_000)).toBe(true);
	});

	it('zip-bomb-declares-12gb.xlsx: ZIP64 sizes beyond 4 GB are summed exactly', () => {
		expect(inspectZip(fixture('hostile/zip-bomb-declares-12gb.xlsx')).totalUncompressed).toBe(4 * 3.3e9);
	});

	it('notices encrypted entries', () => {
		expect(inspectZip(fixture('hostile/zip-encrypted-entries.xlsx')).encrypted).toBe(true);
	});

	it('is fast: a 10,000-entry directory in a few milliseconds', () => {
		const files: Record<string, string> = {};
		for (let i = 0; i < 10_000; i++) files[`f${i}.txt`] = '';
		const bytes = zipOf(files, false);
		const started = cpuStart();
		const dir = inspectZip(bytes);
		expect(dir.entries.length).toBe(10_000);
		expect(cpuMsSince(started)).toBeLessThan(500);
	});
});

describe('guardZip: limits', () => {
	it('passes real workbooks', () => {
		for (const name of ['leading-zero-account-ids.xlsx', 'user-update.ods', 'excel-ooxml-edge-cases.xlsx', 'e2e/mixed-user-update.xlsx']) {
			expect(() => guardZip(fixture(name), name)).not.toThrow();
		}
	});

	it('zip-bomb-declares-12gb.xlsx: "it would expand to 12.3 GB"', () => {
		const e = guardFailure(fixture('hostile/zip-bomb-declares-12gb.xlsx'));
		expect(e.code).toBe('compressed-bomb');
		expect(e.message).toBe(
			'The file "f.xlsx" looks like a compressed bomb: it would expand to 12.3 GB (the limit is 500 MB). It was not unpacked. Upload the spreadsheet itself (.xlsx, .xls, .ods or .csv); if this is one, split it into smaller files.'
		);
	});

	it('zip-bomb-ratio-1000.xlsx: a part expanding 1,000 times', () => {
		const e = guardFailure(fixture('hostile/zip-bomb-ratio-1000.xlsx'));
		expect(e.code).toBe('compressed-bomb');
		expect(e.message).toContain('a part of it would expand from 19.9 KB to 20 MB, 1,029 times (a spreadsheet expands at most 200 times)');
	});

	it('the ratio is not checked below 1 MB, however repetitive the part', () => {
		const bytes = zipOf({ 'styles.xml': '<xf/>'.repeat(150_000) });
		const dir = inspectZip(bytes);
		expect(dir.entries[0].uncompressedSize / dir.entries[0].compressedSize).toBeGreaterThan(200);
		expect(() => guardZip(bytes, 'f.xlsx')).not.toThrow();
	});

	it('the overall ratio counts many parts just under the per-part size', () => {
		const files: Record<string, Uint8Array> = {};
		for (let i = 0; i < 4; i++) files[`part${i}.xml`] = new Uint8Array(900 * 1024);
		const e = guardFailure(zipOf(files));
		expect(e.message).toMatch(/it would expand from [\d.]+ KB to 3\.5 MB, [\d,]+ times/);
	});

	it('10,001 files inside', () => {
		const files: Record<string, string> = {};
		for (let i = 0; i <= 10_000; i++) files[`f${i}.txt`] = '';
		const e = guardFailure(zipOf(files, false));
		expect(e.code).toBe('compressed-bomb');
		expect(e.message).toContain('it holds 10,001 files inside, and a spreadsheet holds far fewer (the limit is 10,000)');
	});

	it('a malformed archive is "not a spreadsheet we can read", keeping the reason as the cause', () => {
		const e = guardFailure(fixture('hostile/truncated-half.xlsx'));
		expect(e.code).toBe('unsupported');
		expect(e.message).toBe(
			'The file "f.xlsx" is not a spreadsheet we can read: it is damaged or incomplete (for example cut off during a download or copy). Open it in Excel or LibreOffice, save it again, and upload the saved file.'
		);
		expect(e.cause).toBeInstanceOf(ZipFormatError);
	});

	it('uses the limits it is given', () => {
		expect(guardFailure(fixture('leading-zero-account-ids.xlsx'), { ...DEFAULT_LIMITS, maxZipEntries: 3 }).code).toBe('compressed-bomb');
		expect(guardFailure(fixture('leading-zero-account-ids.xlsx'), { ...DEFAULT_LIMITS, maxZipUncompressedBytes: 1000 }).message).toContain(
			'(the limit is 1,000 bytes)'
		);
	});
});

describe('unzip, inflateRaw, crc32', () => {
	it('unpacks exactly what SheetJS unpacks', () => {
		for (const name of ['leading-zero-account-ids.xlsx', 'user-update.ods', 'e2e/libreoffice-name-update.ods']) {
			const bytes = fixture(name);
			const theirs = CFB.read(bytes, { type: 'buffer' });
			for (const file of unzip(bytes, inspectZip(bytes))) {
				const entry = CFB.find(theirs, `/${file.name}`);
				expect(Buffer.from(file.data).equals(Buffer.from(entry.content)), file.name).toBe(true);
			}
		}
	});

	it('inflates what zlib deflates, at every level and for incompressible data', () => {
		const text = new TextEncoder().encode('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'.repeat(3000));
		const noise = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 2654435761) >>> 24);
		for (const data of [text, noise, new Uint8Array(0), new Uint8Array(70_000)]) {
			for (const level of [0, 1, 6, 9]) {
				const packed = new Uint8Array(deflateRawSync(data, { level }));
				expect(Buffer.from(inflateRaw(packed, data.length)).equals(Buffer.from(data))).toBe(true);
			}
		}
	});

	it('stops at the declared size, and refuses data shorter than declared', () => {
		const data = new Uint8Array(100_000).fill(7);
		const packed = new Uint8Array(deflateRawSync(data));
		expect(() => inflateRaw(packed, 1000)).toThrow(/longer than declared/);
		expect(() => inflateRaw(packed, 200_000)).toThrow(/shorter than declared/);
	});

	it('refuses invalid deflate data promptly instead of looping (SheetJS loops on some)', () => {
		const packed = new Uint8Array(deflateRawSync(new TextEncoder().encode('hello hello hello world')));
		expect(() => inflateRaw(Uint8Array.of(0x07), 10)).toThrow(/invalid deflate data/);
		expect(() => inflateRaw(packed.subarray(0, 3), 23)).toThrow(/invalid deflate data/);
		// Every single-byte change of a dynamic-Huffman stream: an error or the right length, quickly.
		const big = new Uint8Array(deflateRawSync(new TextEncoder().encode('Account ID,Username\n'.repeat(200) + 'x'.repeat(500))));
		const started = cpuStart();
		for (let i = 0; i < big.length; i++) {
			for (const value of [0x00, 0xff, big[i] ^ 0x10]) {
				const bad = big.slice();
				bad[i] = value;
				try {
					expect(inflateRaw(bad, 4500).length).toBe(4500);
				} catch (error) {
					expect((error as Error).message).toMatch(/deflate|declared/);
				}
			}
		}
		expect(cpuMsSince(started)).toBeLessThan(5000);
	});

	it('corrupt-deflate-sheetjs-loops.xlsx: the entry that hangs SheetJS fails fast here', () => {
		const bytes = fixture('hostile/corrupt-deflate-sheetjs-loops.xlsx');
		expect(() => unzip(bytes, inspectZip(bytes))).toThrow(ZipFormatError);
	});

	it('checks every CRC-32', () => {
		const bytes = zipOf({ 'a.txt': 'hello world' }, false);
		const dir = inspectZip(bytes);
		const changed = bytes.slice();
		changed[dir.entries[0].dataOffset] ^= 1;
		expect(() => unzip(changed, dir)).toThrow(/CRC-32/);
		const samples = [
			new Uint8Array(0),
			new TextEncoder().encode('The quick brown fox'),
			Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff),
			// Eight bytes at a time, then the rest one by one: every remainder, and a subarray at an odd offset.
			...Array.from({ length: 17 }, (_, n) => Uint8Array.from({ length: 64 + n }, (_, i) => (i * 131 + n * 7) & 0xff)),
			Uint8Array.from({ length: 1000 }, (_, i) => (i * 97) & 0xff).subarray(3, 998)
		];
		for (const data of samples) expect(crc32(data)).toBe(zlibCrc32(data));
	});

	it('refuses compression methods other than stored and deflate', () => {
		const bytes = zipOf({ 'a.txt': 'hello world' });
		const dir = inspectZip(bytes);
		expect(() => unzip(bytes, { ...dir, entries: dir.entries.map((e) => ({ ...e, method: 12 })) })).toThrow(/compression method 12/);
	});
});
