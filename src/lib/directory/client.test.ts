import { describe, expect, it } from 'vitest';
import { DirectoryClient } from './client';
import type { DirectoryRequest, DirectoryResponse } from './protocol';
import { DirectoryService } from './service';

/** A stand-in Worker that runs the real service in-process, so the client is tested against real answers. */
class InProcessWorker {
	onmessage: ((e: MessageEvent<DirectoryResponse>) => void) | null = null;
	onerror: ((e: ErrorEvent) => void) | null = null;
	terminated = false;
	constructor(private readonly service: DirectoryService) {}
	postMessage(message: DirectoryRequest) {
		if (message.reload) this.service.markStale();
		this.service.view(message.query).then(
			(view) => this.onmessage?.({ data: { id: message.id, type: 'view', view } } as MessageEvent<DirectoryResponse>),
			(error: Error) => this.onmessage?.({ data: { id: message.id, type: 'error', message: error.message } } as MessageEvent<DirectoryResponse>)
		);
	}
	terminate() {
		this.terminated = true;
	}
	crash() {
		this.onerror?.({ preventDefault() {} } as ErrorEvent);
	}
}

const query = { query: '', accountId: '', page: 0, pageSize: 10 };

function setup(load: () => Promise<{ accountId: string; username: string; name: string; email: string; role: string; rev: number }[]>) {
	const workers: InProcessWorker[] = [];
	const client = new DirectoryClient(() => {
		const w = new InProcessWorker(new DirectoryService(load));
		workers.push(w);
		return w as unknown as Worker;
	});
	return { client, workers };
}

describe('directory client', () => {
	it('answers each request with its own view', async () => {
		const { client } = setup(async () => [{ accountId: '1001', username: 'jdoe', name: 'John Doe', email: 'j@example.org', role: 'Student', rev: 1 }]);
		const [a, b] = await Promise.all([client.view(query), client.view({ ...query, query: 'nobody' })]);
		expect([a.matchCount, b.matchCount]).toEqual([1, 0]);
	});

	it('turns a worker error into a rejected request with its message', async () => {
		const { client } = setup(async () => {
			throw new Error('This browser cannot open the portal’s local database');
		});
		await expect(client.view(query)).rejects.toThrow('cannot open the portal’s local database');
	});

	it('a crashed worker fails what was waiting and is replaced on the next request; stop() frees it', async () => {
		const { client, workers } = setup(async () => []);
		const waiting = client.view(query);
		workers[0].crash();
		await expect(waiting).rejects.toThrow('stopped unexpectedly');
		expect(workers[0].terminated).toBe(true);
		expect((await client.view(query)).total).toBe(0);
		expect(workers.length).toBe(2);
		client.stop();
		expect(workers[1].terminated).toBe(true);
	});
});
