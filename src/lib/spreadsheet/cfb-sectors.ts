// Owns finding the sectors of an OLE compound file (.xls, encrypted .xlsx) as SheetJS's container reader
// finds them: the sector size its header gives, the file after the header cut into sectors, and the FAT
// that chains them, whose own sectors the header and the DIFAT chain list. cfb-guard.ts walks every chain
// of this FAT to refuse what would trap SheetJS, and cfb-streams.ts reads streams through the same FAT, so
// the chains read are the chains checked.

/** What is wrong with the container, for the cause of a refusal. */
export class CompoundFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CompoundFileError';
	}
}

/** A little-endian signed 32-bit integer as SheetJS reads one (__readInt32LE): bytes past the end read as 0. */
export function i32(data: Uint8Array, at: number): number {
	return (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8) | ((data[at + 2] ?? 0) << 16) | ((data[at + 3] ?? 0) << 24);
}

export interface CompoundFileSectors {
	/** 512 bytes (version 3) or 4096 (version 4). */
	sectorSize: number;
	/** Sectors after the header; the last one may be short. */
	count: number;
	/** Sector i, or undefined where the file has none (past its end, or a marker such as -2). */
	sector(i: number): Uint8Array | undefined;
	/** The FAT's own sectors, in order, including the free-sector markers SheetJS keeps from the DIFAT. */
	fatSectors: number[];
	/** The sector after j in its chain: -1 at the end of the chain, or where the FAT has no sector for j. */
	next(j: number): number;
}

/** Throws CompoundFileError for a file shorter than the header, a version SheetJS does not read, or a DIFAT
 * chain that is longer than the file or loops. */
export function compoundFileSectors(bytes: Uint8Array): CompoundFileSectors {
	if (bytes.length < 512) throw new CompoundFileError('shorter than its header');
	const major = bytes[26] | (bytes[27] << 8);
	if (major !== 3 && major !== 4) throw new CompoundFileError(`version ${major}`);
	const sectorSize = major === 3 ? 512 : 4096;
	const perSector = sectorSize / 4;
	// As SheetJS's sectorify: the file after the header, in pieces of sectorSize (the last one may be short).
	const count = Math.ceil(bytes.length / sectorSize) - 1;
	const sector = (i: number): Uint8Array | undefined =>
		Number.isInteger(i) && i >= 0 && i < count ? bytes.subarray((i + 1) * sectorSize, (i + 2) * sectorSize) : undefined;
	// FAT sector addresses: 109 in the header (up to the first negative), then the DIFAT chain, whose
	// entries SheetJS's sleuth_fat takes up to an end-of-chain marker (free-sector markers included) from as
	// many DIFAT sectors as the header declares.
	const fatSectors: number[] = [];
	for (let j = 0; j < 109; j++) {
		const q = i32(bytes, 76 + 4 * j);
		if (q < 0) break;
		fatSectors.push(q);
	}
	let difat = i32(bytes, 68);
	let difatCount = i32(bytes, 72);
	if (difatCount > count + 1) throw new CompoundFileError(`${difatCount} DIFAT sectors in a file of ${count} sectors`);
	for (let level = 0; difat !== -2 && difat !== -1; level++) {
		const page = sector(difat);
		if (!page) break;
		for (let k = 0; k < perSector - 1; k++) {
			const q = i32(page, k * 4);
			if (q === -2) break;
			fatSectors.push(q);
		}
		if (difatCount < 1) break;
		difatCount--;
		difat = i32(page, sectorSize - 4);
		if (level > count) throw new CompoundFileError('the DIFAT chain loops');
	}
	// As SheetJS's get_sector_list computes the next sector; any negative entry ends the chain.
	const next = (j: number): number => {
		const page = sector(fatSectors[Math.floor((j * 4) / sectorSize)]);
		if (!page) return -1;
		const v = i32(page, (j * 4) & (sectorSize - 1));
		return v >= 0 ? v : -1;
	};
	return { sectorSize, count, sector, fatSectors, next };
}
