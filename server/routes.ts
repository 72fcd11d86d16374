// The JSON API under /api: routing, request validation with the protocol schemas, and the handlers for
// session, institutions, pull and push. Every route except signing in acts for the signed-in admin and
// sees only that admin's parent account.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod/mini';
import {
	PROTOCOL_VERSION,
	pushRequestSchema,
	signInRequestSchema,
	type InstitutionsResponse,
	type PushResponse,
	type SessionInfo,
	type UploadRowsResponse,
	type UploadsResponse
} from '../src/lib/sync/protocol';
import { uploadNotFound, uploadRowsWindow, uploadsWindow } from '../src/lib/sync/upload-history';
import { clientKey, parseRequest, protocolVersionProblem, pullResponse, pullWindow, SESSION_MESSAGES } from '../src/lib/sync/portal-rules';
import { SESSION_COOKIE } from './auth';
import { requireAdmin, sessionToken, type AppContext, type AuthedAdmin } from './context';
import { handleTestRoute } from './faults';
import { ClientGoneError, HttpError, isHttps, readJsonBody, remoteAddress, sendError, sendJson } from './http';
import { verifyAgainstDummy, verifyPassword } from './passwords';
import { applyPush, checkPushShape, prehashPasswords } from './push';
import { StorageFailedError } from './store';
import { toWire } from './state';

type Handler = (ctx: AppContext, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
	'/api/session': { GET: getSession, POST: signIn, DELETE: signOut },
	'/api/institutions': { GET: getInstitutions },
	'/api/pull': { GET: pull },
	'/api/push': { POST: push },
	'/api/uploads': { GET: listUploads }
};

/** Routes with an id in the path: /api/uploads/{id}. */
const UPLOAD_ROUTE = '/api/uploads/';

export async function handleApi(ctx: AppContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	try {
		if (url.pathname.startsWith('/api/__test/')) {
			if (!ctx.faults) throw new HttpError(404, 'not_found', `No API route ${url.pathname}`);
			await handleTestRoute(ctx, ctx.faults, req, res, url);
			return;
		}
		const methods = url.pathname.startsWith(UPLOAD_ROUTE) ? { GET: getUpload } : ROUTES[url.pathname];
		if (!methods) throw new HttpError(404, 'not_found', `No API route ${url.pathname}`);
		const handler = methods[req.method ?? 'GET'];
		if (!handler) {
			res.setHeader('Allow', Object.keys(methods).join(', '));
			throw new HttpError(405, 'method_not_allowed', `${req.method} is not supported on ${url.pathname}`);
		}
		await ctx.faults?.beforeApiRequest();
		await handler(ctx, req, res, url);
	} catch (err) {
		sendError(res, toHttpError(ctx, err));
	}
}

function toHttpError(ctx: AppContext, err: unknown): HttpError {
	if (err instanceof HttpError) return err;
	if (err instanceof ClientGoneError) {
		// Routine on mobile networks; a stack trace here would bury the errors that matter.
		ctx.log(err.message);
		return new HttpError(400, 'bad_request', 'The request ended before its body was complete');
	}
	if (err instanceof StorageFailedError) {
		ctx.log(`storage failure: ${err.message}`);
		return new HttpError(503, 'storage_failed', 'The server cannot save changes right now; nothing was applied. Try again later.');
	}
	// The stack goes to the server log only; clients get a generic sentence.
	ctx.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
	return new HttpError(500, 'internal', 'Internal server error');
}

/** Parses a body with a protocol schema; a 400 names the bad fields' paths, never echoes values. */
function parseWith<T extends z.ZodMiniType>(schema: T, body: unknown): z.infer<T> {
	const parsed = parseRequest(schema, body);
	if (!parsed.ok) throw new HttpError(400, 'bad_request', parsed.message);
	return parsed.value;
}

// ---- session ---------------------------------------------------------------------------------

function sessionInfo(ctx: AppContext, admin: Pick<AuthedAdmin, 'adminUsername' | 'parent'>): SessionInfo {
	return {
		protocolVersion: PROTOCOL_VERSION,
		admin: { username: admin.adminUsername },
		parent: admin.parent,
		roles: ctx.store.state.roles,
		largeChange: ctx.largeChange
	};
}

function cookie(ctx: AppContext, req: IncomingMessage, value: string, maxAge?: number): string {
	const parts = [`${SESSION_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Strict', 'Path=/'];
	if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
	if (isHttps(req, ctx.trustProxy)) parts.push('Secure');
	return parts.join('; ');
}

async function signIn(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const { username, password } = parseWith(signInRequestSchema, await readJsonBody(req, ctx.bodyLimit));
	const attempt = ctx.throttle.admit(username, remoteAddress(req));
	if ('retryAfterSeconds' in attempt) {
		const wait = attempt.retryAfterSeconds;
		throw new HttpError(429, 'rate_limited', `Too many sign-in attempts; try again in ${wait} s`, { retryAfterSeconds: wait });
	}

	const admin = ctx.store.state.findAdmin(username);
	const ok = admin ? await verifyPassword(password, admin.passwordHash) : await verifyAgainstDummy(password, ctx.adminPasswordCost);
	const parent = admin && ctx.store.state.parents.get(admin.parentAccountId);
	if (!ok || !admin || !parent) throw new HttpError(401, 'invalid_credentials', SESSION_MESSAGES.wrongCredentials);
	attempt.succeeded();
	// A fresh token on every sign-in; an old cookie sent along is discarded rather than upgraded (no fixation).
	ctx.sessions.delete(sessionToken(req));
	const token = ctx.sessions.create(admin.username, admin.parentAccountId);
	sendJson(res, 200, sessionInfo(ctx, { adminUsername: admin.username, parent }), { 'Set-Cookie': cookie(ctx, req, token) });
}

async function getSession(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	sendJson(res, 200, sessionInfo(ctx, requireAdmin(ctx, req)));
}

async function signOut(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	ctx.sessions.delete(sessionToken(req));
	res.writeHead(204, { 'Set-Cookie': cookie(ctx, req, '', 0), 'Cache-Control': 'no-store' });
	res.end();
}

// ---- institutions ----------------------------------------------------------------------------

async function getInstitutions(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const admin = requireAdmin(ctx, req);
	const body: InstitutionsResponse = {
		protocolVersion: PROTOCOL_VERSION,
		institutions: ctx.store.state.institutionsOf(admin.parent.accountId).map((i) => ({
			accountId: i.accountId,
			name: i.name,
			parentAccountId: i.parentAccountId,
			signIn: i.signIn,
			googleDomains: i.googleDomains
		}))
	};
	sendJson(res, 200, body);
}

// ---- pull ------------------------------------------------------------------------------------

async function pull(ctx: AppContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	const admin = requireAdmin(ctx, req);
	const state = ctx.store.state;
	const wanted = pullWindow(url.searchParams.get('cursor'), url.searchParams.get('limit'), state.seq);
	if (!wanted.ok) throw new HttpError(400, 'bad_request', wanted.message);
	if (ctx.faults?.takeDroppedPull()) {
		req.socket.destroy();
		return;
	}
	if (ctx.faults) wanted.value.limit = ctx.faults.pullPageSize(wanted.value.limit);
	const page = state.pull(admin.parent.accountId, wanted.value.from, wanted.value.limit);
	sendJson(res, 200, pullResponse(page.users.map(toWire), wanted.value, page.hasMore, state.userCount(admin.parent.accountId)));
}

// ---- push ------------------------------------------------------------------------------------

async function push(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const admin = requireAdmin(ctx, req);
	const body = await readJsonBody(req, ctx.bodyLimit);
	const versionProblem = protocolVersionProblem(body);
	if (versionProblem) throw new HttpError(426, 'protocol_version', versionProblem);
	const request = parseWith(pushRequestSchema, body);
	const header = req.headers['idempotency-key'];
	checkPushShape(request, Array.isArray(header) ? header[0] : header);

	const scope = { adminUsername: admin.adminUsername, parent: admin.parent };
	const state = ctx.store.state;
	const known = state.clients.get(clientKey(admin.adminUsername, request.clientId))?.lastAppliedId ?? 0;
	const hashes = await prehashPasswords(request.mutations, known, ctx.userPasswordCost);

	const outcome = await ctx.store.withLock(async () => {
		const result = await applyPush(ctx.store.state, scope, request, hashes, ctx.userPasswordCost, ctx.now());
		// Durable before anyone hears about it: the effects and lastAppliedId are one journal line.
		if (result.record) await ctx.store.commit(result.record);
		return result;
	});

	if (ctx.faults?.takeDropAfterApply()) {
		res.socket?.destroy();
		return;
	}
	const response: PushResponse = { protocolVersion: PROTOCOL_VERSION, results: outcome.results, lastAppliedId: outcome.lastAppliedId };
	sendJson(res, 200, response);
}

// ---- upload history --------------------------------------------------------------------------

async function listUploads(ctx: AppContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	const admin = requireAdmin(ctx, req);
	const wanted = uploadsWindow(url.searchParams.get('before'), url.searchParams.get('limit'));
	if (!wanted.ok) throw new HttpError(400, 'bad_request', wanted.message);
	const page = ctx.store.state.history.list(admin.parent.accountId, wanted.value.before, wanted.value.limit, ctx.now(), ctx.historyDays);
	const body: UploadsResponse = { protocolVersion: PROTOCOL_VERSION, ...page };
	sendJson(res, 200, body);
}

async function getUpload(ctx: AppContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	const admin = requireAdmin(ctx, req);
	let id: string;
	try {
		id = decodeURIComponent(url.pathname.slice(UPLOAD_ROUTE.length));
	} catch {
		throw new HttpError(400, 'bad_request', 'Malformed upload id');
	}
	const wanted = uploadRowsWindow(url.searchParams.get('offset'), url.searchParams.get('limit'));
	if (!wanted.ok) throw new HttpError(400, 'bad_request', wanted.message);
	const found = ctx.store.state.history.rows(
		admin.parent.accountId,
		id,
		wanted.value.offset,
		wanted.value.limit,
		ctx.now(),
		ctx.historyDays
	);
	if (!found) throw new HttpError(404, 'not_found', uploadNotFound(id));
	const body: UploadRowsResponse = { protocolVersion: PROTOCOL_VERSION, ...found };
	sendJson(res, 200, body);
}
