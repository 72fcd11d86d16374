// The main thread's handle on the spreadsheet worker: request/response by id, progress callbacks,
// a time limit per request, and Cancel. A parse in progress cannot be interrupted from outside, so
// both Cancel and the time limit terminate the worker; the next request starts a fresh one.
import type { WorkerProgress, WorkerRequest, WorkerResponse } from './worker-protocol';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void; onProgress?: (p: WorkerProgress) => void; timer?: ReturnType<typeof setTimeout> };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class CancelledError extends Error {
	constructor() {
		super('Cancelled');
		this.name = 'CancelledError';
	}
}

export class TimeLimitError extends Error {
	constructor(seconds: number) {
		super(`Reading the file took longer than ${seconds} seconds, so it was stopped. Nothing was changed. Save it as .xlsx or .csv, or split it into smaller files, and upload again.`);
		this.name = 'TimeLimitError';
	}
}

export interface RequestOptions {
	onProgress?: (p: WorkerProgress) => void;
	transfer?: Transferable[];
	/** Terminate the worker if no answer came within this time. */
	timeoutMs?: number;
}

export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'spreadsheet' });

export class SpreadsheetWorkerClient {
	private worker: Worker | undefined;
	private nextId = 1;
	private pending = new Map<number, Pending>();

	constructor(private readonly createWorker: WorkerFactory = defaultFactory) {}

	private ensure(): Worker {
		if (this.worker) return this.worker;
		const worker = this.createWorker();
		worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
			const message = event.data;
			const entry = this.pending.get(message.id);
			if (!entry) return;
			if (message.type === 'progress') return entry.onProgress?.(message.progress);
			this.pending.delete(message.id);
			clearTimeout(entry.timer);
			if (message.type === 'error') entry.reject(new Error(message.message));
			else entry.resolve(message);
		};
		worker.onerror = (event) => {
			event.preventDefault?.();
			this.failAll(new Error('The spreadsheet reader stopped unexpectedly (the file may be too large for this device). Nothing was changed. Try again, or split the file.'));
		};
		this.worker = worker;
		return worker;
	}

	private failAll(error: Error): void {
		for (const entry of this.pending.values()) {
			clearTimeout(entry.timer);
			entry.reject(error);
		}
		this.pending.clear();
		this.worker?.terminate();
		this.worker = undefined;
	}

	request<T extends WorkerResponse['type']>(body: RequestBody, options: RequestOptions = {}): Promise<Extract<WorkerResponse, { type: T }>> {
		const id = this.nextId++;
		const worker = this.ensure();
		return new Promise((resolve, reject) => {
			const entry: Pending = { resolve: resolve as (r: WorkerResponse) => void, reject, onProgress: options.onProgress };
			if (options.timeoutMs) entry.timer = setTimeout(() => this.failAll(new TimeLimitError(Math.round(options.timeoutMs! / 1000))), options.timeoutMs);
			this.pending.set(id, entry);
			worker.postMessage({ ...body, id } as WorkerRequest, options.transfer ?? []);
		});
	}

	/** Stops whatever the worker is doing; the next request starts a fresh worker. */
	cancel(): void {
		this.failAll(new CancelledError());
	}
}
