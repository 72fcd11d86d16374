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

/** A sign-in attempt counted before its password is checked; `succeeded` takes it back. */
export interface SignInAttempt {
	succeeded(): void;
}

/**
 * Sliding-window count of sign-in attempts that did not succeed, keyed by username and by address
 * independently. An attempt counts from the moment it is admitted, not when its password turns out
 * wrong: checking a password takes tens of milliseconds, and a count taken only after the check lets
 * every concurrent guess through the limit.
 */
export class SignInThrottle {
	private readonly failures = new Map<string, number[]>();

	constructor(
		private readonly opts: RateLimitOptions,
		private readonly now: () => number = Date.now
	) {}

	/** Admits an attempt (already counted as a failure) or answers how many seconds to wait. */
	admit(username: string, address: string): SignInAttempt | { retryAfterSeconds: number } {
		const userKey = `u:${username.toLowerCase()}`;
		const addressKey = `a:${address}`;
		const wait = Math.max(this.wait(userKey, this.opts.perUsername), this.wait(addressKey, this.opts.perAddress));
		if (wait > 0) return { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
		const at = this.now();
		for (const key of [userKey, addressKey]) this.failures.set(key, [...this.recent(key), at]);
		return {
			succeeded: () => {
				// A correct password clears the username's record; for the address only this attempt is taken
				// back, so one success cannot unlock guessing other usernames from there.
				this.failures.delete(userKey);
				const list = this.failures.get(addressKey);
				const i = list ? list.lastIndexOf(at) : -1;
				if (list && i >= 0) list.splice(i, 1);
				if (list?.length === 0) this.failures.delete(addressKey);
			}
		};
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
