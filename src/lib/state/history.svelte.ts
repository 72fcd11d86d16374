// Upload history on the Users tab: the uploads this device applied and those the portal keeps for the
// parent account (every device, 30 days), merged; each one's results workbook on demand, rebuilt from
// this device's rows or from the portal's, so it always shows the latest status of each row.
import type { UploadSummary } from '../domain/history';
import type { BatchRecord } from '../storage/db';
import { listBatches } from '../storage/batches-repo';
import { portalUploads } from '../storage/history-repo';
import { watch } from '../storage/live';
import { refreshPortalUploads } from '../sync/history-fetch';
import { TransportError } from '../sync/transport';
import { dataWorker } from '../worker/client';
import { connectivity } from './connectivity.svelte';
import { historyEntries, type HistoryEntry } from './history-entries';
import { saveFile } from './save-file';
import { transport } from './services';
import { describe, session } from './session.svelte';
import { sync } from './sync.svelte';

export type { BatchRecord, HistoryEntry };

export class HistoryState {
	batches = $state.raw<BatchRecord[]>([]);
	portal = $state.raw<UploadSummary[]>([]);
	entries = $derived(historyEntries(this.batches, this.portal));
	error = $state<string | null>(null);
	/** The entry whose results are being made (a large one from the portal takes a moment). */
	busy = $state<string | null>(null);
	private stops: (() => void)[] = [];

	constructor() {
		session.on('ready', () => this.start());
		session.on('ended', () => this.stop());
		// An upload the portal has just recorded shows up here; so may another device's, when a pull
		// brought changes made elsewhere.
		sync.onPassFinished((result) => {
			if (result.recordedBatches.length > 0 || result.pulled > 0) void this.refresh();
		});
	}

	start(): void {
		this.stop();
		const onError = (e: unknown) => (this.error = describe(e));
		this.stops.push(
			watch(listBatches, (list) => (this.batches = list), onError),
			watch(portalUploads, (list) => (this.portal = list), onError),
			connectivity.onReachable(() => void this.refresh())
		);
		void this.refresh();
	}

	stop(): void {
		for (const stop of this.stops) stop();
		this.stops = [];
		this.batches = [];
		this.portal = [];
	}

	/** Asks the portal for its newest uploads; offline, the history keeps showing what it last saw. */
	async refresh(): Promise<void> {
		if (session.status !== 'ready' || session.expired || !connectivity.worthTrying) return;
		try {
			await refreshPortalUploads(transport);
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'unauthenticated') session.markExpired();
		}
	}

	/**
	 * Download rows with errors of one upload: the rows that failed in the check or that the portal
	 * rejected, as a template to fix and upload again (this device's rows, or the portal's).
	 */
	async downloadErrorRows(entry: Pick<HistoryEntry, 'id' | 'local'>): Promise<void> {
		this.error = null;
		this.busy = entry.id;
		try {
			const file = await dataWorker.call('errorRows', entry.local ? { batchId: entry.id } : { uploadId: entry.id });
			saveFile(file.blob, file.fileName);
		} catch (error) {
			this.error = describe(error);
		} finally {
			this.busy = null;
		}
	}

	/** Results of an upload this device applied (by its batch id): what the sync notices offer. */
	async downloadResults(batchId: string): Promise<void> {
		await this.download({ id: batchId, local: true });
	}

	async download(entry: Pick<HistoryEntry, 'id' | 'local'>): Promise<void> {
		this.error = null;
		this.busy = entry.id;
		try {
			const file = entry.local
				? await dataWorker.call('results', { batchId: entry.id })
				: await dataWorker.call('historyResults', { uploadId: entry.id });
			saveFile(file.blob, file.fileName);
		} catch (error) {
			this.error = entry.local
				? describe(error)
				: `The results could not be made: ${describe(error)} The portal keeps them; try again when it is reachable.`;
		} finally {
			this.busy = null;
		}
	}
}

export const history = new HistoryState();
