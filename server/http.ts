// Low-level HTTP plumbing shared by the API and static handlers: the error type every handler throws,
// JSON answers in the protocol's error shape, capped body reading, and the headers every response carries.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from '../src/lib/sync/protocol';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Thrown anywhere in a handler; turned into `{ error: { code, message } }` with its status. */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly extra: { expectedId?: number; retryAfterSeconds?: number } = {}
	) {
		super(message);
	}
}

/** The client hung up before its request was read whole: nobody is left to answer, and nothing went wrong here. */
export class ClientGoneError extends Error {}

/** Headers that apply to every answer, API or static: no MIME sniffing, no referrer leaks, no framing. */
export function setBaseHeaders(res: ServerResponse): void {
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Referrer-Policy', 'no-referrer');
	res.setHeader('X-Frame-Options', 'DENY');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		// API answers are per-session and change constantly; no cache (browser, proxy or service worker) may keep them.
		'Cache-Control': 'no-store',
		...headers
	});
	res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
	const body: ApiError = { error: { code: err.code, message: err.message, ...err.extra } };
	const headers: Record<string, string> = {};
	if (err.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.extra.retryAfterSeconds);
	if (res.headersSent) {
		res.destroy();
		return;
	}
	sendJson(res, err.status, body, headers);
}

/**
 * Reads a JSON body, refusing more than `limit` bytes as soon as it is exceeded (so a huge upload costs
 * at most `limit` of memory) and anything not declared as JSON (which also stops HTML-form CSRF posts).
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
	const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) {
		drain(req);
		throw tooLarge(limit);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of req) {
			const buf = chunk as Buffer;
			size += buf.length;
			if (size > limit) {
				drain(req);
				throw tooLarge(limit);
			}
			chunks.push(buf);
		}
	} catch (err) {
		if (!(err instanceof HttpError) && (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET')) {
			throw new ClientGoneError(`client hung up mid-request (${req.method} ${new URL(req.url ?? '/', 'http://portal.invalid').pathname})`);
		}
		throw err;
	}
	const text = Buffer.concat(chunks).toString('utf8');
	if (text.trim() === '') throw new HttpError(400, 'bad_request', 'The request body is empty');
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new HttpError(400, 'bad_request', 'The request body is not valid JSON');
	}
}

function tooLarge(limit: number): HttpError {
	return new HttpError(413, 'payload_too_large', `The request body is larger than ${limit} bytes`);
}

// Reading the rest lets the 413 answer reach the client instead of a connection reset mid-upload;
// past a few MiB we stop being polite and close the connection after answering.
function drain(req: IncomingMessage): void {
	let extra = 0;
	req.on('data', (chunk: Buffer) => {
		extra += chunk.length;
		if (extra > 8 * DEFAULT_BODY_LIMIT) req.socket.destroy();
	});
	req.resume();
}

/** Cookie values by name; malformed pairs are ignored rather than failing the request. */
export function parseCookies(header: string | undefined): Map<string, string> {
	const cookies = new Map<string, string>();
	if (!header) return cookies;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		const name = part.slice(0, eq).trim();
		if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
	}
	return cookies;
}

export function remoteAddress(req: IncomingMessage): string {
	return req.socket.remoteAddress ?? 'unknown';
}

/** Whether the browser reached us over TLS, which decides the cookie's `Secure` attribute. */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
	if ((req.socket as { encrypted?: boolean }).encrypted) return true;
	return (
		trustProxy &&
		String(req.headers['x-forwarded-proto'] ?? '')
			.split(',')[0]
			.trim() === 'https'
	);
}
