// Sync passes run in the data worker: settling the portal's answers rewrites user chunks, batch rows and
// the outbox in IndexedDB, and the structured cloning that takes is done by the calling thread. On the
// page, settling 100,000 answers made tasks of a quarter of a second; here they cost the page nothing.
// Scheduling, backoff and the one-tab lock stay on the page (state/sync.svelte.ts).
import { syncOnce, type SyncPassResult } from '../sync/engine';
import { HttpTransport, TransportError, type RequestOutcome, type TransportErrorKind } from '../sync/transport';

/** A TransportError as plain data: the page rebuilds it to decide between backoff, expiry and waiting. */
export interface SyncFailure {
	kind: TransportErrorKind | null;
	message: string;
	status: number;
	details: TransportError['details'];
}

export type SyncAnswer =
	| { ok: true; result: SyncPassResult; outcome: RequestOutcome | null }
	| { ok: false; failure: SyncFailure; outcome: RequestOutcome | null };

/** One pass. Never throws: a failure comes back as data, with the last request's outcome for reachability. */
async function sync(): Promise<SyncAnswer> {
	const transport = new HttpTransport();
	let outcome: RequestOutcome | null = null;
	transport.observe((o) => (outcome = o));
	try {
		return { ok: true, result: await syncOnce(transport), outcome };
	} catch (error) {
		const failure: SyncFailure =
			error instanceof TransportError
				? { kind: error.kind, message: error.message, status: error.status, details: error.details }
				: { kind: null, message: error instanceof Error ? error.message : String(error), status: 0, details: {} };
		return { ok: false, failure, outcome };
	}
}

export const syncHandlers = { sync };
