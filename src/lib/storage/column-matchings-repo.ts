// Column matchings the admin confirmed in Match columns, remembered on this device for exactly that header
// row and offered first the next time ("Matched like your upload of …"). A short list in the meta table:
// the most recent MAX_REMEMBERED header rows.
import type { RememberedMatching } from '../domain/header-match';
import { db, guarded, type PortalDb } from './db';

const KEY = 'columnMatchings';
export const MAX_REMEMBERED = 20;

interface Stored extends RememberedMatching {
	/** header-match.ts headerKey: the exact header row. */
	key: string;
}

export async function findMatching(key: string, database: PortalDb = db()): Promise<RememberedMatching | undefined> {
	return guarded(async () => {
		const list = ((await database.meta.get(KEY))?.value as Stored[] | undefined) ?? [];
		const found = list.find((m) => m.key === key);
		return found && { fileName: found.fileName, usedAt: found.usedAt, targets: found.targets };
	});
}

export async function rememberMatching(key: string, matching: RememberedMatching, database: PortalDb = db()): Promise<void> {
	await guarded(() =>
		database.transaction('rw', database.meta, async () => {
			const list = ((await database.meta.get(KEY))?.value as Stored[] | undefined) ?? [];
			const next = [{ key, ...matching }, ...list.filter((m) => m.key !== key)].slice(0, MAX_REMEMBERED);
			await database.meta.put({ key: KEY, value: next });
		})
	);
}
