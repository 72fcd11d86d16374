// The row editor in the preview: which row is open, Save row through the worker (which checks the row
// with every rule, the rows it shares a user or email with too, and stores the draft), and what the
// admin is told afterwards. Saving updates the counts and the page at once; a fixed row can leave the
// filter, so the editor says where it went.
import type { RowValues } from '../domain/checked-upload';
import type { PreviewRowView, PreviewSummary } from '../domain/preview-view';
import { dataWorker, type PreviewFilter } from '../worker/client';
import { describe } from './session.svelte';

export interface PreviewPageAnswer {
	rows: PreviewRowView[];
	total: number;
	offset: number;
}

/** What the editor needs of the dialog's state (BulkUploadState). */
export interface EditedPreview {
	readonly checkedFileId: string | null;
	readonly filter: PreviewFilter;
	readonly previewOffset: number;
	showEdited(summary: PreviewSummary, page: PreviewPageAnswer): void;
}

const PAGE = 50;

export class RowEditState {
	/** The row whose editor is open. */
	row = $state<number | null>(null);
	saving = $state(false);
	error = $state<string | null>(null);
	/** Said once a row is saved (a live region reads it). */
	status = $state<string | null>(null);
	/** The row whose Edit button gets focus back after the editor closes. */
	focusRow = $state<number | null>(null);

	constructor(private readonly preview: EditedPreview) {}

	open(row: number): void {
		this.row = row;
		this.error = null;
		this.status = null;
	}

	cancel(): void {
		this.focusRow = this.row;
		this.row = null;
		this.error = null;
	}

	reset(): void {
		this.row = null;
		this.saving = false;
		this.error = null;
		this.status = null;
		this.focusRow = null;
	}

	async save(row: number, values: RowValues, password: string): Promise<void> {
		const previewId = this.preview.checkedFileId;
		if (!previewId || this.saving) return;
		this.saving = true;
		this.error = null;
		performance.mark('bulk:save-row-start');
		try {
			const answer = await dataWorker.call('editRow', {
				previewId,
				row,
				values: trimmed(values),
				...(password ? { password } : {}),
				page: { offset: this.preview.previewOffset, limit: PAGE, filter: this.preview.filter }
			});
			this.preview.showEdited(answer.summary, answer.page);
			performance.measure('bulk:save-row', 'bulk:save-row-start');
			const shown = answer.page.rows.some((r) => r.row === row);
			this.status = savedSentence(answer.row, shown);
			this.row = null;
			this.focusRow = row;
		} catch (error) {
			this.error = describe(error);
		} finally {
			this.saving = false;
		}
	}
}

function trimmed(values: RowValues): RowValues {
	return {
		accountId: values.accountId.trim(),
		username: values.username.trim(),
		name: values.name.trim(),
		email: values.email.trim(),
		role: values.role.trim()
	};
}

/** "Row 8 saved: it will update." — and where it went when the filter no longer shows it. */
function savedSentence(row: PreviewRowView, shown: boolean): string {
	const what =
		row.status === 'update'
			? 'it will update'
			: row.status === 'add'
				? 'it will be added'
				: row.status === 'unchanged'
					? 'it has no changes'
					: `it still has ${row.errors.length === 1 ? 'an error' : `${row.errors.length} errors`}`;
	return `Row ${row.row} saved: ${what}.${shown ? '' : ' It no longer matches "Show", so it left this list.'}`;
}
