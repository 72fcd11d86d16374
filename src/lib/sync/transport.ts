// The one interface through which the app talks to a portal backend, and its fetch implementation.
// Engine and download code depend on `PortalTransport` only, so unit tests swap in an in-memory server.
import { z } from 'zod/mini';
import type { Institution } from '../domain/types';
import {
	API,
	apiErrorSchema,
	institutionsResponseSchema,
	pullResponseSchema,
	pushResponseSchema,
	sessionInfoSchema,
	uploadRowsResponseSchema,
	uploadsResponseSchema,
	type PullResponse,
	type PushRequest,
	type PushResponse,
	type SessionInfo,
	type SignInRequest,
	type UploadRowsResponse,
	type UploadsResponse
} from './protocol';

export type TransportErrorKind =
	| 'offline' // no answer at all: network down, DNS, connection reset
	| 'unauthenticated' // 401: session missing or expired
	| 'rate_limited' // 429
	| 'server' // 5xx: worth retrying
	| 'gap' // 409 on push: the server expects another mutation id
	| 'rejected' // other 4xx: retrying the same request will not help
	| 'protocol'; // the answer did not match the protocol

export class TransportError extends Error {
	constructor(
		readonly kind: TransportErrorKind,
		message: string,
		readonly status = 0,
		readonly details: { expectedId?: number; retryAfterSeconds?: number } = {}
	) {
		super(message);
		this.name = 'TransportError';
	}
	get retryable(): boolean {
		return this.kind === 'offline' || this.kind === 'server' || this.kind === 'rate_limited';
	}
}

/** Whether a request reached the portal: what reachability is made of. */
export type RequestOutcome = 'answered' | 'no-answer';

/**
 * How long a request may wait. A portal that accepts the connection and then says nothing would
 * otherwise hold a sync pass (and the status) forever.
 */
export const REQUEST_TIMEOUTS = {
	/** Until the answer starts. */
	headersMs: 20_000,
	/** For the whole body once it started: a 5,000-user page on a slow line takes a while. */
	bodyMs: 120_000
};

export interface PortalTransport {
	signIn(request: SignInRequest): Promise<SessionInfo>;
	/** The current session, or null when signed out or expired. Throws 'offline' when the server is unreachable. */
	session(): Promise<SessionInfo | null>;
	signOut(): Promise<void>;
	institutions(): Promise<Institution[]>;
	pull(cursor: string, limit: number): Promise<PullResponse>;
	push(request: PushRequest): Promise<PushResponse>;
	/** The parent's upload history, newest first; `before` is the `next` of the page before (null: newest). */
	uploads(before: string | null, limit: number): Promise<UploadsResponse>;
	/** One upload of the history and its rows from `offset`. */
	uploadRows(id: string, offset: number, limit: number): Promise<UploadRowsResponse>;
}

/** Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterHeader(value: string | null, now = Date.now()): number | undefined {
	if (!value) return undefined;
	if (/^\d+$/.test(value.trim())) return Number(value.trim());
	const at = Date.parse(value);
	return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Only the portal answers in JSON; a captive portal's login page or a gateway's error page does not. */
function isPortalAnswer(response: Response): boolean {
	return response.status === 204 || (response.headers.get('content-type') ?? '').includes('application/json');
}

export class HttpTransport implements PortalTransport {
	private readonly observers = new Set<(outcome: RequestOutcome) => void>();

	constructor(
		private readonly baseUrl = '',
		private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
		private readonly timeouts = REQUEST_TIMEOUTS
	) {}

	/** Tells `listener` whether each request reached the portal. Returns the unsubscribe function. */
	observe(listener: (outcome: RequestOutcome) => void): () => void {
		this.observers.add(listener);
		return () => this.observers.delete(listener);
	}

	private report(outcome: RequestOutcome): void {
		for (const listener of this.observers) listener(outcome);
	}

	/** Any answer at all from the portal, within `timeoutMs`: the reachability probe. */
	async probe(timeoutMs = 8000): Promise<boolean> {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), timeoutMs);
		try {
			const response = await this.fetchImpl(this.baseUrl + API.session, {
				method: 'GET',
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { accept: 'application/json' },
				signal: controller.signal
			});
			await response.arrayBuffer();
			const answered = isPortalAnswer(response);
			this.report(answered ? 'answered' : 'no-answer');
			return answered;
		} catch {
			this.report('no-answer');
			return false;
		} finally {
			clearTimeout(timer);
		}
	}

	private async request<T>(
		method: string,
		path: string,
		schema: z.ZodMiniType<T>,
		body?: unknown,
		headers: Record<string, string> = {}
	): Promise<T> {
		const controller = new AbortController();
		let timedOut = false;
		const arm = (ms: number) =>
			setTimeout(() => {
				timedOut = true;
				controller.abort();
			}, ms);
		let timer = arm(this.timeouts.headersMs);
		const noAnswer = () => {
			this.report('no-answer');
			return new TransportError(
				'offline',
				timedOut
					? `The portal did not answer within ${Math.round(this.timeouts.headersMs / 1000)} seconds. Changes wait on this device and are sent when it answers.`
					: 'The portal cannot be reached. Check the network connection.'
			);
		};
		let response: Response;
		try {
			response = await this.fetchImpl(this.baseUrl + path, {
				method,
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: controller.signal
			});
		} catch {
			clearTimeout(timer);
			throw noAnswer();
		}
		clearTimeout(timer);
		if (!isPortalAnswer(response)) {
			// Drain so the connection can be reused; what a captive portal or gateway says is not ours to parse.
			await response.arrayBuffer().catch(() => undefined);
			throw noAnswer();
		}
		timer = arm(this.timeouts.bodyMs);
		let json: unknown;
		try {
			json = response.status === 204 ? {} : await response.json();
		} catch {
			// A connection cut mid-answer (or a body that never finished) reads as a broken body.
			if (response.ok || timedOut) throw noAnswer();
			this.report('answered');
			if (response.status >= 500) throw new TransportError('server', `The portal answered ${response.status}.`, response.status);
			throw new TransportError('protocol', `The portal sent an unreadable answer (${response.status}).`, response.status);
		} finally {
			clearTimeout(timer);
		}
		this.report('answered');
		if (!response.ok) {
			const parsed = apiErrorSchema.safeParse(json);
			const message = parsed.success ? parsed.data.error.message : `The portal answered ${response.status}.`;
			const retryAfterSeconds =
				(parsed.success ? parsed.data.error.retryAfterSeconds : undefined) ?? retryAfterHeader(response.headers.get('retry-after'));
			const details = { expectedId: parsed.success ? parsed.data.error.expectedId : undefined, retryAfterSeconds };
			const kind: TransportErrorKind =
				response.status === 401
					? 'unauthenticated'
					: response.status === 429
						? 'rate_limited'
						: response.status >= 500
							? 'server'
							: response.status === 409 && parsed.success && parsed.data.error.code === 'gap'
								? 'gap'
								: 'rejected';
			throw new TransportError(kind, message, response.status, details);
		}
		const parsed = schema.safeParse(json);
		if (!parsed.success) {
			throw new TransportError(
				'protocol',
				`The portal's answer to ${path} did not match protocol version expected by this app.`,
				response.status
			);
		}
		return parsed.data;
	}

	signIn(request: SignInRequest): Promise<SessionInfo> {
		return this.request('POST', API.session, sessionInfoSchema, request);
	}

	async session(): Promise<SessionInfo | null> {
		try {
			return await this.request('GET', API.session, sessionInfoSchema);
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'unauthenticated') return null;
			throw error;
		}
	}

	async signOut(): Promise<void> {
		await this.request('DELETE', API.session, z.unknown());
	}

	async institutions(): Promise<Institution[]> {
		return (await this.request('GET', API.institutions, institutionsResponseSchema)).institutions;
	}

	pull(cursor: string, limit: number): Promise<PullResponse> {
		const query = new URLSearchParams({ cursor, limit: String(limit) });
		return this.request('GET', `${API.pull}?${query}`, pullResponseSchema);
	}

	push(request: PushRequest): Promise<PushResponse> {
		const key = `${request.clientId}:${request.mutations[0].id}`;
		return this.request('POST', API.push, pushResponseSchema, request, { 'idempotency-key': key });
	}

	uploads(before: string | null, limit: number): Promise<UploadsResponse> {
		const query = new URLSearchParams({ limit: String(limit), ...(before === null ? {} : { before }) });
		return this.request('GET', `${API.uploads}?${query}`, uploadsResponseSchema);
	}

	uploadRows(id: string, offset: number, limit: number): Promise<UploadRowsResponse> {
		const query = new URLSearchParams({ offset: String(offset), limit: String(limit) });
		return this.request('GET', `${API.uploads}/${encodeURIComponent(id)}?${query}`, uploadRowsResponseSchema);
	}
}
