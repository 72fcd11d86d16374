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
	type PullResponse,
	type PushRequest,
	type PushResponse,
	type SessionInfo,
	type SignInRequest
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

export interface PortalTransport {
	signIn(request: SignInRequest): Promise<SessionInfo>;
	/** The current session, or null when signed out or expired. Throws 'offline' when the server is unreachable. */
	session(): Promise<SessionInfo | null>;
	signOut(): Promise<void>;
	institutions(): Promise<Institution[]>;
	pull(cursor: string, limit: number): Promise<PullResponse>;
	push(request: PushRequest): Promise<PushResponse>;
}

export class HttpTransport implements PortalTransport {
	constructor(
		private readonly baseUrl = '',
		private readonly fetchImpl: typeof fetch = (...args) => fetch(...args)
	) {}

	private async request<T>(method: string, path: string, schema: z.ZodMiniType<T>, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
		let response: Response;
		try {
			response = await this.fetchImpl(this.baseUrl + path, {
				method,
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
				body: body === undefined ? undefined : JSON.stringify(body)
			});
		} catch {
			throw new TransportError('offline', 'The portal cannot be reached. Check the network connection.');
		}
		let json: unknown;
		try {
			json = response.status === 204 ? {} : await response.json();
		} catch {
			if (response.status >= 500) throw new TransportError('server', `The portal answered ${response.status}.`, response.status);
			// A connection cut mid-answer reads as a broken body.
			throw new TransportError(response.ok ? 'offline' : 'protocol', `The portal sent an unreadable answer (${response.status}).`, response.status);
		}
		if (!response.ok) {
			const parsed = apiErrorSchema.safeParse(json);
			const message = parsed.success ? parsed.data.error.message : `The portal answered ${response.status}.`;
			const details = parsed.success ? { expectedId: parsed.data.error.expectedId, retryAfterSeconds: parsed.data.error.retryAfterSeconds } : {};
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
		if (!parsed.success) throw new TransportError('protocol', `The portal's answer to ${path} did not match protocol version expected by this app.`, response.status);
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
}
