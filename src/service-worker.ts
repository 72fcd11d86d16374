/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

// App-shell service worker.
//
// - install:  precache this build's JS/CSS (`build`), everything in static/ (`files`) and the
//             SPA fallback page (`/`) into a cache named after the app version. We do NOT call
//             skipWaiting() here: a new worker waits until the page asks for it by posting
//             `{ type: 'SKIP_WAITING' }` (workbox-window's `messageSkipWaiting()`).
// - activate: delete caches left behind by previous versions.
// - fetch:    navigations → network first (3 s timeout) → cached index page;
//             precached assets → cache first; `/api/**` and everything else → untouched (network).
//             Data lives in IndexedDB, never in the Cache API.
// - sync:     Background Sync tag 'outbox-sync' only pings the open windows with
//             `{ type: 'SYNC_REQUESTED' }`; the app's sync engine does the actual work, and it
//             must (and does) work in browsers without Background Sync.

import { base, build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

/** Background Sync isn't in TypeScript's webworker lib. */
interface SyncEvent extends ExtendableEvent {
	readonly tag: string;
	readonly lastChance: boolean;
}

const CACHE_PREFIX = 'app-shell-';
const CACHE = `${CACHE_PREFIX}${version}`;
const NAVIGATION_TIMEOUT_MS = 3000;
const SYNC_TAG = 'outbox-sync';

/** The SPA fallback page (adapter-static `fallback: 'index.html'`, served at the root). */
const INDEX = `${base}/`;
const API_PREFIX = `${base}/api/`;

/** Same-origin pathnames served cache-first. */
const PRECACHED = new Set<string>([...build, ...files]);

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			// `build` files are content-hashed, so whatever the HTTP cache holds is correct.
			// static/ files and the HTML shell are not: revalidate them so this version's
			// cache never pairs a stale index.html with this version's assets.
			await cache.addAll([...build, ...[...files, INDEX].map((url) => new Request(url, { cache: 'no-cache' }))]);
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) {
				if (key !== CACHE && key.startsWith(CACHE_PREFIX)) await caches.delete(key);
			}
			// Take control of pages opened before this worker's first install, so the app
			// works offline without one more reload. (After an update the page has already
			// opted in via SKIP_WAITING, and reloads on 'controlling'.)
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	const data: unknown = event.data;
	if (data && typeof data === 'object' && (data as { type?: unknown }).type === 'SKIP_WAITING') {
		void sw.skipWaiting();
	}
});

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;

	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;

	// API calls always go straight to the network and are never cached.
	if (url.pathname === `${base}/api` || url.pathname.startsWith(API_PREFIX)) return;

	if (request.mode === 'navigate') {
		event.respondWith(navigate(request));
		return;
	}

	if (PRECACHED.has(url.pathname)) {
		event.respondWith(cacheFirst(request, url.pathname));
	}
	// Anything else: no respondWith → the browser fetches it normally.
});

/**
 * Network first with a short timeout, falling back to the precached index page so a reload
 * (of any client-side route) works offline. Network responses are deliberately not written
 * back to the cache: the cached index must keep pointing at this version's precached assets.
 */
async function navigate(request: Request): Promise<Response> {
	const network = fetch(request);
	// Don't let a late network rejection surface as an unhandled rejection.
	network.catch(() => undefined);

	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<'timeout'>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), NAVIGATION_TIMEOUT_MS);
	});

	try {
		const result = await Promise.race([network, timeout]);
		if (result !== 'timeout' && result.status < 500) return result;
		// timed out, or the server/proxy is failing: prefer the shell if we have it
		const cached = await cachedIndex();
		if (cached) return cached;
		return result === 'timeout' ? await network : result;
	} catch {
		// offline / DNS / connection refused
		const cached = await cachedIndex();
		if (cached) return cached;
		return Response.error();
	} finally {
		clearTimeout(timer);
	}
}

async function cachedIndex(): Promise<Response | undefined> {
	const cache = await caches.open(CACHE);
	return (await cache.match(INDEX)) ?? undefined;
}

/** Cache first for this version's precached assets; heals the cache if an entry was evicted. */
async function cacheFirst(request: Request, pathname: string): Promise<Response> {
	const cache = await caches.open(CACHE);
	const cached = await cache.match(pathname);
	if (cached) return cached;
	const response = await fetch(request);
	if (response.ok && response.type === 'basic') {
		await cache.put(pathname, response.clone()).catch(() => undefined);
	}
	return response;
}

sw.addEventListener('sync', (event) => {
	const syncEvent = event as SyncEvent;
	if (syncEvent.tag !== SYNC_TAG) return;
	syncEvent.waitUntil(
		(async () => {
			const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
			for (const client of windows) client.postMessage({ type: 'SYNC_REQUESTED' });
		})()
	);
});
