// The data worker's API: everything heavy happens here, off the UI thread. It downloads the admin's
// users at sign-in, reads an uploaded file, checks every row against the local copy, keeps the preview
// in memory (the page asks for pages), commits Apply to IndexedDB, and builds every workbook we download.
// The page calls these through WorkerClient<DataHandlers>, typed from this object (see rpc/worker-rpc.ts).
import { buildPreview, rowsForDisplay, type Preview } from '../domain/preview';
import type { PreviewRowView, PreviewSummary } from '../domain/preview-view';
import { createRuleContext } from '../domain/rule-context';
import type { RowOutcome, RuleContext } from '../domain/row-rules';
import { summarize, type ResultSummary } from '../domain/results';
import { FIELD_LABELS } from '../domain/types';
import { getBatch } from '../storage/batches-repo';
import { UsersChangedError } from '../storage/commit-batch-repo';
import { listInstitutions } from '../storage/institutions-repo';
import { getMeta } from '../storage/meta-repo';
import { loadAllUsers, loadUserSnapshot, snapshotUsers, type UserSnapshot } from '../storage/users-repo';
import { applyUpload } from '../sync/apply-upload';
import { downloadAll } from '../sync/download';
import { HttpTransport } from '../sync/transport';
import type { CallContext } from '../rpc/worker-rpc';
import { readUploadedSheet } from '../spreadsheet/read';
import {
	institutionsFileName,
	resultsFileName,
	templateFileName,
	usersExportFileName,
	writeInstitutions,
	writeResults,
	writeTemplate
} from '../spreadsheet/write';

export type PreviewFilter = 'all' | 'errors' | 'update' | 'unchanged' | 'warnings';

export type DataProgress = {
	phase: 'downloading' | 'reading' | 'checking' | 'applying' | 'sending' | 'writing';
	done: number;
	total: number;
};

/** The call's context (progress); `ctx` in this file is the rule context. */
type Ctx = CallContext<DataProgress>;

/** A finished workbook as a Blob made in the worker: the page gets a handle, never copies the bytes. */
export interface WorkbookFile {
	fileName: string;
	blob: Blob;
}

interface Held {
	/** Names this check for Apply, which takes it once. */
	id: string;
	preview: Preview;
	ctx: RuleContext;
	/** The stored users the context was built from; its version unchanged at Apply means the preview still holds. */
	snapshot: UserSnapshot;
	/** Display order: rowsForDisplay (errors, then warnings, then the rest, each in file order). */
	order: RowOutcome[];
}
let held: Held | undefined;
/**
 * Checked files applied or being applied. Taken before Apply's first await, so a second request for
 * the same file (two clicks in one task reach the worker before the first has committed) is refused
 * instead of committing a second batch in which every row reads Unchanged.
 */
const taken = new Set<string>();

async function loadContext(): Promise<{ ctx: RuleContext; snapshot: UserSnapshot }> {
	const owner = await getMeta('owner');
	if (!owner) throw new Error('This device has no data for a signed-in admin. Sign in again.');
	const [institutions, snapshot] = await Promise.all([listInstitutions(), loadUserSnapshot()]);
	const ctx = createRuleContext({
		parent: { accountId: owner.parentAccountId, name: owner.parentName },
		roles: owner.roles,
		institutions,
		users: snapshotUsers(snapshot)
	});
	return { ctx, snapshot };
}

function toView(row: RowOutcome): PreviewRowView {
	return {
		row: row.row,
		accountId: row.accountId,
		username: row.username,
		status: row.status,
		errors: row.errors.map((e) => e.message),
		warnings: row.warnings.map((w) => w.message),
		changes: row.diff.map((d) =>
			d.secret ? { field: FIELD_LABELS[d.field], from: '', to: 'will be reset' } : { field: FIELD_LABELS[d.field], from: d.from, to: d.to }
		)
	};
}

function matches(row: RowOutcome, filter: PreviewFilter): boolean {
	if (filter === 'all') return true;
	if (filter === 'errors') return row.status === 'failed';
	if (filter === 'warnings') return row.warnings.length > 0;
	return row.status === filter;
}

async function preflight(
	{ fileName, bytes, declaredCount }: { fileName: string; bytes: ArrayBuffer; declaredCount: number },
	call: Ctx
): Promise<{ previewId: string; summary: PreviewSummary }> {
	held = undefined;
	const progress = call.progress;
	progress({ phase: 'reading', done: 0, total: 0 });
	// Users load from IndexedDB while the file parses; both are needed before checking.
	const contextPromise = loadContext();
	contextPromise.catch(() => {});
	const sheet = readUploadedSheet(new Uint8Array(bytes), fileName);
	const dataRows = Math.max(0, sheet.rows.length - 1);
	progress({ phase: 'checking', done: 0, total: dataRows });
	const { ctx, snapshot } = await contextPromise;
	const preview = buildPreview({ rows: sheet.rows, fileName, sheetName: sheet.sheetName, declaredCount }, ctx, (done, total) =>
		progress({ phase: 'checking', done, total })
	);
	progress({ phase: 'checking', done: preview.counts.rows, total: preview.counts.rows });
	const previewId = crypto.randomUUID();
	held = { id: previewId, preview, ctx, snapshot, order: rowsForDisplay(preview) };
	const notices = preview.headerWarnings.map((w) => w.message);
	let sheetNote: string | null = null;
	if (sheet.sheetNames.length > 1) {
		sheetNote =
			sheet.chosenBecause === 'named-users'
				? `read sheet "${sheet.sheetName}" of ${sheet.sheetNames.length}`
				: `no sheet is named "Users", so the first sheet with data, "${sheet.sheetName}", was read`;
	}
	if (sheet.format === 'csv' && sheet.encoding) {
		notices.push(`Read as CSV (${sheet.encoding}${sheet.delimiter ? `, ${describeDelimiter(sheet.delimiter)}-separated` : ''}).`);
	}
	const summary: PreviewSummary = {
		fileName,
		sheetName: sheet.sheetName,
		sheetNote,
		format: sheet.format,
		encoding: sheet.encoding,
		delimiter: sheet.delimiter,
		declaredCount,
		blocking: preview.blocking?.message ?? null,
		counts: preview.counts,
		notices
	};
	return { previewId, summary };
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
	if (!held || held.id !== previewId) throw new Error('There is no checked file to apply. Upload the file again.');
	taken.add(previewId);
	try {
		return await applyHeld(call, held, batchId, admin);
	} catch (error) {
		// The apply commits in one transaction, so after an error nothing of it is stored: it may be tried again.
		taken.delete(previewId);
		throw error;
	}
}

async function applyHeld(call: Ctx, checked: Held, batchId: string, admin: string): Promise<ResultSummary> {
	const { preview } = checked;
	let { ctx, snapshot } = checked;
	let fresh = preview;
	const owner = await getMeta('owner');
	for (let attempt = 1; ; attempt++) {
		// A sync or another tab may have changed users since the preview: then check again against the
		// local copy as it is now, so what is applied is what the rules say today.
		if ((await getMeta('usersVersion')) !== snapshot.version) {
			({ ctx, snapshot } = await loadContext());
			fresh = buildPreview(
				{ rows: reconstructRows(preview), fileName: preview.fileName, sheetName: preview.sheetName, declaredCount: preview.declaredCount },
				ctx
			);
		}
		call.progress({ phase: 'applying', done: 0, total: fresh.counts.update });
		try {
			const batch = await applyUpload(fresh, ctx, { batchId, admin, parentName: owner?.parentName ?? '' }, snapshot);
			if (held === checked) held = undefined;
			call.progress({ phase: 'applying', done: fresh.counts.update, total: fresh.counts.update });
			return batch.counts;
		} catch (error) {
			// Changed between the check above and the commit: rare (a sync settling just then); check again.
			if (!(error instanceof UsersChangedError) || attempt >= 3) throw error;
		}
	}
}

/** The sheet as buildPreview wants it: header row at its row number, data rows at theirs. */
function reconstructRows(preview: Preview): string[][] {
	const last = preview.rows.at(-1)?.row ?? preview.headerRow;
	const rows: string[][] = Array.from({ length: last }, () => []);
	rows[preview.headerRow - 1] = preview.header;
	for (const row of preview.rows) rows[row.row - 1] = row.cells;
	return rows;
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

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Made into a Blob here: copying a large workbook into a Blob on the page is a long main-thread task. */
function workbook(fileName: string, bytes: Uint8Array): WorkbookFile {
	return { fileName, blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: XLSX_TYPE }) };
}

async function template({ withUsers }: { withUsers: boolean }): Promise<WorkbookFile> {
	const owner = await getMeta('owner');
	const institutions = await listInstitutions();
	const users = withUsers ? await loadAllUsers() : undefined;
	const bytes = writeTemplate({ institutions, roles: owner?.roles ?? [], users, parentName: owner?.parentName });
	return workbook(withUsers ? usersExportFileName(new Date()) : templateFileName(), bytes);
}

function previewPage({ offset, limit, filter }: { offset: number; limit: number; filter: PreviewFilter }): {
	rows: PreviewRowView[];
	total: number;
} {
	const order = held?.order ?? [];
	const filtered = filter === 'all' ? order : order.filter((r) => matches(r, filter));
	return { rows: filtered.slice(offset, offset + limit).map(toView), total: filtered.length };
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

export const dataHandlers = { preflight, previewPage, apply, results, template, institutions, download };

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
