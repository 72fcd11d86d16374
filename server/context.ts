// The per-server dependencies every API handler receives, and the session check they share.
import type { IncomingMessage } from 'node:http';
import type { LargeChangeThreshold } from '../src/lib/domain/large-change';
import type { Parent } from '../src/lib/domain/types';
import { SESSION_MESSAGES } from '../src/lib/sync/portal-rules';
import { SESSION_COOKIE, type SessionStore, type SignInThrottle } from './auth';
import type { FaultInjector } from './faults';
import { HttpError, parseCookies } from './http';
import type { ScryptCost } from './passwords';
import type { PortalStore } from './store';

export interface AppContext {
	store: PortalStore;
	sessions: SessionStore;
	throttle: SignInThrottle;
	/** Present only with --faults; test routes and fault injection are unreachable otherwise. */
	faults: FaultInjector | null;
	userPasswordCost: ScryptCost;
	adminPasswordCost: ScryptCost;
	bodyLimit: number;
	trustProxy: boolean;
	/** Days an upload stays in the history after the portal received it. */
	historyDays: number;
	/** Sent with the session: when the app asks the admin to confirm a large upload. */
	largeChange: LargeChangeThreshold;
	/** The server's clock; tests move it to see history expire. */
	now: () => number;
	log: (line: string) => void;
}

export interface AuthedAdmin {
	token: string;
	adminUsername: string;
	parent: Parent;
}

export function sessionToken(req: IncomingMessage): string | undefined {
	return parseCookies(req.headers.cookie).get(SESSION_COOKIE);
}

export function requireAdmin(ctx: AppContext, req: IncomingMessage): AuthedAdmin {
	const token = sessionToken(req);
	const session = ctx.sessions.touch(token);
	const parent = session && ctx.store.state.parents.get(session.parentAccountId);
	// An admin removed from the state (e.g. after a reset with another dataset) loses access at once.
	if (!token || !session || !parent || !ctx.store.state.findAdmin(session.adminUsername)) {
		throw new HttpError(401, 'unauthenticated', SESSION_MESSAGES.unauthenticated);
	}
	return { token, adminUsername: session.adminUsername, parent };
}
