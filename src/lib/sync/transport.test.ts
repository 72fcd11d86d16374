import { describe, expect, it } from 'vitest';
import { transportFailure } from '../testing/transport-failure';
import { HttpTransport, retryAfterHeader, type RequestOutcome } from './transport';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

/** A fetch that never answers but honours its abort signal, as a silent portal behind a live connection. */
const silent: typeof fetch = (_input, init) =>
	new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));

function transportWith(fetchImpl: typeof fetch, timeouts = { headersMs: 50, bodyMs: 50 }) {
	const outcomes: RequestOutcome[] = [];
	const transport = new HttpTransport('', fetchImpl, timeouts);
	transport.observe((o) => outcomes.push(o));
	return { transport, outcomes };
}

describe('HttpTransport reports whether the portal answered', () => {
	it('a network error is no answer', async () => {
		const { transport, outcomes } = transportWith(async () => {
			throw new TypeError('Failed to fetch');
		});
		const error = await transportFailure(transport.institutions());
		expect(error.kind).toBe('offline');
		expect(outcomes).toEqual(['no-answer']);
	});

	it('a captive portal answering its login page with 200 is no answer, not a protocol error', async () => {
		const { transport, outcomes } = transportWith(
			async () => new Response('<html>Sign in to SchoolWiFi</html>', { status: 200, headers: { 'content-type': 'text/html' } })
		);
		const error = await transportFailure(transport.institutions());
		expect(error.kind).toBe('offline');
		expect(outcomes).toEqual(['no-answer']);
	});

	it('a gateway error page (502 in HTML) is no answer', async () => {
		const { transport, outcomes } = transportWith(
			async () => new Response('Bad Gateway', { status: 502, headers: { 'content-type': 'text/html' } })
		);
		expect((await transportFailure(transport.institutions())).kind).toBe('offline');
		expect(outcomes).toEqual(['no-answer']);
	});

	it('the portal answering 503 is an answer, retryable, and carries Retry-After from the header', async () => {
		const { transport, outcomes } = transportWith(async () =>
			json(503, { error: { code: 'unavailable', message: 'Down for maintenance' } }, { 'retry-after': '30' })
		);
		const error = await transportFailure(transport.institutions());
		expect(error.kind).toBe('server');
		expect(error.retryable).toBe(true);
		expect(error.details.retryAfterSeconds).toBe(30);
		expect(outcomes).toEqual(['answered']);
	});

	it('429 with Retry-After in the body and the header prefers the body', async () => {
		const { transport } = transportWith(async () =>
			json(429, { error: { code: 'rate_limited', message: 'Slow down', retryAfterSeconds: 12 } }, { 'retry-after': '99' })
		);
		const error = await transportFailure(transport.institutions());
		expect(error.kind).toBe('rate_limited');
		expect(error.details.retryAfterSeconds).toBe(12);
	});

	it('a portal that accepts the connection and says nothing times out as no answer, in words', async () => {
		const { transport, outcomes } = transportWith(silent);
		const error = await transportFailure(transport.institutions());
		expect(error.kind).toBe('offline');
		expect(error.message).toMatch(/did not answer within/);
		expect(outcomes).toEqual(['no-answer']);
	});

	it('a body cut off mid-answer is no answer', async () => {
		const { transport, outcomes } = transportWith(
			async () => new Response('{"institutions": [', { status: 200, headers: { 'content-type': 'application/json' } })
		);
		expect((await transportFailure(transport.institutions())).kind).toBe('offline');
		expect(outcomes).toEqual(['no-answer']);
	});

	it('a good answer is answered', async () => {
		const { transport, outcomes } = transportWith(async () => json(200, { protocolVersion: 1, institutions: [] }));
		expect(await transport.institutions()).toEqual([]);
		expect(outcomes).toEqual(['answered']);
	});

	it('the probe: 401 from the portal is an answer; silence and HTML are not', async () => {
		expect(await transportWith(async () => json(401, { error: { code: 'unauthenticated', message: 'Sign in' } })).transport.probe()).toBe(
			true
		);
		expect(await transportWith(silent).transport.probe(30)).toBe(false);
		expect(
			await transportWith(async () => new Response('<html></html>', { headers: { 'content-type': 'text/html' } })).transport.probe()
		).toBe(false);
	});
});

describe('Retry-After', () => {
	it('reads seconds and HTTP dates', () => {
		expect(retryAfterHeader('120')).toBe(120);
		expect(retryAfterHeader(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(60);
		expect(retryAfterHeader('soon')).toBeUndefined();
		expect(retryAfterHeader(null)).toBeUndefined();
	});
});
