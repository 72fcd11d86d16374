// What this device keeps of the portal's upload history: the newest uploads as last listed (so the
// history shows offline), and the rows of uploads it fetched (so their undo and results work offline).
import type { HistoryRow, UploadSummary } from '../domain/history';
import { db, guarded, type HistoryRowChunk, type PortalDb } from './db';
import { getMeta, setMeta } from './meta-repo';

const ROWS_PER_CHUNK = 5000;

export async function savePortalUploads(uploads: UploadSummary[], database: PortalDb = db()): Promise<void> {
	await setMeta('portalUploads', uploads, database);
}

export async function portalUploads(database: PortalDb = db()): Promise<UploadSummary[]> {
	return (await getMeta('portalUploads', database)) ?? [];
}

export interface KeptUpload {
	upload: UploadSummary;
	rows: HistoryRow[];
}

/** Replaces what is kept of an upload: the whole upload's rows or none. */
export async function saveHistoryRows({ upload, rows }: KeptUpload, database: PortalDb = db()): Promise<void> {
	const uploadId = upload.id;
	const chunks: HistoryRowChunk[] = [];
	// At least one chunk, which carries the upload's facts (an upload can have no rows).
	for (let i = 0, seq = 0; i === 0 || i < rows.length; i += ROWS_PER_CHUNK, seq++) {
		chunks.push({
			id: `${uploadId}:${String(seq).padStart(6, '0')}`,
			uploadId,
			rows: rows.slice(i, i + ROWS_PER_CHUNK),
			...(seq === 0 ? { upload } : {})
		});
	}
	await guarded(() =>
		database.transaction('rw', database.historyRows, async () => {
			await database.historyRows.where('uploadId').equals(uploadId).delete();
			await database.historyRows.bulkPut(chunks);
		})
	);
}

/** What is kept of an upload, rows in file order, or undefined when this device never fetched it. */
export async function keptUpload(uploadId: string, database: PortalDb = db()): Promise<KeptUpload | undefined> {
	return guarded(async () => {
		const chunks = await database.historyRows.where('uploadId').equals(uploadId).sortBy('id');
		const upload = chunks[0]?.upload;
		if (!upload) return undefined;
		const rows: HistoryRow[] = [];
		for (const chunk of chunks) for (const row of chunk.rows) rows.push(row);
		return { upload, rows };
	});
}
