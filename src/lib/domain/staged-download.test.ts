import { describe, expect, it } from 'vitest';
import { afterPage, downloadProgress, freshDownload, latestOfEach } from './staged-download';
import type { UserRecord } from './types';

function user(username: string, rev: number, name = username, accountId = '1001'): UserRecord {
	return { accountId, username, name, email: `${username}@example.org`, role: 'Student', rev };
}

describe('staged download bookkeeping', () => {
	it('starts from cursor "0" and moves to each stored page\'s cursor, complete when the portal has no more', () => {
		let state = freshDownload(5);
		expect(state).toEqual({ cursor: '0', received: 0, total: 0, pages: 0, complete: false, startedAt: 5 });
		state = afterPage(state, { users: 100, cursor: '100', total: 250, hasMore: true });
		state = afterPage(state, { users: 100, cursor: '200', total: 250, hasMore: true });
		expect(state).toMatchObject({ cursor: '200', received: 200, pages: 2, complete: false });
		state = afterPage(state, { users: 50, cursor: '250', total: 250, hasMore: false });
		expect(state).toMatchObject({ cursor: '250', received: 250, total: 250, pages: 3, complete: true });
	});

	it('never shows more received than the total, even when edits elsewhere sent users twice', () => {
		expect(downloadProgress({ received: 260, total: 250 })).toEqual({ received: 250, total: 250 });
		expect(downloadProgress({ received: 0, total: 0 })).toEqual({ received: 0, total: 0 });
	});

	it('keeps each user once, at the newest rev, matching usernames case-insensitively within an account', () => {
		const merged = latestOfEach([
			[user('jdoe', 1, 'Old'), user('asmith', 2), user('jdoe', 3, 'Other account', '1002')],
			[user('JDoe', 9, 'New')]
		]);
		expect(merged.length).toBe(3);
		expect(merged.find((u) => u.accountId === '1001' && u.username.toLowerCase() === 'jdoe')?.name).toBe('New');
		expect(merged.find((u) => u.accountId === '1002')?.name).toBe('Other account');
	});
});
