// Commits an applied upload in ONE transaction: optimistic user changes, the outbox mutations, the
// batch and its per-row results. Either the whole upload is on this device, or none of it is.
import type { ApplyPlan } from '../domain/apply-plan';
import type { SealedSecret } from '../sync/password-vault';
import { createBatchInTx } from './batches-repo';
import { db, guarded, type BatchRecord, type PortalDb, type StoredMutation, type StoredRowResult } from './db';
import { appendMutationsInTx, reserveMutationIdsInTx } from './outbox-repo';
import { patchUsersInTx } from './users-repo';

export async function commitBatch(
	batch: Omit<BatchRecord, 'counts' | 'state'>,
	plan: ApplyPlan,
	/** Sealed passwords by mutation index; sealing is async WebCrypto, so it happens before the transaction. */
	passwords: Map<number, SealedSecret>,
	database: PortalDb = db()
): Promise<BatchRecord> {
	return guarded(() =>
		database.transaction('rw', [database.userChunks, database.meta, database.outbox, database.batches, database.batchRows], async () => {
			const firstId = plan.mutations.length ? await reserveMutationIdsInTx(plan.mutations.length, database) : 0;
			const mutations: StoredMutation[] = plan.mutations.map((m, i) => {
				const { password, ...visible } = m.changes;
				const sealed = passwords.get(i);
				if (password !== undefined && !sealed) throw new Error('A password was not encrypted; nothing was applied.');
				return { id: firstId + i, batchId: batch.id, rowIndex: m.rowIndex, kind: 'user.update', accountId: m.accountId, username: m.username, changes: visible, ...(sealed ? { password: sealed } : {}), base: m.base, before: m.before };
			});
			const rows: StoredRowResult[] = plan.rows.map((r) => ({
				row: r.row,
				cells: r.cells,
				status: r.status,
				reason: r.reason,
				changed: r.changed,
				...(r.mutationIndex !== undefined ? { mutationId: firstId + r.mutationIndex } : {})
			}));
			const counts = { rows: rows.length, updated: 0, unchanged: 0, failed: 0, queued: 0 };
			for (const row of rows) counts[row.status === 'Updated' ? 'updated' : row.status === 'Unchanged' ? 'unchanged' : row.status === 'Failed' ? 'failed' : 'queued']++;
			const record: BatchRecord = { ...batch, counts, state: counts.queued ? 'queued' : 'done', ...(counts.queued ? {} : { finishedAt: Date.now() }) };
			await patchUsersInTx(
				plan.mutations
					.map((m) => ({ accountId: m.accountId, username: m.username, set: { ...('name' in m.changes ? { name: m.changes.name } : {}), ...('email' in m.changes ? { email: m.changes.email } : {}), ...('role' in m.changes ? { role: m.changes.role } : {}) } }))
					.filter((p) => Object.keys(p.set).length > 0),
				[],
				database
			);
			await appendMutationsInTx(mutations, database);
			await createBatchInTx(record, rows, database);
			return record;
		})
	);
}
