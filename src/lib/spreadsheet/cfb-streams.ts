// Owns reading the streams of an OLE compound file (.xls) as bytes, for SheetJS's BIFF parser to read the
// Workbook stream directly. SheetJS's own container reader copies every sector chain of the file into a
// plain array, one number per byte (8 bytes each in a browser), and XLSX.read does it again: a 40 MB .xls
// cost ~700 MB before a single cell was read. Here a stream is one Uint8Array, read only when asked for.
// Run checkCompoundFile (cfb-guard.ts) first: it refuses the loops this reader would otherwise follow.
import { CompoundFileError, compoundFileSectors, i32 } from './cfb-sectors';

export interface CompoundFile {
	/** Names of the directory's streams and storages, as stored. */
	names: string[];
	/** A stream's bytes by name (any case), or null when there is no such stream. */
	stream(name: string): Uint8Array | null;
}

export function readCompoundFile(bytes: Uint8Array): CompoundFile {
	const { sectorSize: ssz, count, sector, next } = compoundFileSectors(bytes);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	/** A chain of sectors through the FAT, at most `limit` bytes. */
	const chain = (start: number, limit: number): Uint8Array => {
		const parts: Uint8Array[] = [];
		let size = 0;
		for (let j = start, steps = 0; j >= 0 && size < limit; j = next(j), steps++) {
			const data = sector(j);
			if (!data || steps > count) break;
			parts.push(data);
			size += data.length;
		}
		const out = new Uint8Array(Math.min(size, limit));
		let at = 0;
		for (const part of parts) {
			const take = Math.min(part.length, out.length - at);
			out.set(part.subarray(0, take), at);
			at += take;
		}
		return out;
	};

	const dir = chain(i32(bytes, 48), bytes.length);
	const entries = Array.from({ length: Math.floor(dir.length / 128) }, (_, i) => {
		const at = i * 128;
		const nameBytes = Math.min(dir[at + 64] | (dir[at + 65] << 8), 64);
		let name = '';
		for (let k = 0; k + 1 < nameBytes; k += 2) {
			const unit = dir[at + k] | (dir[at + k + 1] << 8);
			if (unit === 0) break;
			name += String.fromCharCode(unit);
		}
		return {
			name,
			type: dir[at + 66],
			start: i32(dir, at + 116),
			size: new DataView(dir.buffer, dir.byteOffset + at + 120, 4).getUint32(0, true)
		};
	});
	if (entries.length === 0 || entries[0].type !== 5) throw new CompoundFileError('no root entry');

	// Streams under the cutoff live in the mini stream (the root's chain), in 64-byte sectors chained
	// through the MiniFAT.
	const cutoff = view.getUint32(56, true) || 4096;
	let mini: { data: Uint8Array; fat: Uint8Array } | null = null;
	const miniStream = () =>
		(mini ??= { data: chain(entries[0].start, entries[0].size), fat: chain(i32(bytes, 60), view.getUint32(64, true) * ssz) });
	const miniChain = (start: number, size: number): Uint8Array => {
		const { data, fat } = miniStream();
		// A chain that runs past the end of the MiniFAT ends there.
		const miniNext = (j: number) => (j * 4 + 4 <= fat.length ? i32(fat, j * 4) : -1);
		const out = new Uint8Array(size);
		let at = 0;
		for (let j = start, steps = 0; j >= 0 && at < size && steps <= fat.length / 4; j = miniNext(j), steps++) {
			const piece = data.subarray(j * 64, j * 64 + 64);
			if (piece.length === 0) break;
			const take = Math.min(piece.length, size - at);
			out.set(piece.subarray(0, take), at);
			at += take;
		}
		return at === size ? out : out.subarray(0, at);
	};

	return {
		names: entries.map((e) => e.name),
		stream(name) {
			const entry = entries.find((e) => e.type === 2 && e.name.toLowerCase() === name.toLowerCase());
			if (!entry) return null;
			if (entry.size > bytes.length) {
				throw new CompoundFileError(`stream "${entry.name}" of ${entry.size} bytes in a file of ${bytes.length}`);
			}
			return entry.size < cutoff ? miniChain(entry.start, entry.size) : chain(entry.start, entry.size);
		}
	};
}
