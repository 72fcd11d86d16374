// Live queries without leaking Dexie: the callback re-runs whenever the tables it read change, in this
// tab, another tab, or the spreadsheet worker (Dexie broadcasts changes across them).
import { liveQuery } from 'dexie';
import { toStorageError } from './db';

export function watch<T>(query: () => Promise<T>, next: (value: T) => void, onError: (error: unknown) => void = () => {}): () => void {
	const subscription = liveQuery(query).subscribe({ next, error: (e) => onError(toStorageError(e)) });
	return () => subscription.unsubscribe();
}
