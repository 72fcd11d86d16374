// Admin sessions and sign-in throttling. Sessions live in memory only: a restart signs admins out,
// which the client must handle anyway (401 → sign in again, outbox kept), and it keeps tokens off disk.
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'portal_session';
export const DEFAULT_SESSION_IDLE_MS = 12 * 60 * 60 * 1000;

export interface Session {
	adminUsername: string;
	parentAccountId: string;
	lastSeen: number;
}

export class SessionStore {
	private readonly sessions = new Map<string, Session>();

	constructor(
		private readonly idleMs: number,
		private readonly now: () => number = Date.now
	) {}

	create(adminUsername: string, parentAccountId: string): string {
		this.sweep();
		const token = randomBytes(32).toString('base64url');
		this.sessions.set(token, { adminUsername, parentAccountId, lastSeen: this.now() });
		return token;
	}

	/** The live session for a token, sliding its idle deadline; undefined when unknown or idle too long. */
	touch(token: string | undefined): Session | undefined {
		if (!token) return undefined;
		const session = this.sessions.get(token);
		if (!session) return undefined;
		const now = this.now();
		if (now - session.lastSeen > this.idleMs) {
			this.sessions.delete(token);
			return undefined;
		}
		session.lastSeen = now;
		return session;
	}

	delete(token: string | undefined): void {
		if (token) this.sessions.delete(token);
	}

	/** Ends every session (test hook, and what an operator would want after resetting data). */
	expireAll(): number {
		const count = this.sessions.size;
		this.sessions.clear();
		return count;
	}

	// Opportunistic cleanup on sign-in keeps abandoned sessions from accumulating without a timer.
	private sweep(): void {
		const now = this.now();
		for (const [token, s] of this.sessions) if (now - s.lastSeen > this.idleMs) this.sessions.delete(token);
	}
}

export interface RateLimitOptions {
	/** Failures allowed per username within the window. */
	perUsername: number;
	/** Failures allowed per remote address within the window; higher, since offices share an address. */
	perAddress: number;
	windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perUsername: 5, perAddress: 20, windowMs: 5 * 60 * 1000 };

/** Sliding-window count of failed sign-ins, keyed by username and by address independently. */
export class SignInThrottle {
	private readonly failures = new Map<string, number[]>();

	constructor(
		private readonly opts: RateLimitOptions,
		private readonly now: () => number = Date.now
	) {}

	/** Seconds until another attempt is allowed, or 0 when one is allowed now. */
	retryAfterSeconds(username: string, address: string): number {
		const wait = Math.max(
			this.wait(`u:${username.toLowerCase()}`, this.opts.perUsername),
			this.wait(`a:${address}`, this.opts.perAddress)
		);
		return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
	}

	recordFailure(username: string, address: string): void {
		for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) {
			const list = this.recent(key);
			list.push(this.now());
			this.failures.set(key, list);
		}
	}

	/** A correct password clears that username's record (not the address's: one success must not unlock guessing others). */
	recordSuccess(username: string): void {
		this.failures.delete(`u:${username.toLowerCase()}`);
	}

	clear(): void {
		this.failures.clear();
	}

	private wait(key: string, limit: number): number {
		const list = this.recent(key);
		if (list.length < limit) return 0;
		// Blocked until enough old failures leave the window to get back under the limit.
		return list[list.length - limit] + this.opts.windowMs - this.now();
	}

	private recent(key: string): number[] {
		const cutoff = this.now() - this.opts.windowMs;
		const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
		if (list.length === 0) this.failures.delete(key);
		else this.failures.set(key, list);
		return list;
	}
}
