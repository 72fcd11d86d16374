// The directory worker's API (see protocol.ts for why the users live in a worker).
import { StorageError } from '../storage/db';
import type { DirectoryQuery, DirectoryView } from './protocol';
import type { DirectoryService } from './service';

export function directoryHandlers(service: DirectoryService) {
	return {
		/** `reload`: the stored users changed; read them again before answering. */
		view({ query, reload }: { query: DirectoryQuery; reload: boolean }): Promise<DirectoryView> {
			if (reload) service.markStale();
			return service.view(query);
		}
	};
}

export type DirectoryHandlers = ReturnType<typeof directoryHandlers>;

export function describeDirectoryError(error: unknown): string {
	if (error instanceof StorageError) return error.message;
	console.error('directory worker:', error);
	return 'The list of users could not be read from this device. Reload the page.';
}
