// The page's handle on the directory worker: one request at a time matters to the screen (the latest),
// so answers to superseded requests are dropped by the caller; a crashed worker is replaced on the next call.
import type { DirectoryQuery, DirectoryRequest, DirectoryResponse, DirectoryView } from './protocol';

export type DirectoryWorkerFactory = () => Worker;

const defaultFactory: DirectoryWorkerFactory = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'directory' });

export class DirectoryClient {
	private worker: Worker | undefined;
	private nextId = 1;
	private pending = new Map<number, { resolve: (view: DirectoryView) => void; reject: (error: Error) => void }>();

	constructor(private readonly createWorker: DirectoryWorkerFactory = defaultFactory) {}

	view(query: DirectoryQuery, reload = false): Promise<DirectoryView> {
		const worker = this.ensure();
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			worker.postMessage({ id, type: 'view', query, reload } satisfies DirectoryRequest);
		});
	}

	/** Frees the worker and its copy of the users (sign-out). */
	stop(): void {
		this.fail(new Error('Stopped'));
	}

	private ensure(): Worker {
		if (this.worker) return this.worker;
		const worker = this.createWorker();
		worker.onmessage = (event: MessageEvent<DirectoryResponse>) => {
			const message = event.data;
			const entry = this.pending.get(message.id);
			if (!entry) return;
			this.pending.delete(message.id);
			if (message.type === 'error') entry.reject(new Error(message.message));
			else entry.resolve(message.view);
		};
		worker.onerror = (event) => {
			event.preventDefault?.();
			this.fail(new Error('The list of users stopped unexpectedly. Reload the page.'));
		};
		this.worker = worker;
		return worker;
	}

	private fail(error: Error): void {
		for (const entry of this.pending.values()) entry.reject(error);
		this.pending.clear();
		this.worker?.terminate();
		this.worker = undefined;
	}
}
