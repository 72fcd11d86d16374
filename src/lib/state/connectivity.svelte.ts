// The portal's reachability as the screens and the sync engine see it: the pure state machine in
// sync/reachability.ts, fed by the outcome of every request the transport makes, the browser's
// online/offline events and page visibility, with the probe it asks for run on a timer.
import {
	initialReachability,
	nextReachability,
	reachabilityDetail,
	type Reach,
	type ReachabilityEvent,
	type ReachabilityState
} from '../sync/reachability';
import type { RequestOutcome } from '../sync/transport';
import { transport } from './services';

function browserOnline(): boolean {
	// Node (unit tests, build-time analysis) has a `navigator` without `onLine`.
	return typeof navigator === 'undefined' || typeof navigator.onLine !== 'boolean' || navigator.onLine;
}

export class ConnectivityState {
	#state = $state.raw<ReachabilityState>(initialReachability(browserOnline()).state);
	#timer: ReturnType<typeof setTimeout> | undefined;
	#probing = false;
	#stops: (() => void)[] = [];
	#listeners = new Set<() => void>();
	#changeListeners = new Set<() => void>();

	get reach(): Reach {
		return this.#state.reach;
	}

	/** "Online" means the portal answered, not merely that a network interface is up. */
	get online(): boolean {
		return this.#state.reach === 'reachable';
	}

	/** Worth trying a request: reachable, or not known yet. */
	get worthTrying(): boolean {
		return this.#state.reach !== 'unreachable';
	}

	get detail(): string | null {
		return reachabilityDetail(this.#state);
	}

	/** Idempotent. Returns the function that stops listening. */
	start(): () => void {
		if (this.#stops.length) return () => this.stop();
		this.#stops.push(transport.observe((outcome) => this.#feed({ type: outcome })));
		if (typeof window !== 'undefined') {
			const online = () => this.#feed({ type: 'browser-online' });
			const offline = () => this.#feed({ type: 'browser-offline' });
			const visible = () => {
				if (document.visibilityState === 'visible') this.#feed({ type: 'hint' });
			};
			window.addEventListener('online', online);
			window.addEventListener('offline', offline);
			document.addEventListener('visibilitychange', visible);
			this.#stops.push(() => {
				window.removeEventListener('online', online);
				window.removeEventListener('offline', offline);
				document.removeEventListener('visibilitychange', visible);
			});
		}
		const first = initialReachability(browserOnline());
		this.#state = first.state;
		this.#plan(first.probeInMs);
		return () => this.stop();
	}

	stop(): void {
		for (const stop of this.#stops.splice(0)) stop();
		clearTimeout(this.#timer);
	}

	/** The outcome of a request made elsewhere (the data worker's sync pass). */
	report(outcome: RequestOutcome): void {
		this.#feed({ type: outcome });
	}

	/** Something suggests the answer may have changed (e.g. Background Sync fired): ask the portal now. */
	recheck(): void {
		this.#feed({ type: 'hint' });
	}

	/** Called each time the portal becomes reachable after it was not (or was not known to be). */
	onReachable(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Resolves at once unless the portal is known not to answer; then when it answers again. */
	untilReachable(): Promise<void> {
		if (this.#state.reach !== 'unreachable') return Promise.resolve();
		return new Promise((resolve) => {
			const stop = this.onReachable(() => {
				stop();
				resolve();
			});
		});
	}

	/** Called whenever `reach` changes. */
	onChange(listener: () => void): () => void {
		this.#changeListeners.add(listener);
		return () => this.#changeListeners.delete(listener);
	}

	#feed(event: ReachabilityEvent): void {
		const was = this.#state.reach;
		const step = nextReachability(this.#state, event);
		this.#state = step.state;
		this.#plan(step.probeInMs);
		if (was === step.state.reach) return;
		for (const listener of this.#changeListeners) listener();
		if (step.state.reach === 'reachable') for (const listener of this.#listeners) listener();
	}

	#plan(probeInMs: number | null): void {
		clearTimeout(this.#timer);
		if (probeInMs === null) return;
		this.#timer = setTimeout(() => void this.#probe(), probeInMs);
	}

	async #probe(): Promise<void> {
		// One probe at a time; its outcome reaches #feed through the transport's observer.
		if (this.#probing) return;
		this.#probing = true;
		try {
			await transport.probe();
		} finally {
			this.#probing = false;
		}
	}
}

export const connectivity = new ConnectivityState();
