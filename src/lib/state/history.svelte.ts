// Batch history on the Users tab: every upload with its counts, and its results workbook on demand
// (rebuilt from the stored rows, so it always shows the latest status of each row).
import type { BatchRecord } from '../storage/db';

export type { BatchRecord };
import { listBatches } from '../storage/batches-repo';
import { watch } from '../storage/live';
import { describe, session } from './session.svelte';
import { saveFile } from './save-file';
import { dataWorker } from '../worker/client';

export class HistoryState {
	batches = $state.raw<BatchRecord[]>([]);
	error = $state<string | null>(null);
	private stopWatch: (() => void) | undefined;

	constructor() {
		session.on('ready', () => this.start());
		session.on('ended', () => this.stop());
	}

	start(): void {
		this.stopWatch?.();
		this.stopWatch = watch(
			listBatches,
			(list) => (this.batches = list),
			(e) => (this.error = describe(e))
		);
	}

	stop(): void {
		this.stopWatch?.();
		this.batches = [];
	}

	/** The upload's rows that failed, in the check or at the portal, as a template to fix and upload again. */
	async downloadErrorRows(batchId: string): Promise<void> {
		try {
			const file = await dataWorker.call('errorRows', { batchId });
			saveFile(file.blob, file.fileName);
		} catch (error) {
			this.error = describe(error);
		}
	}

	async downloadResults(batchId: string): Promise<void> {
		try {
			const file = await dataWorker.call('results', { batchId });
			saveFile(file.blob, file.fileName);
		} catch (error) {
			this.error = describe(error);
		}
	}
}

export const history = new HistoryState();
