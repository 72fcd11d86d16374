// The Users tab's upload history as one list: uploads this device applied (known at once, offline too)
// and the uploads the portal keeps for the parent account (from every device, as last fetched), merged
// by id. Pure, so the merge rules are tested without a browser.
import { uploadTitle, type UploadSummary } from '../domain/history';
import type { ResultSummary } from '../domain/results';
import type { BatchRecord } from '../storage/db';

export type EntryStatus = 'Applying' | 'Waiting to sync' | 'Complete' | 'Undone';

export interface HistoryEntry {
	id: string;
	/** "roster.xlsx", or "Undo of roster.xlsx". */
	title: string;
	uploadedAt: number;
	counts: ResultSummary;
	status: EntryStatus;
	/** Applied on another device (or before this device was signed out and in again). */
	fromAnotherDevice: boolean;
	/** This device holds its rows: its results come from here, offline too. */
	local: boolean;
	/** The portal keeps it: any device can rebuild its results and undo it. */
	onPortal: boolean;
	canUndo: boolean;
}

const LOCAL_STATUS = { applying: 'Applying', queued: 'Waiting to sync', done: 'Complete' } as const;

export function historyEntries(local: readonly BatchRecord[], portal: readonly UploadSummary[]): HistoryEntry[] {
	const onPortal = new Map(portal.map((u) => [u.id, u]));
	// An undo applied here takes its upload back at once, before the portal has heard of it.
	const undoneHere = new Set(local.flatMap((b) => (b.undoOf ? [b.undoOf.id] : [])));
	const entries: HistoryEntry[] = [];
	for (const batch of local) {
		const kept = onPortal.get(batch.id);
		const undone = undoneHere.has(batch.id) || !!kept?.undoneBy;
		const counts = batch.state === 'done' && kept ? kept.counts : batch.counts;
		entries.push({
			id: batch.id,
			title: uploadTitle(batch),
			uploadedAt: batch.createdAt,
			counts,
			status: undone ? 'Undone' : LOCAL_STATUS[batch.state],
			fromAnotherDevice: false,
			local: true,
			onPortal: !!kept,
			canUndo: !!kept && !undone && counts.updated > 0
		});
	}
	const localIds = new Set(local.map((b) => b.id));
	for (const upload of portal) {
		if (localIds.has(upload.id)) continue;
		const undone = undoneHere.has(upload.id) || !!upload.undoneBy;
		entries.push({
			id: upload.id,
			title: uploadTitle(upload),
			uploadedAt: upload.uploadedAt,
			counts: upload.counts,
			status: undone ? 'Undone' : 'Complete',
			fromAnotherDevice: true,
			local: false,
			onPortal: true,
			canUndo: !undone && upload.counts.updated > 0
		});
	}
	return entries.sort((a, b) => b.uploadedAt - a.uploadedAt);
}
