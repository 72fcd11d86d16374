// The page's handle on the directory worker. One request at a time matters to the screen (the latest),
// so answers to superseded requests are dropped by the caller; a crashed worker is replaced on the next call.
import { WorkerClient } from '../rpc/worker-rpc';
import type { DirectoryHandlers } from './handlers';

export type DirectoryWorker = WorkerClient<DirectoryHandlers>;

export function createDirectoryWorker(
	create: () => Worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'directory' })
): DirectoryWorker {
	return new WorkerClient<DirectoryHandlers>(create, 'The list of users stopped unexpectedly. Reload the page.');
}
