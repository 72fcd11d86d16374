// A full download in progress, kept in IndexedDB so it survives a dropped connection, a portal error and a
// closed tab: each page of the pull is stored in stagedUsers together with the cursor after it
// (meta.download), in one transaction, so the cursor never runs ahead of the stored pages. The local copy
// in userChunks is untouched until the last page is stored; then finishDownload replaces it in one
// transaction. If that transaction does not commit (the tab closes mid-swap), nothing of it happened:
// the staging and meta.download are still there, complete, and the next attempt runs the swap again.
import { afterPage, freshDownload, latestOfEach, type DownloadState } from '../domain/staged-download';
import type { Institution, UserRecord } from '../domain/types';
import { db, guarded, type PortalDb, type StagedChunk } from './db';
import { bumpUsersVersion } from './meta-repo';
import { clearUsersInTx, putAccountUsersInTx } from './users-repo';

/** The download in progress, or none. */
export async function downloadInProgress(database: PortalDb = db()): Promise<DownloadState | undefined> {
	return guarded(async () => (await database.meta.get('download'))?.value as DownloadState | undefined);
}

/** The download in progress, or a fresh one (any staging left without its state is dropped). */
export async function resumeOrStartDownload(now = Date.now(), database: PortalDb = db()): Promise<DownloadState> {
	return guarded(() =>
		database.transaction('rw', database.stagedUsers, database.meta, async () => {
			const held = (await database.meta.get('download'))?.value as DownloadState | undefined;
			if (held) return held;
			const state = freshDownload(now);
			await database.stagedUsers.clear();
			await database.meta.put({ key: 'download', value: state });
			return state;
		})
	);
}

function groupByAccount(users: readonly UserRecord[]): Map<string, UserRecord[]> {
	const byAccount = new Map<string, UserRecord[]>();
	for (const user of users) {
		const list = byAccount.get(user.accountId);
		if (list) list.push(user);
		else byAccount.set(user.accountId, [user]);
	}
	return byAccount;
}

/**
 * Stores one page of the pull (answered for `state.cursor`) and the state after it, in one transaction.
 * Refuses a page for a cursor that is no longer the stored one (two downloads racing), rather than storing
 * it twice.
 */
export async function stagePage(
	state: DownloadState,
	page: { users: UserRecord[]; cursor: string; total: number; hasMore: boolean },
	database: PortalDb = db()
): Promise<DownloadState> {
	const next = afterPage(state, { users: page.users.length, cursor: page.cursor, total: page.total, hasMore: page.hasMore });
	const seq = String(state.pages).padStart(6, '0');
	const chunks: StagedChunk[] = [...groupByAccount(page.users)].map(([accountId, users]) => ({
		id: `${accountId}:${seq}`,
		accountId,
		users
	}));
	await guarded(() =>
		database.transaction('rw', database.stagedUsers, database.meta, async () => {
			const held = (await database.meta.get('download'))?.value as DownloadState | undefined;
			if (!held || held.cursor !== state.cursor || held.pages !== state.pages) {
				throw new Error('Another download of the users is running on this device. Reload the page.');
			}
			await database.stagedUsers.bulkPut(chunks);
			await database.meta.put({ key: 'download', value: next });
		})
	);
	return next;
}

/**
 * Replaces the local users and institutions with the completed download, in one transaction, account by
 * account (each account's users read from staging, each user once at their newest rev, sorted and
 * chunked). Sets the pull cursor for later incremental pulls. Queued changes in the outbox are left as
 * they are, as by replaceAllUsers. Returns how many users are stored.
 */
export async function finishDownload(institutions: Institution[], database: PortalDb = db()): Promise<number> {
	return guarded(() =>
		database.transaction('rw', [database.stagedUsers, database.userChunks, database.institutions, database.meta], async () => {
			const state = (await database.meta.get('download'))?.value as DownloadState | undefined;
			if (!state?.complete) throw new Error('The download of the users is not complete yet.');
			await clearUsersInTx(database);
			let count = 0;
			const accounts = (await database.stagedUsers.orderBy('accountId').uniqueKeys()) as string[];
			for (const accountId of accounts) {
				const staged = await database.stagedUsers.where('accountId').equals(accountId).toArray();
				const users = latestOfEach(staged.map((c) => c.users));
				count += users.length;
				await putAccountUsersInTx(users, database);
			}
			await database.stagedUsers.clear();
			await database.institutions.clear();
			await database.institutions.bulkPut(institutions);
			await database.meta.delete('download');
			await database.meta.put({ key: 'pullCursor', value: state.cursor });
			await database.meta.put({ key: 'downloadedAt', value: Date.now() });
			await bumpUsersVersion(database);
			return count;
		})
	);
}
