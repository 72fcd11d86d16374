// The upload an admin is fixing in the preview, kept on this device until it is applied or discarded:
// which file (name, size and SHA-256, so the same file is recognised when chosen again after a reload),
// the column matching, and the edits by row. Not the file: it can be 50 MB, and its Password column is
// in the clear; the admin still has it. Passwords typed in the editor are stored sealed with the device
// key (sync/password-vault.ts), never in plaintext.
// Kept in the meta table (one record) rather than a table of its own: one draft at a time, and no schema
// version to add.
import type { RowValues } from '../domain/checked-upload';
import type { MatchTarget } from '../domain/header-match';
import type { SealedSecret } from '../domain/types';
import { db, guarded, type PortalDb } from './db';

const KEY = 'uploadDraft';

export interface DraftEdit {
	row: number;
	values: Partial<RowValues>;
	password?: SealedSecret;
}

export interface UploadDraft {
	fileName: string;
	fileSize: number;
	/** SHA-256 of the file's bytes, hex. */
	fileHash: string;
	sheetName: string;
	declaredCount: number;
	/** Match columns' choices by column index; absent when the header needed no matching. */
	matching?: MatchTarget[];
	edits: DraftEdit[];
	savedAt: number;
}

export async function getDraft(database: PortalDb = db()): Promise<UploadDraft | undefined> {
	return guarded(async () => (await database.meta.get(KEY))?.value as UploadDraft | undefined);
}

export async function putDraft(draft: UploadDraft, database: PortalDb = db()): Promise<void> {
	await guarded(() => database.meta.put({ key: KEY, value: draft }));
}

/** Deletes the draft; with `fileHash`, only the draft of that file (another file's draft stays). */
export async function deleteDraft(fileHash?: string, database: PortalDb = db()): Promise<void> {
	await guarded(() =>
		database.transaction('rw', database.meta, async () => {
			const draft = (await database.meta.get(KEY))?.value as UploadDraft | undefined;
			if (draft && (fileHash === undefined || draft.fileHash === fileHash)) await database.meta.delete(KEY);
		})
	);
}
