// Commits an applied upload in ONE transaction: optimistic user changes, the outbox mutations, the
// batch and its per-row results. Either the whole upload is on this device, or none of it is.
import type { ApplyPlan } from '../domain/apply-plan';
import { recordPartStarts } from '../domain/history';
import { summarize } from '../domain/results';
import { PUSH_BATCH_MAX, type SealedSecret, type UserRecord } from '../domain/types';
import { createBatchInTx } from './batches-repo';
import { db, guarded, type BatchRecord, type PortalDb, type StoredMutation, type StoredRowResult } from './db';
import { appendMutationsInTx, appendRecordInTx, reserveMutationIdsInTx } from './outbox-repo';
import { patchUsersInTx, type UserPatch, type UserSnapshot } from './users-repo';

/** The users changed between planning and committing (a sync or another tab): plan again. */
export class UsersChangedError extends Error {
	constructor() {
		super(
			'Users on this device kept changing while the upload was being applied (a sync was running), so nothing was applied. Select Apply again.'
		);
		this.name = 'UsersChangedError';
	}
}

export async function commitBatch(
	batch: Omit<BatchRecord, 'counts' | 'state'>,
	plan: ApplyPlan,
	/**
	 * The passwords of each push-sized slice of `plan.mutations` (slice k: mutations k×PUSH_BATCH_MAX
	 * onwards), sealed as one (sealPasswordSlices); sealing is async WebCrypto, so it happens before the transaction.
	 */
	passwords: Map<number, SealedSecret>,
	/** The users the plan was made against, if the caller holds them: saves reading them all again. */
	snapshot?: UserSnapshot,
	database: PortalDb = db()
): Promise<BatchRecord> {
	// The portal's history gets a record of the upload, queued after its rows; where its parts start is
	// decided now (their ids are reserved with the rows'), their rows are read when each part is sent.
	const starts = recordPartStarts(plan.rows);
	return guarded(() =>
		database.transaction('rw', [database.userChunks, database.meta, database.outbox, database.batches, database.batchRows], async () => {
			// The plan's base values (what a rejection rolls back to) must be the users as stored now.
			if (snapshot && (await database.meta.get('usersVersion'))?.value !== snapshot.version) throw new UsersChangedError();
			const firstId = plan.mutations.length ? await reserveMutationIdsInTx(plan.mutations.length, database) : 0;
			const mutations: StoredMutation[] = plan.mutations.map((m, i) => {
				const { password, ...visible } = m.changes;
				if (password !== undefined && !passwords.has(Math.floor(i / PUSH_BATCH_MAX))) {
					throw new Error('A password was not encrypted; nothing was applied.');
				}
				return {
					id: firstId + i,
					rowIndex: m.rowIndex,
					accountId: m.accountId,
					username: m.username,
					changes: visible,
					base: m.base,
					...(m.create ? { create: true as const } : {})
				};
			});
			const rows: StoredRowResult[] = plan.rows.map((r) => ({
				row: r.row,
				cells: r.cells,
				status: r.status,
				reason: r.reason,
				changed: r.changed,
				...(r.mutationIndex !== undefined ? { mutationId: firstId + r.mutationIndex } : {}),
				...(r.edited ? { edited: r.edited } : {})
			}));
			const counts = summarize(rows);
			const record: BatchRecord = {
				...batch,
				counts,
				state: counts.queued ? 'queued' : 'done',
				...(counts.queued ? {} : { finishedAt: Date.now() })
			};
			const patches: UserPatch[] = [];
			// Added users show at once; rev 0 says the portal has no version of them yet (waiting to sync).
			const added: UserRecord[] = [];
			for (const { accountId, username, changes, create } of plan.mutations) {
				if (create) {
					added.push({ accountId, username, name: changes.name ?? '', email: changes.email ?? '', role: changes.role ?? '', rev: 0 });
					continue;
				}
				const set: UserPatch['set'] = {};
				if (changes.name !== undefined) set.name = changes.name;
				if (changes.email !== undefined) set.email = changes.email;
				if (changes.role !== undefined) set.role = changes.role;
				// A password-only change has nothing to show locally.
				if (set.name !== undefined || set.email !== undefined || set.role !== undefined) {
					patches.push({ accountId, username, set, queued: true });
				}
			}
			// Laps for the bench: which of the three copies the commit's time goes to.
			let t = performance.now();
			await patchUsersInTx({ patches, added, snapshot }, database);
			t = lap('apply:commit-users', t);
			await appendMutationsInTx(batch.id, mutations, database, passwords);
			await appendRecordInTx(batch.id, starts, rows.length, database);
			t = lap('apply:commit-outbox', t);
			await createBatchInTx(record, rows, database);
			lap('apply:commit-rows', t);
			return record;
		})
	);
}

/** A named measure the bench reads (worker measures are collected with the page's). */
function lap(name: string, start: number): number {
	const end = performance.now();
	performance.measure(name, { start, end });
	return end;
}
