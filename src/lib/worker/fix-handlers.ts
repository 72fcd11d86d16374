// The data worker's calls for fixing an upload in place: Match columns' Continue, Save row in the preview,
// the draft that keeps edits across a reload, and "Download rows with errors". Registered with the
// others in handlers.ts; the file they work on is the one checked-file.ts holds.
import type { BulkAction } from '../domain/bulk-action';
import type { RowValues } from '../domain/checked-upload';
import { errorRowsOfPreview, errorRowsOfResults, type ErrorRow } from '../domain/error-rows';
import { headerKey, matchingProblems, targetsByColumn, type MatchTarget } from '../domain/header-match';
import { findHeaderIndex } from '../domain/header-map';
import type { PreviewRowView, PreviewSummary } from '../domain/preview-view';
import { getBatch } from '../storage/batches-repo';
import { rememberMatching } from '../storage/column-matchings-repo';
import { deleteDraft, getDraft } from '../storage/draft-repo';
import { listInstitutions } from '../storage/institutions-repo';
import { getMeta } from '../storage/meta-repo';
import { errorsFileName, writeErrorRows } from '../spreadsheet/write';
import {
	checkHeld,
	gateOf,
	heldFile,
	heldFor,
	holdFile,
	pageOf,
	saveDraft,
	summaryOf,
	toView,
	type PageRequest,
	type PreviewPage
} from './checked-file';
import { workbook, type WorkbookFile } from './workbook-file';

/** Continue in Match columns: checks the rows the worker holds with the admin's matching, and remembers it. */
async function matchColumns({
	previewId,
	choices
}: {
	previewId: string;
	choices: { index: number; target: MatchTarget }[];
}): Promise<{ previewId: string; summary: PreviewSummary }> {
	const file = heldFor(previewId);
	if (!file.guesses) throw new Error('This file needs no column matching. Upload it again.');
	const chosen = file.guesses.map((g) => ({ ...g, target: choices.find((c) => c.index === g.index)?.target ?? g.target }));
	const problems = matchingProblems(chosen);
	if (problems.length > 0) throw new Error(problems.join(' '));
	const rows = file.sheet.rows;
	const header = rows[findHeaderIndex(rows)] ?? [];
	file.matching = targetsByColumn(header, chosen);
	checkHeld(file);
	// Remembered only once it checked: a matching that leads nowhere is not offered again.
	await rememberMatching(headerKey(header), { fileName: file.file.name, usedAt: Date.now(), targets: file.matching }).catch(() => {});
	return { previewId, summary: summaryOf(file) };
}

/**
 * Save row: the row's new values (and a new password, if typed) checked with every rule, the rows its old
 * and new user and email are shared with checked again, and the page the admin is on as it now reads.
 * The draft is stored before answering, so an answer means the edit survives a reload.
 */
async function editRow({
	previewId,
	row,
	values,
	password,
	page
}: {
	previewId: string;
	row: number;
	values: RowValues;
	password?: string;
	page: PageRequest;
}): Promise<{ summary: PreviewSummary; page: PreviewPage; row: PreviewRowView }> {
	const file = heldFor(previewId);
	const upload = file.upload;
	if (!upload) throw new Error('Match the columns first, then edit rows.');
	const outcome = upload.edit(row, values, password);
	// An edit can take the upload over the large-change threshold, or back under it.
	file.largeChange = gateOf(file);
	await saveDraft(file);
	return { summary: summaryOf(file), page: pageOf(file, page), row: toView(outcome, upload) };
}

export interface DraftStatus {
	fileName: string;
	editedRows: number;
	savedAt: number;
	declaredCount: number;
	/** The worker still holds that file checked: Continue editing needs no file. */
	held: boolean;
}

/** The device's draft, for the upload form: what is kept and whether the file must be chosen again. */
async function draftStatus(): Promise<DraftStatus | null> {
	const draft = await getDraft();
	if (!draft) return null;
	const file = heldFile();
	return {
		fileName: draft.fileName,
		editedRows: draft.edits.length,
		savedAt: draft.savedAt,
		declaredCount: draft.declaredCount,
		held: !!file?.upload && file.file.hash === draft.fileHash && file.upload.editedRows > 0
	};
}

/** Continue editing: back to the preview of the held file (the dialog was closed, the page not reloaded). */
function resumeDraft(): { previewId: string; summary: PreviewSummary } {
	const file = heldFile();
	if (!file?.upload) throw new Error('The file is no longer open on this device. Choose it again and select Upload: your edits are kept.');
	return { previewId: file.id, summary: summaryOf(file) };
}

/** Discard edits: the draft goes, and the held file with it (its preview showed the edits). */
async function discardDraft(): Promise<void> {
	const draft = await getDraft();
	const file = heldFile();
	if (file && (!draft || file.file.hash === draft.fileHash) && file.upload && file.upload.editedRows > 0) holdFile(undefined);
	await deleteDraft();
}

/**
 * The rows of "Download rows with errors" this device holds: of the checked file (no batchId), or of an
 * upload applied here, the portal's rejections included. (An upload only the portal keeps: handlers.ts.)
 */
export async function localErrorRows({ batchId }: { batchId?: string }): Promise<{ rows: ErrorRow[]; action?: BulkAction }> {
	if (batchId === undefined) {
		const upload = heldFile()?.upload;
		if (!upload) throw new Error('This file is no longer checked on this device. Upload the file again.');
		return { rows: errorRowsOfPreview(upload.preview), action: upload.preview.action };
	}
	const found = await getBatch(batchId);
	if (!found) throw new Error('That upload is no longer on this device.');
	return { rows: errorRowsOfResults(found.batch.columnMap, found.rows), action: found.batch.action };
}

/** The rows with errors as the action's template with Reason last. */
export async function errorRowsWorkbook(rows: ErrorRow[], action: BulkAction = 'update'): Promise<WorkbookFile> {
	if (rows.length === 0) throw new Error('No row has errors, so there is nothing to download.');
	const [owner, institutions] = await Promise.all([getMeta('owner'), listInstitutions()]);
	const bytes = await writeErrorRows({ rows, institutions, roles: owner?.roles ?? [], parentName: owner?.parentName, action });
	return workbook(errorsFileName(new Date(), action), bytes);
}

export const fixHandlers = { matchColumns, editRow, draftStatus, resumeDraft, discardDraft };
