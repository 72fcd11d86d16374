// Bringing the server's data into the local database: the first full download after sign-in, and
// later incremental pulls from the stored cursor so the local copy follows edits made elsewhere.
import { downloadProgress } from '../domain/staged-download';
import { PULL_PAGE_MAX, userKey } from '../domain/types';
import { db, type PortalDb } from '../storage/db';
import { finishDownload, resumeOrStartDownload, stagePage } from '../storage/download-repo';
import { replaceInstitutions } from '../storage/institutions-repo';
import { getMeta, setMeta } from '../storage/meta-repo';
import { patchUsers } from '../storage/users-repo';
import type { PortalTransport } from './transport';

export interface DownloadProgress {
	received: number;
	total: number;
}

/**
 * Downloads every user page by page into staging (see storage/download-repo.ts), resuming a download an
 * earlier attempt left unfinished from its last stored page, then the institutions, and replaces the local
 * copy in one transaction. An interruption (a thrown TransportError) leaves the previous copy intact and
 * every stored page kept for the next attempt; only one page is held in memory at a time.
 */
export async function downloadAll(
	transport: PortalTransport,
	onProgress: (p: DownloadProgress) => void = () => {},
	database: PortalDb = db()
): Promise<number> {
	let state = await resumeOrStartDownload(Date.now(), database);
	if (state.pages > 0) onProgress(downloadProgress(state));
	while (!state.complete) {
		const page = await transport.pull(state.cursor, PULL_PAGE_MAX);
		state = await stagePage(state, page, database);
		onProgress(downloadProgress(state));
	}
	// Benchmarks measure "ready to browse after the data arrived" from here.
	performance.mark('signin:data-arrived');
	const institutions = await transport.institutions();
	return finishDownload(institutions, database);
}

/** Pulls changes since the stored cursor and merges them; returns how many users changed. */
export async function pullChanges(transport: PortalTransport): Promise<number> {
	let cursor = (await getMeta('pullCursor')) ?? '0';
	let changed = 0;
	for (;;) {
		const page = await transport.pull(cursor, PULL_PAGE_MAX);
		if (page.users.length) {
			const patches = page.users.map((u) => ({
				accountId: u.accountId,
				username: u.username,
				set: { name: u.name, email: u.email, role: u.role, rev: u.rev }
			}));
			const missing = new Set(await patchUsers(patches));
			if (missing.size) {
				// Users new to this device: insert them rather than drop them.
				const added = page.users.filter((u) => missing.has(userKey(u.accountId, u.username)));
				await patchUsers([], added);
			}
			changed += page.users.length;
		}
		cursor = page.cursor;
		await setMeta('pullCursor', cursor);
		if (!page.hasMore) break;
	}
	if (changed) {
		const institutions = await transport.institutions();
		await replaceInstitutions(institutions);
	}
	return changed;
}
