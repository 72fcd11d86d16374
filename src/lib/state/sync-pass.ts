// One sync pass as the page sees it: run in the data worker, its failure rebuilt as the TransportError
// the scheduling decides on, and the last request's outcome told to reachability.
import type { SyncPassResult } from '../sync/engine';
import { TransportError } from '../sync/transport';
import type { SyncFailure } from '../worker/sync-handlers';
import { dataWorker } from '../worker/client';
import { connectivity } from './connectivity.svelte';

export function failureError(failure: SyncFailure): Error {
	return failure.kind === null
		? new Error(failure.message)
		: new TransportError(failure.kind, failure.message, failure.status, failure.details);
}

export async function syncPass(): Promise<SyncPassResult> {
	const answer = await dataWorker.call('sync');
	if (answer.outcome) connectivity.report(answer.outcome);
	if (!answer.ok) throw failureError(answer.failure);
	return answer.result;
}
