// Password hashing: the only place that sees plaintext passwords. Hashes are self-describing strings
// ("scrypt$N$r$p$salt$key") so the cost can change without invalidating stored hashes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
	N: number;
	r: number;
	p: number;
}

// Measured on the 2-core CI box with node 20 and its default 4 libuv threads:
//   N=1024  r=8: 2,000 hashes in ~1.9 s (≈1 ms each amortised)   <- user passwords
//   N=2048  r=8: 2,000 hashes in ~3.8 s
//   N=16384 r=8: ≈45 ms each                                      <- admin passwords
// User passwords are set in bulk (a push can carry hundreds, a spreadsheet thousands) and are never
// verified by this portal, so they get the cheapest cost that still makes offline guessing expensive;
// admin passwords guard sign-in, are hashed rarely, and get the interactive-login cost from the scrypt paper.
export const USER_PASSWORD_COST: ScryptCost = { N: 1024, r: 8, p: 1 };
export const ADMIN_PASSWORD_COST: ScryptCost = { N: 16384, r: 8, p: 1 };

const KEY_LENGTH = 32;
// Refuse absurd parameters read back from a (possibly tampered) state file instead of allocating gigabytes.
const MAX_N = 1 << 20;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
	const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 32 * 1024 * 1024 };
	return new Promise((resolve, reject) => {
		scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
	});
}

export async function hashPassword(password: string, cost: ScryptCost): Promise<string> {
	const salt = randomBytes(16);
	const key = await scryptAsync(password, salt, cost);
	return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parts = stored.split('$');
	if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
	const [N, r, p] = parts.slice(1, 4).map(Number);
	if (![N, r, p].every(Number.isInteger) || N < 2 || N > MAX_N || r < 1 || r > 32 || p < 1 || p > 16) return false;
	const expected = Buffer.from(parts[5], 'base64url');
	const key = await scryptAsync(password, Buffer.from(parts[4], 'base64url'), { N, r, p });
	return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Burns the same time as checking a real admin password, so "unknown user" and "wrong password"
 * cannot be told apart by timing.
 */
export async function verifyAgainstDummy(password: string, cost: ScryptCost): Promise<false> {
	dummyHash ??= hashPassword('dummy-password-never-matches', cost);
	await verifyPassword(password, await dummyHash);
	return false;
}
