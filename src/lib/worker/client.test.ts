import { describe, expect, it, vi } from 'vitest';
import type { Handler } from '../rpc/worker-rpc';
import { InProcessWorker } from '../testing/in-process-worker';
import { CancelledError, createDataWorker, TimeLimitError } from './client';

/** Stand-in handlers: institutions answers at once, a preflight never does (a hung parse). */
const handlers: Record<string, Handler<never>> = {
	institutions: async () => ({ fileName: 'i.xlsx', blob: new Blob(['x']) }),
	preflight: () => new Promise(() => {})
};

function client() {
	const workers: InProcessWorker[] = [];
	const c = createDataWorker(() => {
		const w = new InProcessWorker(handlers);
		workers.push(w);
		return w as unknown as Worker;
	});
	return { c, workers };
}

const hungFile = { fileName: 'slow.xlsx', bytes: new ArrayBuffer(0), declaredCount: 1 };

describe('data worker client', () => {
	it('a hung parse is stopped at the time limit with a clear message, and the next request gets a fresh worker', async () => {
		vi.useFakeTimers();
		const { c, workers } = client();
		const hung = c.call('preflight', hungFile, { timeoutMs: 60_000, onTimeout: () => new TimeLimitError(60) });
		const settled = expect(hung).rejects.toBeInstanceOf(TimeLimitError);
		await vi.advanceTimersByTimeAsync(60_000);
		await settled;
		await expect(hung).rejects.toThrow('took longer than 60 seconds, so it was stopped. Nothing was changed.');
		expect(workers[0].terminated).toBe(true);
		vi.useRealTimers();
		const next = await c.call('institutions');
		expect(next.fileName).toBe('i.xlsx');
		expect(workers).toHaveLength(2);
	});

	it('Cancel rejects what is pending and terminates the worker', async () => {
		const { c, workers } = client();
		const pending = c.call('preflight', hungFile);
		c.cancel();
		await expect(pending).rejects.toBeInstanceOf(CancelledError);
		expect(workers[0].terminated).toBe(true);
	});

	it('a worker crash fails pending requests with an admin-readable message', async () => {
		const { c, workers } = client();
		const pending = c.call('preflight', hungFile);
		workers[0].crash();
		await expect(pending).rejects.toThrow('The spreadsheet reader stopped unexpectedly');
	});
});
