// The directory worker's logic, kept free of worker plumbing so tests can drive it: every local user and a
// search index over them (domain/user-search.ts), rebuilt when told the stored users changed (bursts
// coalesce into one reload), answering one page of a search at a time. The index keeps the last search, so
// paging through it does not scan again and a query that extends it only checks its matches.
import type { UserRecord } from '../domain/types';
import { UserSearch } from '../domain/user-search';
import type { DirectoryQuery, DirectoryView } from './protocol';

interface Loaded {
	search: UserSearch<UserRecord>;
	counts: [accountId: string, users: number][];
}

function index(users: readonly UserRecord[]): Loaded {
	const counts = new Map<string, number>();
	for (const user of users) counts.set(user.accountId, (counts.get(user.accountId) ?? 0) + 1);
	return { search: new UserSearch(users), counts: [...counts] };
}

export class DirectoryService {
	private loaded: Loaded = index([]);
	private stale = true;
	private loading: Promise<void> | undefined;

	constructor(private readonly load: () => Promise<UserRecord[]>) {}

	/** The stored users changed: the next answer reads them again. */
	markStale(): void {
		this.stale = true;
	}

	async view(request: DirectoryQuery): Promise<DirectoryView> {
		await this.fresh();
		const { search, counts } = this.loaded;
		const { users } = search;
		const query = request.query.trim();
		const hits = query || request.accountId ? search.search(query, request.accountId) : undefined;
		const matchCount = hits ? hits.length : users.length;
		const pageSize = Math.max(1, Math.floor(request.pageSize));
		const pageCount = Math.max(1, Math.ceil(matchCount / pageSize));
		const page = Math.min(Math.max(0, Math.floor(request.page)), pageCount - 1);
		const start = page * pageSize;
		const shown = hits ? hits.slice(start, start + pageSize).map((i) => users[i]) : users.slice(start, start + pageSize);
		return { total: users.length, matchCount, page, pageCount, users: shown, counts };
	}

	private async fresh(): Promise<void> {
		for (;;) {
			if (this.loading) {
				await this.loading;
				continue;
			}
			if (!this.stale) return;
			this.stale = false;
			// The old index goes first, so two copies of every user are never held at once (answers wait
			// for the load anyway).
			this.loaded = index([]);
			this.loading = this.load()
				.then(
					(users) => {
						this.loaded = index(users);
					},
					(error: unknown) => {
						this.stale = true;
						throw error;
					}
				)
				.finally(() => (this.loading = undefined));
		}
	}
}
