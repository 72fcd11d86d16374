// The data worker's API: everything heavy happens here, off the UI thread. It downloads the admin's
// users at sign-in, reads an uploaded file, checks every row against the local copy, keeps the preview
// in memory (the page asks for pages), commits Apply to IndexedDB, and builds every workbook we download.
// The page calls these through WorkerClient<DataHandlers>, typed from this object (see rpc/worker-rpc.ts).
import type { MatchProposal, PreviewSummary } from '../domain/preview-view';
import { guessColumns, headerKey, needsMatching, sampleColumns } from '../domain/header-match';
import { mapHeader } from '../domain/header-map';
import { summarize, type ResultSummary } from '../domain/results';
import { getBatch } from '../storage/batches-repo';
import { findMatching } from '../storage/column-matchings-repo';
import { UsersChangedError } from '../storage/commit-batch-repo';
import { deleteDraft } from '../storage/draft-repo';
import { listInstitutions } from '../storage/institutions-repo';
import { getMeta } from '../storage/meta-repo';
import { loadAllUsers } from '../storage/users-repo';
import { applyUpload } from '../sync/apply-upload';
import { downloadAll } from '../sync/download';
import { HttpTransport } from '../sync/transport';
import type { CallContext } from '../rpc/worker-rpc';
import { readUploadedSheet, type SheetRead } from '../spreadsheet/read';
import {
	institutionsFileName,
	resultsFileName,
	templateFileName,
	usersExportFileName,
	writeInstitutions,
	writeResults,
	writeTemplate
} from '../spreadsheet/write';
import {
	checkHeld,
	draftFor,
	fileHash,
	heldFile,
	holdFile,
	loadContext,
	pageOf,
	restoredNotice,
	restoreEdits,
	summaryOf,
	type HeldFile,
	type PageRequest,
	type PreviewPage
} from './checked-file';
import { fixHandlers } from './fix-handlers';
import { workbook, type WorkbookFile } from './workbook-file';

export type { PreviewFilter } from './checked-file';
export type { WorkbookFile } from './workbook-file';

export type DataProgress = {
	phase: 'downloading' | 'reading' | 'checking' | 'applying' | 'sending' | 'writing';
	done: number;
	total: number;
};

/** The call's context (progress); `ctx` in this file is the rule context. */
type Ctx = CallContext<DataProgress>;

/**
 * Checked files applied or being applied. Taken before Apply's first await, so a second request for
 * the same file (two clicks in one task reach the worker before the first has committed) is refused
 * instead of committing a second batch in which every row reads Unchanged.
 */
const taken = new Set<string>();

/** Upload's answer: the preview, or first Match columns when the header is not the template's. */
export type PreflightAnswer =
	{ previewId: string; summary: PreviewSummary; match?: undefined } | { previewId: string; match: MatchProposal };

async function preflight(
	{ fileName, bytes, declaredCount }: { fileName: string; bytes: ArrayBuffer; declaredCount: number },
	call: Ctx
): Promise<PreflightAnswer> {
	holdFile(undefined);
	const progress = call.progress;
	progress({ phase: 'reading', done: 0, total: 0 });
	// Users load from IndexedDB and the file is hashed while it parses; all are needed before checking.
	const contextPromise = loadContext();
	contextPromise.catch(() => {});
	const size = bytes.byteLength;
	const hashPromise = fileHash(bytes);
	hashPromise.catch(() => {});
	const sheet = readUploadedSheet(new Uint8Array(bytes), fileName);
	const dataRows = Math.max(0, sheet.rows.length - 1);
	progress({ phase: 'checking', done: 0, total: dataRows });
	const [{ ctx, snapshot }, hash] = await Promise.all([contextPromise, hashPromise]);
	const file: HeldFile = {
		id: crypto.randomUUID(),
		file: { name: fileName, size, hash },
		sheet,
		declaredCount,
		ctx,
		snapshot,
		readNotes: readNotes(sheet),
		sealed: new Map()
	};
	holdFile(file);
	const onProgress = (done: number, total: number) => progress({ phase: 'checking', done, total });

	// The same file as the draft kept on this device: its matching and edits again, without asking.
	const draft = await draftFor(size, hash);
	if (draft) {
		const { edits, lost } = await restoreEdits(file, draft);
		if (draft.matching) file.matching = draft.matching;
		const upload = checkHeld(file, edits, onProgress);
		progress({ phase: 'checking', done: upload.preview.counts.rows, total: upload.preview.counts.rows });
		return { previewId: file.id, summary: summaryOf(file, [restoredNotice(draft, lost)]) };
	}
	const map = mapHeader(sheet.rows);
	if (map && needsMatching(map)) {
		const remembered = await findMatching(headerKey(map.header)).catch(() => undefined);
		file.guesses = guessColumns(map.header, sampleColumns(sheet.rows, map.headerIndex), remembered);
		return { previewId: file.id, match: { fileName, headerRow: map.headerRow, columns: file.guesses } };
	}
	const upload = checkHeld(file, [], onProgress);
	progress({ phase: 'checking', done: upload.preview.counts.rows, total: upload.preview.counts.rows });
	return { previewId: file.id, summary: summaryOf(file) };
}

function readNotes(sheet: SheetRead): HeldFile['readNotes'] {
	let sheetNote: string | null = null;
	if (sheet.sheetNames.length > 1) {
		if (sheet.chosenBecause === 'named-users') sheetNote = `read sheet "${sheet.sheetName}" of ${sheet.sheetNames.length}`;
		else if (sheet.chosenBecause === 'named-results') sheetNote = `read sheet "${sheet.sheetName}": no sheet is named "Users"`;
		else sheetNote = `no sheet is named "Users", so the first sheet with data, "${sheet.sheetName}", was read`;
	}
	const notices: string[] = [];
	if (sheet.format === 'csv' && sheet.encoding) {
		notices.push(`Read as CSV (${sheet.encoding}${sheet.delimiter ? `, ${describeDelimiter(sheet.delimiter)}-separated` : ''}).`);
	}
	return { sheetNote, notices };
}

function describeDelimiter(d: string): string {
	return d === '\t' ? 'tab' : d === ';' ? 'semicolon' : d === ',' ? 'comma' : JSON.stringify(d);
}

async function apply(
	{ previewId, batchId, admin }: { previewId: string; batchId: string; admin: string },
	call: Ctx
): Promise<ResultSummary> {
	if (taken.has(previewId)) {
		throw new Error(
			'This file has already been applied. Its results are in the Upload history on the Users tab; to change more, upload a new file.'
		);
	}
	const file = heldFile();
	if (!file || file.id !== previewId || !file.upload) throw new Error('There is no checked file to apply. Upload the file again.');
	taken.add(previewId);
	try {
		return await applyHeld(call, file, batchId, admin);
	} catch (error) {
		// The apply commits in one transaction, so after an error nothing of it is stored: it may be tried again.
		taken.delete(previewId);
		throw error;
	}
}

async function applyHeld(call: Ctx, checked: HeldFile, batchId: string, admin: string): Promise<ResultSummary> {
	const upload = checked.upload!;
	const owner = await getMeta('owner');
	for (let attempt = 1; ; attempt++) {
		// A sync or another tab may have changed users since the preview: then check again against the
		// local copy as it is now (edits included), so what is applied is what the rules say today.
		if ((await getMeta('usersVersion')) !== checked.snapshot.version) {
			({ ctx: checked.ctx, snapshot: checked.snapshot } = await loadContext());
			upload.recheck(checked.ctx);
		}
		const fresh = upload.preview;
		call.progress({ phase: 'applying', done: 0, total: fresh.counts.update });
		try {
			const batch = await applyUpload(fresh, checked.ctx, { batchId, admin, parentName: owner?.parentName ?? '' }, checked.snapshot);
			if (heldFile() === checked) holdFile(undefined);
			// Applied: the edits are in the batch now; a draft of them would offer them again.
			await deleteDraft(checked.file.hash).catch(() => {});
			call.progress({ phase: 'applying', done: fresh.counts.update, total: fresh.counts.update });
			return batch.counts;
		} catch (error) {
			// Changed between the check above and the commit: rare (a sync settling just then); check again.
			if (!(error instanceof UsersChangedError) || attempt >= 3) throw error;
		}
	}
}

async function results({ batchId }: { batchId: string }): Promise<WorkbookFile> {
	const found = await getBatch(batchId);
	if (!found) throw new Error('That upload is no longer on this device.');
	const { batch, rows } = found;
	const bytes = writeResults({
		header: batch.header,
		columnMap: batch.columnMap,
		rows,
		fileName: batch.fileName,
		sheetName: batch.sheetName,
		admin: batch.admin,
		parentName: batch.parentName,
		time: new Date(batch.createdAt),
		summary: summarize(rows)
	});
	return workbook(resultsFileName(new Date(batch.finishedAt ?? batch.createdAt)), bytes);
}

async function template({ withUsers }: { withUsers: boolean }): Promise<WorkbookFile> {
	const owner = await getMeta('owner');
	const institutions = await listInstitutions();
	const users = withUsers ? await loadAllUsers() : undefined;
	const bytes = writeTemplate({ institutions, roles: owner?.roles ?? [], users, parentName: owner?.parentName });
	return workbook(withUsers ? usersExportFileName(new Date()) : templateFileName(), bytes);
}

function previewPage(request: PageRequest): PreviewPage {
	return pageOf(heldFile(), request);
}

/** Sign-in's first download. Same-origin fetches from a worker carry the session cookie like the page's do. */
async function download(_args: undefined, call: Ctx): Promise<{ users: number }> {
	const users = await downloadAll(new HttpTransport(), (p) => call.progress({ phase: 'downloading', done: p.received, total: p.total }));
	return { users };
}

async function institutions(): Promise<WorkbookFile> {
	const list = await listInstitutions();
	list.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
	return workbook(institutionsFileName(new Date()), writeInstitutions(list));
}

export const dataHandlers = { preflight, previewPage, apply, results, template, institutions, download, ...fixHandlers };

export type DataHandlers = typeof dataHandlers;

/** Our own errors carry sentences for admins; a programming error (TypeError and the like) does not. */
export function describeDataError(error: unknown): string {
	const internal =
		!(error instanceof Error) ||
		error instanceof TypeError ||
		error instanceof RangeError ||
		error instanceof ReferenceError ||
		error instanceof SyntaxError;
	if (!internal) return error.message;
	console.error('data worker:', error);
	return 'Something went wrong while processing the file. Nothing was changed. Try again; if it keeps happening, save the file as .xlsx and upload that.';
}
