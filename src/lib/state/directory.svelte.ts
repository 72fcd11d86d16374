// What the Institutions & Users screens read: the admin's institutions with user counts, and an
// in-memory index of every local user for instant search and paging. It reloads when the local
// database says users changed (meta.usersVersion), whichever tab or worker changed them.
import { UserIndex } from '../domain/user-index';
import type { Institution, UserRecord } from '../domain/types';
import { listInstitutions } from '../storage/institutions-repo';
import { watch } from '../storage/live';
import { getMeta } from '../storage/meta-repo';
import { forEachUserChunk } from '../storage/users-repo';
import { saveFile } from './save-file';
import { describe } from './session.svelte';
import { spreadsheets } from './spreadsheets';

export const PAGE_SIZE = 50;

export class DirectoryState {
	institutions = $state.raw<Institution[]>([]);
	index = $state.raw(new UserIndex<UserRecord>());
	loaded = $state(false);
	error = $state<string | null>(null);

	query = $state('');
	accountFilter = $state('');
	page = $state(0);

	/** Positions into index.users matching the search, in index order. */
	readonly matches = $derived.by(() => {
		const q = this.query.trim();
		if (!q && !this.accountFilter) return null;
		return this.index.search(q, this.accountFilter || undefined);
	});
	readonly matchCount = $derived(this.matches ? this.matches.length : this.index.users.length);
	readonly pageCount = $derived(Math.max(1, Math.ceil(this.matchCount / PAGE_SIZE)));
	readonly pageUsers = $derived.by(() => {
		const start = Math.min(this.page, this.pageCount - 1) * PAGE_SIZE;
		const users = this.index.users;
		if (!this.matches) return users.slice(start, start + PAGE_SIZE);
		return this.matches.slice(start, start + PAGE_SIZE).map((i) => users[i]);
	});
	readonly userCounts = $derived(this.index.countByAccount);
	readonly institutionsById = $derived(new Map(this.institutions.map((i) => [i.accountId, i])));

	private stop: (() => void)[] = [];

	start(): void {
		this.stopWatching();
		this.stop.push(
			watch(
				() => listInstitutions(),
				(list) => (this.institutions = list.sort((a, b) => a.name.localeCompare(b.name))),
				(e) => (this.error = String((e as Error).message ?? e))
			),
			watch(
				() => getMeta('usersVersion'),
				() => void this.reloadUsers(),
				(e) => (this.error = String((e as Error).message ?? e))
			)
		);
	}

	stopWatching(): void {
		for (const stop of this.stop) stop();
		this.stop = [];
	}

	private loading: Promise<void> | undefined;
	private again = false;

	/** Coalesces bursts of changes (a sync settles many chunks) into one reload at a time. */
	private async reloadUsers(): Promise<void> {
		if (this.loading) {
			this.again = true;
			return this.loading;
		}
		this.loading = (async () => {
			do {
				this.again = false;
				// Built aside and swapped in whole, one chunk per task, so the table never shows half a
				// reload and the main thread never blocks for long (users are stored sorted).
				const next = new UserIndex<UserRecord>();
				// Each chunk arrives in its own IndexedDB success task: that is the yield.
				await forEachUserChunk((users) => next.addAll(users));
				this.index = next;
				if (!this.loaded) performance.mark('users:ready');
				this.loaded = true;
			} while (this.again);
		})().finally(() => (this.loading = undefined));
		return this.loading;
	}

	/** "Export Institutions": the workbook is built in the worker from the local copy, so it works offline. */
	async exportInstitutions(): Promise<void> {
		try {
			const file = await spreadsheets.request<'file'>({ type: 'institutions' });
			saveFile(file.bytes, file.fileName);
			this.error = null;
		} catch (error) {
			this.error = describe(error);
		}
	}

	setQuery(query: string): void {
		this.query = query;
		this.page = 0;
	}

	setAccountFilter(accountId: string): void {
		this.accountFilter = accountId;
		this.page = 0;
	}

	reset(): void {
		this.stopWatching();
		this.institutions = [];
		this.index = new UserIndex();
		this.loaded = false;
		this.query = '';
		this.accountFilter = '';
		this.page = 0;
	}
}


export const directory = new DirectoryState();
