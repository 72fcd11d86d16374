// Settling a pushed outbox chunk: the server's final answers change users, batch rows and the outbox
// in ONE transaction, so a crash in between can never leave a mutation both settled and still queued.
import type { VisibleField } from '../domain/types';
import type { MutationOutcome } from '../domain/types';
import { finalizeRowsInTx, type RowFinal } from './batches-repo';
import { db, guarded, type BatchRecord, type OutboxChunk, type PortalDb, type StoredMutation } from './db';
import { removeOutboxChunkInTx } from './outbox-repo';
import { patchUsersInTx, type UserPatch } from './users-repo';

/** Settles a chunk holding a part of an upload's record: the last part's answer says whether the portal keeps it. */
async function settleRecordChunk(chunk: OutboxChunk, results: MutationOutcome[], database: PortalDb): Promise<void> {
	const result = results.find((r) => r.id === chunk.id);
	if (!result) throw new Error(`The portal did not answer for change ${chunk.id}`);
	await guarded(() =>
		database.transaction('rw', [database.outbox, database.meta, database.batches], async () => {
			if (!(await database.outbox.get(chunk.id))) return;
			const last = chunk.record!.part === chunk.record!.parts - 1;
			if (result.status === 'rejected' || last) {
				const batch = await database.batches.get(chunk.batchId);
				if (batch && batch.history !== 'refused') {
					batch.history = result.status === 'rejected' ? 'refused' : 'recorded';
					await database.batches.put(batch);
				}
			}
			await removeOutboxChunkInTx(chunk, database);
		})
	);
}

/** Whether the chunk's upload is now in the portal's history (its last record part was answered). */
export function recordsUpload(chunk: OutboxChunk, results: MutationOutcome[]): boolean {
	return (
		!!chunk.record && chunk.record.part === chunk.record.parts - 1 && results.some((r) => r.id === chunk.id && r.status === 'recorded')
	);
}

export async function settleOutboxChunk(chunk: OutboxChunk, results: MutationOutcome[], database: PortalDb = db()): Promise<BatchRecord[]> {
	if (chunk.record) {
		await settleRecordChunk(chunk, results, database);
		return [];
	}
	const byId = new Map(results.map((r) => [r.id, r]));
	return guarded(() =>
		database.transaction('rw', [database.outbox, database.userChunks, database.meta, database.batches, database.batchRows], async () => {
			// Another tab may have settled this chunk already (it held the lock before us).
			if (!(await database.outbox.get(chunk.id))) return [];
			const patches: UserPatch[] = [];
			const removed: { accountId: string; username: string }[] = [];
			const finals = new Map<string, RowFinal[]>();
			for (const mutation of chunk.mutations) {
				const result = byId.get(mutation.id);
				if (!result) throw new Error(`The portal did not answer for change ${mutation.id}`);
				let list = finals.get(chunk.batchId);
				if (!list) finals.set(chunk.batchId, (list = []));
				const answered = changedFields(mutation.changes);
				if (result.status === 'applied') {
					const { name, email, role, rev } = result.user;
					// An added user was never queued field by field: the portal's values simply replace the local ones.
					const settled = mutation.create ? [] : answered;
					patches.push({ accountId: mutation.accountId, username: mutation.username, set: { name, email, role, rev }, answered: settled });
					list.push({ rowIndex: mutation.rowIndex, status: mutation.create ? 'Added' : 'Updated', reason: '' });
				} else if (result.status === 'rejected' && mutation.create) {
					// The portal has no such user: the one shown here since Apply goes.
					removed.push({ accountId: mutation.accountId, username: mutation.username });
					list.push({ rowIndex: mutation.rowIndex, status: 'Failed', reason: result.reason });
				} else if (result.status === 'rejected') {
					// The optimistic change goes; the field shows the portal's value again (or a later queued
					// change of this device). Not `base`: that may be an earlier queued change the portal refused.
					patches.push({ accountId: mutation.accountId, username: mutation.username, set: {}, answered, fallback: mutation.base });
					list.push({ rowIndex: mutation.rowIndex, status: 'Failed', reason: result.reason });
				} else throw new Error(`The portal answered change ${mutation.id} as a record, not a user update`);
			}
			await patchUsersInTx({ patches, removed }, database);
			const finished: BatchRecord[] = [];
			for (const [batchId, list] of finals) {
				const done = await finalizeRowsInTx(batchId, list, database);
				if (done) finished.push(done);
			}
			await removeOutboxChunkInTx(chunk, database);
			return finished;
		})
	);
}

/** The visible fields a mutation changed (a password is never shown, so it has nothing to settle). */
function changedFields(changes: StoredMutation['changes']): VisibleField[] {
	return (['name', 'email', 'role'] as const).filter((field) => changes[field] !== undefined);
}
