import { describe, expect, it } from 'vitest';
import { InProcessWorker } from '../testing/in-process-worker';
import { WorkerClient, type CallContext } from './worker-rpc';

type Progress = { done: number };

const handlers = {
	add({ a, b }: { a: number; b: number }): number {
		return a + b;
	},
	async count({ to }: { to: number }, call: CallContext<Progress>): Promise<string> {
		for (let done = 1; done <= to; done++) call.progress({ done });
		return 'counted';
	},
	ping(): 'pong' {
		return 'pong';
	},
	fail(): never {
		throw new Error('Row 3, Email: not an email');
	}
};

function client() {
	const workers: InProcessWorker[] = [];
	const c = new WorkerClient<typeof handlers, Progress>(() => {
		const w = new InProcessWorker(handlers as never);
		workers.push(w);
		return w as unknown as Worker;
	}, 'It stopped.');
	return { c, workers };
}

describe('typed worker calls', () => {
	it('derives arguments and results from the handler map', async () => {
		const { c } = client();
		const sum: number = await c.call('add', { a: 2, b: 3 });
		expect(sum).toBe(5);
		expect(await c.call('ping')).toBe('pong');
	});

	it('does not compile a call that does not exist or has the wrong arguments', () => {
		const { c } = client();
		const calls = [
			// @ts-expect-error: no such handler
			() => c.call('preview', { a: 1 }),
			// @ts-expect-error: wrong argument shape
			() => c.call('add', { a: 1 }),
			// @ts-expect-error: add needs arguments
			() => c.call('add')
		];
		expect(calls).toHaveLength(3);
	});

	it('passes progress to the caller in order, then the result', async () => {
		const { c } = client();
		const seen: number[] = [];
		expect(await c.call('count', { to: 3 }, { onProgress: (p) => seen.push(p.done) })).toBe('counted');
		expect(seen).toEqual([1, 2, 3]);
	});

	it('a handler error rejects with its message; the worker stays', async () => {
		const { c, workers } = client();
		await expect(c.call('fail')).rejects.toThrow('Row 3, Email: not an email');
		expect(await c.call('ping')).toBe('pong');
		expect(workers).toHaveLength(1);
	});

	it('a worker asked for a handler it does not have answers with an error, not silence', async () => {
		const { c } = client();
		await expect((c as unknown as WorkerClient<{ missing(): void }>).call('missing')).rejects.toThrow('No worker handler "missing"');
	});
});
