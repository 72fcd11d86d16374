// The file the data worker holds between Upload and Apply: its rows as read (so Match columns' Continue
// and every Save row check again without reading the file), the checked upload with the admin's edits,
// and the draft that keeps those edits on the device. Handlers in handlers.ts and fix-handlers.ts share it.
import type { BulkAction } from '../domain/bulk-action';
import { CheckedUpload, type RowEdit } from '../domain/checked-upload';
import { columnsFromMatching, matchingNotes, type ColumnGuess, type MatchTarget } from '../domain/header-match';
import { findHeaderIndex } from '../domain/header-map';
import { DEFAULT_LARGE_CHANGE, largeChangeOf, type LargeChange } from '../domain/large-change';
import type { PreviewRowView, PreviewSummary } from '../domain/preview-view';
import { createRuleContext } from '../domain/rule-context';
import type { RowOutcome, RuleContext } from '../domain/row-rules';
import { FIELD_LABELS, type SealedSecret } from '../domain/types';
import { deleteDraft, getDraft, putDraft, type DraftEdit, type UploadDraft } from '../storage/draft-repo';
import { listInstitutions } from '../storage/institutions-repo';
import { getMeta, type LocalOwner } from '../storage/meta-repo';
import { loadUserSnapshot, snapshotUsers, type UserSnapshot } from '../storage/users-repo';
import type { SheetRead } from '../spreadsheet/read';
import { sealMany, unsealMany } from '../sync/password-vault';

export type PreviewFilter = 'all' | 'errors' | 'update' | 'add' | 'unchanged' | 'warnings' | 'edited';

export interface HeldFile {
	/** Names this check for Apply, which takes it once. */
	id: string;
	file: { name: string; size: number; hash: string };
	sheet: SheetRead;
	declaredCount: number;
	/** What the rows do: add users, update them, or both (decided per row). */
	action: BulkAction;
	ctx: RuleContext;
	/** The stored users the context was built from; its version unchanged at Apply means the preview still holds. */
	snapshot: UserSnapshot;
	owner: LocalOwner;
	/** The large-change gate of the preview as it reads now (edits change it too). */
	largeChange: LargeChange | null;
	/** Match columns' guesses, while the admin matches (and after, for the notes). */
	guesses?: ColumnGuess[];
	/** The admin's matching by column index, once confirmed. */
	matching?: MatchTarget[];
	/** Undefined until the columns are settled. */
	upload?: CheckedUpload;
	/** Notices about reading the file (sheet, CSV encoding), shown with the preview. */
	readNotes: { sheetNote: string | null; notices: string[] };
	/** Passwords typed in the editor, sealed once for the draft, by row. */
	sealed: Map<number, { plain: string; sealed: SealedSecret }>;
}

let held: HeldFile | undefined;

export function heldFile(): HeldFile | undefined {
	return held;
}

export function holdFile(file: HeldFile | undefined): void {
	held = file;
}

/** The held file `previewId` names, or an error telling the admin what to do. */
export function heldFor(previewId: string): HeldFile {
	if (!held || held.id !== previewId) throw new Error('This file is no longer checked on this device. Upload the file again.');
	return held;
}

export async function loadContext(): Promise<{ ctx: RuleContext; snapshot: UserSnapshot; owner: LocalOwner }> {
	const owner = await getMeta('owner');
	if (!owner) throw new Error('This device has no data for a signed-in admin. Sign in again.');
	const [institutions, snapshot] = await Promise.all([listInstitutions(), loadUserSnapshot()]);
	const ctx = createRuleContext({
		parent: { accountId: owner.parentAccountId, name: owner.parentName },
		roles: owner.roles,
		institutions,
		users: snapshotUsers(snapshot)
	});
	return { ctx, snapshot, owner };
}

/** The large-change gate for the held preview, against every user of the parent this device holds. */
export function gateOf(file: HeldFile): LargeChange | null {
	const { ctx, snapshot, owner, upload } = file;
	if (!upload) return null;
	const totals = new Map<string, number>();
	for (const chunk of snapshot.chunks) {
		if (ctx.institution(chunk.accountId)) totals.set(chunk.accountId, (totals.get(chunk.accountId) ?? 0) + chunk.users.length);
	}
	return largeChangeOf(upload.preview, totals, (id) => ctx.institution(id), owner.largeChange ?? DEFAULT_LARGE_CHANGE);
}

/** SHA-256 of the file, hex: recognises the same file chosen again after a reload. */
export async function fileHash(bytes: ArrayBuffer): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	let hex = '';
	for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
	return hex;
}

/** Checks the held file with its settled columns and `edits` in place, and keeps the result. */
export function checkHeld(
	file: HeldFile,
	edits: Iterable<[number, RowEdit]> = [],
	onProgress?: (checked: number, total: number) => void
): CheckedUpload {
	const { rows, sheetName } = file.sheet;
	let matching;
	if (file.matching) {
		const header = rows[findHeaderIndex(rows)] ?? [];
		const choices = header.map((cell, index) => ({ index, header: cell.trim(), target: file.matching![index] ?? 'ignore' }));
		const chosen = choices.filter((c) => c.header !== '');
		matching = { columns: columnsFromMatching(chosen), notes: matchingNotes(header, findHeaderIndex(rows) + 1, chosen) };
	}
	file.upload = CheckedUpload.check(
		{
			rows,
			fileName: file.file.name,
			sheetName,
			declaredCount: file.declaredCount,
			action: file.action,
			...(matching ? { matching } : {})
		},
		file.ctx,
		edits,
		onProgress
	);
	file.largeChange = gateOf(file);
	return file.upload;
}

export function summaryOf(file: HeldFile, extraNotices: string[] = []): PreviewSummary {
	const { preview, editedRows } = file.upload!;
	const { sheet } = file;
	return {
		action: file.action,
		fileName: file.file.name,
		sheetName: sheet.sheetName,
		sheetNote: file.readNotes.sheetNote,
		format: sheet.format,
		encoding: sheet.encoding,
		delimiter: sheet.delimiter,
		declaredCount: file.declaredCount,
		blocking: preview.blocking?.message ?? null,
		counts: { ...preview.counts },
		edited: editedRows,
		notices: [...extraNotices, ...preview.headerWarnings.map((w) => w.message), ...file.readNotes.notices],
		largeChange: file.largeChange
	};
}

export function toView(row: RowOutcome, upload: CheckedUpload): PreviewRowView {
	return {
		row: row.row,
		accountId: row.accountId,
		username: row.username,
		status: row.status,
		errors: row.errors.map((e) => e.message),
		warnings: row.warnings.map((w) => w.message),
		changes: row.diff.map((d) =>
			d.secret
				? { field: FIELD_LABELS[d.field], from: '', to: row.status === 'add' ? 'will be set' : 'will be reset' }
				: { field: FIELD_LABELS[d.field], from: d.from, to: d.to }
		),
		edited: row.edits?.map((e) => FIELD_LABELS[e.field]) ?? [],
		values: upload.values(row.row),
		passwordEdited: upload.passwordEdited(row.row)
	};
}

function matches(row: RowOutcome, filter: PreviewFilter): boolean {
	if (filter === 'all') return true;
	if (filter === 'errors') return row.status === 'failed';
	if (filter === 'warnings') return row.warnings.length > 0;
	if (filter === 'edited') return row.edits !== undefined;
	return row.status === filter;
}

export interface PageRequest {
	offset: number;
	limit: number;
	filter: PreviewFilter;
}

export interface PreviewPage {
	rows: PreviewRowView[];
	total: number;
	/** The offset actually shown: moved back when a save left fewer rows than the page started at. */
	offset: number;
}

/** One page of the held preview in display order (errors first), filtered. */
export function pageOf(file: HeldFile | undefined, { offset, limit, filter }: PageRequest): PreviewPage {
	const upload = file?.upload;
	if (!upload) return { rows: [], total: 0, offset: 0 };
	const order = upload.displayOrder();
	const filtered = filter === 'all' ? order : order.filter((r) => matches(r, filter));
	let start = offset;
	if (start >= filtered.length && start > 0) start = Math.max(0, Math.floor((filtered.length - 1) / limit) * limit);
	return { rows: filtered.slice(start, start + limit).map((r) => toView(r, upload)), total: filtered.length, offset: start };
}

// ---- the draft ---------------------------------------------------------------------------------------

/** Stores the held file's edits as the device's draft (or deletes its draft when none are left). */
export async function saveDraft(file: HeldFile): Promise<void> {
	const upload = file.upload;
	if (!upload) return;
	const edits: DraftEdit[] = [];
	for (const [row, edit] of upload.rowEdits()) {
		let password: SealedSecret | undefined;
		if (edit.password !== undefined) {
			const kept = file.sealed.get(row);
			if (kept && kept.plain === edit.password) password = kept.sealed;
			else {
				[password] = await sealMany([edit.password]);
				file.sealed.set(row, { plain: edit.password, sealed: password });
			}
		}
		edits.push(password ? { row, values: edit.values, password } : { row, values: edit.values });
	}
	if (edits.length === 0) {
		await deleteDraft(file.file.hash);
		return;
	}
	const draft: UploadDraft = {
		fileName: file.file.name,
		fileSize: file.file.size,
		fileHash: file.file.hash,
		sheetName: file.sheet.sheetName,
		declaredCount: file.declaredCount,
		...(file.matching ? { matching: file.matching } : {}),
		edits,
		savedAt: Date.now()
	};
	await putDraft(draft);
}

/** The device's draft for this exact file, if there is one. */
export async function draftFor(size: number, hash: string): Promise<UploadDraft | undefined> {
	const draft = await getDraft().catch(() => undefined);
	return draft && draft.fileHash === hash && draft.fileSize === size ? draft : undefined;
}

/** A draft's edits as the checked upload takes them, typed passwords unsealed; and what could not be restored. */
export async function restoreEdits(file: HeldFile, draft: UploadDraft): Promise<{ edits: [number, RowEdit][]; lost: number[] }> {
	const edits: [number, RowEdit][] = [];
	const lost: number[] = [];
	for (const edit of draft.edits) {
		if (!edit.password) {
			edits.push([edit.row, { values: edit.values }]);
			continue;
		}
		try {
			const [plain] = await unsealMany([edit.password]);
			file.sealed.set(edit.row, { plain, sealed: edit.password });
			edits.push([edit.row, { values: edit.values, password: plain }]);
		} catch {
			// The device key is gone (site data cleared in part): the other edits of the row still hold.
			lost.push(edit.row);
			edits.push([edit.row, { values: edit.values }]);
		}
	}
	return { edits, lost };
}

/** What the preview says about a restored draft. */
export function restoredNotice(draft: UploadDraft, lost: number[]): string {
	const rows = draft.edits.length === 1 ? '1 row' : `${draft.edits.length} rows`;
	let text = `Your edits to ${rows} of this file were kept on this device and are applied again.`;
	if (lost.length > 0) text += ` A password typed in row ${lost.join(', ')} could not be restored: type it again.`;
	return text;
}
