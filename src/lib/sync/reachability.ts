// Whether the portal answers: the one status the app shows and the sync engine obeys.
//
// `navigator.onLine` only says a network interface is up. On a captive portal, on school wifi that is
// "connected" with no internet, or with the portal down, it stays true while nothing gets through; and
// some Chromium builds report true after an emulated-offline reload. So the truth comes from requests:
// any answer from the portal means reachable, a network error or a timeout means unreachable. The
// browser's online/offline events, the page becoming visible and Background Sync are only hints that it is worth asking
// again. While unreachable, a cheap probe asks with capped exponential backoff.
//
// Pure: the caller feeds events and runs the probe when `probeInMs` says so.

export type Reach = 'checking' | 'reachable' | 'unreachable';

export interface ReachabilityState {
	readonly reach: Reach;
	/** What the browser last said about its network interface. */
	readonly browserOnline: boolean;
	/** Requests in a row that got no answer: drives the probe backoff. */
	readonly misses: number;
}

export type ReachabilityEvent =
	| { type: 'answered' } // any answer from the portal, even an error status
	| { type: 'no-answer' } // network error, timeout, or an answer that is not the portal's (captive portal, gateway)
	| { type: 'browser-online' }
	| { type: 'browser-offline' }
	| { type: 'hint' }; // worth asking again: the tab is visible again, or Background Sync fired

export interface ReachabilityStep {
	state: ReachabilityState;
	/** Probe after this many ms; null: no probe needed (reachable, or waiting for the browser's online event). */
	probeInMs: number | null;
}

export const PROBE_BACKOFF = { baseMs: 2000, capMs: 30_000 };

export function probeDelay(misses: number): number {
	return Math.min(PROBE_BACKOFF.capMs, PROBE_BACKOFF.baseMs * 2 ** Math.max(0, misses - 1));
}

export function initialReachability(browserOnline: boolean): ReachabilityStep {
	return browserOnline
		? { state: { reach: 'checking', browserOnline, misses: 0 }, probeInMs: 0 }
		: { state: { reach: 'unreachable', browserOnline, misses: 0 }, probeInMs: null };
}

export function nextReachability(state: ReachabilityState, event: ReachabilityEvent): ReachabilityStep {
	switch (event.type) {
		case 'answered':
			// An answer proves a connection, whatever the browser said last.
			return { state: { reach: 'reachable', browserOnline: true, misses: 0 }, probeInMs: null };
		case 'no-answer': {
			const misses = state.misses + 1;
			const next: ReachabilityState = { ...state, reach: 'unreachable', misses };
			// With no interface up, every probe would fail at once: the online event is the signal to retry.
			return { state: next, probeInMs: state.browserOnline ? probeDelay(misses) : null };
		}
		case 'browser-offline':
			return { state: { reach: 'unreachable', browserOnline: false, misses: state.misses }, probeInMs: null };
		case 'browser-online':
			// A new interface is a new chance: ask now, and start the backoff over.
			return { state: { reach: state.reach === 'reachable' ? 'reachable' : 'checking', browserOnline: true, misses: 0 }, probeInMs: 0 };
		case 'hint':
			// Timers in a hidden tab are throttled for minutes, and a laptop may have slept on another
			// network: a hint asks at once (the status stays as it is until the answer).
			return { state, probeInMs: state.browserOnline ? 0 : null };
	}
}

/** The status line under the pill, in an admin's words; null when there is nothing to explain. */
export function reachabilityDetail(state: ReachabilityState): string | null {
	if (state.reach !== 'unreachable') return null;
	return state.browserOnline
		? 'Connected, but the portal does not answer. Changes wait on this device.'
		: 'No network connection. Changes wait on this device.';
}
