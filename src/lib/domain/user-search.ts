// The Users tab's search over every local user, fast enough per keystroke at 1,000,000 users.
//
// All users' search text (lower-case "username name email accountId") is one string, with `starts` giving
// where each user's part begins. A search runs String.prototype.indexOf for its longest term along that
// one string, which V8 does far faster than calling includes() on a million small strings, and jumps to
// the next user after each hit; other terms are checked in the hit's own part only. When a query only
// extends the previous one ("smi" after "sm"), its matches are among the previous matches, so only those
// are checked again, if they are few enough for that to be quicker than a scan. One string and one
// Int32Array also hold far less than a million strings would.
import type { User } from './types';

/** Between users: never typed into a search box, so no term can match across two users. */
const SEPARATOR = '\u0002';

function searchText(user: User): string {
	return `${user.username}\u0001${user.name}\u0001${user.email}\u0001${user.accountId}`.toLowerCase();
}

/** Whitespace-separated, lower-case, longest first (the rarest, usually: the scan runs for it). */
export function searchTerms(query: string): string[] {
	return query
		.toLowerCase()
		.split(/\s+/)
		.filter(Boolean)
		.sort((a, b) => b.length - a.length);
}

export class UserSearch<U extends User = User> {
	private readonly text: string;
	/** starts[i]: where user i's text begins; starts[n]: the end. */
	private readonly starts: Int32Array;
	private last: { query: string; accountId: string; hits: number[] } | undefined;

	constructor(readonly users: readonly U[]) {
		const n = users.length;
		const starts = new Int32Array(n + 1);
		// One more, empty, part: the join then ends with a separator and is one flat string (appending it
		// would make a rope that the first search has to flatten, copying every user's text).
		const parts: string[] = new Array<string>(n + 1).fill('');
		let at = 0;
		for (let i = 0; i < n; i++) {
			const text = searchText(users[i]);
			starts[i] = at;
			at += text.length + 1;
			parts[i] = text;
		}
		starts[n] = at;
		this.starts = starts;
		this.text = parts.join(SEPARATOR);
	}

	/**
	 * Positions (into `users`, ascending) of the users matching every whitespace-separated term, within
	 * one account if asked. The answer is shared with the next call for the same search: do not modify it.
	 */
	search(query: string, accountId = ''): readonly number[] {
		const normal = query.trim().toLowerCase().replace(/\s+/g, ' ');
		const last = this.last;
		if (last && last.query === normal && last.accountId === accountId) return last.hits;
		const terms = searchTerms(normal);
		const narrowing = last && last.accountId === accountId && last.query !== '' && normal.startsWith(last.query);
		const hits =
			narrowing && last.hits.length * 8 < this.users.length
				? this.within(last.hits, terms)
				: terms.length
					? this.scan(terms, accountId)
					: this.inAccount(accountId);
		this.last = { query: normal, accountId, hits };
		return hits;
	}

	private own(i: number): string {
		return this.text.slice(this.starts[i], this.starts[i + 1] - 1);
	}

	private matchesAll(i: number, terms: readonly string[], from: number): boolean {
		if (from >= terms.length) return true;
		const own = this.own(i);
		for (let t = from; t < terms.length; t++) if (!own.includes(terms[t])) return false;
		return true;
	}

	private scan(terms: readonly string[], accountId: string): number[] {
		const { text, starts, users } = this;
		const first = terms[0];
		const hits: number[] = [];
		let user = 0;
		for (let at = text.indexOf(first); at !== -1; at = text.indexOf(first, starts[user + 1])) {
			while (starts[user + 1] <= at) user++;
			if ((!accountId || users[user].accountId === accountId) && this.matchesAll(user, terms, 1)) hits.push(user);
			if (user + 1 >= users.length) break;
		}
		return hits;
	}

	private within(candidates: readonly number[], terms: readonly string[]): number[] {
		return candidates.filter((i) => this.matchesAll(i, terms, 0));
	}

	private inAccount(accountId: string): number[] {
		const hits: number[] = [];
		for (let i = 0; i < this.users.length; i++) if (!accountId || this.users[i].accountId === accountId) hits.push(i);
		return hits;
	}
}
