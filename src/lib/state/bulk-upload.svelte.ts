// The Bulk Upload dialog's flow: choose the action (User Add, User Update or both), fill the form, process in the worker with
// progress, match columns when the header is not the template's, preview (where rows can be edited:
// row-edit.svelte.ts), apply, and the results workbook. The screen renders `step` and calls methods.
import type { PreviewRowView, PreviewSummary } from '../domain/preview-view';
import { ColumnMatchState } from './column-match.svelte';
import { RowEditState, type PreviewPageAnswer } from './row-edit.svelte';
import { UploadDraftState } from './upload-draft.svelte';
import { DEFAULT_LIMITS } from '../spreadsheet/limits';
import { fileTooLarge } from '../spreadsheet/refusals';
import { CancelledError, dataWorker, TimeLimitError, type DataProgress, type PreviewFilter } from '../worker/client';
import { getBatchRecord } from '../storage/batches-repo';
import { confirmsLargeChange } from '../domain/large-change';
import { bulkActionOf, type BulkAction } from '../domain/bulk-action';
import { describe, session } from './session.svelte';
import { saveFile } from './save-file';
import { sync } from './sync.svelte';
import { connectivity } from './connectivity.svelte';
import { sendAndWait } from './wait-for-batch';
import { outcomeSentence, type ResultSummary } from '../domain/results';

export type UploadStep = 'action' | 'form' | 'processing' | 'match' | 'preview' | 'applying' | 'done';

export const PREVIEW_PAGE = 50;

/** How long the worker may take to read and check a file before it is stopped. */
export const PARSE_SECONDS = 60;
export const ACCEPT = '.xlsx,.xls,.ods,.csv';

export interface Completion extends ResultSummary {
	/** Null when the results workbook could not be made; the upload history offers it again. */
	fileName: string | null;
}

export class BulkUploadState {
	open = $state(false);
	step = $state<UploadStep>('action');
	userUpdate = $state(false);
	userAdd = $state(false);
	/** What the ticked boxes mean; null until one is ticked. */
	readonly action = $derived(bulkActionOf(this.userAdd, this.userUpdate));
	declaredCount = $state<number | null>(null);
	file = $state.raw<File | null>(null);
	/** Problems with the form itself or with the whole file; the dialog shows them in an alert. */
	error = $state<string | null>(null);
	progress = $state<DataProgress | null>(null);
	summary = $state.raw<PreviewSummary | null>(null);
	filter = $state<PreviewFilter>('all');
	previewRows = $state.raw<PreviewRowView[]>([]);
	previewTotal = $state(0);
	previewOffset = $state(0);
	completion = $state<Completion | null>(null);
	/** What the admin typed into "Type the number of users that will change" (large changes only). */
	largeChangeTyped = $state('');
	/** Apply waits for the typed number when the upload is a large change. */
	readonly largeChangeConfirmed = $derived(
		!this.summary?.largeChange || confirmsLargeChange(this.largeChangeTyped, this.summary.largeChange.users)
	);
	/** The batch this dialog is applying or has just reported on: its sync notice would repeat the dialog. */
	activeBatchId: string | null = null;
	/** Match columns, while the file's header is being matched. */
	readonly columnMatch = new ColumnMatchState();
	/** The row editor in the preview. */
	readonly rowEdit = new RowEditState(this);
	/** Edits kept on this device from an upload not yet applied. */
	readonly draft = new UploadDraftState();

	constructor() {
		// An upload that finishes syncing later is announced, unless this dialog is reporting on it already.
		sync.onBatchFinished((batch) => {
			// An undo's own dialog announces it (state/undo.svelte.ts).
			if (batch.id === this.activeBatchId || batch.undoOf) return;
			sync.notify({
				id: batch.id,
				batchId: batch.id,
				text: `Your upload "${batch.fileName}" finished syncing: ${outcomeSentence(batch.counts)}`
			});
		});
	}
	/** The worker's name for the checked file on screen; Apply sends it, and the worker takes it once. */
	private previewId: string | null = null;

	get checkedFileId(): string | null {
		return this.previewId;
	}

	/** The portal's roles, offered in the row editor. */
	get roles(): readonly string[] {
		return session.owner?.roles ?? [];
	}

	openDialog(): void {
		this.reset();
		this.open = true;
	}

	close(): void {
		if (this.step === 'processing') dataWorker.cancel();
		this.open = false;
		this.activeBatchId = null;
	}

	reset(): void {
		this.step = 'action';
		this.userUpdate = false;
		this.userAdd = false;
		this.declaredCount = null;
		this.file = null;
		this.error = null;
		this.progress = null;
		this.summary = null;
		this.previewRows = [];
		this.completion = null;
		this.filter = 'all';
		this.previewId = null;
		this.columnMatch.clear();
		this.rowEdit.reset();
		this.largeChangeTyped = '';
	}

	next(): void {
		if (!this.action) {
			this.error = 'Select "User Add", "User Update" or both as the bulk action.';
			return;
		}
		this.error = null;
		this.step = 'form';
		void this.showDraft();
	}

	/** The form tells the admin about edits kept from before (and offers the number typed then). */
	private async showDraft(): Promise<void> {
		const draft = await this.draft.refresh();
		if (draft && this.declaredCount === null && this.step === 'form') this.declaredCount = draft.declaredCount;
	}

	async downloadTemplate(withUsers = false, action: BulkAction = 'update'): Promise<void> {
		try {
			const file = await dataWorker.call('template', { withUsers, action });
			saveFile(file.blob, file.fileName);
		} catch (error) {
			this.error = describe(error);
		}
	}

	async upload(): Promise<void> {
		const count = this.declaredCount;
		if (count === null || !Number.isInteger(count) || count < 1) {
			this.error = 'Enter the number of users in your spreadsheet (not counting the header row).';
			return;
		}
		if (!this.file) {
			this.error = 'Choose the spreadsheet file to upload.';
			return;
		}
		// Checked here too, so a huge file is refused before the browser reads it into memory; in the
		// reader's words, so the admin reads the same sentence whichever check refuses it.
		if (this.file.size > DEFAULT_LIMITS.maxFileBytes) {
			this.error = fileTooLarge(this.file.name, this.file.size, DEFAULT_LIMITS).message;
			return;
		}
		this.error = null;
		this.step = 'processing';
		this.progress = { phase: 'reading', done: 0, total: 0 };
		// Marks and measures let `npm run bench` time the real flow; they cost nothing otherwise.
		performance.mark('bulk:upload-start');
		try {
			const bytes = await this.file.arrayBuffer();
			const result = await dataWorker.call(
				'preflight',
				{ fileName: this.file.name, bytes, declaredCount: count, action: this.action ?? 'update' },
				{
					onProgress: (p) => (this.progress = p),
					transfer: [bytes],
					timeoutMs: PARSE_SECONDS * 1000,
					onTimeout: () => new TimeLimitError(PARSE_SECONDS)
				}
			);
			this.previewId = result.previewId;
			if (result.match) {
				this.columnMatch.start(result.match);
				this.step = 'match';
				return;
			}
			performance.measure('bulk:preflight', 'bulk:upload-start');
			await this.showPreview(result.summary);
		} catch (error) {
			if (error instanceof CancelledError) {
				this.step = 'form';
				return;
			}
			this.error = describe(error);
			this.step = 'form';
		} finally {
			this.progress = null;
		}
	}

	/** The preview of a checked file, or back to the form with the reason when nothing can be applied. */
	private async showPreview(summary: PreviewSummary): Promise<boolean> {
		this.summary = summary;
		if (summary.blocking) {
			this.error = summary.blocking;
			this.step = 'form';
			return false;
		}
		this.filter = summary.counts.failed > 0 ? 'errors' : 'all';
		await this.loadPreviewPage(0);
		this.step = 'preview';
		return true;
	}

	/** Continue in Match columns: the worker checks the rows it holds with the admin's matching. */
	async continueMatching(): Promise<void> {
		const previewId = this.previewId;
		if (this.step !== 'match' || !previewId || this.columnMatch.problems.length > 0) return;
		this.error = null;
		this.step = 'processing';
		this.progress = { phase: 'checking', done: 0, total: 0 };
		try {
			const result = await dataWorker.call('matchColumns', { previewId, choices: this.columnMatch.choices() });
			if (await this.showPreview(result.summary)) this.columnMatch.clear();
		} catch (error) {
			this.error = describe(error);
			this.step = error instanceof CancelledError ? 'form' : 'match';
		} finally {
			this.progress = null;
		}
	}

	/** Continue editing: the preview of the file the worker still holds, with its edits. */
	async resumeDraft(): Promise<void> {
		this.error = null;
		try {
			const result = await dataWorker.call('resumeDraft');
			this.previewId = result.previewId;
			this.declaredCount = result.summary.declaredCount;
			await this.showPreview(result.summary);
		} catch (error) {
			this.error = describe(error);
			void this.draft.refresh();
		}
	}

	/** Download rows with errors: of the preview, or of the upload just applied. */
	async downloadErrorRows(batchId?: string): Promise<void> {
		try {
			const file = await dataWorker.call('errorRows', batchId === undefined ? {} : { batchId });
			saveFile(file.blob, file.fileName);
		} catch (error) {
			this.error = describe(error);
		}
	}

	/** What a Save row answered: the counts, and the page as it now reads (a fixed row may leave the filter). */
	showEdited(summary: PreviewSummary, page: PreviewPageAnswer): void {
		this.summary = summary;
		this.previewRows = page.rows;
		this.previewTotal = page.total;
		this.previewOffset = page.offset;
	}

	cancelProcessing(): void {
		dataWorker.cancel();
		this.step = 'form';
		this.progress = null;
		this.error = 'Upload cancelled. Nothing was changed.';
	}

	async setFilter(filter: PreviewFilter): Promise<void> {
		this.filter = filter;
		this.rowEdit.reset();
		await this.loadPreviewPage(0);
	}

	async loadPreviewPage(offset: number): Promise<void> {
		const page = await dataWorker.call('previewPage', { offset, limit: PREVIEW_PAGE, filter: this.filter });
		this.previewRows = page.rows;
		this.previewTotal = page.total;
		this.previewOffset = page.offset;
	}

	/** Back to the form with the same count, so the admin can fix the file and upload it again. */
	chooseAnotherFile(): void {
		this.summary = null;
		this.largeChangeTyped = '';
		this.previewId = null;
		this.file = null;
		this.error = null;
		this.columnMatch.clear();
		this.rowEdit.reset();
		this.step = 'form';
		void this.showDraft();
	}

	async apply(): Promise<void> {
		// Only from the preview: a second click in the same task (before the button is gone) finds 'applying'.
		const previewId = this.previewId;
		if (this.step !== 'preview' || !this.summary || !previewId || !session.owner || !this.largeChangeConfirmed) return;
		this.step = 'applying';
		this.error = null;
		this.progress = { phase: 'applying', done: 0, total: this.summary.counts.update + this.summary.counts.add };
		const batchId = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
		this.activeBatchId = batchId;
		performance.mark('bulk:apply-start');
		let applied: Completion;
		try {
			const counts = await dataWorker.call(
				'apply',
				{ previewId, batchId, admin: session.owner.username, largeChangeConfirmation: this.largeChangeTyped },
				{ onProgress: (p) => (this.progress = p) }
			);
			applied = { ...counts, fileName: null };
			performance.measure('bulk:apply-local', 'bulk:apply-start');
		} catch (error) {
			// The apply commits in one transaction: an error here means nothing was applied.
			this.error = describe(error);
			this.step = 'preview';
			this.progress = null;
			return;
		}
		// Applied from here on: whatever fails now, the dialog reports what was applied, never the preview
		// with "Nothing has changed yet" and an Apply button for a file that is already applied.
		try {
			// Online: push now and wait a while, so the results carry the server's final word per row.
			// A flaky connection may need a retry or two; rows still unanswered after that stay Queued.
			if (connectivity.worthTrying) await sendAndWait(batchId, (done, total) => (this.progress = { phase: 'sending', done, total }));
			this.progress = { phase: 'writing', done: 0, total: 0 };
			performance.mark('bulk:results-start');
			const file = await dataWorker.call('results', { batchId });
			performance.measure('bulk:results', 'bulk:results-start');
			const counts = await batchCounts(batchId);
			saveFile(file.blob, file.fileName);
			this.completion = { ...counts, fileName: file.fileName };
		} catch (error) {
			const counts = await getBatchRecord(batchId).then(
				(b) => b?.counts,
				() => undefined
			);
			this.completion = counts ? { ...counts, fileName: null } : applied;
			this.error = `The upload was applied, but its results spreadsheet could not be made (${describe(error)}). Close this window and use "Download results" in the Upload history on the Users tab.`;
		} finally {
			this.step = 'done';
			this.progress = null;
		}
	}
}

async function batchCounts(batchId: string) {
	const batch = await getBatchRecord(batchId);
	if (!batch) throw new Error('The upload was applied but its results could not be read back.');
	return batch.counts;
}

export const bulkUpload = new BulkUploadState();
