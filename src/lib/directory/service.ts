// The directory worker's logic, kept free of worker plumbing so tests can drive it: an index of every
// local user, rebuilt when told the stored users changed (bursts coalesce into one reload), answering
// one page of a search at a time. The last search is cached, so paging through it does not scan again.
import { UserIndex } from '../domain/user-index';
import type { UserRecord } from '../domain/types';
import type { DirectoryQuery, DirectoryView } from './protocol';

export class DirectoryService {
	private index = new UserIndex<UserRecord>();
	private stale = true;
	private loading: Promise<void> | undefined;
	private lastSearch: { query: string; accountId: string; index: UserIndex<UserRecord>; hits: number[] } | undefined;

	constructor(private readonly load: () => Promise<UserRecord[]>) {}

	/** The stored users changed: the next answer reads them again. */
	markStale(): void {
		this.stale = true;
	}

	async view(request: DirectoryQuery): Promise<DirectoryView> {
		await this.fresh();
		const { index } = this;
		const query = request.query.trim();
		const hits = query || request.accountId ? this.search(index, query, request.accountId) : undefined;
		const matchCount = hits ? hits.length : index.users.length;
		const pageSize = Math.max(1, Math.floor(request.pageSize));
		const pageCount = Math.max(1, Math.ceil(matchCount / pageSize));
		const page = Math.min(Math.max(0, Math.floor(request.page)), pageCount - 1);
		const start = page * pageSize;
		const users = hits ? hits.slice(start, start + pageSize).map((i) => index.users[i]) : index.users.slice(start, start + pageSize);
		return { total: index.users.length, matchCount, page, pageCount, users, counts: [...index.countByAccount] };
	}

	private search(index: UserIndex<UserRecord>, query: string, accountId: string): number[] {
		const last = this.lastSearch;
		if (last && last.index === index && last.query === query && last.accountId === accountId) return last.hits;
		const hits = index.search(query, accountId || undefined);
		this.lastSearch = { query, accountId, index, hits };
		return hits;
	}

	private async fresh(): Promise<void> {
		for (;;) {
			if (this.loading) {
				await this.loading;
				continue;
			}
			if (!this.stale) return;
			this.stale = false;
			this.loading = this.load()
				.then(
					(users) => {
						const next = new UserIndex(users);
						next.prepareSearch();
						this.index = next;
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
