// Owns reading ZIP archives (.xlsx, .xlsb, .ods) defensively, in two steps:
//
// 1. inspectZip/guardZip: from the End of Central Directory record and the central directory alone (no
//    unpacking, a few microseconds per file), refuse a malformed archive and one that would expand
//    beyond limits.ts: too many files, too many bytes, or compressed too well to be a spreadsheet.
// 2. unzip: unpack with fflate's inflate into a buffer the size the directory declared, reject
//    invalid deflate data and check every CRC-32. SheetJS's built-in unzip is not used because it
//    trusts sizes from the local headers (a forged size allocates that much memory), keeps inflating past
//    the declared size, and loops forever on some corrupt deflate data (one flipped byte is enough).
//
// Pure: no DOM, no Node APIs (runs in the Web Worker).
import { inflateSync } from 'fflate';
import { formatBytes, formatCount, SpreadsheetError } from './errors';
import { readLimits, type ReadLimits } from './limits';
import { damaged } from './refusals';

/** What is wrong with an archive, for the error's cause (the admin sees one sentence about damage). */
export class ZipFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ZipFormatError';
	}
}

export interface ZipEntry {
	/** As stored (bytes read as Latin-1, as SheetJS reads them). */
	name: string;
	/** 0 stored, 8 deflate; anything else is refused by unzip. */
	method: number;
	flags: number;
	crc32: number;
	compressedSize: number;
	uncompressedSize: number;
	/** Offset of the local file header. */
	localOffset: number;
	/** Offset of the entry's data (after the local header, its name and extra field). */
	dataOffset: number;
}

export interface ZipDirectory {
	entries: ZipEntry[];
	/** Sum of the declared uncompressed sizes. */
	totalUncompressed: number;
	/** Sum of the compressed sizes. */
	totalCompressed: number;
	/** Some entry is encrypted (traditional PKWARE or strong encryption). */
	encrypted: boolean;
	/** The archive's directory is in ZIP64 form (needed beyond 65,535 entries or 4 GB; some tools always use it). */
	zip64: boolean;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** Flags: 1 encrypted, 0x40 strong encryption, 0x2000 central directory encrypted (SheetJS refuses all three). */
const FLAG_ENCRYPTED = 0x2041;
/** Flags: sizes and CRC follow the data (local header sizes may be 0). */
const FLAG_DATA_DESCRIPTOR = 0x0008;

function u16(bytes: Uint8Array, at: number): number {
	if (at < 0 || at + 2 > bytes.length) throw new ZipFormatError(`read past the end at ${at}`);
	return bytes[at] | (bytes[at + 1] << 8);
}

function u32(bytes: Uint8Array, at: number): number {
	if (at < 0 || at + 4 > bytes.length) throw new ZipFormatError(`read past the end at ${at}`);
	return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** 8-byte little-endian as a Number (exact up to 2^53, which is far beyond anything we accept). */
function u64(bytes: Uint8Array, at: number): number {
	return u32(bytes, at + 4) * 2 ** 32 + u32(bytes, at);
}

function latin1(bytes: Uint8Array, from: number, length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += String.fromCharCode(bytes[from + i]);
	return out;
}

/**
 * The ZIP64 extended-information extra field (0x0001) of a central directory header holds the 8-byte
 * values of the header fields set to 0xFFFFFFFF, in the order: uncompressed size, compressed size, offset.
 */
function zip64Extra(bytes: Uint8Array, from: number, length: number, usz: number, csz: number, offset: number) {
	const end = from + length;
	for (let at = from; at + 4 <= end;) {
		const id = u16(bytes, at);
		const size = u16(bytes, at + 2);
		const body = at + 4;
		if (body + size > end) throw new ZipFormatError('extra field runs past its header');
		if (id === 0x0001) {
			let p = body;
			const take = () => {
				if (p + 8 > body + size) throw new ZipFormatError('ZIP64 extra field too short');
				const v = u64(bytes, p);
				p += 8;
				return v;
			};
			return { usz: usz === U32_MAX ? take() : usz, csz: csz === U32_MAX ? take() : csz, offset: offset === U32_MAX ? take() : offset };
		}
		at = body + size;
	}
	return null;
}

/** The last End of Central Directory signature, as SheetJS finds it (it scans back from the very end). */
function findEocd(bytes: Uint8Array): number {
	const stop = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
	for (let i = bytes.length - 4; i >= stop; i--) {
		if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
			if (i + EOCD_SIZE > bytes.length) throw new ZipFormatError('the end of central directory record is cut off');
			return i;
		}
	}
	throw new ZipFormatError('no end of central directory record in the last 64 KiB');
}

/**
 * Reads the archive's directory without unpacking anything. Throws ZipFormatError when the directory is
 * missing, out of bounds, inconsistent with the local headers, or when entries overlap (the trick of
 * "non-recursive" zip bombs that reuse one compressed block for many entries).
 */
export function inspectZip(bytes: Uint8Array): ZipDirectory {
	if (bytes.length < EOCD_SIZE) throw new ZipFormatError('too short to be a ZIP archive');
	const { count, cdOffset, cdSize, zip64 } = locateDirectory(bytes);
	const entries: ZipEntry[] = [];
	let totalUncompressed = 0;
	let totalCompressed = 0;
	let encrypted = false;
	for (let i = 0, p = cdOffset; i < count; i++) {
		const { next, ...header } = readCentralHeader(bytes, p, i, cdOffset + cdSize);
		const { dataOffset, localFlags } = checkLocalHeader(bytes, header, i, cdOffset);
		if ((header.flags | localFlags) & FLAG_ENCRYPTED) encrypted = true;
		entries.push({ ...header, dataOffset });
		totalUncompressed += header.uncompressedSize;
		totalCompressed += header.compressedSize;
		p = next;
	}
	checkNoOverlap(entries);
	return { entries, totalUncompressed, totalCompressed, encrypted, zip64 };
}

interface DirectoryLocation {
	count: number;
	cdOffset: number;
	cdSize: number;
	zip64: boolean;
	/** Where the end record that describes the directory starts: the directory must end before it. */
	endRecord: number;
}

/**
 * Where the central directory is and how many entries it holds, from the End of Central Directory record,
 * or from the ZIP64 one when the classic record says its fields overflowed.
 */
function locateDirectory(bytes: Uint8Array): DirectoryLocation {
	const eocd = findEocd(bytes);
	const disk = u16(bytes, eocd + 4);
	const cdDisk = u16(bytes, eocd + 6);
	const count = u16(bytes, eocd + 8);
	const total = u16(bytes, eocd + 10);
	const cdSize = u32(bytes, eocd + 12);
	const cdOffset = u32(bytes, eocd + 16);
	const zip64 = count === U16_MAX || total === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX;
	if (!zip64 && (disk !== 0 || cdDisk !== 0 || count !== total)) throw new ZipFormatError('a multi-part (spanned) archive');
	const where = zip64 ? readZip64End(bytes, eocd) : { count, cdSize, cdOffset, zip64, endRecord: eocd };
	if (where.cdOffset + where.cdSize > where.endRecord) {
		throw new ZipFormatError(`central directory (${where.cdOffset}+${where.cdSize}) runs past its end record (${where.endRecord})`);
	}
	// Each central header is at least 46 bytes: a count the directory cannot hold is a lie.
	if (where.count * 46 > where.cdSize) throw new ZipFormatError(`${where.count} entries cannot fit in a ${where.cdSize}-byte directory`);
	return where;
}

/** The ZIP64 end of central directory record, through the locator just before the classic record. */
function readZip64End(bytes: Uint8Array, eocd: number): DirectoryLocation {
	const locator = eocd - 20;
	if (locator < 0 || u32(bytes, locator) !== SIG_ZIP64_LOCATOR) throw new ZipFormatError('ZIP64 values without a ZIP64 locator');
	const record = u64(bytes, locator + 8);
	if (record + 56 > locator || u32(bytes, record) !== SIG_ZIP64_EOCD) {
		throw new ZipFormatError('ZIP64 end of central directory out of bounds');
	}
	if (u32(bytes, record + 16) !== 0 || u32(bytes, record + 20) !== 0) throw new ZipFormatError('a multi-part (spanned) ZIP64 archive');
	return {
		count: u64(bytes, record + 32),
		cdSize: u64(bytes, record + 40),
		cdOffset: u64(bytes, record + 48),
		zip64: true,
		endRecord: record
	};
}

type CentralHeader = Omit<ZipEntry, 'dataOffset'>;

/** The i-th central directory header, at p, with any ZIP64 sizes and offset resolved; `next` is where the
 * following header starts. */
function readCentralHeader(bytes: Uint8Array, p: number, i: number, cdEnd: number): CentralHeader & { next: number } {
	if (p + 46 > cdEnd) throw new ZipFormatError(`central header ${i} runs past the directory`);
	if (u32(bytes, p) !== SIG_CENTRAL) throw new ZipFormatError(`central header ${i} has no signature`);
	const flags = u16(bytes, p + 8);
	const method = u16(bytes, p + 10);
	const crc32 = u32(bytes, p + 16);
	let compressedSize = u32(bytes, p + 20);
	let uncompressedSize = u32(bytes, p + 24);
	const nameLength = u16(bytes, p + 28);
	const extraLength = u16(bytes, p + 30);
	const commentLength = u16(bytes, p + 32);
	let localOffset = u32(bytes, p + 42);
	const next = p + 46 + nameLength + extraLength + commentLength;
	if (next > cdEnd) throw new ZipFormatError(`central header ${i} runs past the directory`);
	const name = latin1(bytes, p + 46, nameLength);
	if (uncompressedSize === U32_MAX || compressedSize === U32_MAX || localOffset === U32_MAX) {
		const extra = zip64Extra(bytes, p + 46 + nameLength, extraLength, uncompressedSize, compressedSize, localOffset);
		if (!extra) throw new ZipFormatError(`central header ${i} uses ZIP64 sizes without a ZIP64 extra field`);
		({ usz: uncompressedSize, csz: compressedSize, offset: localOffset } = extra);
	}
	return { name, method, flags, crc32, compressedSize, uncompressedSize, localOffset, next };
}

/**
 * The entry's local header must agree with its central header: readers that trust the local one, SheetJS's
 * among them, would otherwise unpack something other than what was checked. Returns where the entry's data
 * begins, and the local flags (an encryption flag may be set in either header).
 */
function checkLocalHeader(
	bytes: Uint8Array,
	entry: CentralHeader,
	i: number,
	cdOffset: number
): { dataOffset: number; localFlags: number } {
	const { name, localOffset } = entry;
	if (localOffset + 30 > cdOffset) throw new ZipFormatError(`entry ${i} "${name}" starts past the data area`);
	if (u32(bytes, localOffset) !== SIG_LOCAL) throw new ZipFormatError(`entry ${i} "${name}" has no local header`);
	const localFlags = u16(bytes, localOffset + 6);
	const localMethod = u16(bytes, localOffset + 8);
	const localCompressed = u32(bytes, localOffset + 18);
	const localUncompressed = u32(bytes, localOffset + 22);
	const localNameLength = u16(bytes, localOffset + 26);
	const localExtraLength = u16(bytes, localOffset + 28);
	if (localMethod !== entry.method) throw new ZipFormatError(`entry ${i} "${name}": compression method differs from the directory`);
	if (localNameLength !== name.length || latin1(bytes, localOffset + 30, localNameLength) !== name) {
		throw new ZipFormatError(`entry ${i} "${name}": name differs from the directory`);
	}
	if (!(localFlags & FLAG_DATA_DESCRIPTOR) && localCompressed !== U32_MAX && localUncompressed !== U32_MAX) {
		if (localCompressed !== entry.compressedSize || localUncompressed !== entry.uncompressedSize) {
			throw new ZipFormatError(`entry ${i} "${name}": sizes differ from the directory`);
		}
	}
	const dataOffset = localOffset + 30 + localNameLength + localExtraLength;
	if (dataOffset + entry.compressedSize > cdOffset) throw new ZipFormatError(`entry ${i} "${name}" runs past the data area`);
	return { dataOffset, localFlags };
}

/** Entries may not share bytes: sorted by position, each ends before the next begins. */
function checkNoOverlap(entries: ZipEntry[]): void {
	const byOffset = entries.slice().sort((a, b) => a.localOffset - b.localOffset);
	for (let i = 1; i < byOffset.length; i++) {
		const before = byOffset[i - 1];
		if (before.dataOffset + before.compressedSize > byOffset[i].localOffset) {
			throw new ZipFormatError(`entries "${before.name}" and "${byOffset[i].name}" overlap`);
		}
	}
}

// ---- limits -------------------------------------------------------------------------------------

function bomb(fileName: string, detail: string): SpreadsheetError {
	return new SpreadsheetError(
		'compressed-bomb',
		`The file "${fileName}" looks like a compressed bomb: ${detail}. It was not unpacked. Upload the spreadsheet itself (.xlsx, .xls, .ods or .csv); if this is one, split it into smaller files.`
	);
}

function times(ratio: number): string {
	return `${formatCount(Math.round(ratio))} times`;
}

/**
 * inspectZip, then the limits. Throws SpreadsheetError: 'unsupported' for a malformed archive,
 * 'compressed-bomb' for one beyond the limits.
 */
export function guardZip(bytes: Uint8Array, fileName: string, limits: Readonly<ReadLimits> = readLimits()): ZipDirectory {
	let dir: ZipDirectory;
	try {
		dir = inspectZip(bytes);
	} catch (error) {
		throw damaged(fileName, error);
	}
	const { entries, totalUncompressed } = dir;
	if (entries.length > limits.maxZipEntries) {
		throw bomb(
			fileName,
			`it holds ${formatCount(entries.length)} files inside, and a spreadsheet holds far fewer (the limit is ${formatCount(limits.maxZipEntries)})`
		);
	}
	if (totalUncompressed > limits.maxZipUncompressedBytes) {
		throw bomb(
			fileName,
			`it would expand to ${formatBytes(totalUncompressed)} (the limit is ${formatBytes(limits.maxZipUncompressedBytes)})`
		);
	}
	for (const entry of entries) {
		if (entry.uncompressedSize < limits.zipRatioMinBytes) continue;
		const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
		if (ratio > limits.maxZipRatio) {
			throw bomb(
				fileName,
				`a part of it would expand from ${formatBytes(entry.compressedSize)} to ${formatBytes(entry.uncompressedSize)}, ${times(ratio)} (a spreadsheet expands at most ${times(limits.maxZipRatio)})`
			);
		}
	}
	if (totalUncompressed >= limits.zipRatioMinBytes) {
		const ratio = totalUncompressed / bytes.length;
		if (ratio > limits.maxZipRatio) {
			throw bomb(
				fileName,
				`it would expand from ${formatBytes(bytes.length)} to ${formatBytes(totalUncompressed)}, ${times(ratio)} (a spreadsheet expands at most ${times(limits.maxZipRatio)})`
			);
		}
	}
	return dir;
}

// ---- unpacking ----------------------------------------------------------------------------------

export interface ZipFile {
	name: string;
	data: Uint8Array;
}

/**
 * Unpacks the entries of an inspected archive (those `keep` accepts: the caller may leave out parts it
 * never reads). Throws ZipFormatError for an unsupported compression method, invalid deflate data, data
 * longer or shorter than declared, or a CRC-32 mismatch.
 * Encrypted entries are the caller's to refuse first (their bytes are not deflate data).
 */
export function unzip(bytes: Uint8Array, dir: ZipDirectory, keep: (entry: ZipEntry) => boolean = () => true): ZipFile[] {
	return dir.entries.filter(keep).map((entry) => {
		const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
		let data: Uint8Array;
		if (entry.method === 0) {
			if (entry.compressedSize !== entry.uncompressedSize) throw new ZipFormatError(`"${entry.name}" is stored with two different sizes`);
			data = raw.slice();
		} else if (entry.method === 8) {
			try {
				data = inflateRaw(raw, entry.uncompressedSize);
			} catch (error) {
				throw new ZipFormatError(`"${entry.name}": ${(error as Error).message}`);
			}
		} else {
			throw new ZipFormatError(`"${entry.name}" uses compression method ${entry.method}`);
		}
		if (crc32(data) !== entry.crc32) throw new ZipFormatError(`"${entry.name}" fails its CRC-32 check`);
		return { name: entry.name, data };
	});
}

// ---- CRC-32 ---------------------------------------------------------------------------------------

// Slicing-by-8: eight tables of 256, where table k is the CRC of a byte followed by k zero bytes, so eight
// bytes take one step: about twice as fast as a byte at a time in V8 (40 MB in 45 ms rather than 90 here),
// and a large sheet is tens of MB of XML.
const CRC_TABLES = (() => {
	const tables = new Int32Array(8 * 256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		tables[n] = c;
	}
	for (let n = 0; n < 256; n++) {
		for (let k = 1; k < 8; k++) tables[k * 256 + n] = tables[tables[(k - 1) * 256 + n] & 0xff] ^ (tables[(k - 1) * 256 + n] >>> 8);
	}
	return tables;
})();

export function crc32(data: Uint8Array): number {
	const t = CRC_TABLES;
	let c = -1;
	let i = 0;
	const whole = data.length - (data.length % 8);
	for (; i < whole; i += 8) {
		const lo = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
		c =
			t[1792 + (lo & 0xff)] ^
			t[1536 + ((lo >>> 8) & 0xff)] ^
			t[1280 + ((lo >>> 16) & 0xff)] ^
			t[1024 + (lo >>> 24)] ^
			t[768 + data[i + 4]] ^
			t[512 + data[i + 5]] ^
			t[256 + data[i + 6]] ^
			t[data[i + 7]];
	}
	for (; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
	return (c ^ -1) >>> 0;
}

// ---- inflate ------------------------------------------------------------------------------------

/**
 * Inflates raw deflate data into exactly `size` bytes, with fflate writing into a buffer one byte
 * larger than declared: memory is bounded by the directory's claim, and a stream that would expand
 * beyond it, or ends short of it, is refused. fflate fails promptly on invalid data, where SheetJS's
 * own inflate can loop forever.
 */
export function inflateRaw(input: Uint8Array, size: number): Uint8Array {
	let out: Uint8Array;
	try {
		out = inflateSync(input, { out: new Uint8Array(size + 1) });
	} catch (error) {
		throw new Error(`invalid deflate data (${(error as Error).message})`, { cause: error });
	}
	if (out.length > size) throw new Error(`deflate data is longer than declared (${size} bytes)`);
	if (out.length < size) throw new Error(`deflate data is shorter than declared (${out.length} of ${size} bytes)`);
	return out;
}
