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

/**
 * What a new username may be: the one place the rule lives (the worker's check and the portal's
 * re-check both call checkNewUsername). Existing usernames are only looked up, never held to it: users
 * imported before the rule keep theirs. Letters are ASCII only, so a username types the same on every
 * keyboard and sign-in screen.
 */
export const NEW_USERNAME = { min: 3, max: 64, pattern: /^[A-Za-z0-9._-]+$/, allowed: 'letters, digits and . _ -' } as const;

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

/** The rule for a username a row creates; null when it may be used. */
export function checkNewUsername(username: string): string | null {
	if (username.length < NEW_USERNAME.min || username.length > NEW_USERNAME.max) {
		const n = username.length;
		return `Username ${quote(username)} has ${count(n)} ${n === 1 ? 'character' : 'characters'}; a new username needs ${NEW_USERNAME.min} to ${NEW_USERNAME.max}. Choose another and upload again.`;
	}
	if (!NEW_USERNAME.pattern.test(username)) {
		return `Username ${quote(username)} may only hold ${NEW_USERNAME.allowed} (no spaces or accents). Choose another and upload again.`;
	}
	return null;
}

/** A new user of this account already has the username (case-insensitive): the file's row, not the portal's user, must change. */
export function usernameTakenMessage(username: string, accountId: string, holder: string): string {
	const same = holder === username ? '' : ` (as ${quote(holder)})`;
	return `Username ${username} is already taken in account ${accountId}${same}. Choose another username, or tick User Update to change that user.`;
}

/** The fields a new user must have in `institution` (Email with Google sign-in, Password without it). */
export function requiredToAdd(institution: Institution): readonly ('name' | 'email' | 'password' | 'role')[] {
	return institution.signIn === 'google' ? ['name', 'email', 'role'] : ['name', 'password', 'role'];
}

/** Why a blank field stops an add, and what to do; the portal words a missing field the same. */
export function missingForAdd(field: 'name' | 'email' | 'password' | 'role', institution: Institution, roles: readonly string[]): string {
	const why =
		field === 'email'
			? ` to account ${institution.accountId}, which uses Google sign-in (${googleDomainList(institution)})`
			: field === 'password'
				? ` to account ${institution.accountId}, which uses password sign-in (${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters, not the username)`
				: field === 'role'
					? `: one of ${roles.join(', ')}`
					: '';
	const label = { name: 'Name', email: 'Email', password: 'Password', role: 'Role' }[field];
	return `${label} is required to add a user${why}. Fill it in and upload again.`;
}

function googleDomainList(institution: Institution): string {
	return institution.googleDomains.map((d) => `@${d}`).join(' or ');
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
	return `Email ${quote(email)} does not match the Google sign-in domain of account ${institution.accountId} (${googleDomainList(institution)})`;
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
