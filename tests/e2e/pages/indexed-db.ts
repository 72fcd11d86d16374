// What the app keeps in the browser, read straight from IndexedDB for assertions.
import type { Page } from '@playwright/test';

/** Every record of every object store of the app's database, serialised. */
export async function dumpIndexedDb(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const r = indexedDB.open('admin-portal');
			r.onsuccess = () => resolve(r.result);
			r.onerror = () => reject(r.error);
		});
		const out: Record<string, unknown[]> = {};
		for (const name of Array.from(db.objectStoreNames)) {
			out[name] = await new Promise((resolve) => {
				const req = db.transaction(name).objectStore(name).getAll();
				req.onsuccess = () => resolve(req.result);
			});
		}
		db.close();
		// ArrayBuffers (sealed passwords) serialise as bytes so a plaintext copy would still be found.
		return JSON.stringify(out, (_k, v) => (v instanceof ArrayBuffer ? new TextDecoder().decode(v) : v));
	});
}
