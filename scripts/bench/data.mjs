// Bench inputs: the server dataset (server/demo-data.ts via tsx) and a realistic all-update .xlsx
// for every user of parent 100, written with SheetJS from Node.
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
export function makeUpdateFile(dataset, file, { passwords = 20 } = {}) {
	const random = prng(4242);
	const institutions = new Map(dataset.institutions.map((i) => [i.accountId, i]));
	const users = dataset.users.filter((u) => institutions.get(u.accountId)?.parentAccountId === PARENT);
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
	const ws = XLSX.utils.aoa_to_sheet(aoa); // strings stay text cells: "01015" keeps its zero
	const wb = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(wb, ws, 'Users');
	const bytes = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true });
	writeFileSync(file, bytes);
	return { rows: users.length, stats, size: bytes.length, users };
}
