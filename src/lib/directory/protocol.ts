// What the Users screen asks the directory worker and what it answers. The worker holds every local user in
// memory so the page never has to: searching, paging and counting 100,000 users happen off the UI
// thread, and the page's heap stays small enough that garbage collection never freezes it.
import type { UserRecord } from '../domain/types';

export interface DirectoryQuery {
	/** Whitespace-separated terms, all of which must appear in username, name, email or Account ID. */
	query: string;
	/** Only users of this account; '' for all. */
	accountId: string;
	/** 0-based; clamped to the last page by the worker. */
	page: number;
	pageSize: number;
}

export interface DirectoryView {
	/** Every local user. */
	total: number;
	matchCount: number;
	/** The page actually returned (after clamping). */
	page: number;
	pageCount: number;
	users: UserRecord[];
	/** Users per Account ID, for the institutions table. */
	counts: [accountId: string, users: number][];
}
