// The bookkeeping of a full download that survives interruptions. Pages of the pull are stored as they
// arrive (staging), with the cursor of the last stored page, so a dropped connection, a closed tab or a
// portal error resumes from there instead of from zero; the local copy is replaced only once the last
// page is stored. Pure: storage/download-repo.ts keeps the state in IndexedDB.
import { userKey, type UserRecord } from './types';

export interface DownloadState {
	/** The pull cursor after the last stored page ("0" before the first). */
	cursor: string;
	/** Users stored so far, counting a user again when an edit elsewhere sent them again. */
	received: number;
	/** The portal's count of the parent's users, from the last page. */
	total: number;
	/** Pages stored: numbers the staging records, so a page's records never overwrite another's. */
	pages: number;
	/** The portal said there is nothing more: only the swap into the local copy is left. */
	complete: boolean;
	startedAt: number;
}

export function freshDownload(now: number): DownloadState {
	return { cursor: '0', received: 0, total: 0, pages: 0, complete: false, startedAt: now };
}

/** The state once a page of the pull (answered for `state.cursor`) is stored. */
export function afterPage(state: DownloadState, page: { users: number; cursor: string; total: number; hasMore: boolean }): DownloadState {
	return {
		...state,
		cursor: page.cursor,
		received: state.received + page.users,
		total: page.total,
		pages: state.pages + 1,
		complete: !page.hasMore
	};
}

/** What a progress bar shows: never more received than the total (a user sent twice counts once there). */
export function downloadProgress(state: Pick<DownloadState, 'received' | 'total'>): { received: number; total: number } {
	return { received: Math.min(state.received, state.total || state.received), total: state.total };
}

/**
 * Each user once, at their newest rev: a user edited elsewhere while the download ran arrives again in a
 * later page (pulls are ordered by rev), and the later copy wins. Usernames match case-insensitively, as
 * everywhere in the portal.
 */
export function latestOfEach(pages: readonly (readonly UserRecord[])[]): UserRecord[] {
	const byKey = new Map<string, UserRecord>();
	for (const users of pages) {
		for (const user of users) {
			const key = userKey(user.accountId, user.username);
			const held = byKey.get(key);
			if (!held || held.rev <= user.rev) byKey.set(key, user);
		}
	}
	return [...byKey.values()];
}
