// The main thread's handle on the spreadsheet worker: request/response by id, progress callbacks,
// and Cancel by terminating the worker (a parse in progress cannot be interrupted any other way).
import type { WorkerProgress, WorkerRequest, WorkerResponse } from './worker-protocol';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void; onProgress?: (p: WorkerProgress) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class CancelledError extends Error {
	constructor() {
		super('Cancelled');
		this.name = 'CancelledError';
	}
}

export class SpreadsheetWorkerClient {
	private worker: Worker | undefined;
	private nextId = 1;
	private pending = new Map<number, Pending>();

	private ensure(): Worker {
		if (this.worker) return this.worker;
		const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'spreadsheet' });
		worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
			const message = event.data;
			const entry = this.pending.get(message.id);
			if (!entry) return;
			if (message.type === 'progress') return entry.onProgress?.(message.progress);
			this.pending.delete(message.id);
			if (message.type === 'error') entry.reject(new Error(message.message));
			else entry.resolve(message);
		};
		worker.onerror = (event) => {
			event.preventDefault();
			this.failAll(new Error('The spreadsheet reader stopped unexpectedly. Try again; if it keeps happening, save the file as .xlsx and upload that.'));
		};
		this.worker = worker;
		return worker;
	}

	private failAll(error: Error): void {
		for (const entry of this.pending.values()) entry.reject(error);
		this.pending.clear();
		this.worker?.terminate();
		this.worker = undefined;
	}

	request<T extends WorkerResponse['type']>(body: RequestBody, onProgress?: (p: WorkerProgress) => void, transfer: Transferable[] = []): Promise<Extract<WorkerResponse, { type: T }>> {
		const id = this.nextId++;
		const worker = this.ensure();
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (r: WorkerResponse) => void, reject, onProgress });
			worker.postMessage({ ...body, id } as WorkerRequest, transfer);
		});
	}

	/** Stops whatever the worker is doing; the next request starts a fresh worker. */
	cancel(): void {
		this.failAll(new CancelledError());
	}
}
