// Owns checking an OLE compound file (.xls, encrypted .xlsx) before SheetJS's container reader walks it:
// the loops and repeated copies that reader has no defence against are refused here, as damage.
import { compoundFileSectors, i32 } from './cfb-sectors';

/** Directory entries (streams and storages) of a compound file; an .xls has about ten, with macros a few dozen. */
const MAX_CFB_ENTRIES = 4096;

/**
 * OLE compound files (.xls, encrypted .xlsx): SheetJS's container reader loops without bound on two kinds
 * of damage, appending to an array until V8 aborts the whole process ("invalid size error"; in a browser
 * that takes the tab down with the worker, beyond the reach of any time limit). One flipped byte does it:
 * - a stream whose sector chain (through the FAT) loops: get_sector_list has no cycle check;
 * - a directory whose sibling/child links loop: build_full_paths keeps queueing the same entries, or
 *   keeps prepending a parent's name.
 * Both are walked here first, exactly as SheetJS will walk them, and refused. So are containers that make it
 * copy one region many times (chains that merge, streams larger than the file together), and, through
 * compoundFileSectors, a DIFAT chain that loops or outruns the file, a file shorter than its header and a
 * version SheetJS does not read. SheetJS's other failures on broken containers are exceptions, which the
 * callers wrap.
 */
export function checkCompoundFile(bytes: Uint8Array): void {
	const { sectorSize: ssz, count, sector, fatSectors: fatPages, next } = compoundFileSectors(bytes);
	const perPage = ssz / 4;
	if (fatPages.filter((p) => sector(p)).length > count) throw new Error('more FAT sectors than sectors');
	// Every chain through the FAT, as get_sector_list walks it; three colours find cycles in O(n).
	const colour = new Map<number, Uint8Array>(); // per FAT page: 0 unvisited, 1 on the current walk, 2 done
	const state = (j: number): Uint8Array => {
		const p = Math.floor(j / perPage);
		let c = colour.get(p);
		if (!c) colour.set(p, (c = new Uint8Array(perPage)));
		return c;
	};
	const path: number[] = [];
	const targets = new Set<number>();
	fatPages.forEach((p, pageIndex) => {
		if (!sector(p)) return;
		for (let k = 0; k < perPage; k++) {
			// Chains never share sectors: where two meet, SheetJS copies the shared tail once per chain.
			const target = next(pageIndex * perPage + k);
			if (target >= 0) {
				if (targets.has(target)) throw new Error(`two sector chains continue at ${target}`);
				targets.add(target);
			}
			for (let j = pageIndex * perPage + k; j >= 0 && sector(fatPages[Math.floor(j / perPage)]); j = next(j)) {
				const c = state(j);
				const at = j % perPage;
				if (c[at] === 2) break;
				if (c[at] === 1) throw new Error(`the sector chain through ${j} loops`);
				c[at] = 1;
				path.push(j);
			}
			for (const j of path) state(j)[j % perPage] = 2;
			path.length = 0;
		}
	});

	// The directory: the chain from its first sector (as make_sector_list, missing sectors skipped), in
	// 128-byte entries; then build_full_paths's walks over their L/R/C links, bounded.
	const dirStart = i32(bytes, 48);
	if (!sector(dirStart)) return; // SheetJS fails with an exception
	const parts: Uint8Array[] = [];
	const seen = new Set<number>();
	for (let j = dirStart; j >= 0;) {
		seen.add(j);
		const data = sector(j);
		if (data) parts.push(data);
		const page = sector(fatPages[Math.floor((j * 4) / ssz)]);
		if (!page) break;
		j = i32(page, (j * 4) & (ssz - 1));
		if (seen.has(j)) break;
	}
	const dirLength = parts.reduce((n, p) => n + p.length, 0);
	const entries = Math.ceil(dirLength / 128);
	if (entries > MAX_CFB_ENTRIES) throw new Error(`${entries} directory entries`);
	const dir = new Uint8Array(dirLength);
	parts.reduce((at, p) => (dir.set(p, at), at + p.length), 0);
	const entry = (i: number) => ({
		type: dir[i * 128 + 66] ?? 0,
		L: i32(dir, i * 128 + 68),
		R: i32(dir, i * 128 + 72),
		C: i32(dir, i * 128 + 76),
		size: i32(dir, i * 128 + 120)
	});
	const FI = Array.from({ length: entries }, (_, i) => entry(i));
	// Streams read through the FAT are copied out one by one: together they cannot exceed the file.
	const streamed = FI.reduce((sum, e) => sum + (e.type !== 5 && e.size >= 4096 ? e.size : 0), 0);
	if (streamed > bytes.length) throw new Error(`streams of ${streamed} bytes in a file of ${bytes.length}`);
	// build_full_paths, verbatim but for the bounds (sparse arrays keyed by numbers, as in SheetJS).
	const pl = entries;
	const dad: number[] = [];
	const q: number[] = [];
	let i = 0;
	let L = 0;
	let R = 0;
	// eslint-disable-next-line no-useless-assignment -- kept as SheetJS's build_full_paths declares it
	let C = 0;
	for (; i < pl; ++i) dad[i] = q[i] = i;
	for (let j = 0; j < q.length; ++j) {
		if (q.length > 4 * pl + 16) throw new Error('the directory tree loops');
		i = q[j];
		if (!FI[i]) return; // SheetJS throws a TypeError here
		({ L, R, C } = FI[i]);
		if (dad[i] === i) {
			if (L !== -1 && dad[L] !== L) dad[i] = dad[L];
			if (R !== -1 && dad[R] !== R) dad[i] = dad[R];
		}
		if (C !== -1) dad[C] = i;
		if (L !== -1 && i != dad[i]) {
			dad[L] = dad[i];
			if (q.lastIndexOf(L) < j) q.push(L);
		}
		if (R !== -1 && i != dad[i]) {
			dad[R] = dad[i];
			if (q.lastIndexOf(R) < j) q.push(R);
		}
	}
	for (i = 1; i < pl; ++i) {
		if (dad[i] === i) {
			if (R !== -1 && dad[R] !== R) dad[i] = dad[R];
			else if (L !== -1 && dad[L] !== L) dad[i] = dad[L];
		}
	}
	for (i = 1; i < pl; ++i) {
		if (FI[i].type === 0) continue;
		let j: number = i;
		let steps = 0;
		if (j != dad[j]) {
			do {
				j = dad[j];
				if (++steps > pl + 1) throw new Error('the directory tree loops');
			} while (j !== 0 && -1 !== dad[j] && j != dad[j]);
		}
		dad[i] = -1;
	}
}
