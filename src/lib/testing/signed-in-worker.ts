// A signed-in device for tests of the data worker's calls, in process (fake-indexeddb must be loaded
// first): the worker through the real client, and a portal of one password account with two users whose
// data the device has downloaded.
import { setMeta } from '../storage/meta-repo';
import { downloadAll } from '../sync/download';
import { createDataWorker } from '../worker/client';
import { dataHandlers, describeDataError } from '../worker/handlers';
import { InProcessWorker } from './in-process-worker';
import { MemoryPortal } from './memory-portal';

export function inProcessDataWorker() {
	return createDataWorker(() => new InProcessWorker(dataHandlers as never, describeDataError) as unknown as Worker);
}

export function lincolnPortal(): MemoryPortal {
	return new MemoryPortal(
		[{ accountId: '1001', name: 'Lincoln Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] }],
		[
			{ accountId: '1001', username: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.org', role: 'Student' },
			{ accountId: '1001', username: 'bsmith', name: 'Bob Smith', email: 'bsmith@example.org', role: 'Student' }
		]
	);
}

/** Parent 100's admin signed in on this device, with `portal`'s users downloaded. */
export async function signInDevice(portal: MemoryPortal): Promise<void> {
	await setMeta('owner', {
		username: 'admin',
		parentAccountId: '100',
		parentName: 'Springfield Public Schools',
		roles: ['Student', 'Teacher']
	});
	await downloadAll(portal);
}
