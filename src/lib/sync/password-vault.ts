// Encrypts passwords while they wait in the outbox. The key is a non-extractable AES-GCM CryptoKey
// kept in IndexedDB: script on this origin can use it but never read its bytes, and a copy of the
// database files alone does not reveal any password. Passwords are deleted with their outbox chunk.
// The key is read from the database on every call, never cached: sign-out deletes the database, and a
// cached key in the worker or another tab would then seal with a key nobody can find again.
import type { SealedSecret } from '../domain/types';
import { getMeta, getOrPutMeta } from '../storage/meta-repo';

export type { SealedSecret };

async function deviceKey(): Promise<CryptoKey> {
	const existing = await getMeta('deviceKey');
	if (existing) return existing;
	const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
	// The worker and other tabs may race us; whoever stores first wins for everyone.
	return getOrPutMeta('deviceKey', key);
}

export async function sealMany(secrets: readonly string[]): Promise<SealedSecret[]> {
	if (secrets.length === 0) return [];
	const key = await deviceKey();
	const encoder = new TextEncoder();
	return Promise.all(
		secrets.map(async (secret) => {
			const iv = crypto.getRandomValues(new Uint8Array(12));
			return { iv, data: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(secret)) };
		})
	);
}

export async function unsealMany(sealed: readonly SealedSecret[]): Promise<string[]> {
	if (sealed.length === 0) return [];
	const key = await deviceKey();
	const decoder = new TextDecoder();
	return Promise.all(
		sealed.map(async (s) =>
			decoder.decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: s.iv as Uint8Array<ArrayBuffer> }, key, s.data))
		)
	);
}
