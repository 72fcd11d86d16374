// Deterministic demo and benchmark datasets (seeded PRNG, so every run and every machine gets the same
// users), and a CLI to write one to a file:
//   tsx server/demo-data.ts                         → prints a summary of the demo dataset
//   tsx server/demo-data.ts --out FILE              → writes the demo dataset
//   tsx server/demo-data.ts --users 100000 --out FILE [--seed N]  → writes a benchmark dataset
//
// ── What tests can rely on (in demoDataset() and in every generateDataset() output) ──────────────────
// Admins:  admin / springfield-demo        → parent "100" Springfield Public Schools
//          shelby-admin / shelbyville-demo → parent "200" Shelbyville Library System
// Roles:   Student, Teacher, Librarian, Administrator
// Sizes:   demo = 2,400 users in parent 100 + 248 in parent 200; generateDataset({ users: N }) = N + 248.
//          About 1% of generated users of password institutions have no email (as in real exports).
//
// Parent 100 institutions (15). [G] = Google sign-in with the listed domains; all others use passwords:
//   1001 Springfield Elementary School            1009 Lincoln Academy
//   1002 Evergreen Terrace Elementary             1010 Springfield Arts Magnet School
//   1003 Springfield Middle School [G]            1011 Pine Ridge Middle School [G]
//   1004 West Springfield Middle School           1012 Springfield Career & Technical Center
//   1005 Springfield High School [G]              1013 Northside Early Learning Center
//   1006 Riverside High School                    1014 Springfield Virtual Academy
//   1007 Oak Hill Elementary School               01015 Lakeview K-8 School (the leading zero is part of the ID)
//   1008 Maple Grove Elementary School [G]
//   Google domains: 1003, 1005, 1011 → springfieldschools.org;
//                   1008 → springfieldschools.org, students.springfieldschools.org
// Parent 200 institutions (4): 2001 Shelbyville Central Library, 2002 Shelbyville East Branch Library,
//   2003 Shelbyville Bookmobile Services [G] shelbyvillelibrary.org, 02004 Shelbyville West Branch Library
//
// Fixed users. In EVERY institution X of both parents (D = the institution's first Google domain for [G]
// institutions, else example.org for parent 100 and example.net for parent 200):
//   jdoe    "John Doe"    Student (parent 100) / Librarian (parent 200)   jdoe.X@D
//   asmith  "Alice Smith" Teacher                                          asmith.X@D
//   e.g. 1001 jdoe → jdoe.1001@example.org; 1003 jdoe → jdoe.1003@springfieldschools.org;
//        01015 jdoe → jdoe.01015@example.org; 2001 jdoe → jdoe.2001@example.net
// Additionally in 1001:
//   jnunez  "José Núñez"   Student        jnunez.1001@example.org
//   zbronte "Zoë Brontë"   Teacher        zbronte.1001@example.org
//   mlee    "Min-jun Lee"  Librarian      mlee.1001@example.org
//   rpatel  "Ravi Patel"   Administrator  rpatel.1001@example.org
// 1001 jdoe starts with the password "Springfield-1001" (the only seeded user password).
// Generated users never get these exact usernames (a generated Alice Smith becomes e.g. asmith2) or emails.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Dataset } from '../src/lib/domain/dataset';

type DatasetUser = Dataset['users'][number];
type DatasetInstitution = Dataset['institutions'][number];

export const DEMO_ADMINS = [
	{ username: 'admin', password: 'springfield-demo', parentAccountId: '100' },
	{ username: 'shelby-admin', password: 'shelbyville-demo', parentAccountId: '200' }
] as const;

export const ROLES = ['Student', 'Teacher', 'Librarian', 'Administrator'];

const DEMO_SEED = 20240901;
/** Users of parent 100 in the demo dataset (fixed ones included); parent 200 always gets LIBRARY_USERS more. */
const DEMO_USERS = 2400;
const LIBRARY_USERS_PER_INSTITUTION = 60;

const SCHOOLS = 'springfieldschools.org';

// [accountId, name, google domains, relative size]
const SPRINGFIELD: [string, string, string[], number][] = [
	['1001', 'Springfield Elementary School', [], 6],
	['1002', 'Evergreen Terrace Elementary', [], 5],
	['1003', 'Springfield Middle School', [SCHOOLS], 8],
	['1004', 'West Springfield Middle School', [], 7],
	['1005', 'Springfield High School', [SCHOOLS], 14],
	['1006', 'Riverside High School', [], 12],
	['1007', 'Oak Hill Elementary School', [], 5],
	['1008', 'Maple Grove Elementary School', [SCHOOLS, `students.${SCHOOLS}`], 5],
	['1009', 'Lincoln Academy', [], 4],
	['1010', 'Springfield Arts Magnet School', [], 3],
	['1011', 'Pine Ridge Middle School', [SCHOOLS], 7],
	['1012', 'Springfield Career & Technical Center', [], 4],
	['1013', 'Northside Early Learning Center', [], 2],
	['1014', 'Springfield Virtual Academy', [], 3],
	['01015', 'Lakeview K-8 School', [], 6]
];

const SHELBYVILLE: [string, string, string[]][] = [
	['2001', 'Shelbyville Central Library', []],
	['2002', 'Shelbyville East Branch Library', []],
	['2003', 'Shelbyville Bookmobile Services', ['shelbyvillelibrary.org']],
	['02004', 'Shelbyville West Branch Library', []]
];

const FIRST_NAMES = [
	'Olivia',
	'Liam',
	'Emma',
	'Noah',
	'Ava',
	'Oliver',
	'Sophia',
	'Elijah',
	'Isabella',
	'Lucas',
	'Mia',
	'Mason',
	'Amelia',
	'Ethan',
	'Harper',
	'Logan',
	'Evelyn',
	'James',
	'Abigail',
	'Benjamin',
	'Emily',
	'Henry',
	'Ella',
	'Alexander',
	'Grace',
	'Daniel',
	'Chloe',
	'Michael',
	'Victoria',
	'Samuel',
	'Riley',
	'David',
	'Nora',
	'Joseph',
	'Hannah',
	'Carter',
	'Layla',
	'Owen',
	'Zoey',
	'Wyatt',
	'Aaliyah',
	'Jayden',
	'Priya',
	'Arjun',
	'Mei',
	'Wei',
	'Hiroshi',
	'Yuki',
	'Fatima',
	'Omar',
	'Aisha',
	'Kwame',
	'Amara',
	'Dmitri',
	'Anastasia',
	'Sean',
	'Maeve',
	'Anne-Marie',
	'Jean-Luc',
	'Mary Kate',
	// accented and non-ASCII on purpose: the spreadsheet and sync paths must keep them intact
	'José',
	'Zoë',
	'Renée',
	'Chloé',
	'Björn',
	'Søren',
	'François',
	'Łukasz',
	'Siobhán',
	'Núria',
	'Inés',
	'Jürgen',
	'Émile',
	'Åsa',
	'Mário',
	'Thiago',
	'Ngọc',
	'Chiara',
	'Göran'
];

const LAST_NAMES = [
	'Smith',
	'Johnson',
	'Williams',
	'Brown',
	'Jones',
	'Miller',
	'Davis',
	'Wilson',
	'Anderson',
	'Taylor',
	'Thomas',
	'Moore',
	'Martin',
	'Jackson',
	'Thompson',
	'White',
	'Harris',
	'Clark',
	'Lewis',
	'Robinson',
	'Walker',
	'Young',
	'Allen',
	'King',
	'Wright',
	'Scott',
	'Hill',
	'Green',
	'Adams',
	'Baker',
	'Nelson',
	'Carter',
	'Mitchell',
	'Roberts',
	'Turner',
	'Phillips',
	'Campbell',
	'Parker',
	'Evans',
	'Edwards',
	'Collins',
	'Stewart',
	'Morris',
	'Kim',
	'Chen',
	'Wang',
	'Singh',
	'Kumar',
	'Tanaka',
	'Sato',
	'Okafor',
	'Mensah',
	'Ivanova',
	'Haddad',
	"O'Brien",
	"O'Connor",
	'MacDonald',
	'Smith-Jones',
	'van der Berg',
	'de la Cruz',
	'Núñez',
	'Brontë',
	'García',
	'Müller',
	'Çelik',
	'Dvořák',
	'Kowalski',
	'Ødegaard',
	'Nguyễn',
	'Peña',
	'Gómez',
	'Fernández',
	'Schröder',
	'Lefèvre',
	'Håkansson',
	'Łuczak',
	'Jiménez',
	'Søndergaard',
	'Štěpánek'
];

const PERSONAL_DOMAINS = ['example.org', 'example.com', 'example.net', 'mail.example.org'];

/** mulberry32: tiny, fast and good enough for test data; the same seed always gives the same dataset. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Lower-case ASCII for usernames and email local parts ("José Núñez" → "jose", "nunez"). */
export function asciiFold(text: string): string {
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[øØ]/g, 'o')
		.replace(/[łŁ]/g, 'l')
		.replace(/ß/g, 'ss')
		.replace(/[æÆ]/g, 'ae')
		.replace(/[đĐ]/g, 'd')
		.toLowerCase()
		.replace(/[^a-z0-9]/g, '');
}

interface Builder {
	users: DatasetUser[];
	usernames: Set<string>;
	emails: Set<string>;
}

function addUser(b: Builder, user: DatasetUser): void {
	b.users.push(user);
	b.usernames.add(`${user.accountId}:${user.username.toLowerCase()}`);
	if (user.email !== '') b.emails.add(user.email.toLowerCase());
}

/** First free "<base>", "<base>2", "<base>3"… under `taken`. */
function unique(base: string, taken: (candidate: string) => boolean): string {
	if (!taken(base)) return base;
	for (let n = 2; ; n++) if (!taken(`${base}${n}`)) return `${base}${n}`;
}

function fixedUsers(b: Builder, institution: DatasetInstitution, parent: '100' | '200'): void {
	const id = institution.accountId;
	const domain = institution.googleDomains[0] ?? (parent === '100' ? 'example.org' : 'example.net');
	const fixed: [string, string, string][] = [
		['jdoe', 'John Doe', parent === '100' ? 'Student' : 'Librarian'],
		['asmith', 'Alice Smith', 'Teacher']
	];
	if (id === '1001') {
		fixed.push(
			['jnunez', 'José Núñez', 'Student'],
			['zbronte', 'Zoë Brontë', 'Teacher'],
			['mlee', 'Min-jun Lee', 'Librarian'],
			['rpatel', 'Ravi Patel', 'Administrator']
		);
	}
	for (const [username, name, role] of fixed) {
		const user: DatasetUser = { accountId: id, username, name, email: `${username}.${id}@${domain}`, role };
		if (id === '1001' && username === 'jdoe') user.password = 'Springfield-1001';
		addUser(b, user);
	}
}

// Generated users never take these exact usernames in any institution (they may get e.g. "asmith2").
const FIXED_USERNAMES = new Set(['jdoe', 'asmith', 'jnunez', 'zbronte', 'mlee', 'rpatel']);

type UsernameStyle = 'initial' | 'dotted' | 'id';

// Schools differ in how they name accounts; the mix exercises the client with dots, digits and suffixes.
function styleFor(index: number): UsernameStyle {
	return (['initial', 'dotted', 'initial', 'id'] as const)[index % 4];
}

function pickRole(random: () => number, library: boolean): string {
	const r = random();
	if (library) return r < 0.5 ? 'Student' : r < 0.8 ? 'Librarian' : r < 0.9 ? 'Teacher' : 'Administrator';
	return r < 0.82 ? 'Student' : r < 0.94 ? 'Teacher' : r < 0.97 ? 'Librarian' : 'Administrator';
}

function randomUsers(
	b: Builder,
	random: () => number,
	institution: DatasetInstitution,
	count: number,
	style: UsernameStyle,
	library: boolean
): void {
	const id = institution.accountId;
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	for (let i = 0; i < count; i++) {
		const first = pick(FIRST_NAMES);
		const last = pick(LAST_NAMES);
		const f = asciiFold(first);
		const l = asciiFold(last);
		let base: string;
		if (style === 'id') base = `s${id.replace(/^0+/, '')}${String(100000 + Math.floor(random() * 900000))}`;
		else if (style === 'dotted') base = `${f}.${l}`;
		else base = `${f[0]}${l}`;
		const username = unique(base, (c) => FIXED_USERNAMES.has(c) || b.usernames.has(`${id}:${c}`));

		let email = '';
		if (institution.signIn === 'google') {
			const domain = institution.googleDomains[Math.floor(random() * institution.googleDomains.length)];
			email = `${unique(username.replace(/[^a-z0-9.]/g, ''), (c) => b.emails.has(`${c}@${domain}`))}@${domain}`;
		} else if (random() >= 0.01) {
			// About 1% of password-institution users have no email on file, as in real exports.
			const domain = pick(PERSONAL_DOMAINS);
			email = `${unique(`${f}.${l}`, (c) => b.emails.has(`${c}@${domain}`))}@${domain}`;
		}
		addUser(b, { accountId: id, username, name: `${first} ${last}`, email, role: pickRole(random, library) });
	}
}

/**
 * A dataset with `users` users in parent 100 (fixed users included, spread over its 15 institutions by
 * size) plus parent 200's libraries. `generateDataset({ users: 120_000 })` is the benchmark size.
 */
export function generateDataset(opts: { users: number; seed?: number }): Dataset {
	const random = prng(opts.seed ?? DEMO_SEED);
	const institutions: DatasetInstitution[] = [
		...SPRINGFIELD.map(([accountId, name, googleDomains]) => institution(accountId, name, '100', googleDomains)),
		...SHELBYVILLE.map(([accountId, name, googleDomains]) => institution(accountId, name, '200', googleDomains))
	];
	const b: Builder = { users: [], usernames: new Set(), emails: new Set() };
	for (const inst of institutions) fixedUsers(b, inst, inst.parentAccountId === '100' ? '100' : '200');

	const fixedCount = b.users.filter((u) => institutions.find((i) => i.accountId === u.accountId)?.parentAccountId === '100').length;
	const toGenerate = Math.max(0, Math.floor(opts.users) - fixedCount);
	const totalWeight = SPRINGFIELD.reduce((sum, s) => sum + s[3], 0);
	let assigned = 0;
	SPRINGFIELD.forEach(([, , , weight], index) => {
		const count = index === SPRINGFIELD.length - 1 ? toGenerate - assigned : Math.floor((toGenerate * weight) / totalWeight);
		assigned += count;
		randomUsers(b, random, institutions[index], count, styleFor(index), false);
	});
	SHELBYVILLE.forEach((_, index) => {
		const inst = institutions[SPRINGFIELD.length + index];
		randomUsers(b, random, inst, LIBRARY_USERS_PER_INSTITUTION, styleFor(index + 1), true);
	});

	return {
		parents: [
			{ accountId: '100', name: 'Springfield Public Schools' },
			{ accountId: '200', name: 'Shelbyville Library System' }
		],
		institutions,
		roles: [...ROLES],
		users: b.users,
		admins: DEMO_ADMINS.map((a) => ({ ...a }))
	};
}

function institution(accountId: string, name: string, parentAccountId: string, googleDomains: string[]): DatasetInstitution {
	return { accountId, name, parentAccountId, signIn: googleDomains.length > 0 ? 'google' : 'password', googleDomains };
}

/** The dataset the server starts with when no --data is given. */
export function demoDataset(): Dataset {
	return generateDataset({ users: DEMO_USERS, seed: DEMO_SEED });
}

function main(): void {
	const { values } = parseArgs({
		options: { users: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
		strict: true
	});
	if (values.help) {
		console.log('usage: tsx server/demo-data.ts [--users N] [--seed N] [--out FILE]');
		return;
	}
	const users = values.users === undefined ? undefined : Number(values.users);
	const seed = values.seed === undefined ? undefined : Number(values.seed);
	if ((users !== undefined && !(Number.isInteger(users) && users >= 0)) || (seed !== undefined && !Number.isInteger(seed))) {
		console.error('--users and --seed must be integers');
		process.exitCode = 2;
		return;
	}
	const dataset = users === undefined ? demoDataset() : generateDataset({ users, seed });
	const summary = `${dataset.users.length} users in ${dataset.institutions.length} institutions of ${dataset.parents.length} parents`;
	if (values.out) {
		writeFileSync(values.out, JSON.stringify(dataset));
		console.log(`wrote ${values.out}: ${summary}`);
	} else console.log(summary);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
