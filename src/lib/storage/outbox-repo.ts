// The durable outbox: mutations waiting for the server, in push-sized chunk records keyed by their
// first mutation id. Chunks are written whole and never appended to, so the sync engine can push and
// delete the oldest chunk while an upload in the worker adds new ones. The number waiting is kept in
// meta.outboxCount by the same transactions, so showing it never reads 100,000 mutations.
import { PUSH_BATCH_MAX, type SealedSecret } from '../domain/types';
import { db, guarded, type OutboxChunk, type PortalDb, type StoredMutation } from './db';

/** Reserves `count` consecutive mutation ids; must run inside a transaction that includes `meta`. */
export async function reserveMutationIdsInTx(count: number, database: PortalDb = db()): Promise<number> {
	const next = ((await database.meta.get('nextMutationId'))?.value as number | undefined) ?? 1;
	await database.meta.put({ key: 'nextMutationId', value: next + count });
	return next;
}

async function adjustCountInTx(delta: number, database: PortalDb): Promise<void> {
	const current = ((await database.meta.get('outboxCount'))?.value as number | undefined) ?? 0;
	await database.meta.put({ key: 'outboxCount', value: Math.max(0, current + delta) });
}

/**
 * Queues mutations in chunks of PUSH_BATCH_MAX; `passwords` holds chunk k's sealed passwords (see
 * OutboxChunk.passwords). Must run inside a transaction that includes `outbox` and `meta`.
 */
export async function appendMutationsInTx(
	batchId: string,
	mutations: StoredMutation[],
	database: PortalDb = db(),
	passwords: ReadonlyMap<number, SealedSecret> = new Map()
): Promise<void> {
	await adjustCountInTx(mutations.length, database);
	const chunks: OutboxChunk[] = [];
	for (let i = 0; i < mutations.length; i += PUSH_BATCH_MAX) {
		const slice = mutations.slice(i, i + PUSH_BATCH_MAX);
		const sealed = passwords.get(i / PUSH_BATCH_MAX);
		chunks.push({ id: slice[0].id, batchId, mutations: slice, ...(sealed ? { passwords: sealed } : {}) });
	}
	await database.outbox.bulkPut(chunks);
}

/**
 * Queues an upload's record for the portal's history after its rows (the ids come after theirs): one
 * chunk per part, each starting at the row index in `starts`. Not counted in outboxCount: admins are
 * told about changes to users waiting, not this. Must run inside a transaction that includes `outbox` and `meta`.
 */
export async function appendRecordInTx(batchId: string, starts: number[], rowCount: number, database: PortalDb = db()): Promise<void> {
	const first = await reserveMutationIdsInTx(starts.length, database);
	await database.outbox.bulkPut(
		starts.map((from, part) => ({
			id: first + part,
			batchId,
			mutations: [],
			record: { part, parts: starts.length, from, to: starts[part + 1] ?? rowCount }
		}))
	);
}

export async function oldestOutboxChunk(database: PortalDb = db()): Promise<OutboxChunk | undefined> {
	return guarded(() => database.outbox.orderBy('id').first());
}

/** Must run inside a transaction that includes `outbox` and `meta`. */
export async function removeOutboxChunkInTx(chunk: OutboxChunk, database: PortalDb = db()): Promise<void> {
	await database.outbox.delete(chunk.id);
	await adjustCountInTx(-chunk.mutations.length, database);
}

export async function pendingMutationCount(database: PortalDb = db()): Promise<number> {
	return guarded(async () => ((await database.meta.get('outboxCount'))?.value as number | undefined) ?? 0);
}
