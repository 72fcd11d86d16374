// The large-change gate: an upload that would change more users than the parent's threshold must be
// confirmed by typing the number of users it changes before Apply. Peers (Canvas, Clever) stop such
// uploads; here the admin can go on, but only knowingly. Pure: the worker decides with it, and refuses
// an Apply of a gated preview without the confirmation too.
import type { Preview } from './preview';
import type { Institution } from './types';

export interface LargeChangeThreshold {
	/** More than this share of the parent account's users… */
	percent: number;
	/** …and at least this many users. */
	minUsers: number;
}

export const DEFAULT_LARGE_CHANGE: LargeChangeThreshold = { percent: 10, minUsers: 50 };

export interface LargeChangeAccount {
	accountId: string;
	name: string;
	changed: number;
	total: number;
}

export interface LargeChange {
	/** Users the upload would change: what the admin types. */
	users: number;
	parentUsers: number;
	threshold: LargeChangeThreshold;
	fields: { email: number; name: number; role: number; password: number };
	/** Child accounts with users changing, most affected share first. */
	accounts: LargeChangeAccount[];
}

export function isLargeChange(users: number, parentUsers: number, threshold: LargeChangeThreshold): boolean {
	return users >= threshold.minUsers && users * 100 > parentUsers * threshold.percent;
}

/**
 * The gate for a preview, or null when it stays open. `accountTotals` counts the parent's users per
 * child account (every user of the parent, not only the upload's).
 */
export function largeChangeOf(
	preview: Pick<Preview, 'rows' | 'blocking'>,
	accountTotals: ReadonlyMap<string, number>,
	institution: (accountId: string) => Pick<Institution, 'name'> | undefined,
	threshold: LargeChangeThreshold
): LargeChange | null {
	if (preview.blocking) return null;
	const fields = { email: 0, name: 0, role: 0, password: 0 };
	const perAccount = new Map<string, number>();
	let users = 0;
	for (const row of preview.rows) {
		const changes = row.mutation?.changes;
		if (row.status !== 'update' || !changes) continue;
		users++;
		if (changes.email !== undefined) fields.email++;
		if (changes.name !== undefined) fields.name++;
		if (changes.role !== undefined) fields.role++;
		if (changes.password !== undefined) fields.password++;
		perAccount.set(row.accountId, (perAccount.get(row.accountId) ?? 0) + 1);
	}
	let parentUsers = 0;
	for (const total of accountTotals.values()) parentUsers += total;
	if (!isLargeChange(users, parentUsers, threshold)) return null;
	const accounts = [...perAccount].map(([accountId, changed]) => ({
		accountId,
		name: institution(accountId)?.name ?? accountId,
		changed,
		total: accountTotals.get(accountId) ?? changed
	}));
	accounts.sort((a, b) => b.changed / b.total - a.changed / a.total || (a.accountId < b.accountId ? -1 : 1));
	return { users, parentUsers, threshold, fields, accounts };
}

/**
 * Whether what the admin typed is exactly `users`: digits, optionally grouped in thousands by commas,
 * periods, apostrophes or spaces (as admins write numbers in their locale), nothing else.
 */
export function confirmsLargeChange(typed: string, users: number): boolean {
	const text = typed.trim();
	const grouped = /^\d{1,3}([,.'\u00a0\u202f ])\d{3}(\1\d{3})*$/.test(text);
	if (!grouped && !/^\d+$/.test(text)) return false;
	return Number(text.replace(/\D/g, '')) === users;
}

const n = (value: number) => value.toLocaleString('en-US');

function count(value: number, one: string, many: string): string {
	return `${n(value)} ${value === 1 ? one : many}`;
}

/** "2,431 emails, 2,431 names, 0 roles" (and passwords when the upload sets any). */
export function largeChangeFieldsText(fields: LargeChange['fields']): string {
	const parts = [count(fields.email, 'email', 'emails'), count(fields.name, 'name', 'names'), count(fields.role, 'role', 'roles')];
	if (fields.password > 0) parts.push(count(fields.password, 'password', 'passwords'));
	return parts.join(', ');
}

/** "Springfield High School: 120 of 560 users (21 %)". */
export function largeChangeAccountText(account: LargeChangeAccount): string {
	const share = account.total > 0 ? Math.round((account.changed * 100) / account.total) : 100;
	return `${account.name} (${account.accountId}): ${n(account.changed)} of ${count(account.total, 'user', 'users')} (${share} %)`;
}

/** The sentence at the top of the notice. */
export function largeChangeSentence(change: LargeChange): string {
	const share = Math.round((change.users * 100) / Math.max(1, change.parentUsers));
	return `This upload changes ${count(change.users, 'user', 'users')}: ${share} % of the ${n(change.parentUsers)} users of your parent account.`;
}
