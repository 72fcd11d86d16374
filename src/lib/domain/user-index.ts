// In-memory lookups over a list of users: by (account, username) case-insensitively and by email (the
// Users tab's search is domain/user-search.ts).
// IndexedDB holds users in chunks; every fast lookup in the app goes through one of these indexes.
import { userKey, type User } from './types';

export class UserIndex<U extends User = User> {
	readonly byKey = new Map<string, U>();
	readonly byEmail = new Map<string, U>();
	/** Users per account, kept while adding so screens never loop over every user to count. */
	readonly countByAccount = new Map<string, number>();
	readonly users: U[] = [];

	constructor(users: readonly U[] = []) {
		for (const user of users) this.add(user);
	}

	private add(user: U): void {
		this.users.push(user);
		this.countByAccount.set(user.accountId, (this.countByAccount.get(user.accountId) ?? 0) + 1);
		this.byKey.set(userKey(user.accountId, user.username), user);
		if (user.email) this.byEmail.set(user.email.toLowerCase(), user);
	}

	get(accountId: string, username: string): U | undefined {
		return this.byKey.get(userKey(accountId, username));
	}

	emailOwner(email: string): U | undefined {
		return this.byEmail.get(email.toLowerCase());
	}
}
