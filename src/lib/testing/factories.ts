// Owns small, readable test data for domain, spreadsheet and app tests: a parent with three child
// accounts (one with Google sign-in, one with a zero-padded ID), a handful of users, and a RuleContext
// built from plain arrays the way the worker builds it from IndexedDB. Not used by production code.
import type { Institution, Parent, User } from '../domain/types';
import { userKey } from '../domain/types';
import type { RuleContext } from '../domain/row-rules';

export const PARENT: Parent = { accountId: '1000', name: 'Springfield Public Schools' };
export const ROLES: readonly string[] = ['Teacher', 'Student', 'Administrator'];

export function institution(overrides: Partial<Institution> = {}): Institution {
	return {
		accountId: '1001',
		name: 'Springfield Elementary',
		parentAccountId: PARENT.accountId,
		signIn: 'password',
		googleDomains: [],
		...overrides
	};
}

export function user(overrides: Partial<User> = {}): User {
	const username = overrides.username ?? 'jdoe';
	return {
		accountId: '1001',
		username,
		name: 'Jane Doe',
		email: `${username}@springfield.example`,
		role: 'Teacher',
		...overrides
	};
}

export const INSTITUTIONS: readonly Institution[] = [
	institution(),
	institution({ accountId: '1002', name: 'Shelbyville High', signIn: 'google', googleDomains: ['shelbyville.edu'] }),
	institution({ accountId: '01015', name: 'Ogdenville Middle' })
];

export const USERS: readonly User[] = [
	user(),
	user({ username: 'bsmith', name: 'Bob Smith', role: 'Student' }),
	user({ accountId: '1002', username: 'gwen', name: 'Gwen Google', email: 'gwen@shelbyville.edu', role: 'Teacher' }),
	user({ accountId: '01015', username: 'ogden', name: 'Ogden User', email: 'ogden@ogdenville.example', role: 'Student' })
];

export interface ContextData {
	parent?: Parent;
	roles?: readonly string[];
	institutions?: readonly Institution[];
	users?: readonly User[];
}

/** A RuleContext over in-memory arrays (lookups are O(1), usernames and emails case-insensitive). */
export function ruleContext(data: ContextData = {}): RuleContext {
	const parent = data.parent ?? PARENT;
	const institutions = new Map((data.institutions ?? INSTITUTIONS).map((i) => [i.accountId, i]));
	const users = new Map<string, User>();
	const emails = new Map<string, { accountId: string; username: string }>();
	for (const u of data.users ?? USERS) {
		users.set(userKey(u.accountId, u.username), u);
		if (u.email) emails.set(u.email.toLowerCase(), { accountId: u.accountId, username: u.username });
	}
	return {
		parent,
		roles: [...(data.roles ?? ROLES)],
		institution: (accountId) => institutions.get(accountId),
		user: (accountId, username) => users.get(userKey(accountId, username)),
		emailOwner: (emailLower) => emails.get(emailLower)
	};
}

/** The template header row. */
export const HEADER: readonly string[] = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

/** Rows for buildPreview: the template header followed by the given data rows. */
export function sheet(...dataRows: string[][]): string[][] {
	return [[...HEADER], ...dataRows];
}
