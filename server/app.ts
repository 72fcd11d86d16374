// Assembles the portal server: opens the store, wires sessions, throttling, faults, the API and the
// static app into one node:http server, and shuts it all down in order. Tests start it in-process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dataset } from '../src/lib/domain/dataset';
import { DEFAULT_LARGE_CHANGE, type LargeChangeThreshold } from '../src/lib/domain/large-change';
import { DEFAULT_HISTORY_DAYS } from '../src/lib/sync/upload-history';
import { DEFAULT_RATE_LIMIT, DEFAULT_SESSION_IDLE_MS, SessionStore, SignInThrottle, type RateLimitOptions } from './auth';
import type { AppContext } from './context';
import { FaultInjector } from './faults';
import { DEFAULT_BODY_LIMIT, HttpError, sendError, setBaseHeaders } from './http';
import { ADMIN_PASSWORD_COST, USER_PASSWORD_COST, type ScryptCost } from './passwords';
import { handleApi } from './routes';
import { createStaticHandler } from './static';
import { PortalStore } from './store';

export interface PortalServerOptions {
	dataset: Dataset;
	stateDir: string;
	/** The built app; a missing directory serves a "run npm run build" page. */
	staticDir?: string;
	port?: number;
	host?: string;
	/** Enables /api/__test/ and fault injection. Never on in production. */
	faults?: boolean;
	sessionIdleMs?: number;
	bodyLimitBytes?: number;
	rateLimit?: Partial<RateLimitOptions>;
	/** Honour X-Forwarded-Proto from a TLS-terminating proxy when deciding the cookie's Secure flag. */
	trustProxy?: boolean;
	/** Tests lower these to keep runs fast; see passwords.ts for the measured defaults. */
	userPasswordCost?: ScryptCost;
	adminPasswordCost?: ScryptCost;
	compactAfterRecords?: number;
	/** Days an upload stays in the history (default 30). */
	historyDays?: number;
	/** The large-change gate for every parent (default: more than 10 % of its users and at least 50). */
	largeChange?: Partial<LargeChangeThreshold>;
	/** The clock the history's expiry uses; tests move it. */
	now?: () => number;
	log?: (line: string) => void;
}

export interface PortalServer {
	server: Server;
	url: string;
	store: PortalStore;
	close(): Promise<void>;
}

export async function createPortalServer(opts: PortalServerOptions): Promise<PortalServer> {
	const log = opts.log ?? ((line: string) => console.error(line));
	const userPasswordCost = opts.userPasswordCost ?? USER_PASSWORD_COST;
	const adminPasswordCost = opts.adminPasswordCost ?? ADMIN_PASSWORD_COST;
	const now = opts.now ?? Date.now;
	const historyDays = opts.historyDays ?? DEFAULT_HISTORY_DAYS;
	const store = await PortalStore.open({
		dir: opts.stateDir,
		dataset: opts.dataset,
		seedCosts: { user: userPasswordCost, admin: adminPasswordCost },
		compactAfterRecords: opts.compactAfterRecords,
		history: { days: historyDays, now },
		log
	});
	const ctx: AppContext = {
		store,
		sessions: new SessionStore(opts.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS),
		throttle: new SignInThrottle({ ...DEFAULT_RATE_LIMIT, ...opts.rateLimit }),
		faults: opts.faults ? new FaultInjector() : null,
		userPasswordCost,
		adminPasswordCost,
		bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
		trustProxy: opts.trustProxy ?? false,
		historyDays,
		largeChange: { ...DEFAULT_LARGE_CHANGE, ...opts.largeChange },
		now,
		log
	};
	const serveStatic = createStaticHandler(opts.staticDir ?? 'build');

	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		setBaseHeaders(res);
		let url: URL;
		try {
			url = new URL(req.url ?? '/', 'http://portal.invalid');
		} catch {
			sendError(res, new HttpError(400, 'bad_request', 'Malformed URL'));
			return;
		}
		const handler =
			url.pathname === '/api' || url.pathname.startsWith('/api/') ? handleApi(ctx, req, res, url) : serveStatic(req, res, url);
		handler.catch((err: unknown) => {
			log(`unhandled: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
			if (!res.headersSent) sendError(res, new HttpError(500, 'internal', 'Internal server error'));
			else res.destroy();
		});
	});
	// Idle keep-alive sockets stay open longer than clients keep them (Node's 5 s default races with a
	// client reusing the socket and turns a POST into "socket hang up"); headersTimeout must exceed it.
	// Slow-loris guard: a client must still send its headers and body within these limits.
	server.keepAliveTimeout = 65_000;
	server.headersTimeout = 66_000;
	server.requestTimeout = 120_000;

	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(opts.port ?? 4173, opts.host ?? '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	} catch (err) {
		// e.g. port in use: release the state directory so a retry (or another server) can use it.
		await store.close();
		throw err;
	}
	const address = server.address() as AddressInfo;
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	const url = `http://${host}:${address.port}`;

	let closing: Promise<void> | undefined;
	const close = (): Promise<void> => {
		closing ??= (async () => {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				// Keep-alive connections would hold close() open until their timeout.
				server.closeIdleConnections();
				setTimeout(() => server.closeAllConnections(), 2000).unref();
			});
			await store.close();
		})();
		return closing;
	};

	return { server, url, store, close };
}
