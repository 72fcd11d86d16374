// A ZIP writer for fixture scripts, with every field under control (sizes, flags, ZIP64, duplicate entries)
// and deterministic output: fixed dates and zlib level 9, so re-running a script gives identical bytes.
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../src/lib/spreadsheet/zip-guard';

export interface ZipPart {
	name: string;
	data: Uint8Array;
	/** Stored instead of deflated. */
	store?: boolean;
	/** Replace the deflated bytes (the sizes and CRC stay those of `data`). */
	compressed?: Uint8Array;
	/** Declared uncompressed size (central and local header), when it should lie. */
	declaredSize?: number;
	/** General purpose flags (e.g. 1 = encrypted). */
	flags?: number;
}

export interface ZipOptions {
	/** Write the ZIP64 end records and extra fields, with 0xFFFF/0xFFFFFFFF in the classic fields. */
	zip64?: boolean;
	/** Add a second central directory entry for the local entry at this index (two entries, one body). */
	duplicate?: number;
}

const DOS_TIME = 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

export function zip(parts: ZipPart[], options: ZipOptions = {}): Uint8Array {
	const chunks: Buffer[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	const offsets: number[] = [];
	const records = parts.map((part) => {
		const compressed = part.compressed ?? (part.store ? part.data : new Uint8Array(deflateRawSync(part.data, { level: 9 })));
		return { part, compressed, method: part.store ? 0 : 8, crc: crc32(part.data), size: part.declaredSize ?? part.data.length };
	});
	for (const { part, compressed, method, crc, size } of records) {
		const name = Buffer.from(part.name, 'latin1');
		const extra = options.zip64 ? zip64Extra(size, compressed.length, null) : Buffer.alloc(0);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(options.zip64 ? 45 : 20, 4);
		local.writeUInt16LE(part.flags ?? 0, 6);
		local.writeUInt16LE(method, 8);
		local.writeUInt16LE(DOS_TIME, 10);
		local.writeUInt16LE(DOS_DATE, 12);
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(options.zip64 ? 0xffffffff : compressed.length, 18);
		local.writeUInt32LE(options.zip64 ? 0xffffffff : size, 22);
		local.writeUInt16LE(name.length, 26);
		local.writeUInt16LE(extra.length, 28);
		offsets.push(offset);
		chunks.push(local, name, extra, Buffer.from(compressed));
		offset += local.length + name.length + extra.length + compressed.length;
	}
	const listed = options.duplicate === undefined ? records.map((_, i) => i) : [...records.map((_, i) => i), options.duplicate];
	listed.forEach((i) => {
		const { part, compressed, method, crc, size } = records[i];
		const name = Buffer.from(part.name, 'latin1');
		const localOffset = offsets[i];
		const extra = options.zip64 ? zip64Extra(size, compressed.length, localOffset) : Buffer.alloc(0);
		const header = Buffer.alloc(46);
		header.writeUInt32LE(0x02014b50, 0);
		header.writeUInt16LE(options.zip64 ? 45 : 20, 4);
		header.writeUInt16LE(options.zip64 ? 45 : 20, 6);
		header.writeUInt16LE(part.flags ?? 0, 8);
		header.writeUInt16LE(method, 10);
		header.writeUInt16LE(DOS_TIME, 12);
		header.writeUInt16LE(DOS_DATE, 14);
		header.writeUInt32LE(crc, 16);
		header.writeUInt32LE(options.zip64 ? 0xffffffff : compressed.length, 20);
		header.writeUInt32LE(options.zip64 ? 0xffffffff : size, 24);
		header.writeUInt16LE(name.length, 28);
		header.writeUInt16LE(extra.length, 30);
		header.writeUInt32LE(options.zip64 ? 0xffffffff : localOffset, 42);
		central.push(header, name, extra);
	});
	const cd = Buffer.concat(central);
	const cdOffset = offset;
	const tail: Buffer[] = [cd];
	if (options.zip64) {
		const record = Buffer.alloc(56);
		record.writeUInt32LE(0x06064b50, 0);
		record.writeBigUInt64LE(44n, 4);
		record.writeUInt16LE(45, 12);
		record.writeUInt16LE(45, 14);
		record.writeBigUInt64LE(BigInt(listed.length), 24);
		record.writeBigUInt64LE(BigInt(listed.length), 32);
		record.writeBigUInt64LE(BigInt(cd.length), 40);
		record.writeBigUInt64LE(BigInt(cdOffset), 48);
		const locator = Buffer.alloc(20);
		locator.writeUInt32LE(0x07064b50, 0);
		locator.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
		locator.writeUInt32LE(1, 16);
		tail.push(record, locator);
	}
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(options.zip64 ? 0xffff : listed.length, 8);
	eocd.writeUInt16LE(options.zip64 ? 0xffff : listed.length, 10);
	eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cd.length, 12);
	eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cdOffset, 16);
	tail.push(eocd);
	return new Uint8Array(Buffer.concat([...chunks, ...tail]));
}

function zip64Extra(size: number, compressed: number, localOffset: number | null): Buffer {
	const body = Buffer.alloc(localOffset === null ? 16 : 24);
	body.writeBigUInt64LE(BigInt(size), 0);
	body.writeBigUInt64LE(BigInt(compressed), 8);
	if (localOffset !== null) body.writeBigUInt64LE(BigInt(localOffset), 16);
	const head = Buffer.alloc(4);
	head.writeUInt16LE(0x0001, 0);
	head.writeUInt16LE(body.length, 2);
	return Buffer.concat([head, body]);
}
