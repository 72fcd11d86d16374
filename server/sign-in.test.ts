// Sign-in under hostile load over real HTTP: the throttle must hold against concurrent guesses.
import { afterEach, describe, expect, it } from 'vitest';
import type { PortalServer } from './app';
import { ADMIN_100, TestClient, removeDir, startServer, tempDir } from './test-helpers';

// Admin checks must take long enough that concurrent requests really overlap while being verified;
// with the test's cheapest cost a request could finish before the next one is even read.
const SLOW_ADMIN_COST = { N: 8192, r: 8, p: 1 };

let portal: PortalServer | undefined;
let dir: string | undefined;

afterEach(async () => {
	await portal?.close();
	if (dir) await removeDir(dir);
	portal = undefined;
	dir = undefined;
});

async function start(rateLimit: { perUsername: number; perAddress: number }): Promise<PortalServer> {
	dir = await tempDir('sign-in');
	portal = await startServer({ stateDir: dir, adminPasswordCost: SLOW_ADMIN_COST, rateLimit });
	return portal;
}

function statuses(answers: { status: number }[]): Record<number, number> {
	const counts: Record<number, number> = {};
	for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
	return counts;
}

describe('sign-in throttle under concurrency', () => {
	it('checks at most 5 concurrent guesses for one username; the right password sent last is refused', async () => {
		const server = await start({ perUsername: 5, perAddress: 1000 });
		const attempts = Array.from({ length: 60 }, (_, i) => ({ username: ADMIN_100.username, password: `wrong-guess-${i}` }));
		attempts.push(ADMIN_100);
		const answers = await Promise.all(attempts.map((a) => new TestClient(server.url).signIn(a)));
		const counts = statuses(answers);
		expect(counts[401]).toBe(5);
		expect(counts[429]).toBe(56);
		expect(answers[60].status).toBe(429);
	});

	it('checks at most 20 concurrent guesses from one address across usernames', async () => {
		const server = await start({ perUsername: 5, perAddress: 20 });
		const answers = await Promise.all(
			Array.from({ length: 100 }, (_, i) => new TestClient(server.url).signIn({ username: `guess-${i}`, password: 'wrong-guess' }))
		);
		const counts = statuses(answers);
		expect(counts[401]).toBe(20);
		expect(counts[429]).toBe(80);
	});

	it('does not count a successful sign-in against the address', async () => {
		const server = await start({ perUsername: 5, perAddress: 3 });
		for (let i = 0; i < 5; i++) expect((await new TestClient(server.url).signIn(ADMIN_100)).status).toBe(200);
		expect((await new TestClient(server.url).signIn({ username: 'nobody', password: 'wrong-guess' })).status).toBe(401);
	});
});
