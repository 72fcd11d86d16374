// The durable outbox: mutations waiting for the server, in push-sized chunk records keyed by their
// first mutation id. Chunks are written whole and never appended to, so the sync engine can push and
// delete the oldest chunk while an upload in the worker adds new ones.
import { PUSH_BATCH_MAX } from '../sync/protocol';
import { db, guarded, type OutboxChunk, type PortalDb, type StoredMutation } from './db';

/** Reserves `count` consecutive mutation ids; must run inside a transaction that includes `meta`. */
export async function reserveMutationIdsInTx(count: number, database: PortalDb = db()): Promise<number> {
	const next = ((await database.meta.get('nextMutationId'))?.value as number | undefined) ?? 1;
	await database.meta.put({ key: 'nextMutationId', value: next + count });
	return next;
}

/** Must run inside a transaction that includes `outbox`. */
export async function appendMutationsInTx(mutations: StoredMutation[], database: PortalDb = db()): Promise<void> {
	const chunks: OutboxChunk[] = [];
	for (let i = 0; i < mutations.length; i += PUSH_BATCH_MAX) {
		const slice = mutations.slice(i, i + PUSH_BATCH_MAX);
		chunks.push({ id: slice[0].id, batchId: slice[0].batchId, mutations: slice });
	}
	await database.outbox.bulkPut(chunks);
}

export async function oldestOutboxChunk(database: PortalDb = db()): Promise<OutboxChunk | undefined> {
	return guarded(() => database.outbox.orderBy('id').first());
}

export async function pendingMutationCount(database: PortalDb = db()): Promise<number> {
	return guarded(async () => {
		let count = 0;
		await database.outbox.each((chunk) => (count += chunk.mutations.length));
		return count;
	});
}
