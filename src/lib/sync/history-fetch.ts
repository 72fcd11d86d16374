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

/** Pages asked for at once: the portal works out the next while this device reads the one before. */
const PAGES_AT_ONCE = 3;

/**
 * An upload of the portal's history with every row: kept on this device, else fetched and kept. `saved`
 * settles when what was fetched is stored; the caller need not wait for it (storing 100,000 rows takes
 * a while, and the rows are in hand already).
 */
export async function uploadWithRows(
	transport: PortalTransport,
	uploadId: string,
	onProgress: (received: number, total: number) => void = () => {}
): Promise<KeptUpload & { saved: Promise<void> }> {
	const kept = await keptUpload(uploadId);
	if (kept) return { ...kept, saved: Promise.resolve() };
	const first = await transport.uploadRows(uploadId, 0, UPLOAD_ROWS_PAGE_MAX);
	const total = first.upload.counts.rows;
	const pages = [first.rows];
	let received = first.rows.length;
	onProgress(received, total);
	if (first.nextOffset !== null) {
		// The rows never change once listed, so the remaining pages are known from the count.
		const offsets: number[] = [];
		for (let offset = first.nextOffset; offset < total; offset += UPLOAD_ROWS_PAGE_MAX) offsets.push(offset);
		let nextIndex = 0;
		const rest: (typeof first.rows)[] = new Array(offsets.length);
		const fetchOne = async (): Promise<void> => {
			while (nextIndex < offsets.length) {
				const index = nextIndex++;
				rest[index] = (await transport.uploadRows(uploadId, offsets[index], UPLOAD_ROWS_PAGE_MAX)).rows;
				received += rest[index].length;
				onProgress(received, total);
			}
		};
		await Promise.all(Array.from({ length: Math.min(PAGES_AT_ONCE, offsets.length) }, fetchOne));
		pages.push(...rest);
	}
	const rows = pages.length === 1 ? pages[0] : pages.flat();
	if (rows.length !== total) throw new Error(`The portal sent ${rows.length} of this upload's ${total} rows. Try again.`);
	const fetched = { upload: first.upload, rows };
	const saved = saveHistoryRows(fetched);
	saved.catch(() => {});
	return { ...fetched, saved };
}
