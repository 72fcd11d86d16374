// The directory worker: answers the Users screen's searches and pages from an in-memory index of the
// local users (see protocol.ts for why this is not on the page).
/// <reference lib="webworker" />
import { StorageError } from '../storage/db';
import { loadAllUsers } from '../storage/users-repo';
import type { DirectoryRequest, DirectoryResponse } from './protocol';
import { DirectoryService } from './service';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const service = new DirectoryService(() => loadAllUsers());

scope.onmessage = async (event: MessageEvent<DirectoryRequest>) => {
	const { id, query, reload } = event.data;
	if (reload) service.markStale();
	let response: DirectoryResponse;
	try {
		response = { id, type: 'view', view: await service.view(query) };
	} catch (error) {
		console.error('directory worker:', error);
		response = { id, type: 'error', message: error instanceof StorageError ? error.message : 'The list of users could not be read from this device. Reload the page.' };
	}
	scope.postMessage(response);
};
