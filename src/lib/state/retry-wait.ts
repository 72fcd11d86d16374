// How long to wait before asking a portal that answered with an error again: shared by the sync engine's
// scheduling and the first download.
import { TransportError } from '../sync/transport';

export const BACKOFF = { baseMs: 1000, capMs: 60_000 };
export function backoffDelay(attempt: number, random = Math.random): number {
	const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** attempt);
	// "Full jitter": spreads retries of many admins hitting one recovering server.
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After when the portal gave one (429, 503), else the backoff; never sooner than the backoff's floor. */
export function retryWait(error: unknown, attempt: number, random = Math.random): number {
	const seconds = error instanceof TransportError ? error.details.retryAfterSeconds : undefined;
	if (seconds !== undefined && Number.isFinite(seconds) && seconds > 0) return Math.min(seconds, 3600) * 1000;
	return backoffDelay(attempt, random);
}
