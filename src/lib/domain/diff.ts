// Owns comparing two flat records (tldraw's RecordsDiff shape, for one record): what was added,
// what changed (as [from, to]) and what was removed. Used for a row's before -> after.

export interface RecordDiff<T extends object> {
	added: Partial<T>;
	updated: { [K in keyof T]?: [from: T[K], to: T[K]] };
	removed: Partial<T>;
}

/** Keys whose value is undefined count as absent. Values compare with Object.is. */
export function diffRecords<T extends object>(before: Partial<T>, after: Partial<T>): RecordDiff<T> {
	const diff: RecordDiff<T> = { added: {}, updated: {}, removed: {} };
	for (const key of Object.keys(after) as (keyof T)[]) {
		const to = after[key];
		if (to === undefined) continue;
		const from = before[key];
		if (from === undefined) diff.added[key] = to;
		else if (!Object.is(from, to)) diff.updated[key] = [from, to] as [T[typeof key], T[typeof key]];
	}
	for (const key of Object.keys(before) as (keyof T)[]) {
		if (before[key] !== undefined && after[key] === undefined) diff.removed[key] = before[key];
	}
	return diff;
}

export function isEmptyDiff<T extends object>(diff: RecordDiff<T>): boolean {
	return Object.keys(diff.added).length === 0 && Object.keys(diff.updated).length === 0 && Object.keys(diff.removed).length === 0;
}
