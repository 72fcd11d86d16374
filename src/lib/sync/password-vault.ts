// Encrypts passwords while they wait in the outbox. The key is a non-extractable AES-GCM CryptoKey
// kept in IndexedDB: script on this origin can use it but never read its bytes, and a copy of the
// database files alone does not reveal any password. Passwords are deleted with their outbox chunk.
import { getMeta, getOrPutMeta } from '../storage/meta-repo';

export interface SealedSecret {
	iv: Uint8Array;
	data: ArrayBuffer;
}

let keyPromise: Promise<CryptoKey> | undefined;

async function deviceKey(): Promise<CryptoKey> {
	keyPromise ??= (async () => {
		const existing = await getMeta('deviceKey');
		if (existing) return existing;
		const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
		// Another tab or the worker may race us; whoever stores first wins for everyone.
		return getOrPutMeta('deviceKey', key);
	})().catch((error) => {
		keyPromise = undefined;
		throw error;
	});
	return keyPromise;
}

/** Forgets the cached key, e.g. after sign-out wiped the database. */
export function forgetDeviceKey(): void {
	keyPromise = undefined;
}

export async function seal(secret: string): Promise<SealedSecret> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await deviceKey(), new TextEncoder().encode(secret));
	return { iv, data };
}

export async function unseal(sealed: SealedSecret): Promise<string> {
	const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv as Uint8Array<ArrayBuffer> }, await deviceKey(), sealed.data);
	return new TextDecoder().decode(plain);
}
