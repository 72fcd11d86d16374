// What the Institutions & Users screens read: the admin's institutions with user counts, and one page
// of users for the current search. The users themselves live in the directory worker (see
// src/lib/directory/protocol.ts); this class asks it for the page to show and drops answers to
// superseded requests. It asks again whenever the local database says users changed
// (meta.usersVersion), whichever tab or worker changed them.
import { createDirectoryWorker } from '../directory/client';
import type { DirectoryView } from '../directory/protocol';
import type { Institution, UserRecord } from '../domain/types';
import { listInstitutions } from '../storage/institutions-repo';
import { watch } from '../storage/live';
import { getMeta } from '../storage/meta-repo';
import { saveFile } from './save-file';
import { describe, session } from './session.svelte';
import { dataWorker } from '../worker/client';

export const PAGE_SIZE = 50;

export class DirectoryState {
	institutions = $state.raw<Institution[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);

	query = $state('');
	accountFilter = $state('');
	page = $state(0);

	/** Every local user, the users matching the search, and the page of them on screen. */
	totalUsers = $state(0);
	matchCount = $state(0);
	pageCount = $state(1);
	pageUsers = $state.raw<UserRecord[]>([]);
	/** A search or page request is waiting for the worker's answer. */
	busy = $state(false);
	userCounts = $state.raw(new Map<string, number>());
	readonly institutionsById = $derived(new Map(this.institutions.map((i) => [i.accountId, i])));

	private stop: (() => void)[] = [];
	/** Bumped by reset(): answers to requests from before it are dropped. */
	private generation = 0;
	private inFlight = false;
	/** Asked while a request was on its way: sent when its answer arrives. */
	private waiting: { reload: boolean } | null = null;

	constructor(private readonly client = createDirectoryWorker()) {
		session.on('ready', () => this.start());
		// Signing out frees the worker and every user it held.
		session.on('ended', () => this.reset());
	}

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
				() => void this.show(true),
				(e) => (this.error = String((e as Error).message ?? e))
			)
		);
	}

	stopWatching(): void {
		for (const stop of this.stop) stop();
		this.stop = [];
	}

	/**
	 * Asks the worker for the current page. At most one request is on its way: what is asked meanwhile
	 * waits and is sent, as the screen then stands, when the answer arrives, which is dropped as stale. So
	 * fast typing never queues up searches the worker would run one after another for nobody.
	 */
	private async show(reload = false): Promise<void> {
		this.busy = true;
		if (this.inFlight) {
			this.waiting = { reload: reload || (this.waiting?.reload ?? false) };
			return;
		}
		this.inFlight = true;
		const generation = this.generation;
		try {
			for (;;) {
				try {
					const view = await this.client.call('view', {
						query: { query: this.query, accountId: this.accountFilter, page: this.page, pageSize: PAGE_SIZE },
						reload
					});
					if (generation !== this.generation) return;
					if (!this.waiting) this.showView(view);
				} catch (error) {
					if (generation !== this.generation) return;
					if (!this.waiting) this.error = describe(error);
				}
				if (!this.waiting) return;
				reload = this.waiting.reload;
				this.waiting = null;
			}
		} finally {
			if (generation === this.generation) {
				this.inFlight = false;
				this.busy = false;
			}
		}
	}

	private showView(view: DirectoryView): void {
		this.totalUsers = view.total;
		this.matchCount = view.matchCount;
		this.pageCount = view.pageCount;
		this.page = view.page;
		this.pageUsers = view.users;
		this.userCounts = new Map(view.counts);
		if (!this.loaded) performance.mark('users:ready');
		this.loaded = true;
		this.error = null;
	}

	/** "Export Institutions": the workbook is built in the worker from the local copy, so it works offline. */
	async exportInstitutions(): Promise<void> {
		try {
			const file = await dataWorker.call('institutions');
			saveFile(file.blob, file.fileName);
			this.error = null;
		} catch (error) {
			this.error = describe(error);
		}
	}

	setQuery(query: string): void {
		this.query = query;
		this.page = 0;
		void this.show();
	}

	setAccountFilter(accountId: string): void {
		this.accountFilter = accountId;
		this.page = 0;
		void this.show();
	}

	goToPage(page: number): void {
		this.page = Math.min(Math.max(0, page), this.pageCount - 1);
		void this.show();
	}

	reset(): void {
		this.stopWatching();
		this.client.stop();
		this.generation++;
		this.inFlight = false;
		this.waiting = null;
		this.institutions = [];
		this.totalUsers = 0;
		this.matchCount = 0;
		this.pageCount = 1;
		this.pageUsers = [];
		this.userCounts = new Map();
		this.busy = false;
		this.loaded = false;
		this.query = '';
		this.accountFilter = '';
		this.page = 0;
	}
}

export const directory = new DirectoryState();
