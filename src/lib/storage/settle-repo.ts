// Settling a pushed outbox chunk: the server's final answers change users, batch rows and the outbox
// in ONE transaction, so a crash in between can never leave a mutation both settled and still queued.
import type { VisibleField } from '../domain/types';
import type { MutationOutcome } from '../domain/types';
import { finalizeRowsInTx, type RowFinal } from './batches-repo';
import { db, guarded, type BatchRecord, type OutboxChunk, type PortalDb, type StoredMutation } from './db';
import { removeOutboxChunkInTx } from './outbox-repo';
import { patchUsersInTx, type UserPatch } from './users-repo';

export async function settleOutboxChunk(chunk: OutboxChunk, results: MutationOutcome[], database: PortalDb = db()): Promise<BatchRecord[]> {
	const byId = new Map(results.map((r) => [r.id, r]));
	return guarded(() =>
		database.transaction('rw', [database.outbox, database.userChunks, database.meta, database.batches, database.batchRows], async () => {
			// Another tab may have settled this chunk already (it held the lock before us).
			if (!(await database.outbox.get(chunk.id))) return [];
			const patches: UserPatch[] = [];
			const finals = new Map<string, RowFinal[]>();
			for (const mutation of chunk.mutations) {
				const result = byId.get(mutation.id);
				if (!result) throw new Error(`The portal did not answer for change ${mutation.id}`);
				let list = finals.get(chunk.batchId);
				if (!list) finals.set(chunk.batchId, (list = []));
				const answered = changedFields(mutation.changes);
				if (result.status === 'applied') {
					const { name, email, role, rev } = result.user;
					patches.push({ accountId: mutation.accountId, username: mutation.username, set: { name, email, role, rev }, answered });
					list.push({ rowIndex: mutation.rowIndex, status: 'Updated', reason: '' });
				} else {
					// The optimistic change goes; the field shows the portal's value again (or a later queued
					// change of this device). Not `base`: that may be an earlier queued change the portal refused.
					patches.push({ accountId: mutation.accountId, username: mutation.username, set: {}, answered, fallback: mutation.base });
					list.push({ rowIndex: mutation.rowIndex, status: 'Failed', reason: result.reason });
				}
			}
			await patchUsersInTx({ patches }, database);
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
