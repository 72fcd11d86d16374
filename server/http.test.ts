// Request plumbing under clients that misbehave on the wire.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalServer } from './app';
import { removeDir, startServer, tempDir } from './test-helpers';

let dir: string;
let portal: PortalServer;
const logs: string[] = [];

beforeAll(async () => {
	dir = await tempDir('http');
	portal = await startServer({ stateDir: dir, log: (line) => logs.push(line) });
});

afterAll(async () => {
	await portal?.close();
	await removeDir(dir);
});

/** Sends the headers and part of the body a Content-Length promises, then hangs up. */
async function abortMidBody(route: string): Promise<void> {
	const { port } = new URL(portal.url);
	const socket = connect(Number(port), '127.0.0.1');
	await new Promise<void>((resolve) => socket.once('connect', resolve));
	socket.write(`POST ${route} HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username":"adm`);
	await sleep(20);
	socket.destroy();
}

async function connectionsClosed(): Promise<void> {
	for (let i = 0; i < 100; i++) {
		const open = await new Promise<number>((resolve, reject) => portal.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
		if (open === 0) return;
		await sleep(20);
	}
	throw new Error('connections stayed open');
}

describe('client aborts', () => {
	it('logs a client that hangs up mid-body in one short line, not as an internal error', async () => {
		await Promise.all(Array.from({ length: 20 }, () => abortMidBody('/api/session')));
		await connectionsClosed();
		await sleep(50);
		expect(logs.filter((l) => /internal|unhandled/.test(l))).toEqual([]);
		const lines = logs.flatMap((l) => l.split('\n'));
		expect(lines.length).toBeLessThanOrEqual(20);
		for (const line of lines) expect(line.length).toBeLessThan(120);
		// The server still answers normally afterwards.
		expect((await fetch(`${portal.url}/api/session`)).status).toBe(401);
	});
});
