// The page's handle on the data worker, shared by every screen. Only the handlers' *type* is imported:
// their code (xlsx, Dexie, the rules) stays in the worker's bundle.
import { WorkerClient } from '../rpc/worker-rpc';
import type { DataHandlers, DataProgress } from './handlers';

export { CancelledError } from '../rpc/worker-rpc';
export type { DataProgress, PreviewFilter, WorkbookFile } from './handlers';
export type { DraftStatus } from './fix-handlers';

export class TimeLimitError extends Error {
	constructor(seconds: number) {
		super(
			`Reading the file took longer than ${seconds} seconds, so it was stopped. Nothing was changed. Save it as .xlsx or .csv, or split it into smaller files, and upload again.`
		);
		this.name = 'TimeLimitError';
	}
}

export type DataWorker = WorkerClient<DataHandlers, DataProgress>;

export function createDataWorker(
	create: () => Worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'data' })
): DataWorker {
	return new WorkerClient<DataHandlers, DataProgress>(
		create,
		'The spreadsheet reader stopped unexpectedly (the file may be too large for this device). Nothing was changed. Try again, or split the file.'
	);
}

export const dataWorker = createDataWorker();
