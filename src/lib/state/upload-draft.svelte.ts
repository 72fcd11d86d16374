// Edits kept on this device from an upload that was neither applied nor discarded: what the upload form
// says about them, and Discard edits. The draft itself is the worker's (it stores it with each Save row).
import { dataWorker, type DraftStatus } from '../worker/client';
import { describe } from './session.svelte';

export class UploadDraftState {
	status = $state.raw<DraftStatus | null>(null);
	error = $state<string | null>(null);

	async refresh(): Promise<DraftStatus | null> {
		try {
			this.status = await dataWorker.call('draftStatus');
		} catch {
			// Without the draft's status the form still works; the draft stays for the next time.
			this.status = null;
		}
		return this.status;
	}

	async discard(): Promise<void> {
		this.error = null;
		try {
			await dataWorker.call('discardDraft');
			this.status = null;
		} catch (error) {
			this.error = describe(error);
		}
	}
}
