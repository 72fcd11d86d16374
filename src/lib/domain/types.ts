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

/**
 * How many users one pull page and one push carry at most. The outbox stores its mutations in chunk
 * records of exactly one push each, so the storage layer needs the number as much as the protocol.
 */
export const PULL_PAGE_MAX = 5000;
export const PUSH_BATCH_MAX = 500;

/** The portal's answer to one queued change (the wire protocol's schema is checked against this type). */
export type MutationOutcome =
	| { id: number; status: 'applied'; user: UserRecord }
	| { id: number; status: 'recorded' }
	| { id: number; status: 'rejected'; code: 'validation' | 'conflict' | 'not_found' | 'forbidden'; reason: string };

/** A secret (a password waiting in the outbox) encrypted with the device's AES-GCM key. */
export interface SealedSecret {
	iv: Uint8Array;
	data: ArrayBuffer;
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
