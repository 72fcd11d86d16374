// Upload batches and their per-row results. Rows are stored in chunks of ROWS_PER_CHUNK in row order,
// so a mutation finds its row by position (rowIndex) without scanning the batch. A Queued row's
// standard note (QUEUED_REASON) is not stored: it is the same on every such row, and storing 100,000
// copies of it would be a large share of what Apply serialises. Reads put it back.
import { QUEUED_REASON } from '../domain/results';
import { db, guarded, type BatchRecord, type BatchRowChunk, type PortalDb, type StoredRowResult } from './db';

export const ROWS_PER_CHUNK = 1000;

function rowChunkId(batchId: string, seq: number): string {
	return `${batchId}:${String(seq).padStart(6, '0')}`;
}

/** Must run inside a transaction that includes `batches` and `batchRows`. */
export async function createBatchInTx(batch: BatchRecord, rows: StoredRowResult[], database: PortalDb = db()): Promise<void> {
	const chunks: BatchRowChunk[] = [];
	for (let i = 0, seq = 0; i < rows.length; i += ROWS_PER_CHUNK, seq++) {
		chunks.push({ id: rowChunkId(batch.id, seq), batchId: batch.id, rows: rows.slice(i, i + ROWS_PER_CHUNK).map(toStored) });
	}
	await database.batches.put(batch);
	await database.batchRows.bulkPut(chunks);
}

export interface RowFinal {
	rowIndex: number;
	status: 'Added' | 'Updated' | 'Failed';
	reason: string;
}

/**
 * Turns Queued rows final and recounts the batch; marks it done when nothing is Queued any more.
 * Must run inside a transaction that includes `batches` and `batchRows`. Returns the batch if it just finished.
 */
export async function finalizeRowsInTx(batchId: string, finals: RowFinal[], database: PortalDb = db()): Promise<BatchRecord | undefined> {
	const batch = await database.batches.get(batchId);
	if (!batch) return undefined;
	const bySeq = new Map<number, RowFinal[]>();
	for (const final of finals) {
		const seq = Math.floor(final.rowIndex / ROWS_PER_CHUNK);
		let list = bySeq.get(seq);
		if (!list) bySeq.set(seq, (list = []));
		list.push(final);
	}
	for (const [seq, list] of bySeq) {
		const chunk = await database.batchRows.get(rowChunkId(batchId, seq));
		if (!chunk) continue;
		for (const final of list) {
			const row = chunk.rows[final.rowIndex - seq * ROWS_PER_CHUNK];
			if (!row || row.status !== 'Queued') continue;
			batch.counts.queued--;
			// Batches stored before User Add have no count of added rows.
			if (final.status === 'Added') batch.counts.added = (batch.counts.added ?? 0) + 1;
			else if (final.status === 'Updated') batch.counts.updated++;
			else {
				batch.counts.failed++;
				row.changed = [];
			}
			row.status = final.status;
			// An Added or Updated row keeps its warnings; only the "waiting to be sent" note goes.
			row.reason = final.status === 'Failed' ? final.reason : withoutQueuedNote(row.reason);
		}
		await database.batchRows.put(chunk);
	}
	const finished = batch.counts.queued === 0 && batch.state !== 'done';
	if (finished) {
		batch.state = 'done';
		batch.finishedAt = Date.now();
	}
	await database.batches.put(batch);
	return finished ? batch : undefined;
}

function withoutQueuedNote(reason: string): string {
	if (reason === QUEUED_REASON) return '';
	if (!reason.includes(QUEUED_REASON)) return reason;
	return reason
		.split('; ')
		.filter((part) => part !== QUEUED_REASON)
		.join('; ');
}

function toStored(row: StoredRowResult): StoredRowResult {
	return row.status === 'Queued' && row.reason.includes(QUEUED_REASON) ? { ...row, reason: withoutQueuedNote(row.reason) } : row;
}

/** Puts the Queued note back (rows stored before it was left out still have it). */
function fromStored(row: StoredRowResult): StoredRowResult {
	if (row.status !== 'Queued' || row.reason.split('; ').includes(QUEUED_REASON)) return row;
	return { ...row, reason: row.reason ? `${QUEUED_REASON}; ${row.reason}` : QUEUED_REASON };
}

export async function listBatches(database: PortalDb = db()): Promise<BatchRecord[]> {
	return guarded(() => database.batches.orderBy('createdAt').reverse().toArray());
}

/** The batch record alone (counts, state), without reading its rows. */
export async function getBatchRecord(batchId: string, database: PortalDb = db()): Promise<BatchRecord | undefined> {
	return guarded(() => database.batches.get(batchId));
}

/** The batch's stored rows `from` up to `to` (positions), reading only the chunks that hold them. */
export async function batchRowsRange(batchId: string, from: number, to: number, database: PortalDb = db()): Promise<StoredRowResult[]> {
	return guarded(async () => {
		const rows: StoredRowResult[] = [];
		if (to <= from) return rows;
		const ids = [];
		for (let seq = Math.floor(from / ROWS_PER_CHUNK); seq <= Math.floor((to - 1) / ROWS_PER_CHUNK); seq++) {
			ids.push(rowChunkId(batchId, seq));
		}
		const chunks = await database.batchRows.bulkGet(ids);
		chunks.forEach((chunk, i) => {
			if (!chunk) throw new Error(`The rows of upload ${batchId} are incomplete on this device`);
			const offset = (Math.floor(from / ROWS_PER_CHUNK) + i) * ROWS_PER_CHUNK;
			for (let j = Math.max(0, from - offset); j < chunk.rows.length && offset + j < to; j++) rows.push(chunk.rows[j]);
		});
		return rows;
	});
}

export async function getBatch(
	batchId: string,
	database: PortalDb = db()
): Promise<{ batch: BatchRecord; rows: StoredRowResult[] } | undefined> {
	return guarded(async () => {
		const batch = await database.batches.get(batchId);
		if (!batch) return undefined;
		const chunks = await database.batchRows.where('batchId').equals(batchId).sortBy('id');
		const rows: StoredRowResult[] = [];
		for (const chunk of chunks) for (const row of chunk.rows) rows.push(fromStored(row));
		return { batch, rows };
	});
}
