// Serving the built app (SvelteKit adapter-static output): files with the right types and cache rules,
// index.html as the SPA fallback, no path traversal, and the page's Content-Security-Policy as a header.
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { HttpError, sendError } from './http';

const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.png': 'image/png',
	'.svg': 'image/svg+xml',
	'.ico': 'image/x-icon',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.webp': 'image/webp',
	'.woff': 'font/woff',
	'.woff2': 'font/woff2',
	'.txt': 'text/plain; charset=utf-8',
	'.xml': 'application/xml; charset=utf-8',
	'.wasm': 'application/wasm'
};

// Used when a page carries no CSP meta tag (or for the "not built" page): the same policy svelte.config.js declares.
const DEFAULT_CSP =
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>App not built</title></head>
<body><h1>The app is not built yet</h1><p>Run <code>npm run build</code>, then restart the server.</p>
<p>The API under <code>/api</code> is running.</p></body></html>
`;

/**
 * The policy to send as a header for an HTML page: SvelteKit's hash-mode policy from the page's
 * `<meta http-equiv="content-security-policy">`, plus `frame-ancestors 'none'`, which only works as a
 * header. 'unsafe-inline' is stripped from script-src defensively: the hashes are what allow Kit's script.
 */
export function cspForHtml(html: string): string {
	let policy = DEFAULT_CSP;
	for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
		const equiv = attribute(tag, 'http-equiv');
		const content = attribute(tag, 'content');
		if (equiv?.toLowerCase() === 'content-security-policy' && content) {
			policy = content;
			break;
		}
	}
	const directives = policy
		.split(';')
		.map((d) => d.trim())
		.filter((d) => d !== '' && !/^frame-ancestors\b/i.test(d))
		.map((d) => (/^script-src(-elem)?\b/i.test(d) ? d.replace(/\s+'unsafe-inline'/gi, '') : d));
	directives.push("frame-ancestors 'none'");
	return directives.join('; ');
}

function attribute(tag: string, name: string): string | undefined {
	const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
	if (!match) return undefined;
	return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '');
}

function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|quot|apos|amp|lt|gt);/gi, (_, e: string) => {
		const lower = e.toLowerCase();
		if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
		if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
		return ({ quot: '"', apos: "'", amp: '&', lt: '<', gt: '>' } as Record<string, string>)[lower];
	});
}

interface Resolved {
	file: string;
	size: number;
	mtimeMs: number;
}

export function createStaticHandler(dir: string): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
	const root = path.resolve(dir);
	// HTML is small and read on every request anyway for its CSP; cache by path + mtime.
	const htmlCache = new Map<string, { mtimeMs: number; body: Buffer; csp: string }>();

	async function resolveFile(relative: string): Promise<Resolved | null> {
		const candidate = path.join(root, relative);
		let realRoot: string;
		try {
			realRoot = await realpath(root);
		} catch {
			return null;
		}
		for (const file of [candidate, path.join(candidate, 'index.html'), `${candidate}.html`]) {
			try {
				const real = await realpath(file);
				// A symlink out of the build directory is treated like a traversal attempt.
				if (real !== realRoot && !real.startsWith(realRoot + path.sep)) continue;
				const info = await stat(real);
				if (info.isFile()) return { file: real, size: info.size, mtimeMs: info.mtimeMs };
			} catch {
				// not this candidate
			}
		}
		return null;
	}

	return async function serveStatic(req, res, url) {
		try {
			if (req.method !== 'GET' && req.method !== 'HEAD') {
				res.setHeader('Allow', 'GET, HEAD');
				throw new HttpError(405, 'method_not_allowed', `${req.method} is not supported here`);
			}
			const relative = safeRelativePath(url.pathname);
			const index = await resolveFile('index.html');
			if (!index) {
				sendHtml(req, res, 200, Buffer.from(NOT_BUILT_PAGE), cspForHtml(''));
				return;
			}
			let found = await resolveFile(relative);
			if (!found) {
				// Missing assets are real 404s: answering a missing script or stylesheet with HTML would be cached
				// by the service worker and fail confusingly. Anything else (even "/users/jane.doe") is a client route.
				if (relative.startsWith('_app/') || Object.hasOwn(CONTENT_TYPES, path.extname(relative).toLowerCase())) {
					res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
					res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
					return;
				}
				found = index;
			}
			const ext = path.extname(found.file).toLowerCase();
			if (ext === '.html') {
				const cached = htmlCache.get(found.file);
				let page = cached && cached.mtimeMs === found.mtimeMs ? cached : undefined;
				if (!page) {
					const body = await readFile(found.file);
					page = { mtimeMs: found.mtimeMs, body, csp: cspForHtml(body.toString('utf8')) };
					htmlCache.set(found.file, page);
				}
				sendHtml(req, res, 200, page.body, page.csp);
				return;
			}
			sendFile(req, res, found, url.pathname.startsWith('/_app/immutable/'));
		} catch (err) {
			sendError(res, err instanceof HttpError ? err : new HttpError(500, 'internal', 'Internal server error'));
		}
	};
}

/** The decoded request path relative to the build root, refusing anything that could step outside it. */
function safeRelativePath(pathname: string): string {
	let decoded: string;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		throw new HttpError(400, 'bad_request', 'Malformed URL');
	}
	if (decoded.includes('\0') || decoded.includes('\\')) throw new HttpError(400, 'bad_request', 'Malformed URL');
	const segments = decoded.split('/').filter((s) => s !== '');
	// Dot segments are traversal; dotfiles are never part of a build and may be secrets.
	if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) throw new HttpError(404, 'not_found', 'Not found');
	return segments.join('/');
}

function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, csp: string): void {
	res.writeHead(status, {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Length': body.length,
		'Cache-Control': 'no-cache',
		'Content-Security-Policy': csp
	});
	res.end(req.method === 'HEAD' ? undefined : body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, found: Resolved, immutable: boolean): void {
	const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
	const headers: Record<string, string | number> = {
		'Content-Type': CONTENT_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream',
		// Hashed file names never change content; everything else must be revalidated so a deploy is seen.
		'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
		ETag: etag
	};
	if (req.headers['if-none-match'] === etag) {
		res.writeHead(304, headers);
		res.end();
		return;
	}
	res.writeHead(200, { ...headers, 'Content-Length': found.size });
	if (req.method === 'HEAD') {
		res.end();
		return;
	}
	const stream = createReadStream(found.file);
	stream.on('error', () => res.destroy());
	stream.pipe(res);
}
