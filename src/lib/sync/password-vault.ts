// Encrypts passwords while they wait in the outbox. The key is a non-extractable AES-GCM CryptoKey
// kept in IndexedDB: script on this origin can use it but never read its bytes, and a copy of the
// database files alone does not reveal any password. Passwords are deleted with their outbox chunk.
// The key is read from the database on every call, never cached: sign-out deletes the database, and a
// cached key in the worker or another tab would then seal with a key nobody can find again.
import { PUSH_BATCH_MAX, type SealedSecret } from '../domain/types';
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

/**
 * The passwords of a list of mutations (undefined where one sets none), sealed one push-sized slice at a
 * time as a JSON array: slice k (mutations k×PUSH_BATCH_MAX onwards) maps to its seal; slices without a
 * password have none. The outbox stores each seal with its chunk (storage/db.ts OutboxChunk.passwords).
 */
export async function sealPasswordSlices(passwords: readonly (string | undefined)[]): Promise<Map<number, SealedSecret>> {
	const slices: number[] = [];
	const texts: string[] = [];
	for (let start = 0; start < passwords.length; start += PUSH_BATCH_MAX) {
		const slice = passwords.slice(start, start + PUSH_BATCH_MAX);
		if (!slice.some((p) => p !== undefined)) continue;
		slices.push(start / PUSH_BATCH_MAX);
		texts.push(JSON.stringify(slice.map((p) => p ?? null)));
	}
	const sealed = await sealMany(texts);
	return new Map(slices.map((slice, i) => [slice, sealed[i]]));
}

/** A chunk's passwords by position, from its seal (sealPasswordSlices). */
export async function unsealPasswordSlice(sealed: SealedSecret): Promise<(string | null)[]> {
	const [text] = await unsealMany([sealed]);
	return JSON.parse(text) as (string | null)[];
}
