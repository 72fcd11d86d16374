// Test-data factories for e2e uploads: CSV files built from the users the server really has,
// so large cases (thousands of rows) need no committed fixture.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIRequestContext } from '@playwright/test';

export interface ServerUser {
	accountId: string;
	username: string;
	name: string;
	email: string;
	role: string;
}

/** Every user the signed-in admin (the request context's session) can see, via the pull endpoint. */
export async function serverUsers(request: APIRequestContext): Promise<ServerUser[]> {
	const users: ServerUser[] = [];
	let cursor = '0';
	for (;;) {
		const page = await (await request.get(`/api/pull?cursor=${cursor}&limit=5000`)).json();
		users.push(...page.users);
		cursor = page.cursor;
		if (!page.hasMore) return users;
	}
}

const dir = mkdtempSync(join(tmpdir(), 'portal-uploads-'));

/** A CSV renaming each user to `${label} ${i}`: one update row per user. */
export function renameCsv(users: ServerUser[], label: string): { path: string; count: number } {
	const lines = ['Account ID,Username,Name', ...users.map((u, i) => `${u.accountId},${u.username},${label} ${i}`)];
	const path = join(dir, `${label.toLowerCase().replace(/\W+/g, '-')}.csv`);
	writeFileSync(path, lines.join('\r\n') + '\r\n');
	return { path, count: users.length };
}
