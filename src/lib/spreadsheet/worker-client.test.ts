import { describe, expect, it, vi } from 'vitest';
import { CancelledError, SpreadsheetWorkerClient, TimeLimitError } from './worker-client';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';

/** A stand-in Worker: answers institutions requests at once and never answers a preflight (a hung parse). */
class FakeWorker {
	onmessage: ((e: MessageEvent<WorkerResponse>) => void) | null = null;
	onerror: ((e: ErrorEvent) => void) | null = null;
	terminated = false;
	postMessage(message: WorkerRequest) {
		if (message.type === 'institutions')
			queueMicrotask(() => this.onmessage?.({ data: { type: 'file', id: message.id, fileName: 'i.xlsx', blob: new Blob(['x']) } } as MessageEvent<WorkerResponse>));
	}
	terminate() {
		this.terminated = true;
	}
}

function client() {
	const workers: FakeWorker[] = [];
	const c = new SpreadsheetWorkerClient(() => {
		const w = new FakeWorker();
		workers.push(w);
		return w as unknown as Worker;
	});
	return { c, workers };
}

describe('spreadsheet worker client', () => {
	it('a hung parse is stopped at the time limit with a clear message, and the next request gets a fresh worker', async () => {
		vi.useFakeTimers();
		const { c, workers } = client();
		const hung = c.request({ type: 'preflight', fileName: 'slow.xlsx', bytes: new ArrayBuffer(0), declaredCount: 1 }, { timeoutMs: 60_000 });
		const settled = expect(hung).rejects.toBeInstanceOf(TimeLimitError);
		await vi.advanceTimersByTimeAsync(60_000);
		await settled;
		await expect(hung).rejects.toThrow('took longer than 60 seconds, so it was stopped. Nothing was changed.');
		expect(workers[0].terminated).toBe(true);
		vi.useRealTimers();
		const next = await c.request<'file'>({ type: 'institutions' });
		expect(next.fileName).toBe('i.xlsx');
		expect(workers).toHaveLength(2);
	});

	it('Cancel rejects what is pending and terminates the worker', async () => {
		const { c, workers } = client();
		const pending = c.request({ type: 'preflight', fileName: 'x.xlsx', bytes: new ArrayBuffer(0), declaredCount: 1 });
		c.cancel();
		await expect(pending).rejects.toBeInstanceOf(CancelledError);
		expect(workers[0].terminated).toBe(true);
	});

	it('a worker crash fails pending requests with an admin-readable message', async () => {
		const { c, workers } = client();
		const pending = c.request({ type: 'preflight', fileName: 'x.xlsx', bytes: new ArrayBuffer(0), declaredCount: 1 });
		workers[0].onerror?.({ preventDefault() {} } as ErrorEvent);
		await expect(pending).rejects.toThrow('The spreadsheet reader stopped unexpectedly');
	});
});
