// The portal's nouns, shared by the app, the worker and the reference server.
// Account IDs and usernames stay strings end to end: leading zeros are meaningful.

export type SignIn = 'password' | 'google';

export interface Parent {
	accountId: string;
	name: string;
}

export interface Institution {
	accountId: string;
	name: string;
	parentAccountId: string;
	signIn: SignIn;
	/** Lower-case domains (no "@"); empty unless signIn is "google". */
	googleDomains: string[];
}

export interface User {
	accountId: string;
	username: string;
	name: string;
	email: string;
	role: string;
}

/** A user as the server knows it: `rev` is the server's change sequence, used by pull cursors. */
export interface UserRecord extends User {
	rev: number;
}

/** The fields a bulk update may change. Passwords are write-only: never read back, never stored in results. */
export const EDITABLE_FIELDS = ['name', 'email', 'password', 'role'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type VisibleField = Exclude<EditableField, 'password'>;

export type UserChanges = Partial<Record<EditableField, string>>;
export type UserBase = Partial<Record<VisibleField, string>>;

/** (account, username) identity; usernames compare case-insensitively. */
export function userKey(accountId: string, username: string): string {
	return `${accountId}\u0000${username.toLowerCase()}`;
}

export const FIELD_LABELS: Record<EditableField | 'accountId' | 'username', string> = {
	accountId: 'Account ID',
	username: 'Username',
	name: 'Name',
	email: 'Email',
	password: 'Password',
	role: 'Role'
};
