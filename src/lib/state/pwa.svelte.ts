// PWA runtime state: service-worker registration (via workbox-window), "update available"
// prompt state and an optional Background Sync nudge. Whether the portal answers is
// connectivity.svelte.ts's business.
//
// svelte.config.js sets `kit.serviceWorker.register: false`; registration happens here.
// In production SvelteKit bundles src/service-worker.ts into a single self-contained
// /service-worker.js (no import/export left) and its own registration snippet registers it as
// a *classic* worker, so we do the same — that also works in browsers without module service
// workers. (Only Kit's dev server serves it as an ES module, and we don't register in dev.)

import { dev } from '$app/environment';
import { Workbox } from 'workbox-window';

const SW_URL = '/service-worker.js';
const SYNC_TAG = 'outbox-sync';

/** Background Sync isn't in TypeScript's DOM lib. */
interface SyncManager {
	register(tag: string): Promise<void>;
	getTags(): Promise<string[]>;
}
type SyncCapableRegistration = ServiceWorkerRegistration & { sync?: SyncManager };

export type SyncRequestedListener = () => void;

function hasServiceWorker(): boolean {
	return typeof navigator !== 'undefined' && 'serviceWorker' in navigator;
}

function isSyncRequested(data: unknown): boolean {
	return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SYNC_REQUESTED';
}

export class PwaState {
	/** A new service worker is installed and waiting; offer a reload. */
	updateAvailable = $state(false);

	#wb: Workbox | undefined;
	#registration: ServiceWorkerRegistration | undefined;
	#started = false;
	#reloading = false;
	#cleanup: (() => void)[] = [];

	/**
	 * Register the service worker (in production builds, where supported). Idempotent; returns a function that undoes it
	 * (the registration itself stays, as registrations do).
	 */
	start(): () => void {
		if (this.#started) return () => this.stop();
		this.#started = true;

		if (!dev && hasServiceWorker()) {
			const wb = new Workbox(SW_URL, { scope: '/' });
			this.#wb = wb;
			// Fires for our newly installed worker, for one that was already waiting when we
			// registered, and for one installed by another tab (isExternal).
			wb.addEventListener('waiting', () => {
				this.updateAvailable = true;
			});
			wb.register()
				.then((registration) => {
					this.#registration = registration;
				})
				.catch((error: unknown) => {
					console.warn('[pwa] service worker registration failed', error);
				});
		}

		return () => this.stop();
	}

	stop(): void {
		for (const fn of this.#cleanup.splice(0)) fn();
		this.#started = false;
	}

	/**
	 * Activate the waiting service worker and reload once it controls the page.
	 * Falls back to a plain reload if there's nothing to activate.
	 */
	reload(): void {
		const wb = this.#wb;
		const waiting = this.#registration?.waiting;
		if (!wb || !waiting) {
			window.location.reload();
			return;
		}
		const doReload = () => {
			if (this.#reloading) return;
			this.#reloading = true;
			window.location.reload();
		};
		wb.addEventListener('controlling', doReload);
		// Belt and braces: a controller change for any reason also means "new code is live".
		navigator.serviceWorker.addEventListener('controllerchange', doReload, { once: true });
		wb.messageSkipWaiting();
	}

	/**
	 * Ask the browser to fire a Background Sync 'outbox-sync' event when connectivity returns.
	 * Feature-detected: resolves false where unsupported (Firefox, Safari), in dev, before the
	 * worker is registered, or if the browser refuses. Never required for correctness.
	 */
	async requestBackgroundSync(): Promise<boolean> {
		if (dev || !hasServiceWorker()) return false;
		try {
			const registration = (this.#registration ?? (await navigator.serviceWorker.getRegistration('/'))) as
				SyncCapableRegistration | undefined;
			if (!registration?.sync || !registration.active) return false;
			await registration.sync.register(SYNC_TAG);
			return true;
		} catch {
			return false;
		}
	}

	/**
	 * Subscribe to `{ type: 'SYNC_REQUESTED' }` messages posted by the service worker when a
	 * Background Sync event fires. Returns an unsubscribe function.
	 */
	onSyncRequested(cb: SyncRequestedListener): () => void {
		if (!hasServiceWorker()) return () => {};
		const container = navigator.serviceWorker;
		const listener = (event: MessageEvent) => {
			if (isSyncRequested(event.data)) cb();
		};
		container.addEventListener('message', listener);
		container.startMessages();
		return () => container.removeEventListener('message', listener);
	}
}

/** App-wide singleton. Call `pwa.start()` once from the root layout. */
export const pwa = new PwaState();
