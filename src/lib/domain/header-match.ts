// Owns Match columns: for a file whose headers the template mapping (header-map.ts) does not fully know,
// a best guess for every column with its reason in words, what the admin may continue with, and the
// column map that results. Pure: no I/O (the worker samples the values, storage remembers matchings).
//
// The rule, in order; the first that applies gives a column its guess:
//  1. The admin matched exactly this header row on this device before: the same choices ("Matched like
//     your upload of …"). Nothing else is guessed then.
//  2. Our own results columns (Row, Status, Reason…, next to Reason): ignored.
//  3. A header other systems export, written as they write it: Google Workspace's user CSV, Microsoft
//     Entra's bulk files (also any "[attribute]" Entra puts in brackets), OneRoster's users.csv and
//     Canvas's SIS users.csv. Their columns the portal has no field for are ignored, saying so.
//  4. The template's name or one of its aliases (header-map.ts), ignoring case, spaces, punctuation,
//     "(required)" and a trailing "Required"; also "First name" / "Last name" and their usual aliases.
//  5. The common word for the field in Spanish, French, German, Portuguese, Italian or Dutch.
//  6. A near miss of any of those names: at most 1 letter different (inserted, left out, replaced, or two
//     neighbours swapped) for headers of 5 to 8 letters, at most 2 from 9 letters; a 4-letter header only
//     with two letters swapped ("Nmae"), since one other letter makes another word of it ("Game", "Used");
//     shorter headers must match exactly. Equally close to the template's own name of one field and to
//     another name of a different field, the template's name wins ("Userrname" is Username, not the Name
//     alias "Users name"); otherwise equally close to two fields is no guess (the reason names both).
//  7. Values: a column no rule names whose sampled values are nearly all email addresses is Email, when
//     no other column is.
// Then the values confirm: an Email guess needs at least 80 % of its sampled values to look like email
// addresses, an Account ID guess at least 80 % digits and some values at all; otherwise the column is
// ignored and the reason says why ("a column of numbers is not Email"). Two columns guessed as one field:
// the better rule (lower number; then the template's own name before another name; then the column
// further left) keeps it, the other is ignored. Name
// next to First name or Last name: Name keeps it, except a word that means both, like Spanish "Nombre"
// next to "Apellidos", which is then the first name.
import { quote } from './field-rules';
import {
	columnLetter,
	HEADER_ALIASES,
	isTemplateName,
	normalizeHeader,
	ownColumnsNote,
	ownResultColumns,
	REQUIRED_FIELDS,
	type ColumnField,
	type ColumnMap,
	type HeaderMap,
	type NamePart
} from './header-map';
import { rowIssue, type Issue } from './issue';
import { FIELD_LABELS } from './types';

export type MatchTarget = ColumnField | NamePart | 'ignore';

/** The select's options, in the order it offers them. */
export const MATCH_TARGETS: readonly MatchTarget[] = [
	'accountId',
	'username',
	'name',
	'email',
	'password',
	'role',
	'firstName',
	'lastName',
	'ignore'
];

export const TARGET_LABELS: Record<MatchTarget, string> = {
	...FIELD_LABELS,
	firstName: 'First name',
	lastName: 'Last name',
	ignore: 'Ignore this column'
};

export interface ColumnGuess {
	/** 0-based column index in the file. */
	index: number;
	/** "C" */
	letter: string;
	/** The header as written, trimmed. */
	header: string;
	target: MatchTarget;
	/** Why, in words. */
	reason: string;
}

/** A matching the admin confirmed before, for the same header row. */
export interface RememberedMatching {
	fileName: string;
	usedAt: number;
	/** By column index; blank headers are 'ignore'. */
	targets: MatchTarget[];
}

/** Header rows needing Match columns: one the template mapping does not fully know, unless it is a user. */
export function needsMatching(map: HeaderMap): boolean {
	if (map.unknown.length === 0 && map.errors.length === 0) return false;
	// A deleted header row: the first row is a user. Matching "1001" and "jdoe" as headers would make no
	// sense; the header message says what happened.
	const nothingKnown = Object.keys(map.columns).length === 0 && map.own.length === 0;
	return !(nothingKnown && /^\s*\d+\s*$/.test(map.header[0] ?? ''));
}

/** The exact header row, as the key a matching is remembered under. */
export function headerKey(header: readonly string[]): string {
	return JSON.stringify(header.map((cell) => cell.trim()));
}

/** Up to `max` non-blank values of each column below the header, trimmed: what the guesses confirm against. */
export function sampleColumns(rows: readonly (readonly string[])[], headerIndex: number, max = 20): string[][] {
	const width = rows[headerIndex]?.length ?? 0;
	const samples: string[][] = Array.from({ length: width }, () => []);
	let open = width;
	for (let r = headerIndex + 1; r < rows.length && open > 0; r++) {
		const row = rows[r];
		for (let c = 0; c < width; c++) {
			const list = samples[c];
			if (list.length >= max) continue;
			const value = (row[c] ?? '').trim();
			if (value === '') continue;
			list.push(value);
			if (list.length === max) open--;
		}
	}
	return samples;
}

// ---- what other systems export -------------------------------------------------------------------------

interface Known {
	target: MatchTarget;
	reason: string;
}

const GOOGLE = 'Google Workspace export';
const ENTRA = 'Microsoft Entra bulk file';
const ONEROSTER = 'OneRoster users.csv';
const CANVAS = 'Canvas SIS users.csv';

/** Headers as exported (lower-cased, spaces collapsed) → what they hold. */
const EXPORTS = new Map<string, Known & { format: string }>();
function exported(format: string, headers: Record<string, MatchTarget>, unused: string[], unusedWhy?: Record<string, string>) {
	for (const [header, target] of Object.entries(headers)) EXPORTS.set(header.toLowerCase(), { format, target, reason: '' });
	for (const header of unused) {
		const why = unusedWhy?.[header] ?? 'the portal has no field for it';
		EXPORTS.set(header.toLowerCase(), { format, target: 'ignore', reason: why });
	}
}
exported(
	GOOGLE,
	{
		'First Name [Required]': 'firstName',
		'Last Name [Required]': 'lastName',
		'Email Address [Required]': 'email',
		'Password [Required]': 'password'
	},
	[
		'New Primary Email [UPLOAD ONLY]',
		'Org Unit Path [Required]',
		'Password Hash Function [UPLOAD ONLY]',
		'Recovery Email',
		'Home Secondary Email',
		'Work Secondary Email',
		'Recovery Phone [MUST BE IN THE E.164 FORMAT]',
		'Work Phone',
		'Home Phone',
		'Mobile Phone',
		'Work Address',
		'Home Address',
		'Employee ID',
		'Employee Type',
		'Employee Title',
		'Manager Email',
		'Department',
		'Cost Center',
		'Floor Name',
		'Floor Section',
		'Change Password at Next Sign-In',
		'New Status [UPLOAD ONLY]',
		'Status [READ ONLY]',
		'Last Sign In [READ ONLY]',
		'Email Usage [READ ONLY]',
		'Advanced Protection Program enrollment'
	],
	{
		'New Primary Email [UPLOAD ONLY]': 'Google’s new address for a renamed user; match it to Email to change addresses to it',
		'Recovery Email': 'a second address, not the one users sign in with',
		'Home Secondary Email': 'a second address, not the one users sign in with',
		'Work Secondary Email': 'a second address, not the one users sign in with',
		'Manager Email': 'the manager’s address, not the user’s'
	}
);
exported(
	ENTRA,
	{
		'Name [displayName] Required': 'name',
		'User name [userPrincipalName] Required': 'username',
		'Initial password [passwordProfile] Required': 'password',
		'First name [givenName]': 'firstName',
		'Last name [surname]': 'lastName'
	},
	[
		'Block sign in (Yes/No) [accountEnabled] Required',
		'Job title [jobTitle]',
		'Department [department]',
		'Usage location [usageLocation]',
		'Street address [streetAddress]',
		'State or province [state]',
		'Country or region [country]',
		'Office [physicalDeliveryOfficeName]',
		'City [city]',
		'ZIP or postal code [postalCode]',
		'Office phone [telephoneNumber]',
		'Mobile phone [mobile]'
	]
);
exported(
	ONEROSTER,
	{ givenName: 'firstName', familyName: 'lastName', orgSourcedIds: 'accountId' },
	[
		'sourcedId',
		'dateLastModified',
		'enabledUser',
		'userMasterIdentifier',
		'userIds',
		'middleName',
		'preferredFirstName',
		'preferredMiddleName',
		'preferredLastName',
		'identifier',
		'sms',
		'phone',
		'agentSourcedIds',
		'grades',
		'pronouns'
	],
	{ sourcedId: 'OneRoster’s ID for the user, not the username' }
);
exported(
	CANVAS,
	{ login_id: 'username', full_name: 'name', first_name: 'firstName', last_name: 'lastName' },
	[
		'user_id',
		'integration_id',
		'ssha_password',
		'authentication_provider_id',
		'sortable_name',
		'short_name',
		'pronouns',
		'declared_user_type',
		'canvas_password_notification',
		'home_account'
	],
	{ user_id: 'Canvas’s SIS ID for the user, not the username', ssha_password: 'a password hash, not a password' }
);

/** Entra writes the directory attribute in brackets; these are the ones the portal has fields for. */
const ENTRA_ATTRIBUTES: Record<string, MatchTarget> = {
	displayname: 'name',
	userprincipalname: 'username',
	mailnickname: 'username',
	givenname: 'firstName',
	surname: 'lastName',
	mail: 'email',
	passwordprofile: 'password'
};

// ---- names and words -------------------------------------------------------------------------------

/** First and last name: English names (normalized) the template mapping has no use for. */
const NAME_PARTS: Record<string, NamePart> = {
	firstname: 'firstName',
	first: 'firstName',
	givenname: 'firstName',
	forename: 'firstName',
	firstnames: 'firstName',
	lastname: 'lastName',
	last: 'lastName',
	surname: 'lastName',
	familyname: 'lastName'
};

interface Word {
	target: MatchTarget;
	language: string;
	/** The word means both Name and First name (Spanish "Nombre"): next to a Last name column, it is the first name. */
	firstNameToo?: true;
}

/** The usual header word per language, normalized (no accents, spaces or case). */
const WORDS = new Map<string, Word>();
function words(language: string, list: Record<string, MatchTarget>, firstNameToo: string[] = []) {
	for (const [word, target] of Object.entries(list)) {
		const existing = WORDS.get(word);
		if (existing && existing.target === target) existing.language += ` and ${language}`;
		else WORDS.set(word, { target, language, ...(firstNameToo.includes(word) ? { firstNameToo: true as const } : {}) });
	}
}
words(
	'Spanish',
	{
		nombre: 'name',
		nombrecompleto: 'name',
		apellido: 'lastName',
		apellidos: 'lastName',
		usuario: 'username',
		nombredeusuario: 'username',
		correo: 'email',
		correoelectronico: 'email',
		contrasena: 'password',
		clave: 'password',
		rol: 'role',
		cuenta: 'accountId',
		iddecuenta: 'accountId',
		numerodecuenta: 'accountId'
	},
	['nombre']
);
words('French', {
	nomcomplet: 'name',
	prenom: 'firstName',
	nom: 'lastName',
	nomdefamille: 'lastName',
	nomdutilisateur: 'username',
	identifiant: 'username',
	utilisateur: 'username',
	courriel: 'email',
	adressecourriel: 'email',
	adresseelectronique: 'email',
	motdepasse: 'password',
	compte: 'accountId',
	numerodecompte: 'accountId'
});
words('German', {
	vollstandigername: 'name',
	anzeigename: 'name',
	vorname: 'firstName',
	nachname: 'lastName',
	familienname: 'lastName',
	benutzername: 'username',
	benutzer: 'username',
	anmeldename: 'username',
	emailadresse: 'email',
	passwort: 'password',
	kennwort: 'password',
	rolle: 'role',
	konto: 'accountId',
	kontonummer: 'accountId'
});
words(
	'Portuguese',
	{
		nome: 'name',
		nomecompleto: 'name',
		sobrenome: 'lastName',
		usuario: 'username',
		utilizador: 'username',
		nomedeusuario: 'username',
		senha: 'password',
		funcao: 'role',
		papel: 'role',
		perfil: 'role',
		conta: 'accountId',
		numerodaconta: 'accountId',
		correioeletronico: 'email'
	},
	['nome']
);
words('Italian', {
	nome: 'name',
	cognome: 'lastName',
	nomeutente: 'username',
	utente: 'username',
	ruolo: 'role',
	postaelettronica: 'email',
	indirizzoemail: 'email'
});
words('Dutch', {
	naam: 'name',
	voornaam: 'firstName',
	achternaam: 'lastName',
	gebruikersnaam: 'username',
	wachtwoord: 'password',
	rol: 'role',
	emailadres: 'email',
	accountnummer: 'accountId'
});

/** Every name a near miss is measured against. */
const NEAR_MISS_NAMES: [string, MatchTarget][] = [
	...[...HEADER_ALIASES].filter(([key]) => key.length >= 4),
	...Object.entries(NAME_PARTS).filter(([key]) => key.length >= 6),
	...[...WORDS].map(([key, word]): [string, MatchTarget] => [key, word.target])
];

// "User name [userPrincipalName] Required": what is left after the brackets goes, without the trailing word.
const TRAILING_NOTE = /(required|optional|uploadonly|readonly)$/;

function headerWord(header: string): string {
	let key = normalizeHeader(header);
	while (TRAILING_NOTE.test(key) && key.replace(TRAILING_NOTE, '') !== '') key = key.replace(TRAILING_NOTE, '');
	return key;
}

/**
 * Optimal string alignment distance (Levenshtein plus swapping two neighbours), stopping early once it
 * exceeds `max`: the names are short and there are a few hundred of them per header.
 */
export function nearness(a: string, b: string, max: number): number {
	if (Math.abs(a.length - b.length) > max) return max + 1;
	let beforePrevious: number[] = [];
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		let rowMin = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, beforePrevious[j - 2] + 1);
			current.push(d);
			if (d < rowMin) rowMin = d;
		}
		if (rowMin > max) return max + 1;
		beforePrevious = previous;
		previous = current;
	}
	return previous[b.length];
}

const letters = (n: number) => `${n} letter${n === 1 ? '' : 's'}`;

// ---- guessing ---------------------------------------------------------------------------------------

interface Candidate extends Known {
	/** The rule's number (see the top of this file): the lower wins a field two columns want. */
	rule: number;
	/** The template's own name for the field: beats another name under the same rule. */
	templateName?: true;
	firstNameToo?: true;
}

function ruleFor(header: string): Candidate | undefined {
	const raw = header.trim().replace(/\s+/g, ' ').toLowerCase();
	const known = EXPORTS.get(raw);
	if (known) {
		const what = known.target === 'ignore' ? `; ${known.reason}` : '';
		return { rule: 3, target: known.target, reason: `${known.format}: ${header.trim()}${what}` };
	}
	const attribute = /\[([A-Za-z]+)\]/.exec(header)?.[1]?.toLowerCase();
	if (attribute && ENTRA_ATTRIBUTES[attribute]) {
		return { rule: 3, target: ENTRA_ATTRIBUTES[attribute], reason: `${ENTRA} attribute [${/\[([A-Za-z]+)\]/.exec(header)![1]}]` };
	}
	const key = headerWord(header);
	if (key === '') return undefined;
	const field = HEADER_ALIASES.get(key);
	if (field) {
		if (isTemplateName(key, field)) {
			return { rule: 4, target: field, templateName: true, reason: `The template's ${quote(FIELD_LABELS[field])} column` };
		}
		return { rule: 4, target: field, reason: `A common name for ${FIELD_LABELS[field]}` };
	}
	const part = NAME_PARTS[key];
	if (part) return { rule: 4, target: part, reason: `A common name for ${TARGET_LABELS[part]}` };
	const word = WORDS.get(key);
	if (word) {
		return {
			rule: 5,
			target: word.target,
			reason: `${word.language} for ${quote(TARGET_LABELS[word.target])}`,
			...(word.firstNameToo ? { firstNameToo: true as const } : {})
		};
	}
	return nearMiss(key);
}

const sortedLetters = (text: string) => [...text].sort().join('');

function nearMiss(key: string): Candidate | undefined {
	if (key.length < 4) return undefined;
	const max = key.length >= 9 ? 2 : 1;
	const swapOnly = key.length === 4;
	let best = max + 1;
	const targets = new Set<MatchTarget>();
	const templateNames = new Set<MatchTarget>();
	for (const [name, target] of NEAR_MISS_NAMES) {
		if (swapOnly && (name.length !== 4 || sortedLetters(name) !== sortedLetters(key))) continue;
		const d = nearness(key, name, Math.min(best, max));
		if (d > max || d > best) continue;
		if (d < best) {
			best = d;
			targets.clear();
			templateNames.clear();
		}
		targets.add(target);
		if (target !== 'ignore' && target !== 'firstName' && target !== 'lastName' && isTemplateName(name, target)) templateNames.add(target);
	}
	if (best > max) return undefined;
	const [target, ...others] = templateNames.size === 1 ? [...templateNames] : [...targets];
	if (others.length > 0) {
		const both = [target, ...others].map((t) => quote(TARGET_LABELS[t]));
		return { rule: 6, target: 'ignore', reason: `As close to ${both.join(' as to ')}: choose the one it holds` };
	}
	return { rule: 6, target, reason: `Close to ${quote(TARGET_LABELS[target])} (${letters(best)} different)` };
}

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DIGITS = /^\d+$/;
const share = (values: readonly string[], test: RegExp) => values.filter((v) => test.test(v)).length / values.length;

/** The values' verdict on a guess: undefined when they agree, else why the column is ignored instead. */
function valuesDisagree(header: string, target: MatchTarget, values: readonly string[]): string | undefined {
	const sounds = `${quote(header)} sounds like ${TARGET_LABELS[target]}`;
	if (target === 'email' && values.length > 0 && share(values, EMAIL_LIKE) < 0.8) {
		const odd = values.find((v) => !EMAIL_LIKE.test(v))!;
		const what = values.every((v) => /^[\d\s.,+-]+$/.test(v)) ? 'numbers' : 'not email addresses';
		return `${sounds}, but its values are ${what} (e.g. ${quote(odd, 30)})`;
	}
	if (target === 'accountId') {
		if (values.length === 0) return `${sounds}, but the column is empty`;
		if (share(values, DIGITS) < 0.8) {
			return `${sounds}, but its values are not account numbers (e.g. ${quote(
				values.find((v) => !DIGITS.test(v))!,
				30
			)})`;
		}
	}
	return undefined;
}

/**
 * One guess per column with a header (blank headers have nothing to match by: their values are ignored,
 * as the preview says). `samples[i]` are column i's values (sampleColumns).
 */
export function guessColumns(
	header: readonly string[],
	samples: readonly (readonly string[])[],
	remembered?: RememberedMatching
): ColumnGuess[] {
	const columns = header.map((h, index) => ({ index, header: h.trim() })).filter((c) => c.header !== '');
	if (remembered && remembered.targets.length === header.length) {
		const when = new Date(remembered.usedAt).toLocaleDateString('en-US', { dateStyle: 'medium' });
		const reason = `Matched like your upload of ${quote(remembered.fileName)} on ${when}`;
		return columns.map((c) => ({ ...c, letter: columnLetter(c.index), target: remembered.targets[c.index] ?? 'ignore', reason }));
	}
	const own = new Set(ownResultColumns(header).map((o) => o.index));
	const candidates = new Map<number, Candidate>();
	for (const c of columns) {
		if (own.has(c.index)) {
			candidates.set(c.index, { rule: 2, target: 'ignore', reason: 'Results of an earlier upload, not a user field' });
			continue;
		}
		const found = ruleFor(c.header);
		if (!found || found.target === 'ignore') {
			candidates.set(c.index, found ?? { rule: 8, target: 'ignore', reason: 'No portal field has this name' });
			continue;
		}
		const disagree = valuesDisagree(c.header, found.target, samples[c.index] ?? []);
		candidates.set(c.index, disagree ? { rule: found.rule, target: 'ignore', reason: disagree } : found);
	}
	guessEmailByValues(columns, candidates, samples);
	settleConflicts(columns, candidates);
	return columns.map((c) => {
		const guess = candidates.get(c.index)!;
		return { index: c.index, letter: columnLetter(c.index), header: c.header, target: guess.target, reason: guess.reason };
	});
}

function guessEmailByValues(
	columns: { index: number }[],
	candidates: Map<number, Candidate>,
	samples: readonly (readonly string[])[]
): void {
	if ([...candidates.values()].some((c) => c.target === 'email')) return;
	for (const { index } of columns) {
		const guess = candidates.get(index)!;
		const values = samples[index] ?? [];
		if (guess.rule !== 8 || values.length < 3 || share(values, EMAIL_LIKE) < 0.9) continue;
		candidates.set(index, { rule: 7, target: 'email', reason: `Its values look like email addresses (e.g. ${quote(values[0], 30)})` });
		return;
	}
}

/** One column per field: the better rule keeps it. Name beats First and Last name, except a word meaning both. */
function settleConflicts(columns: { index: number; header: string }[], candidates: Map<number, Candidate>): void {
	const guessed = (target: MatchTarget) => columns.filter((c) => candidates.get(c.index)!.target === target);
	// "Nombre" next to "Apellidos": a first name.
	if (guessed('lastName').length > 0 && guessed('firstName').length === 0) {
		for (const c of guessed('name')) {
			const guess = candidates.get(c.index)!;
			if (!guess.firstNameToo) continue;
			const last = guessed('lastName')[0];
			candidates.set(c.index, {
				...guess,
				target: 'firstName',
				reason: `${guess.reason.replace(quote('Name'), quote('First name'))} (next to ${quote(last.header)})`
			});
			break;
		}
	}
	for (const target of MATCH_TARGETS) {
		if (target === 'ignore') continue;
		const holders = guessed(target);
		if (holders.length < 2) continue;
		const rank = (c: { index: number }) => {
			const guess = candidates.get(c.index)!;
			return guess.rule * 2 + (guess.templateName ? 0 : 1);
		};
		const keeper = holders.reduce((best, c) => (rank(c) < rank(best) ? c : best));
		for (const c of holders) {
			if (c === keeper) continue;
			candidates.set(c.index, {
				rule: 8,
				target: 'ignore',
				reason: `Could also be ${TARGET_LABELS[target]}, but column ${columnLetter(keeper.index)} ${quote(keeper.header)} is the closer match`
			});
		}
	}
	const name = guessed('name')[0];
	if (name) {
		for (const c of [...guessed('firstName'), ...guessed('lastName')]) {
			const part = TARGET_LABELS[candidates.get(c.index)!.target];
			candidates.set(c.index, {
				rule: 8,
				target: 'ignore',
				reason: `${part}, but Name comes from column ${columnLetter(name.index)} ${quote(name.header)}`
			});
		}
	}
}

// ---- the admin's choice ---------------------------------------------------------------------------------

/** What stops Continue, in the admin's words; empty when the matching can be used. */
export function matchingProblems(choices: readonly Pick<ColumnGuess, 'header' | 'letter' | 'target'>[]): string[] {
	const problems: string[] = [];
	for (const field of REQUIRED_FIELDS) {
		if (!choices.some((c) => c.target === field)) problems.push(`Choose the column that holds the ${FIELD_LABELS[field]}.`);
	}
	for (const target of MATCH_TARGETS) {
		if (target === 'ignore') continue;
		const holders = choices.filter((c) => c.target === target);
		if (holders.length < 2) continue;
		const list = holders.map((c) => `${c.letter} ${quote(c.header)}`).join(' and ');
		problems.push(
			`${TARGET_LABELS[target]} is chosen for ${holders.length} columns (${list}): choose "Ignore this column" for all but one.`
		);
	}
	if (choices.some((c) => c.target === 'name') && choices.some((c) => c.target === 'firstName' || c.target === 'lastName')) {
		problems.push('Name is chosen, and so is First name or Last name: choose either Name, or First name and Last name.');
	}
	return problems;
}

/** The column map the checks read, from the admin's choices. */
export function columnsFromMatching(choices: readonly Pick<ColumnGuess, 'index' | 'target'>[]): ColumnMap {
	const columns: ColumnMap = {};
	for (const { index, target } of choices) if (target !== 'ignore') columns[target] = index;
	return columns;
}

/** The choices by column index over the whole header (blank headers ignored), as remembered. */
export function targetsByColumn(header: readonly string[], choices: readonly Pick<ColumnGuess, 'index' | 'target'>[]): MatchTarget[] {
	const targets: MatchTarget[] = header.map(() => 'ignore');
	for (const { index, target } of choices) if (index < targets.length) targets[index] = target;
	return targets;
}

/** The preview's notes about a matched header: our own columns, and the columns left out, in one line each. */
export function matchingNotes(
	header: readonly string[],
	headerRow: number,
	choices: readonly Pick<ColumnGuess, 'index' | 'header' | 'target'>[]
): Issue[] {
	const notes: Issue[] = [];
	const own = ownResultColumns(header);
	const ownIndexes = new Set(own.map((o) => o.index));
	if (own.length > 0) notes.push(rowIssue(headerRow, own[0].header.trim(), ownColumnsNote(own)));
	const ignored = choices.filter((c) => c.target === 'ignore' && !ownIndexes.has(c.index));
	if (ignored.length > 0) {
		const shown = ignored.slice(0, 4).map((c) => quote(c.header));
		const more = ignored.length - shown.length;
		const list =
			more > 0
				? `${shown.join(', ')} and ${more} more`
				: shown.length === 1
					? shown[0]
					: `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
		notes.push(
			rowIssue(
				headerRow,
				ignored[0].header,
				ignored.length === 1
					? `Column ${list} is not used (you chose to ignore it)`
					: `Columns ${list} are not used (you chose to ignore them)`
			)
		);
	}
	return notes;
}
