// Single-field rules for a user update, shared by the worker's preflight and the server's re-validation,
// so the admin sees the same reason whether a row fails before or after sync.
// Each rule returns null (fine) or a reason naming the column and the value.
import { ACCOUNT_ID_MAX_DIGITS, accountIdProblem } from './account-id';
import type { Institution } from './types';

// The portal's own limits (its dataset schema and wire protocol): a longer value could never be stored.
// cellMax is Excel's: no spreadsheet program holds more text in one cell, and no workbook can be
// written with more, so a longer cell can only come from a damaged CSV.
export const LIMITS = {
	accountIdDigits: ACCOUNT_ID_MAX_DIGITS,
	usernameMax: 100,
	nameMax: 100,
	emailMax: 254,
	passwordMin: 8,
	passwordMax: 128,
	cellMax: 32_767
} as const;

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The reason for a value over its limit, led by the column so it reads as "Row 7, Name: 40,000
 * characters; …". Never quotes the value: at 40,000 characters it would be the whole message.
 */
export function tooLong(label: string, length: number, max: number, what: string, next = 'Shorten it and upload again.'): string {
	return `${label}: ${count(length)} characters; ${what} at most ${count(max)}. ${next}`;
}

// Control characters (C0, DEL, C1) have no place in a display name; they also break CSV and screen readers.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// Deliberately practical rather than RFC 5322: one "@", no spaces, a dotted domain with a 2+ letter TLD.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Shortens a value for messages so one bad cell cannot flood a results sheet. */
export function quote(value: string, max = 60): string {
	const shown = value.length > max ? `${value.slice(0, max)}…` : value;
	return `"${shown}"`;
}

export function checkAccountIdFormat(accountId: string): string | null {
	switch (accountIdProblem(accountId)) {
		case 'missing':
			return 'Account ID is required';
		case 'not-digits':
			return `Account ID ${quote(accountId)} must contain digits only`;
		case 'too-long':
			return `Account ID: ${count(accountId.length)} digits; Account IDs have at most ${LIMITS.accountIdDigits}. Check it and upload again.`;
		case null:
			return null;
	}
}

export function checkNotForeignAccount(accountId: string, institution: Institution | undefined, parentName: string): string | null {
	if (!institution) return `Account ${accountId} is not a child account of ${parentName}; row not processed`;
	return null;
}

export function checkUsername(username: string): string | null {
	if (username === '') return 'Username is required';
	// No portal user has a longer one: the cell holds something else (a shifted column, a damaged CSV).
	if (username.length > LIMITS.usernameMax) {
		return tooLong('Username', username.length, LIMITS.usernameMax, 'usernames can have', 'Check it and upload again.');
	}
	return null;
}

export function checkName(name: string): string | null {
	if (name.length > LIMITS.nameMax) return tooLong('Name', name.length, LIMITS.nameMax, 'names can have');
	if (CONTROL.test(name)) return `Name ${quote(name.replace(CONTROL, '?'))} contains a control character`;
	return null;
}

export function checkEmailFormat(email: string): string | null {
	if (email.length > LIMITS.emailMax) return tooLong('Email', email.length, LIMITS.emailMax, 'email addresses can have');
	if (!EMAIL.test(email) || email.includes('..')) return `Email ${quote(email)} is not a valid email address`;
	return null;
}

export function emailDomain(email: string): string {
	return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

export function checkGoogleDomain(email: string, institution: Institution): string | null {
	if (institution.signIn !== 'google') return null;
	const domain = emailDomain(email);
	if (institution.googleDomains.includes(domain)) return null;
	const allowed = institution.googleDomains.map((d) => `@${d}`).join(' or ');
	return `Email ${quote(email)} does not match the Google sign-in domain of account ${institution.accountId} (${allowed})`;
}

export function checkPassword(password: string, username: string): string | null {
	if (password.length < LIMITS.passwordMin) return `Password is too short (${password.length} characters; at least ${LIMITS.passwordMin})`;
	if (password.length > LIMITS.passwordMax) return tooLong('Password', password.length, LIMITS.passwordMax, 'passwords can have');
	if (password.toLowerCase() === username.toLowerCase()) return 'Password must not be the same as the username';
	return null;
}

/** Returns the canonical role, or null when the role is unknown. */
export function canonicalRole(role: string, roles: readonly string[]): string | null {
	const wanted = role.toLowerCase();
	return roles.find((r) => r.toLowerCase() === wanted) ?? null;
}

export function unknownRoleMessage(role: string, roles: readonly string[]): string {
	return `Role ${quote(role)} is not one of ${roles.join(', ')}`;
}
