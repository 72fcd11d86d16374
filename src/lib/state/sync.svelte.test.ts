// Scheduling only: the sync pass itself is mocked, so these tests say when passes run, not what they do.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransportError } from '../sync/transport';

const calls = vi.hoisted(() => ({ passes: 0, next: [] as (Error | null)[], backgroundSync: 0, worthTrying: true }));

vi.mock('./sync-pass', () => ({
	syncPass: async () => {
		calls.passes++;
		const outcome = calls.next.shift() ?? null;
		if (outcome) throw outcome;
		return { pushed: 0, pulled: 0, finishedBatches: [] };
	}
}));
vi.mock('./session.svelte', () => ({
	session: { status: 'ready', expired: false, markExpired: () => undefined, on: () => () => undefined },
	describe: (e: unknown) => (e instanceof Error ? e.message : String(e))
}));
vi.mock('./pwa.svelte', () => ({
	pwa: { requestBackgroundSync: async () => (calls.backgroundSync++, true), onSyncRequested: () => () => undefined }
}));
vi.mock('./connectivity.svelte', () => ({
	connectivity: {
		get worthTrying() {
			return calls.worthTrying;
		},
		onReachable: () => () => undefined,
		recheck: () => undefined
	}
}));

const { SyncState, retryWait } = await import('./sync.svelte');

const unavailable = (retryAfterSeconds?: number) => new TransportError('server', 'The portal answered 503.', 503, { retryAfterSeconds });

beforeEach(() => {
	vi.useFakeTimers();
	calls.passes = 0;
	calls.next = [];
	calls.backgroundSync = 0;
	calls.worthTrying = true;
});
afterEach(() => vi.useRealTimers());

async function settle(ms = 0) {
	await vi.advanceTimersByTimeAsync(ms);
}

describe('sync scheduling', () => {
	it('after a 503, nudges (Background Sync, new work, the online event) never shorten the backoff', async () => {
		const sync = new SyncState();
		calls.next = [unavailable(), null];
		sync.nudge();
		await settle();
		expect(calls.passes).toBe(1);
		for (let i = 0; i < 100; i++) {
			sync.nudge();
			await settle(4);
		}
		expect(calls.passes).toBe(1);
		expect(calls.backgroundSync).toBe(0);
		await settle(1000);
		expect(calls.passes).toBe(2);
	});

	it('Retry-After is honoured: nothing is pushed before it, one pass right after', async () => {
		const sync = new SyncState();
		calls.next = [unavailable(30), null];
		sync.nudge();
		await settle();
		expect(sync.retryAt).not.toBeNull();
		await settle(29_000);
		sync.nudge();
		await settle(900);
		expect(calls.passes).toBe(1);
		await settle(200);
		expect(calls.passes).toBe(2);
	});

	it('a rate limit (429) without Retry-After backs off exponentially', async () => {
		const sync = new SyncState();
		const limited = () => new TransportError('rate_limited', 'Too many requests', 429);
		calls.next = [limited(), limited(), limited(), null];
		sync.nudge();
		await settle(20_000);
		// 1 s, 2 s and 4 s ceilings with jitter: four passes fit in 20 s, never dozens.
		expect(calls.passes).toBe(4);
	});

	it('no answer at all leaves retrying to connectivity: no timer of its own, a pass as soon as it is worth trying', async () => {
		const sync = new SyncState();
		calls.next = [new TransportError('offline', 'The portal cannot be reached.')];
		sync.nudge();
		await settle();
		expect(calls.passes).toBe(1);
		expect(sync.error).toBeNull();
		expect(calls.backgroundSync).toBe(1);
		calls.worthTrying = false;
		await settle(120_000);
		expect(calls.passes).toBe(1);
		sync.nudge();
		await settle();
		expect(calls.passes).toBe(1);
		calls.worthTrying = true;
		sync.nudge();
		await settle();
		expect(calls.passes).toBe(2);
	});

	it('retryWait caps a hostile Retry-After at an hour and ignores nonsense', () => {
		expect(retryWait(unavailable(10 ** 9), 0)).toBe(3_600_000);
		expect(retryWait(unavailable(-5), 0, () => 0)).toBe(500);
		expect(retryWait(new Error('disk'), 3, () => 1)).toBe(8000);
	});
});
