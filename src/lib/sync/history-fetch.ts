// Bringing the portal's upload history to this device: the newest uploads for the history list, and
// one upload's rows for its results workbook or its undo. Both are kept, so they work offline later;
// an upload's rows never change once the portal lists it, so what is kept is used as it is.
import type { UploadSummary } from '../domain/history';
import { keptUpload, saveHistoryRows, savePortalUploads, type KeptUpload } from '../storage/history-repo';
import { UPLOAD_ROWS_PAGE_MAX } from './protocol';
import type { PortalTransport } from './transport';

/** How many of the newest uploads the history list shows. */
export const HISTORY_LIST_SIZE = 50;

export async function refreshPortalUploads(transport: PortalTransport): Promise<UploadSummary[]> {
	const page = await transport.uploads(null, HISTORY_LIST_SIZE);
	await savePortalUploads(page.uploads);
	return page.uploads;
}

/** An upload of the portal's history with every row: kept on this device, else fetched page by page and kept. */
export async function uploadWithRows(
	transport: PortalTransport,
	uploadId: string,
	onProgress: (received: number, total: number) => void = () => {}
): Promise<KeptUpload> {
	const kept = await keptUpload(uploadId);
	if (kept) return kept;
	const first = await transport.uploadRows(uploadId, 0, UPLOAD_ROWS_PAGE_MAX);
	const rows = [...first.rows];
	let next = first.nextOffset;
	onProgress(rows.length, first.upload.counts.rows);
	while (next !== null) {
		const page = await transport.uploadRows(uploadId, next, UPLOAD_ROWS_PAGE_MAX);
		for (const row of page.rows) rows.push(row);
		next = page.nextOffset;
		onProgress(rows.length, first.upload.counts.rows);
	}
	const fetched = { upload: first.upload, rows };
	await saveHistoryRows(fetched);
	return fetched;
}
