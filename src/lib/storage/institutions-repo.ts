// The admin's child institutions: a few dozen rows, stored one record each.
import type { Institution } from '../domain/types';
import { db, guarded, type PortalDb } from './db';

export async function replaceInstitutions(institutions: Institution[], database: PortalDb = db()): Promise<void> {
	await guarded(() =>
		database.transaction('rw', database.institutions, async () => {
			await database.institutions.clear();
			await database.institutions.bulkPut(institutions);
		})
	);
}

export async function listInstitutions(database: PortalDb = db()): Promise<Institution[]> {
	return guarded(() => database.institutions.toArray());
}
