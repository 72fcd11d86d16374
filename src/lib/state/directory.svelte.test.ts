import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { DirectoryView } from '../directory/protocol';

vi.mock('../worker/client', () => ({ dataWorker: { call: async () => undefined } }));
const { DirectoryState } = await import('./directory.svelte');

function view(query: string): DirectoryView {
	return { total: 10, matchCount: query.length, page: 0, pageCount: 1, users: [], counts: [] };
}

/** A directory worker whose answers the test releases one by one. */
function slowClient() {
	const asked: string[] = [];
	const answers: (() => void)[] = [];
	const client = {
		call: (_name: 'view', args: { query: { query: string } }) =>
			new Promise<DirectoryView>((resolve) => {
				asked.push(args.query.query);
				answers.push(() => resolve(view(args.query.query)));
			}),
		stop: () => {}
	};
	return { client, asked, answers };
}

describe('DirectoryState', () => {
	it('keeps one search on its way: keys typed meanwhile become one request, for what the box then says', async () => {
		const { client, asked, answers } = slowClient();
		const directory = new DirectoryState(client as never);
		directory.setQuery('s');
		directory.setQuery('sm');
		directory.setQuery('smi');
		directory.setQuery('smit');
		expect(asked).toEqual(['s']);
		answers[0]();
		await vi.waitFor(() => expect(asked).toEqual(['s', 'smit']));
		// The answer for "s" was stale by the time it came: never shown.
		expect(directory.loaded).toBe(false);
		expect(directory.busy).toBe(true);
		answers[1]();
		await vi.waitFor(() => expect(directory.busy).toBe(false));
		expect(directory.matchCount).toBe(4);
		expect(asked.length).toBe(2);
	});
});
