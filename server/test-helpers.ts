// Shared by the server's vitest files: a small dataset, an in-process server on port 0 with a temp state
// directory and cheap hashing, and a fetch wrapper that keeps the session cookie like a browser would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dataset } from '../src/lib/domain/dataset';
import { createPortalServer, type PortalServer, type PortalServerOptions } from './app';

// Tests sign in and set passwords a lot; production costs are in passwords.ts.
export const CHEAP_COST = { N: 1024, r: 8, p: 1 };

export const ADMIN_100 = { username: 'admin', password: 'springfield-test' };
export const ADMIN_200 = { username: 'shelby-admin', password: 'shelbyville-test' };

/** Parent 100 with a password, a Google and a leading-zero institution; parent 200 with one library. */
export function testDataset(extraUsersIn1001 = 0): Dataset {
	const users: Dataset['users'] = [
		{ accountId: '1001', username: 'jdoe', name: 'John Doe', email: 'jdoe@example.org', role: 'Student', password: 'Initial-pass-1' },
		{ accountId: '1001', username: 'asmith', name: 'Alice Smith', email: 'asmith@example.org', role: 'Teacher' },
		{ accountId: '1001', username: 'jnunez', name: 'José Núñez', email: 'jnunez@example.org', role: 'Student' },
		{ accountId: '1002', username: 'gteach', name: 'Grace Teach', email: 'gteach@schools.example.org', role: 'Teacher' },
		{ accountId: '01003', username: 'zbronte', name: 'Zoë Brontë', email: 'zbronte@example.org', role: 'Librarian' },
		{ accountId: '2001', username: 'jdoe', name: 'Jane Doe', email: 'jane@shelby.example.net', role: 'Librarian' },
		{ accountId: '2001', username: 'secret', name: 'Secret Person', email: 'secret@shelby.example.net', role: 'Student' }
	];
	for (let i = 0; i < extraUsersIn1001; i++) {
		users.push({
			accountId: i % 2 ? '1001' : '01003',
			username: `user${i}`,
			name: `User ${i}`,
			email: `user${i}@example.org`,
			role: 'Student'
		});
	}
	return {
		parents: [
			{ accountId: '100', name: 'Springfield Public Schools' },
			{ accountId: '200', name: 'Shelbyville Library System' }
		],
		institutions: [
			{ accountId: '1001', name: 'Springfield Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] },
			{ accountId: '1002', name: 'Springfield High', parentAccountId: '100', signIn: 'google', googleDomains: ['schools.example.org'] },
			{ accountId: '01003', name: 'Lakeview K-8', parentAccountId: '100', signIn: 'password', googleDomains: [] },
			{ accountId: '2001', name: 'Shelbyville Central Library', parentAccountId: '200', signIn: 'password', googleDomains: [] }
		],
		roles: ['Student', 'Teacher', 'Librarian', 'Administrator'],
		users,
		admins: [
			{ ...ADMIN_100, parentAccountId: '100' },
			{ ...ADMIN_200, parentAccountId: '200' }
		]
	};
}

export async function tempDir(prefix: string): Promise<string> {
	return mkdtemp(path.join(tmpdir(), `portal-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
	await rm(dir, { recursive: true, force: true });
}

export async function startServer(opts: Partial<PortalServerOptions> & { stateDir: string }): Promise<PortalServer> {
	return createPortalServer({
		dataset: testDataset(),
		port: 0,
		staticDir: path.join(opts.stateDir, 'no-build-here'),
		userPasswordCost: CHEAP_COST,
		adminPasswordCost: CHEAP_COST,
		log: () => {},
		...opts
	});
}

export interface ApiAnswer {
	status: number;
	headers: Headers;
	// Tests assert on shapes with the protocol schemas; `any` keeps the assertions readable.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	body: any;
}

/** A browser-like client: remembers the session cookie between calls. */
export class TestClient {
	cookie = '';

	constructor(readonly base: string) {}

	async call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
		const res = await fetch(`${this.base}${route}`, {
			method,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(this.cookie ? { cookie: this.cookie } : {}),
				...headers
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) {
			const pair = setCookie.split(';')[0];
			this.cookie = pair.endsWith('=') ? '' : pair;
		}
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			// not JSON (static files)
		}
		return { status: res.status, headers: res.headers, body: parsed };
	}

	async signIn(credentials: { username: string; password: string }): Promise<ApiAnswer> {
		return this.call('POST', '/api/session', credentials);
	}
}

/** A fetch that keeps the session cookie between calls, as a browser does, for HttpTransport in Node. */
export function cookieKeepingFetch(): typeof fetch {
	let cookie = '';
	return async (input, init = {}) => {
		const headers = new Headers(init.headers);
		if (cookie) headers.set('cookie', cookie);
		const res = await fetch(input, { ...init, headers });
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) {
			const pair = setCookie.split(';')[0];
			cookie = pair.endsWith('=') ? '' : pair;
		}
		return res;
	};
}
