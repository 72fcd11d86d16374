// The sync engine: pushes the outbox oldest chunk first, settles each answer durably, then pulls
// changes made elsewhere. One pass is `syncOnce`; scheduling, backoff and the one-tab lock live in
// the sync state (src/lib/state/sync.svelte.ts), so this module stays testable with any transport.
import { fitRecordPart, recordPart, type RecordMeta, type RecordRow } from '../domain/history';
import { batchRowsRange, getBatchRecord } from '../storage/batches-repo';
import type { BatchRecord, OutboxChunk } from '../storage/db';
import { getOrPutMeta, setMeta } from '../storage/meta-repo';
import { oldestOutboxChunk } from '../storage/outbox-repo';
import { recordsUpload, settleOutboxChunk } from '../storage/settle-repo';
import { pullChanges } from './download';
import { unsealMany, unsealPasswordSlice } from './password-vault';
import { PROTOCOL_VERSION, type Mutation, type UserUpdate } from './protocol';
import { TransportError, type PortalTransport } from './transport';

export interface SyncPassResult {
	pushed: number;
	pulled: number;
	finishedBatches: BatchRecord[];
	/** Uploads the portal's history now holds. */
	recordedBatches: string[];
}

export async function clientId(): Promise<string> {
	return getOrPutMeta('clientId', crypto.randomUUID());
}

async function toWire(chunk: OutboxChunk): Promise<Mutation[]> {
	if (chunk.record) return [await recordToWire(chunk, chunk.record)];
	const passwords = new Map<number, string>();
	if (chunk.passwords) {
		const plain = await unsealPasswordSlice(chunk.passwords);
		chunk.mutations.forEach((m, i) => {
			const password = plain[i];
			if (typeof password === 'string') passwords.set(m.id, password);
		});
	}
	// Chunks queued by earlier builds sealed each password on its own.
	const sealed = chunk.mutations.filter((m) => m.password);
	const plain = await unsealMany(sealed.map((m) => m.password!));
	sealed.forEach((m, i) => passwords.set(m.id, plain[i]));
	return chunk.mutations.map((m): Mutation => {
		const password = passwords.get(m.id);
		const to = { id: m.id, batchId: chunk.batchId, accountId: m.accountId, username: m.username };
		if (m.create) {
			const { name = '', email = '', role = '' } = m.changes;
			return { ...to, kind: 'user.create', fields: { name, email, role, ...(password !== undefined ? { password } : {}) } };
		}
		const changes: UserUpdate['changes'] = { ...m.changes };
		if (password !== undefined) changes.password = password;
		return { ...to, kind: 'user.update', changes, base: m.base };
	});
}

/**
 * A part of an upload's record, from the batch's rows as stored now: the rows' own changes come earlier in
 * the outbox, so by now they are settled and these rows do not change any more.
 */
async function recordToWire(chunk: OutboxChunk, record: NonNullable<OutboxChunk['record']>): Promise<Mutation> {
	const batch = await getBatchRecord(chunk.batchId);
	if (!batch) throw new Error(`Upload ${chunk.batchId} is no longer on this device`);
	const rows = (await batchRowsRange(chunk.batchId, record.from, record.to)).map((r): RecordRow => ({
		row: r.row,
		cells: r.cells,
		status: r.status,
		reason: r.reason,
		changed: r.changed,
		...(r.mutationId !== undefined ? { m: r.mutationId } : {})
	}));
	const meta: RecordMeta = {
		fileName: batch.fileName,
		sheetName: batch.sheetName,
		uploadedAt: batch.createdAt,
		header: batch.header,
		columnMap: batch.columnMap,
		...(batch.undoOf ? { undoOf: batch.undoOf } : {}),
		...(batch.largeChangeConfirmed !== undefined ? { largeChangeConfirmed: batch.largeChangeConfirmed } : {}),
		...(batch.action && batch.action !== 'update' ? { action: batch.action } : {})
	};
	return {
		id: chunk.id,
		batchId: chunk.batchId,
		kind: 'upload.record',
		...fitRecordPart(recordPart(meta, rows, record.part, record.parts))
	};
}

export async function syncOnce(transport: PortalTransport, onPushed: (count: number) => void = () => {}): Promise<SyncPassResult> {
	const id = await clientId();
	const result: SyncPassResult = { pushed: 0, pulled: 0, finishedBatches: [], recordedBatches: [] };
	for (;;) {
		const chunk = await oldestOutboxChunk();
		if (!chunk) break;
		const mutations = await toWire(chunk);
		let answer;
		try {
			answer = await transport.push({ protocolVersion: PROTOCOL_VERSION, clientId: id, mutations });
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'gap') {
				throw new TransportError(
					'rejected',
					`The portal expected change ${error.details.expectedId} but this device has ${chunk.id} next; sync stopped to avoid losing changes.`,
					409
				);
			}
			throw error;
		}
		const finished = await settleOutboxChunk(chunk, answer.results);
		result.finishedBatches.push(...finished);
		if (recordsUpload(chunk, answer.results)) result.recordedBatches.push(chunk.batchId);
		result.pushed += chunk.mutations.length;
		onPushed(result.pushed);
	}
	result.pulled = await pullChanges(transport);
	await setMeta('lastSyncAt', Date.now());
	return result;
}
