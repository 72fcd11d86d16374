// Owns validating one data row of an upload against what the portal knows (accounts, users, roles)
// and turning it into an outcome: failed (with errors), unchanged, an update or an add with its mutation.
// Whether a row adds or updates is decided here, from the bulk action and whether Account ID + Username
// names a user (bulk-action.ts); the rest of the pipeline reads the outcome's status.
// Cross-row rules (duplicate users, the same email twice) need every row and live in preview.ts.
// Single-field rules come from field-rules.ts so the server words rejections identically.
import {
	canonicalRole,
	checkAccountIdFormat,
	checkEmailFormat,
	checkGoogleDomain,
	checkName,
	checkNotForeignAccount,
	checkNewUsername,
	checkPassword,
	checkUsername,
	missingForAdd,
	quote,
	requiredToAdd,
	unknownRoleMessage,
	usernameTakenMessage
} from './field-rules';
import { addsUsers, type BulkAction } from './bulk-action';
import type { ColumnField, ColumnMap } from './header-map';
import { cellIssue, type Issue } from './issue';
import type { EditableField, Institution, Parent, User, UserBase, UserChanges, VisibleField } from './types';
import { EDITABLE_FIELDS, FIELD_LABELS, userKey } from './types';

/** What the rules need to know; the worker answers from IndexedDB, tests from src/lib/testing/factories.ts. */
export interface RuleContext {
	parent: Parent;
	roles: readonly string[];
	/** A child account of `parent`, or undefined (unknown or another parent's). */
	institution(accountId: string): Institution | undefined;
	/** Case-insensitive on username. */
	user(accountId: string, username: string): User | undefined;
	/** Who has this (lower-cased) email among this parent's users. */
	emailOwner(emailLower: string): { accountId: string; username: string } | undefined;
}

export type RowStatus = 'update' | 'add' | 'unchanged' | 'failed';

/** One field's before -> after. Passwords are write-only: from and to are '' and `secret` is set. */
export interface FieldDiff {
	field: EditableField;
	from: string;
	to: string;
	secret?: true;
}

export interface RowMutation {
	changes: UserChanges;
	/** The current values of the changed visible fields, as the server's conflict check expects. */
	base: UserBase;
	/** The row adds a user: `changes` holds every field of the new user (base is empty). */
	create?: true;
}

export interface RowOutcome {
	/** Spreadsheet row number as the admin sees it (1-based, header and blank rows counted). */
	row: number;
	/** The row's cells exactly as read (for the results sheet; may contain a password). */
	cells: string[];
	/** Trimmed values, for display and for the mutation. */
	accountId: string;
	username: string;
	/** The child account's name when the Account ID is one. */
	accountName: string | undefined;
	status: RowStatus;
	/** Read-only: rows without findings share one frozen empty list. */
	errors: Issue[];
	/** Read-only, like errors. */
	warnings: Issue[];
	/** Filled for status "update" and "add" only (read-only, like errors); an add's fields go from ''. */
	diff: FieldDiff[];
	/** Set for status "update" and "add" only: what to send. */
	mutation: RowMutation | undefined;
	/** The fields the admin changed in the preview, with the file's values (checked-upload.ts). */
	edits: FieldEdit[] | undefined;
}

/** A field edited in the preview and its value in the file ('' for a password, which is never shown). */
export interface FieldEdit {
	field: ColumnField;
	was: string;
}

// ---- cells --------------------------------------------------------------------------------------

// Whitespace plus invisible characters that copy-paste leaves at the ends (zero-width space, BOM, word joiner).
const EDGES = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g;

/** Trims a cell; the fast check skips the regex for the common printable-ASCII case. */
export function trimCell(raw: string): string {
	if (raw === '') return raw;
	const first = raw.charCodeAt(0);
	const last = raw.charCodeAt(raw.length - 1);
	if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return raw;
	return raw.replace(EDGES, '');
}

/**
 * Undoes formula neutralisation (see results.ts neutralizeFormula): our exports write a name like
 * "=Smith" as "'=Smith"; uploading that export again must not rename the user to "'=Smith".
 */
export function restoreNeutralized(value: string): string {
	if (value.length > 1 && value.charCodeAt(0) === 0x27) {
		const c = value.charCodeAt(1);
		if (c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40) return value.slice(1);
	}
	return value;
}

// ---- one row --------------------------------------------------------------------------------------

/**
 * What preview.ts needs from a row for the rules across rows. A scratch object the caller reuses
 * (validateRow overwrites every field), so the 100,000-row case allocates nothing extra per row.
 */
export interface RowFacts {
	/** userKey once the account is a child account and the username is given: duplicate detection. */
	key: string | undefined;
	/** Lower-cased email when the row gives its user a different address (or a new user one): in-file uniqueness. */
	newEmail: string | undefined;
	/** That email as written. */
	email: string | undefined;
}

export function newRowFacts(): RowFacts {
	return { key: undefined, newEmail: undefined, email: undefined };
}

// Rows without findings share these (frozen, so a stray push fails loudly instead of leaking into every
// row). Fewer objects per row matter: at 100,000 rows, keeping objects alive costs more than the rules.
const NO_ISSUES: Issue[] = Object.freeze([]) as unknown as Issue[];
const NO_DIFF: FieldDiff[] = Object.freeze([]) as unknown as FieldDiff[];

/** Adds an error or a warning to a row (the row's lists start out as the shared empty list). */
export function addIssue(outcome: RowOutcome, kind: 'errors' | 'warnings', issue: Issue): void {
	if (outcome[kind] === NO_ISSUES) outcome[kind] = [issue];
	else outcome[kind].push(issue);
}

const ACCOUNT_LABEL = FIELD_LABELS.accountId;
const USERNAME_LABEL = FIELD_LABELS.username;

/** "Did you mean 01015?" when Excel dropped (or someone added) leading zeros. */
function paddingHint(accountId: string, ctx: RuleContext): string {
	const digits = accountId.replace(/^0+(?=\d)/, '');
	for (let len = digits.length; len <= 18; len++) {
		const candidate = digits.padStart(len, '0');
		if (candidate !== accountId && ctx.institution(candidate)) {
			return `. Did you mean ${candidate}? Spreadsheet programs drop leading zeros; format the Account ID column as Text`;
		}
	}
	return '';
}

function trimWarning(row: number, field: EditableField | 'accountId' | 'username', raw: string): Issue {
	const label = FIELD_LABELS[field];
	if (field === 'password') return cellIssue(row, label, `${label} had leading or trailing spaces; they were removed`);
	return cellIssue(row, label, `${label} ${quote(raw)} had leading or trailing spaces; they were removed`, raw);
}

/**
 * What our results workbook writes where the upload had a password. Uploading the results back must not
 * set every such password to "(set)" (which is too short to be one anyway): it reads as "no password".
 */
export const PASSWORD_MASK = '(set)';

type ReadField = EditableField | 'accountId' | 'username';

/** One cell, trimmed, with our formula guard undone; `onTrim` hears about a cell the trim changed. */
function readRaw(raw: string | undefined, field: ReadField, onTrim?: (raw: string) => void): string {
	if (raw === undefined || raw === '') return '';
	let value = trimCell(raw);
	if (value !== raw && value !== '') onTrim?.(raw);
	if (field !== 'password') value = restoreNeutralized(value);
	else if (value === PASSWORD_MASK) value = '';
	return value;
}

/**
 * A field's value in a row, as the rules read it: the mapped cell trimmed, or for Name matched from
 * First name and Last name columns, the two joined with a space. '' when the field has no column.
 */
export function readField(cells: readonly string[], columns: ColumnMap, field: ReadField, onTrim?: (raw: string) => void): string {
	if (field === 'name' && columns.name === undefined && (columns.firstName !== undefined || columns.lastName !== undefined)) {
		const first = columns.firstName === undefined ? '' : readRaw(cells[columns.firstName], field, onTrim);
		const last = columns.lastName === undefined ? '' : readRaw(cells[columns.lastName], field, onTrim);
		return first && last ? `${first} ${last}` : first || last;
	}
	const index = columns[field];
	return index === undefined ? '' : readRaw(cells[index], field, onTrim);
}

/** A mapped cell, trimmed (with a warning when that changed it) and with our formula guard undone. */
function readCell(cells: string[], outcome: RowOutcome, columns: ColumnMap, field: ReadField): string {
	return readField(cells, columns, field, (raw) => addIssue(outcome, 'warnings', trimWarning(outcome.row, field, raw)));
}

/**
 * Validates one non-blank data row for a bulk `action`. `row` is the spreadsheet row number. Call
 * finishRow after any rules across rows to settle status, diff and mutation.
 * Order matters for the admin: a bad or foreign account stops the row ("row not processed");
 * otherwise every field is checked so one upload shows all of a row's problems.
 */
export function validateRow(
	cells: string[],
	row: number,
	columns: ColumnMap,
	ctx: RuleContext,
	facts: RowFacts = newRowFacts(),
	action: BulkAction = 'update'
): RowOutcome {
	facts.key = undefined;
	facts.newEmail = undefined;
	facts.email = undefined;
	const outcome = newOutcome(cells, row);
	const institution = checkAccountAndUsername(outcome, columns, ctx);
	if (!institution) return outcome;
	const { accountId, username } = outcome;
	const found = ctx.user(accountId, username);
	// User Add alone checks every row as a new user, so a taken username still shows the row's other problems.
	const create = addsUsers(action) && (!found || action === 'add');
	if (create && found) addError(outcome, USERNAME_LABEL, usernameTakenMessage(username, accountId, found.username), username);
	else if (create) {
		const problem = checkNewUsername(username);
		if (problem) addError(outcome, USERNAME_LABEL, problem, username);
	} else if (!found) addError(outcome, USERNAME_LABEL, `User ${username} not found in account ${accountId}`, username);
	// Also for unknown users: two rows naming the same missing user are still duplicates of each other,
	// and two rows adding one username too.
	facts.key = userKey(accountId, username);

	// Cells are read in column-template order, so trim warnings come out in that order too.
	const user = create ? undefined : found;
	const check: FieldCheck = { outcome, columns, ctx, institution, user, create, facts, changes: undefined, base: undefined };
	checkNameCell(check);
	checkEmailCell(check);
	checkPasswordCell(check);
	checkRoleCell(check);
	if (create) outcome.mutation = { changes: check.changes ?? {}, base: {}, create: true };
	else if (check.changes) outcome.mutation = { changes: check.changes, base: check.base ?? {} };
	return outcome;
}

function newOutcome(cells: string[], row: number): RowOutcome {
	// Every property set up front: one object shape for all rows.
	return {
		row,
		cells,
		accountId: '',
		username: '',
		accountName: undefined,
		status: 'failed',
		errors: NO_ISSUES,
		warnings: NO_ISSUES,
		diff: NO_DIFF,
		mutation: undefined,
		edits: undefined
	};
}

function addError(outcome: RowOutcome, column: string, reason: string, value?: string): void {
	addIssue(outcome, 'errors', cellIssue(outcome.row, column, reason, value));
}

/** Reads Account ID and Username; returns the child account, or undefined when the row stops here. */
function checkAccountAndUsername(outcome: RowOutcome, columns: ColumnMap, ctx: RuleContext): Institution | undefined {
	const accountId = (outcome.accountId = readCell(outcome.cells, outcome, columns, 'accountId'));
	const username = (outcome.username = readCell(outcome.cells, outcome, columns, 'username'));
	const accountError = checkAccountIdFormat(accountId);
	if (accountError) {
		addError(outcome, ACCOUNT_LABEL, accountError, accountId || undefined);
		return undefined;
	}
	const institution = ctx.institution(accountId);
	const foreign = checkNotForeignAccount(accountId, institution, ctx.parent.name);
	if (foreign || !institution) {
		addError(outcome, ACCOUNT_LABEL, (foreign ?? '') + paddingHint(accountId, ctx), accountId);
		return undefined;
	}
	outcome.accountName = institution.name;
	const usernameError = checkUsername(username);
	if (usernameError) {
		addError(outcome, USERNAME_LABEL, usernameError);
		return undefined;
	}
	return institution;
}

/** The field cells of a row whose account and username passed: where findings go, and the update so far. */
interface FieldCheck {
	outcome: RowOutcome;
	columns: ColumnMap;
	ctx: RuleContext;
	institution: Institution;
	/** Undefined when the account has no such user, or the row adds one: the cells are still checked. */
	user: User | undefined;
	/** The row adds a user: the required fields must be filled and every value is a change. */
	create: boolean;
	facts: RowFacts;
	changes: UserChanges | undefined;
	base: UserBase | undefined;
}

function recordChange(check: FieldCheck, field: VisibleField, to: string, from: string): void {
	(check.changes ??= {})[field] = to;
	(check.base ??= {})[field] = from;
}

/** A blank cell of a new user: an error when the account needs the field. */
function requiredForAdd(check: FieldCheck, field: 'name' | 'email' | 'password' | 'role'): void {
	if (!check.create || !requiredToAdd(check.institution).includes(field)) return;
	addError(check.outcome, FIELD_LABELS[field], missingForAdd(field, check.institution, check.ctx.roles));
}

/** A new user's value: every field of an add is a change from nothing. */
function recordNew(check: FieldCheck, field: VisibleField, value: string): void {
	(check.changes ??= {})[field] = value;
}

function checkNameCell(check: FieldCheck): void {
	const { outcome, user } = check;
	const name = readCell(outcome.cells, outcome, check.columns, 'name');
	if (name === '') {
		requiredForAdd(check, 'name');
		return;
	}
	const problem = checkName(name);
	if (problem) addError(outcome, FIELD_LABELS.name, problem, name);
	else if (check.create) recordNew(check, 'name', name);
	else if (user && name !== user.name) recordChange(check, 'name', name, user.name);
}

function checkEmailCell(check: FieldCheck): void {
	const { outcome, user, facts } = check;
	const email = readCell(outcome.cells, outcome, check.columns, 'email');
	if (email === '') {
		requiredForAdd(check, 'email');
		return;
	}
	const problem = checkEmailFormat(email);
	if (problem) {
		addError(outcome, FIELD_LABELS.email, problem, email);
		return;
	}
	if (!check.create && (!user || email === user.email)) return;
	const lower = email.toLowerCase();
	// A change of letter case only is still the same address: no ownership or domain question.
	if (check.create || lower !== user!.email.toLowerCase()) {
		const domainProblem = checkGoogleDomain(email, check.institution);
		if (domainProblem) addError(outcome, FIELD_LABELS.email, domainProblem, email);
		const owner = check.ctx.emailOwner(lower);
		if (owner && userKey(owner.accountId, owner.username) !== facts.key) {
			addError(
				outcome,
				FIELD_LABELS.email,
				`Email ${quote(email)} is already used by user ${owner.username} in account ${owner.accountId}`,
				email
			);
		}
		facts.newEmail = lower;
		facts.email = email;
	}
	if (check.create) recordNew(check, 'email', email);
	else recordChange(check, 'email', email, user!.email);
}

function checkPasswordCell(check: FieldCheck): void {
	const { outcome } = check;
	const password = readCell(outcome.cells, outcome, check.columns, 'password');
	if (password === '') {
		requiredForAdd(check, 'password');
		return;
	}
	if (check.institution.signIn === 'google') {
		addIssue(
			outcome,
			'warnings',
			cellIssue(outcome.row, FIELD_LABELS.password, `Password is ignored: account ${outcome.accountId} uses Google sign-in`)
		);
		return;
	}
	const problem = checkPassword(password, outcome.username);
	if (problem) addError(outcome, FIELD_LABELS.password, problem);
	else (check.changes ??= {}).password = password;
}

function checkRoleCell(check: FieldCheck): void {
	const { outcome, user, ctx } = check;
	const role = readCell(outcome.cells, outcome, check.columns, 'role');
	if (role === '') {
		requiredForAdd(check, 'role');
		return;
	}
	const canonical = canonicalRole(role, ctx.roles);
	if (!canonical) addError(outcome, FIELD_LABELS.role, unknownRoleMessage(role, ctx.roles), role);
	else if (check.create) recordNew(check, 'role', canonical);
	else if (user && canonical !== user.role) recordChange(check, 'role', canonical, user.role);
}

/** Settles status, diff and mutation once every rule (including those across rows) has run. */
export function finishRow(outcome: RowOutcome): RowOutcome {
	if (outcome.errors.length > 0) {
		outcome.status = 'failed';
		outcome.mutation = undefined; // rows with errors are never applied
		return outcome;
	}
	const mutation = outcome.mutation;
	if (!mutation) {
		outcome.status = 'unchanged';
		return outcome;
	}
	const { changes, base } = mutation;
	const diff: FieldDiff[] = [];
	// An add lists its fields like an update's changes, each from blank.
	// EDITABLE_FIELDS' order is the order of a row's before -> after lines.
	for (const field of EDITABLE_FIELDS) {
		const to = changes[field];
		if (to === undefined) continue;
		if (field === 'password') diff.push({ field, from: '', to: '', secret: true });
		else diff.push({ field, from: base[field] ?? '', to });
	}
	outcome.status = mutation.create ? 'add' : 'update';
	outcome.diff = diff;
	return outcome;
}
