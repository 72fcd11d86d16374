import { describe, expect, it } from 'vitest';
import {
	initialReachability,
	nextReachability,
	PROBE_BACKOFF,
	probeDelay,
	reachabilityDetail,
	type ReachabilityEvent,
	type ReachabilityState
} from './reachability';

function run(start: ReachabilityState, ...events: ReachabilityEvent['type'][]) {
	let step = { state: start, probeInMs: null as number | null };
	const probes: (number | null)[] = [];
	for (const type of events) {
		step = nextReachability(step.state, { type } as ReachabilityEvent);
		probes.push(step.probeInMs);
	}
	return { state: step.state, probes };
}

const reachable: ReachabilityState = { reach: 'reachable', browserOnline: true, misses: 0 };

describe('reachability', () => {
	it('starts by asking the portal when the browser claims a connection, and trusts an offline browser', () => {
		expect(initialReachability(true)).toEqual({ state: { reach: 'checking', browserOnline: true, misses: 0 }, probeInMs: 0 });
		expect(initialReachability(false)).toEqual({ state: { reach: 'unreachable', browserOnline: false, misses: 0 }, probeInMs: null });
	});

	it('a browser that says online while the portal does not answer is unreachable, with an honest detail', () => {
		const { state } = run(initialReachability(true).state, 'no-answer');
		expect(state.reach).toBe('unreachable');
		expect(reachabilityDetail(state)).toBe('Connected, but the portal does not answer. Changes wait on this device.');
	});

	it('probes with capped exponential backoff while the portal stays silent', () => {
		const { probes } = run(reachable, 'no-answer', 'no-answer', 'no-answer', 'no-answer', 'no-answer', 'no-answer', 'no-answer');
		expect(probes).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000]);
		expect(probeDelay(100)).toBe(PROBE_BACKOFF.capMs);
	});

	it('any answer makes it reachable at once and stops probing', () => {
		const { state, probes } = run(reachable, 'no-answer', 'no-answer', 'answered');
		expect(state).toEqual(reachable);
		expect(probes.at(-1)).toBeNull();
		expect(reachabilityDetail(state)).toBeNull();
	});

	it('an answer overrules a browser that said it was offline', () => {
		const { state } = run(reachable, 'browser-offline', 'answered');
		expect(state).toEqual(reachable);
	});

	it('the offline event is believed at once and no probe runs until the browser is back online', () => {
		const { state, probes } = run(reachable, 'browser-offline', 'no-answer', 'hint');
		expect(state.reach).toBe('unreachable');
		expect(probes).toEqual([null, null, null]);
		expect(reachabilityDetail(state)).toBe('No network connection. Changes wait on this device.');
	});

	it('the online event asks now and starts the backoff over', () => {
		const { state, probes } = run(reachable, 'browser-offline', 'browser-online');
		expect(state).toEqual({ reach: 'checking', browserOnline: true, misses: 0 });
		expect(probes.at(-1)).toBe(0);
		const after = run(state, 'no-answer');
		expect(after.probes).toEqual([PROBE_BACKOFF.baseMs]);
	});

	it('an online event while reachable keeps the status and checks it', () => {
		const { state, probes } = run(reachable, 'browser-online');
		expect(state.reach).toBe('reachable');
		expect(probes).toEqual([0]);
	});

	it('coming back to the tab asks at once without changing what is shown', () => {
		const unreachable = run(reachable, 'no-answer', 'no-answer', 'no-answer').state;
		const { state, probes } = run(unreachable, 'hint');
		expect(state).toEqual(unreachable);
		expect(probes).toEqual([0]);
	});
});
