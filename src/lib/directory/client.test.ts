import { describe, expect, it } from 'vitest';
import { InProcessWorker } from '../testing/in-process-worker';
import { createDirectoryWorker } from './client';
import { describeDirectoryError, directoryHandlers } from './handlers';
import { DirectoryService } from './service';

const query = { query: '', accountId: '', page: 0, pageSize: 10 };

/** The client against the real handlers and service, in process. */
function setup(load: () => Promise<{ accountId: string; username: string; name: string; email: string; role: string; rev: number }[]>) {
	const workers: InProcessWorker[] = [];
	const client = createDirectoryWorker(() => {
		const w = new InProcessWorker(directoryHandlers(new DirectoryService(load)), describeDirectoryError);
		workers.push(w);
		return w as unknown as Worker;
	});
	return { client, workers };
}

describe('directory client', () => {
	it('answers each request with its own view', async () => {
		const { client } = setup(async () => [
			{ accountId: '1001', username: 'jdoe', name: 'John Doe', email: 'j@example.org', role: 'Student', rev: 1 }
		]);
		const [a, b] = await Promise.all([
			client.call('view', { query, reload: false }),
			client.call('view', { query: { ...query, query: 'nobody' }, reload: false })
		]);
		expect([a.matchCount, b.matchCount]).toEqual([1, 0]);
	});

	it('turns a worker error into a rejected request with an admin-readable message', async () => {
		const { client } = setup(async () => {
			throw new Error('internal detail');
		});
		await expect(client.call('view', { query, reload: false })).rejects.toThrow(
			'The list of users could not be read from this device. Reload the page.'
		);
	});

	it('a crashed worker fails what was waiting and is replaced on the next request; stop() frees it', async () => {
		const { client, workers } = setup(async () => []);
		const waiting = client.call('view', { query, reload: false });
		workers[0].crash();
		await expect(waiting).rejects.toThrow('stopped unexpectedly');
		expect(workers[0].terminated).toBe(true);
		expect((await client.call('view', { query, reload: true })).total).toBe(0);
		expect(workers.length).toBe(2);
		client.stop();
		expect(workers[1].terminated).toBe(true);
	});
});
