// Bringing the server's data into the local database: the first full download after sign-in, and
// later incremental pulls from the stored cursor so the local copy follows edits made elsewhere.
import { PULL_PAGE_MAX, userKey, type UserRecord } from '../domain/types';
import { replaceInstitutions } from '../storage/institutions-repo';
import { getMeta, setMeta } from '../storage/meta-repo';
import { patchUsers, replaceAllUsers } from '../storage/users-repo';
import type { PortalTransport } from './transport';

export interface DownloadProgress {
	received: number;
	total: number;
}

/**
 * Downloads institutions and every user, then replaces the local copy in one transaction, so an
 * interrupted download leaves the previous copy intact rather than half of a new one.
 */
export async function downloadAll(transport: PortalTransport, onProgress: (p: DownloadProgress) => void = () => {}): Promise<number> {
	const institutions = await transport.institutions();
	const users: UserRecord[] = [];
	let cursor = '0';
	for (;;) {
		const page = await transport.pull(cursor, PULL_PAGE_MAX);
		for (const user of page.users) users.push(user);
		cursor = page.cursor;
		onProgress({ received: users.length, total: Math.max(page.total, users.length) });
		if (!page.hasMore) break;
	}
	// Benchmarks measure "ready to browse after the data arrived" from here.
	performance.mark('signin:data-arrived');
	await replaceInstitutions(institutions);
	await replaceAllUsers(users);
	await setMeta('pullCursor', cursor);
	await setMeta('downloadedAt', Date.now());
	return users.length;
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
