// The Undo upload dialog's flow: work the undo out in the data worker (the upload's rows from the portal,
// or as kept on this device, against this device's users), page through it, apply it through the outbox
// like an upload, wait briefly for the portal's answers, and download the undo's results workbook.
import type { UndoRowView } from '../domain/undo';
import { getBatchRecord } from '../storage/batches-repo';
import type { DataProgress } from '../worker/client';
import type { UndoFilter, UndoSummary } from '../worker/handlers';
import { dataWorker } from '../worker/client';
import { connectivity } from './connectivity.svelte';
import type { HistoryEntry } from './history-entries';
import { saveFile } from './save-file';
import { describe, session } from './session.svelte';
import { sendAndWait } from './wait-for-batch';
import { sync } from './sync.svelte';
import type { ResultSummary } from '../domain/results';

export type UndoStep = 'loading' | 'preview' | 'applying' | 'done';

export const UNDO_PAGE = 50;

export interface UndoCompletion extends ResultSummary {
	/** Null when the results workbook could not be made; the upload history offers it again. */
	fileName: string | null;
}

export class UndoState {
	open = $state(false);
	step = $state<UndoStep>('loading');
	/** The history entry being taken back: its title names the dialog's subject. */
	entry = $state.raw<Pick<HistoryEntry, 'id' | 'title'> | null>(null);
	summary = $state.raw<UndoSummary | null>(null);
	rows = $state.raw<UndoRowView[]>([]);
	total = $state(0);
	offset = $state(0);
	filter = $state<UndoFilter>('all');
	progress = $state<DataProgress | null>(null);
	error = $state<string | null>(null);
	completion = $state<UndoCompletion | null>(null);
	private undoId: string | null = null;
	/** The undo this dialog applied and reports on: its sync notice would repeat the dialog. */
	private activeBatchId: string | null = null;

	constructor() {
		// An undo that finishes syncing after its dialog closed is announced, with its results.
		sync.onBatchFinished((batch) => {
			if (!batch.undoOf || (batch.id === this.activeBatchId && this.open)) return;
			const restored = batch.counts.updated;
			const kept = batch.counts.unchanged + batch.counts.failed;
			sync.notify({
				id: batch.id,
				batchId: batch.id,
				text: `Your undo of "${batch.undoOf.fileName}" finished syncing: ${restored.toLocaleString('en-US')} ${restored === 1 ? 'user' : 'users'} restored, ${kept.toLocaleString('en-US')} not restored.`
			});
		});
	}

	async openFor(entry: Pick<HistoryEntry, 'id' | 'title'>): Promise<void> {
		this.entry = entry;
		this.open = true;
		this.step = 'loading';
		this.summary = null;
		this.rows = [];
		this.error = null;
		this.completion = null;
		this.filter = 'all';
		this.undoId = null;
		this.progress = { phase: 'downloading', done: 0, total: 0 };
		performance.mark('undo:open');
		try {
			const { undoId, summary } = await dataWorker.call('undoPreview', { uploadId: entry.id }, { onProgress: (p) => (this.progress = p) });
			this.undoId = undoId;
			this.summary = summary;
			await this.loadPage(0);
			this.step = 'preview';
			performance.measure('undo:preview', 'undo:open');
		} catch (error) {
			this.error = `The undo could not be prepared: ${describe(error)} Nothing was changed. Close this window and try again; the upload's rows come from the portal the first time, so connect once if this device is offline.`;
			this.step = 'preview';
		} finally {
			this.progress = null;
		}
	}

	close(): void {
		if (this.step === 'applying') return;
		this.open = false;
	}

	async setFilter(filter: UndoFilter): Promise<void> {
		this.filter = filter;
		await this.loadPage(0);
	}

	async loadPage(offset: number): Promise<void> {
		const page = await dataWorker.call('undoPage', { offset, limit: UNDO_PAGE, filter: this.filter });
		this.rows = page.rows;
		this.total = page.total;
		this.offset = offset;
	}

	async apply(): Promise<void> {
		const undoId = this.undoId;
		if (this.step !== 'preview' || !undoId || !this.summary || !session.owner) return;
		this.step = 'applying';
		this.error = null;
		this.progress = { phase: 'applying', done: 0, total: this.summary.counts.fieldsRestored };
		const batchId = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
		this.activeBatchId = batchId;
		let applied: ResultSummary;
		try {
			applied = await dataWorker.call(
				'applyUndo',
				{ undoId, batchId, admin: session.owner.username },
				{ onProgress: (p) => (this.progress = p) }
			);
		} catch (error) {
			this.error = `Nothing was undone: ${describe(error)}`;
			this.step = 'preview';
			this.progress = null;
			return;
		}
		try {
			if (connectivity.worthTrying) await sendAndWait(batchId, (done, total) => (this.progress = { phase: 'sending', done, total }));
			this.progress = { phase: 'writing', done: 0, total: 0 };
			const file = await dataWorker.call('results', { batchId });
			const counts = (await getBatchRecord(batchId))?.counts ?? applied;
			saveFile(file.blob, file.fileName);
			this.completion = { ...counts, fileName: file.fileName };
		} catch (error) {
			this.completion = { ...applied, fileName: null };
			this.error = `The undo was applied, but its results spreadsheet could not be made (${describe(error)}). Close this window and use "Download results" in the Upload history.`;
		} finally {
			this.step = 'done';
			this.progress = null;
		}
	}
}

export const undo = new UndoState();
