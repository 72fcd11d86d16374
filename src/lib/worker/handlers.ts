// The data worker's API: everything heavy happens here, off the UI thread. It downloads the admin's
// users at sign-in, reads an uploaded file, checks every row against the local copy, keeps the preview
// in memory (the page asks for pages), commits Apply to IndexedDB, and builds every workbook we download.
// The page calls these through WorkerClient<DataHandlers>, typed from this object (see rpc/worker-rpc.ts).
import type { BulkAction } from '../domain/bulk-action';
import { errorRowsOfResults } from '../domain/error-rows';
import { uploadTitle, type HistoryRow, type UploadSummary } from '../domain/history';
import { confirmsLargeChange, type LargeChange } from '../domain/large-change';
import { guessColumns, headerKey, needsMatching, sampleColumns } from '../domain/header-match';
import { mapHeader } from '../domain/header-map';
import type { MatchProposal, PreviewSummary } from '../domain/preview-view';
import { summarize, type ResultSummary } from '../domain/results';
import { planUndo, type UndoCounts, type UndoPlan, type UndoRowView } from '../domain/undo';
import { getBatch } from '../storage/batches-repo';
import { findMatching } from '../storage/column-matchings-repo';
import { UsersChangedError } from '../storage/commit-batch-repo';
import { deleteDraft } from '../storage/draft-repo';
import { listInstitutions } from '../storage/institutions-repo';
import { getMeta } from '../storage/meta-repo';
import { loadAllUsers, type UserSnapshot } from '../storage/users-repo';
import { applyPlan, applyUpload } from '../sync/apply-upload';
import { downloadAll } from '../sync/download';
import { uploadWithRows } from '../sync/history-fetch';
import { HttpTransport, TransportError, type PortalTransport, type RequestOutcome } from '../sync/transport';
import type { CallContext } from '../rpc/worker-rpc';
import { readUploadedSheet, type SheetRead } from '../spreadsheet/read';
import {
	institutionsFileName,
	resultsFileName,
	templateFileName,
	undoResultsFileName,
	usersExportFileName,
	writeInstitutions,
	writeResults,
	writeTemplate
} from '../spreadsheet/write';
import {
	checkHeld,
	draftFor,
	fileHash,
	gateOf,
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
import { errorRowsWorkbook, fixHandlers, localErrorRows } from './fix-handlers';
import { syncHandlers, type SyncFailure } from './sync-handlers';
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

/** Same-origin fetches from a worker carry the session cookie like the page's do. Tests swap in a portal. */
let portal: PortalTransport = new HttpTransport();
export function useDataTransport(transport: PortalTransport): void {
	portal = transport;
}

/**
 * Checked files applied or being applied. Taken before Apply's first await, so a second request for
 * the same file (two clicks in one task reach the worker before the first has committed) is refused
 * instead of committing a second batch in which every row reads Unchanged.
 */
const taken = new Set<string>();

function largeChangeRefusal(gate: LargeChange): Error {
	return new Error(
		`This upload changes ${gate.users.toLocaleString('en-US')} users. Type that number in "Type the number of users that will change" to confirm, then select Apply.`
	);
}

/** Upload's answer: the preview, or first Match columns when the header is not the template's. */
export type PreflightAnswer =
	{ previewId: string; summary: PreviewSummary; match?: undefined } | { previewId: string; match: MatchProposal };

async function preflight(
	{
		fileName,
		bytes,
		declaredCount,
		action = 'update'
	}: { fileName: string; bytes: ArrayBuffer; declaredCount: number; action?: BulkAction },
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
	let t = performance.now();
	const sheet = readUploadedSheet(new Uint8Array(bytes), fileName);
	t = lap('preflight:read', t);
	const dataRows = Math.max(0, sheet.rows.length - 1);
	progress({ phase: 'checking', done: 0, total: dataRows });
	const [{ ctx, snapshot, owner }, hash] = await Promise.all([contextPromise, hashPromise]);
	lap('preflight:wait-users', t);
	const file: HeldFile = {
		id: crypto.randomUUID(),
		file: { name: fileName, size, hash },
		sheet,
		declaredCount,
		action,
		ctx,
		snapshot,
		owner,
		largeChange: null,
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
	t = performance.now();
	const upload = checkHeld(file, [], onProgress);
	lap('preflight:check', t);
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
	{
		previewId,
		batchId,
		admin,
		largeChangeConfirmation
	}: {
		previewId: string;
		batchId: string;
		admin: string;
		/** What the admin typed into "Type the number of users that will change", when the preview asked. */
		largeChangeConfirmation?: string;
	},
	call: Ctx
): Promise<ResultSummary> {
	if (taken.has(previewId)) {
		throw new Error(
			'This file has already been applied. Its results are in the Upload history on the Users tab; to change more, upload a new file.'
		);
	}
	const held = heldFile();
	if (!held || held.id !== previewId || !held.upload) throw new Error('There is no checked file to apply. Upload the file again.');
	// The dialog keeps Apply disabled until the number is typed; a request without it is refused here too.
	if (held.largeChange && !confirmsLargeChange(largeChangeConfirmation ?? '', held.largeChange.users)) {
		throw largeChangeRefusal(held.largeChange);
	}
	taken.add(previewId);
	try {
		return await applyHeld(call, held, batchId, admin, largeChangeConfirmation ?? '');
	} catch (error) {
		// The apply commits in one transaction, so after an error nothing of it is stored: it may be tried again.
		taken.delete(previewId);
		throw error;
	}
}

async function applyHeld(call: Ctx, checked: HeldFile, batchId: string, admin: string, confirmation: string): Promise<ResultSummary> {
	const upload = checked.upload!;
	const owner = await getMeta('owner');
	for (let attempt = 1; ; attempt++) {
		// A sync or another tab may have changed users since the preview: then check again against the
		// local copy as it is now (edits included), so what is applied is what the rules say today.
		if ((await getMeta('usersVersion')) !== checked.snapshot.version) {
			({ ctx: checked.ctx, snapshot: checked.snapshot, owner: checked.owner } = await loadContext());
			upload.recheck(checked.ctx);
			checked.largeChange = gateOf(checked);
			if (checked.largeChange && !confirmsLargeChange(confirmation, checked.largeChange.users)) {
				throw largeChangeRefusal(checked.largeChange);
			}
		}
		const fresh = upload.preview;
		const { largeChange } = checked;
		const total = fresh.counts.update + fresh.counts.add;
		call.progress({ phase: 'applying', done: 0, total });
		try {
			const meta = {
				batchId,
				admin,
				parentName: owner?.parentName ?? '',
				...(largeChange ? { largeChangeConfirmed: largeChange.users } : {})
			};
			const batch = await applyUpload(fresh, checked.ctx, meta, checked.snapshot);
			if (heldFile() === checked) holdFile(undefined);
			// Applied: the edits are in the batch now; a draft of them would offer them again.
			await deleteDraft(checked.file.hash).catch(() => {});
			call.progress({ phase: 'applying', done: total, total });
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
	const bytes = await writeResults({
		header: batch.header,
		columnMap: batch.columnMap,
		rows,
		fileName: batch.fileName,
		sheetName: batch.sheetName,
		admin: batch.admin,
		parentName: batch.parentName,
		time: new Date(batch.createdAt),
		summary: summarize(rows),
		action: batch.action,
		...(batch.undoOf ? { undoOf: batch.undoOf.fileName } : {}),
		...(batch.largeChangeConfirmed !== undefined ? { largeChangeConfirmed: batch.largeChangeConfirmed } : {})
	});
	const at = new Date(batch.finishedAt ?? batch.createdAt);
	return workbook(batch.undoOf ? undoResultsFileName(at) : resultsFileName(at, batch.action), bytes);
}

/** The results workbook of any upload in the portal's history, rebuilt from the portal's rows (final statuses). */
async function historyResults({ uploadId }: { uploadId: string }, call: Ctx): Promise<WorkbookFile> {
	const { upload, rows, saved } = await uploadWithRows(portal, uploadId, (done, total) =>
		call.progress({ phase: 'downloading', done, total })
	);
	// Kept before answering: the admin may go offline right after and ask again.
	await saved;
	call.progress({ phase: 'writing', done: 0, total: 0 });
	const owner = await getMeta('owner');
	const bytes = await writeResults({
		header: upload.header,
		columnMap: upload.columnMap,
		rows,
		fileName: upload.fileName,
		sheetName: upload.sheetName,
		admin: upload.admin,
		parentName: owner?.parentName,
		time: new Date(upload.uploadedAt),
		summary: upload.counts,
		action: upload.action,
		...(upload.undoOf ? { undoOf: upload.undoOf.fileName } : {}),
		...(upload.largeChangeConfirmed !== undefined ? { largeChangeConfirmed: upload.largeChangeConfirmed } : {})
	});
	const at = new Date(upload.uploadedAt);
	return workbook(upload.undoOf ? undoResultsFileName(at) : resultsFileName(at, upload.action), bytes);
}

/**
 * Download rows with errors: of the checked file (no ids), of an upload this device applied (batchId), or
 * of one only the portal keeps (uploadId, from the portal's rows); rejections at sync are Failed rows too.
 */
async function errorRows({ batchId, uploadId }: { batchId?: string; uploadId?: string }, call: Ctx): Promise<WorkbookFile> {
	if (uploadId === undefined) {
		const { rows, action } = await localErrorRows({ batchId });
		return errorRowsWorkbook(rows, action);
	}
	const { upload, rows, saved } = await uploadWithRows(portal, uploadId, (done, total) =>
		call.progress({ phase: 'downloading', done, total })
	);
	await saved;
	return errorRowsWorkbook(errorRowsOfResults(upload.columnMap, rows), upload.action);
}

// ---- undo ------------------------------------------------------------------------------------

export interface UndoSummary {
	uploadId: string;
	/** "roster.xlsx", or "Undo of roster.xlsx" for an undo. */
	title: string;
	uploadedAt: number;
	counts: UndoCounts;
}

export type UndoFilter = 'all' | 'restore' | 'not-restored';

interface HeldUndo {
	id: string;
	upload: UploadSummary;
	rows: HistoryRow[];
	plan: UndoPlan;
	snapshot: UserSnapshot;
}
let heldUndo: HeldUndo | undefined;
const undoTaken = new Set<string>();

/** Works out an upload's undo against this device's users; the dialog pages through it with undoPage. */
async function undoPreview({ uploadId }: { uploadId: string }, call: Ctx): Promise<{ undoId: string; summary: UndoSummary }> {
	heldUndo = undefined;
	call.progress({ phase: 'downloading', done: 0, total: 0 });
	const started = performance.now();
	const contextPromise = loadContext().then((loaded) => {
		performance.measure('undo:users', { start: started, end: performance.now() });
		return loaded;
	});
	contextPromise.catch(() => {});
	const { upload, rows } = await uploadWithRows(portal, uploadId, (done, total) => call.progress({ phase: 'downloading', done, total }));
	lap('undo:rows', started);
	call.progress({ phase: 'checking', done: 0, total: rows.length });
	const { ctx, snapshot } = await contextPromise;
	const t = performance.now();
	const plan = planUndo(rows, ctx.user);
	lap('undo:plan', t);
	const undoId = crypto.randomUUID();
	heldUndo = { id: undoId, upload, rows, plan, snapshot };
	return { undoId, summary: { uploadId, title: uploadTitle(upload), uploadedAt: upload.uploadedAt, counts: plan.counts } };
}

function undoPage({ offset, limit, filter }: { offset: number; limit: number; filter: UndoFilter }): {
	rows: UndoRowView[];
	total: number;
} {
	const views = heldUndo?.plan.views ?? [];
	const filtered = filter === 'all' ? views : views.filter((v) => v.status === filter);
	return { rows: filtered.slice(offset, offset + limit), total: filtered.length };
}

/** Queues the undo held as `undoId` through the outbox, like an upload; taken once, like a checked file. */
async function applyUndo(
	{ undoId, batchId, admin }: { undoId: string; batchId: string; admin: string },
	call: Ctx
): Promise<ResultSummary> {
	if (undoTaken.has(undoId)) throw new Error('This undo has already been applied. Its results are in the Upload history on the Users tab.');
	const undo = heldUndo;
	if (!undo || undo.id !== undoId) throw new Error('There is no undo to apply. Close this window and select Undo again.');
	undoTaken.add(undoId);
	try {
		let { plan, snapshot } = undo;
		const owner = await getMeta('owner');
		for (let attempt = 1; ; attempt++) {
			// Users changed on this device since the preview (a sync): work the undo out again against them.
			if ((await getMeta('usersVersion')) !== snapshot.version) {
				const loaded = await loadContext();
				snapshot = loaded.snapshot;
				plan = planUndo(undo.rows, loaded.ctx.user);
			}
			call.progress({ phase: 'applying', done: 0, total: plan.apply.mutations.length });
			try {
				const batch = await applyPlan(
					plan.apply,
					{
						id: batchId,
						fileName: undo.upload.fileName,
						sheetName: undo.upload.sheetName,
						createdAt: Date.now(),
						admin,
						header: undo.upload.header,
						columnMap: undo.upload.columnMap,
						parentName: owner?.parentName ?? '',
						undoOf: { id: undo.upload.id, fileName: uploadTitle(undo.upload) }
					},
					snapshot
				);
				if (heldUndo === undo) heldUndo = undefined;
				return batch.counts;
			} catch (error) {
				if (!(error instanceof UsersChangedError) || attempt >= 3) throw error;
			}
		}
	} catch (error) {
		undoTaken.delete(undoId);
		throw error;
	}
}

/** A named measure the bench reads (worker measures are collected with the page's). */
function lap(name: string, start: number): number {
	const end = performance.now();
	performance.measure(name, { start, end });
	return end;
}

/** The template of a bulk action, or (withUsers) the update template filled with every user: Export users. */
async function template({ withUsers, action = 'update' }: { withUsers: boolean; action?: BulkAction }): Promise<WorkbookFile> {
	const owner = await getMeta('owner');
	const institutions = await listInstitutions();
	const users = withUsers ? await loadAllUsers() : undefined;
	const bytes = await writeTemplate({ institutions, roles: owner?.roles ?? [], users, parentName: owner?.parentName, action });
	return workbook(withUsers ? usersExportFileName(new Date()) : templateFileName(action), bytes);
}

function previewPage(request: PageRequest): PreviewPage {
	return pageOf(heldFile(), request);
}

export type DownloadAnswer =
	{ ok: true; users: number; outcome: RequestOutcome | null } | { ok: false; failure: SyncFailure; outcome: RequestOutcome | null };

/**
 * Sign-in's full download, resumed from the last stored page when an earlier attempt was cut short.
 * Never throws for the network or the portal: the failure comes back as data, with the last request's
 * outcome for reachability, and the page decides when to try again.
 */
async function download(_args: undefined, call: Ctx): Promise<DownloadAnswer> {
	let outcome: RequestOutcome | null = null;
	const stop = portal instanceof HttpTransport ? portal.observe((o) => (outcome = o)) : () => {};
	try {
		const users = await downloadAll(portal, (p) => call.progress({ phase: 'downloading', done: p.received, total: p.total }));
		return { ok: true, users, outcome };
	} catch (error) {
		if (!(error instanceof TransportError)) throw error;
		return { ok: false, failure: { kind: error.kind, message: error.message, status: error.status, details: error.details }, outcome };
	} finally {
		stop();
	}
}

async function institutions(): Promise<WorkbookFile> {
	const list = await listInstitutions();
	list.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
	return workbook(institutionsFileName(new Date()), await writeInstitutions(list));
}

export const dataHandlers = {
	preflight,
	previewPage,
	apply,
	results,
	historyResults,
	undoPreview,
	undoPage,
	applyUndo,
	template,
	institutions,
	download,
	errorRows,
	...fixHandlers,
	...syncHandlers
};

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
