// Bench inputs: the server dataset (server/demo-data.ts via tsx) and a realistic all-update file
// for every user of parent 100, or (User Add) a file of as many new users: an .xlsx written with SheetJS
// from Node, or (a name ending in .csv) a UTF-8 CSV written here, which is how a file too large for
// SheetJS to hold (1,000,000 rows) reaches the app.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as XLSX from 'xlsx';

export const PARENT = '100';
const ROLES = ['Student', 'Teacher', 'Librarian', 'Administrator'];
export const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

/** Writes the dataset JSON with `users` users in parent 100 (cached: same args give the same file). */
export function makeDataset(users, file) {
	if (existsSync(file) && statSync(file).size > 0) return JSON.parse(readFileSync(file, 'utf8'));
	const result = spawnSync('npx', ['tsx', 'server/demo-data.ts', '--users', String(users), '--out', file], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`demo-data failed: ${result.stderr || result.stdout}`);
	return JSON.parse(readFileSync(file, 'utf8'));
}

/** Small deterministic PRNG so the update file is the same on every run. */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Every parent-100 user once, in a shuffled-by-institution order as an export would give them:
 * every row renames the user; about 5% also get a new (unique, domain-valid) email, about 10% a new
 * role, and a handful (password institutions only) a new password. All rows are valid updates.
 * Returns { rows: number, stats, bytes }.
 */
export function makeUpdateFile(dataset, file, { passwords = 20, rows } = {}) {
	const random = prng(4242);
	const institutions = new Map(dataset.institutions.map((i) => [i.accountId, i]));
	// `rows`: only the first that many users (a file smaller than the parent), else every one.
	const users = dataset.users.filter((u) => institutions.get(u.accountId)?.parentAccountId === PARENT).slice(0, rows);
	const taken = new Set(dataset.users.map((u) => u.email.toLowerCase()).filter(Boolean));
	const aoa = [HEADER];
	const stats = { rows: 0, name: 0, email: 0, role: 0, password: 0 };
	let passwordsLeft = passwords;
	users.forEach((user, i) => {
		const inst = institutions.get(user.accountId);
		const name = `${user.name} ${String.fromCharCode(65 + (i % 26))}.`; // "Olivia Smith Q."
		let email = user.email;
		if (random() < 0.05) {
			const domain = inst.signIn === 'google' ? inst.googleDomains[0] : 'example.com';
			let candidate = `${user.username.replace(/[^a-z0-9.]/gi, '')}.bench${i}@${domain}`.toLowerCase();
			if (!taken.has(candidate)) {
				taken.add(candidate);
				email = candidate;
				stats.email++;
			}
		}
		let role = user.role;
		if (random() < 0.1) {
			role = ROLES[(ROLES.indexOf(user.role) + 1 + Math.floor(random() * 3)) % ROLES.length];
			stats.role++;
		}
		let password = '';
		if (passwordsLeft > 0 && inst.signIn === 'password' && i % 997 === 0) {
			password = `Bench-Pass-${i}-x`;
			passwordsLeft--;
			stats.password++;
		}
		stats.name++;
		aoa.push([user.accountId, user.username, name, email, password, role]);
	});
	stats.rows = users.length;
	const size = writeSheet(aoa, file);
	return { rows: users.length, stats, size, users };
}

function writeSheet(aoa, file) {
	if (file.endsWith('.csv')) return writeCsv(aoa, file);
	const ws = XLSX.utils.aoa_to_sheet(aoa); // strings stay text cells: "01015" keeps its zero
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, ws, 'Users');
	const bytes = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true });
	writeFileSync(file, bytes);
	return bytes.length;
}

/**
 * User Add: `count` new users spread over parent 100's child accounts as a start-of-year roster would be,
 * every row valid: a username no one has (letters, digits and dots), a name, an email in the Google
 * domain for Google sign-in accounts (about a third of the others get one too) and a password for
 * password sign-in accounts, and a role. Returns { rows, stats, size, users } like makeUpdateFile.
 */
export function makeAddFile(dataset, file, count) {
	const random = prng(2626);
	const institutions = dataset.institutions.filter((i) => i.parentAccountId === PARENT);
	const aoa = [HEADER];
	const users = [];
	const stats = { rows: count, name: count, email: 0, role: count, password: 0 };
	for (let i = 0; i < count; i++) {
		const inst = institutions[i % institutions.length];
		const username = `new${i}.b${(i % 97).toString(36)}`;
		const name = `New Student ${i}`;
		let email = '';
		if (inst.signIn === 'google') email = `${username}@${inst.googleDomains[0]}`;
		else if (random() < 0.33) email = `${username}@newcomers.example.com`;
		if (email) stats.email++;
		const password = inst.signIn === 'google' ? '' : `Bench-Add-${i}-x`;
		if (password) stats.password++;
		const role = random() < 0.9 ? 'Student' : ROLES[1 + Math.floor(random() * 3)];
		aoa.push([inst.accountId, username, name, email, password, role]);
		users.push({ accountId: inst.accountId, username, name, email, role });
	}
	return { rows: count, stats, size: writeSheet(aoa, file), users };
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; CRLF line ends as Excel writes. */
function writeCsv(aoa, file) {
	const quote = (cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
	const parts = [];
	for (const row of aoa) parts.push(row.map((cell) => quote(String(cell))).join(','));
	const bytes = Buffer.from(parts.join('\r\n') + '\r\n', 'utf8');
	writeFileSync(file, bytes);
	return bytes.length;
}
