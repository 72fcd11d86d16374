// The page's side of a sync pass in the worker: failures come back as data and are rebuilt, so the
// scheduling can tell "no answer" from "answered 503" from "session expired".
import { describe, expect, it, vi } from 'vitest';
import { TransportError } from '../sync/transport';

const calls = vi.hoisted(() => ({ answer: null as unknown, reported: [] as string[] }));
vi.mock('../worker/client', () => ({ dataWorker: { call: async () => calls.answer } }));
vi.mock('./connectivity.svelte', () => ({ connectivity: { report: (o: string) => calls.reported.push(o) } }));

const { syncPass } = await import('./sync-pass');

describe('a sync pass run in the data worker', () => {
	it('passes the result on and tells reachability what the last request met', async () => {
		calls.answer = { ok: true, result: { pushed: 2, pulled: 0, finishedBatches: [], recordedBatches: [] }, outcome: 'answered' };
		expect(await syncPass()).toMatchObject({ pushed: 2 });
		expect(calls.reported).toEqual(['answered']);
	});

	it('rebuilds a transport failure with its kind, status and Retry-After', async () => {
		calls.answer = {
			ok: false,
			failure: { kind: 'server', message: 'The portal answered 503.', status: 503, details: { retryAfterSeconds: 30 } },
			outcome: 'answered'
		};
		const error = await syncPass().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TransportError);
		expect(error).toMatchObject({ kind: 'server', status: 503, details: { retryAfterSeconds: 30 }, retryable: true });
	});

	it('a failure that was not the transport stays a plain error (the backoff retries it)', async () => {
		calls.answer = { ok: false, failure: { kind: null, message: 'QuotaExceededError', status: 0, details: {} }, outcome: null };
		const error = await syncPass().catch((e: unknown) => e);
		expect(error).not.toBeInstanceOf(TransportError);
		expect((error as Error).message).toBe('QuotaExceededError');
	});
});
