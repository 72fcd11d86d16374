// Owns finding the header row of an uploaded sheet and mapping its cells to template columns.
// Admins rename, reorder and re-case headers (and other systems export "E-mail Address" or "Login"),
// so matching ignores case, spaces and punctuation and knows common aliases. Pure: no I/O.
// A header this mapping does not know, or a missing required column, sends the admin to Match columns;
// the guesses offered there (other systems' exports, other languages, misspellings, and the rule for
// each) are written down in header-match.ts.
import { FIELD_LABELS, type EditableField } from './types';
import { quote } from './field-rules';
import { rowIssue, type Issue } from './issue';

export type { Issue } from './issue';

export type ColumnField = 'accountId' | 'username' | EditableField;

/** Template order; also the order of the headers we write. */
export const TEMPLATE_FIELDS: readonly ColumnField[] = ['accountId', 'username', 'name', 'email', 'password', 'role'];
export const TEMPLATE_HEADERS: readonly string[] = TEMPLATE_FIELDS.map((f) => FIELD_LABELS[f]);
export const REQUIRED_FIELDS: readonly ColumnField[] = ['accountId', 'username'];

/** First and last name in two columns (Match columns): joined with a space into Name. */
export type NamePart = 'firstName' | 'lastName';

/** 0-based column index of each template field found in the header row (or matched by the admin). */
export type ColumnMap = Partial<Record<ColumnField | NamePart, number>>;

export interface HeaderMap {
	/** 0-based index into the sheet's rows. */
	headerIndex: number;
	/** 1-based row number as the admin sees it. */
	headerRow: number;
	/** The header row's cells as written (untrimmed). */
	header: string[];
	columns: ColumnMap;
	/** Non-blank header cells that match no template column (ignored). */
	unknown: { index: number; header: string }[];
	/** Columns of this portal's results and errors workbooks (Row, Status, Reason…): ignored, noted once. */
	own: { index: number; header: string }[];
	/** Duplicate or missing required columns: the file cannot be processed. */
	errors: Issue[];
	/** Unknown columns: ignored, but said out loud. */
	warnings: Issue[];
}

// Keys are normalized (see normalizeHeader). Deliberately not included: "id" and "user id" (another
// system's numeric key would silently be taken for a username). "Account" alone is accepted (the help
// article speaks of "account IDs" and "accounts"); next to an exact "Account ID" column it is ignored.
const ALIASES: Record<ColumnField, readonly string[]> = {
	accountId: [
		'accountid',
		'account',
		'accountnumber',
		'accountno',
		'accountnum',
		'acctid',
		'acct',
		'acctnumber',
		'acctno',
		'institutionid',
		'institutionaccountid',
		'buildingid',
		'buildingaccountid',
		'schoolaccountid',
		'childaccountid'
	],
	username: ['username', 'user', 'login', 'loginname', 'loginid', 'logon', 'logonname', 'signin', 'signinname', 'usernamelogin'],
	name: [
		'name',
		'fullname',
		'displayname',
		'realname',
		'personname',
		'usersname',
		'usersfullname',
		'userfullname',
		'userdisplayname',
		'firstandlastname'
	],
	email: ['email', 'emailaddress', 'mail', 'mailaddress', 'emailid', 'useremail', 'useremailaddress', 'googleemail', 'googleemailaddress'],
	password: ['password', 'newpassword', 'pass', 'passwd', 'pwd', 'userpassword', 'setpassword'],
	role: ['role', 'userrole', 'newrole', 'roles', 'usertype', 'roletype', 'accesslevel', 'permission']
};

const CANONICAL: Record<ColumnField, string> = {
	accountId: 'accountid',
	username: 'username',
	name: 'name',
	email: 'email',
	password: 'password',
	role: 'role'
};

const ALIAS_INDEX = new Map<string, ColumnField>();
for (const field of TEMPLATE_FIELDS) for (const alias of ALIASES[field]) ALIAS_INDEX.set(alias, field);

/** Every normalized header this mapping knows, with its field (Match columns looks for near misses of them). */
export const HEADER_ALIASES: ReadonlyMap<string, ColumnField> = ALIAS_INDEX;

/** True for the template's own name of a field ("Account ID", not "Account #"). */
export function isTemplateName(key: string, field: ColumnField): boolean {
	return CANONICAL[field] === key;
}

const PARENTHESES = /\([^)]*\)|\[[^\]]*\]/g;
const DIACRITICS = /[\u0300-\u036f]/g;
const NON_ALNUM = /[^a-z0-9]+/g;

/**
 * "Account ID (required)" -> "accountid", "E-mail" -> "email", "Account #" -> "accountnumber",
 * "User_Name*" -> "username". Parenthesised notes are dropped because our own template and the help
 * article write "(required)"/"(optional)" next to the names.
 */
export function normalizeHeader(text: string): string {
	return text
		.normalize('NFKD')
		.replace(DIACRITICS, '')
		.replace(PARENTHESES, ' ')
		.toLowerCase()
		.replace(/#/g, ' number ')
		.replace(/\bno\./g, ' number ')
		.replace(NON_ALNUM, '');
}

export function matchHeader(text: string): ColumnField | null {
	const key = normalizeHeader(text);
	return key === '' ? null : (ALIAS_INDEX.get(key) ?? null);
}

/** "A", "B", … "Z", "AA" for a 0-based column index. */
export function columnLetter(index: number): string {
	let n = index + 1;
	let out = '';
	while (n > 0) {
		const rem = (n - 1) % 26;
		out = String.fromCharCode(65 + rem) + out;
		n = Math.floor((n - 1) / 26);
	}
	return out;
}

export function isBlankRow(row: readonly string[] | undefined): boolean {
	if (!row) return true;
	for (let i = 0; i < row.length; i++) {
		const cell = row[i];
		if (cell !== '' && cell.trim() !== '') return false;
	}
	return true;
}

const HEADER_LIST = TEMPLATE_HEADERS.join(', ');

/**
 * Columns our results workbook (Row, Status, Reason, Changed, Edited in preview) and errors workbook
 * (Reason) add after the uploaded ones, by normalized header. Uploading either back must just work, so
 * they are ignored with one note, but only next to "Reason": "Status" alone is another system's column
 * (OneRoster's and Canvas's users have one) and is matched like any unknown header.
 */
export const OWN_RESULT_COLUMNS: readonly string[] = ['Row', 'Status', 'Reason', 'Changed', 'Edited in preview'];
const OWN_KEYS = new Set(OWN_RESULT_COLUMNS.map(normalizeHeader));
const REASON_KEY = normalizeHeader('Reason');

/** The header cells that are our own result columns (empty unless "Reason" is one of them). */
export function ownResultColumns(header: readonly string[]): { index: number; header: string }[] {
	if (!header.some((cell) => normalizeHeader(cell) === REASON_KEY)) return [];
	const own: { index: number; header: string }[] = [];
	header.forEach((cell, index) => {
		if (OWN_KEYS.has(normalizeHeader(cell))) own.push({ index, header: cell });
	});
	return own;
}

/** The one line that says our own result columns were ignored. */
export function ownColumnsNote(own: readonly { header: string }[]): string {
	const names = own.map((o) => quote(o.header.trim()));
	const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
	return own.length === 1
		? `Column ${list} holds results of an earlier upload; it is ignored`
		: `Columns ${list} hold results of an earlier upload; they are ignored`;
}

// Microsoft Entra's bulk-operation CSVs start with a line "version:v1.0" above the headers.
const VERSION_LINE = /^\s*version\s*:\s*v?\d+(\.\d+)*\s*$/i;

/** 0-based index of the header row: the first non-blank row, below an Entra "version:v1.0" line. -1 if none. */
export function findHeaderIndex(rows: readonly (readonly string[])[]): number {
	const first = rows.findIndex((row) => !isBlankRow(row));
	if (first < 0) return first;
	const filled = rows[first].filter((cell) => cell.trim() !== '');
	if (filled.length === 1 && VERSION_LINE.test(filled[0])) {
		for (let i = first + 1; i < rows.length; i++) if (!isBlankRow(rows[i])) return i;
	}
	return first;
}

/**
 * Finds the header row (the first non-blank row) and maps its cells. Null when every row is blank.
 * Missing required columns and duplicate template columns are errors; unknown columns are warnings.
 */
export function mapHeader(rows: readonly (readonly string[])[]): HeaderMap | null {
	const headerIndex = findHeaderIndex(rows);
	if (headerIndex < 0) return null;
	const header = rows[headerIndex].slice();
	const headerRow = headerIndex + 1;
	const columns: ColumnMap = {};
	const seen = new Map<ColumnField, number[]>();
	const unknown: { index: number; header: string }[] = [];
	const own = ownResultColumns(header);
	const ownIndexes = new Set(own.map((o) => o.index));
	header.forEach((cell, index) => {
		if (cell.trim() === '' || ownIndexes.has(index)) return;
		const field = matchHeader(cell);
		if (!field) {
			unknown.push({ index, header: cell });
			return;
		}
		const list = seen.get(field) ?? [];
		list.push(index);
		seen.set(field, list);
		if (list.length === 1) columns[field] = index;
	});

	const errors: Issue[] = [];
	const warnings: Issue[] = [];
	for (const [field, indexes] of seen) {
		if (indexes.length < 2) continue;
		// "Account" next to "Account ID": the exact name wins, the alias is ignored (said out loud).
		const exact = indexes.filter((i) => normalizeHeader(header[i]) === CANONICAL[field]);
		if (exact.length === 1) {
			columns[field] = exact[0];
			for (const i of indexes) {
				if (i === exact[0]) continue;
				warnings.push(
					rowIssue(
						headerRow,
						header[i].trim(),
						`Column ${columnLetter(i)} ${quote(header[i].trim())} is ignored: column ${columnLetter(exact[0])} ${quote(header[exact[0]].trim())} is the ${FIELD_LABELS[field]} column`,
						header[i]
					)
				);
			}
			continue;
		}
		const where = indexes.map((i) => `${columnLetter(i)} ${quote(header[i].trim())}`).join(', ');
		errors.push(
			rowIssue(
				headerRow,
				FIELD_LABELS[field],
				`The file has ${indexes.length} "${FIELD_LABELS[field]}" columns (${where}). Keep one and delete the others.`
			)
		);
	}
	const missing = REQUIRED_FIELDS.filter((f) => columns[f] === undefined);
	if (missing.length > 0) {
		const names = missing.map((f) => `"${FIELD_LABELS[f]}"`).join(' or ');
		const where = headerRow === 1 ? 'Row 1' : `Row ${headerRow} (the first row that is not blank)`;
		let reason = `The file has no ${names} column. ${where} must hold the headers: ${HEADER_LIST}.`;
		// The admin deleted the header row: the first row is a user (it starts with an account number).
		if (seen.size === 0 && /^\s*\d+\s*$/.test(header[0] ?? '')) reason += ` Row ${headerRow} looks like a user, not headers.`;
		for (const f of missing) errors.push({ ...rowIssue(headerRow, FIELD_LABELS[f], reason), message: reason });
	}

	if (own.length > 0) warnings.push(rowIssue(headerRow, own[0].header.trim(), ownColumnsNote(own)));
	for (const { index, header: text } of unknown) {
		warnings.push(
			rowIssue(
				headerRow,
				text.trim(),
				`Column ${columnLetter(index)} ${quote(text.trim())} is not a template column; its values are ignored`,
				text
			)
		);
	}
	return { headerIndex, headerRow, header, columns, unknown, own, errors, warnings };
}

/** One message for all structural errors (what the preview shows as the blocking reason). */
export function headerErrorMessage(map: HeaderMap): string | null {
	if (map.errors.length === 0) return null;
	return [...new Set(map.errors.map((e) => e.message))].join(' ');
}
