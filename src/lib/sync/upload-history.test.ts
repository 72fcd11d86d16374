import { describe, expect, it } from 'vitest';
import type { RecordMeta } from '../domain/history';
import { HistoryDraft, UploadHistoryBook, expired, type HistoryScope } from './upload-history';

const META: RecordMeta = { fileName: 'roster.csv', sheetName: 'roster', uploadedAt: 1, header: ['Account ID', 'Username'], columnMap: {} };
const SCOPE: HistoryScope = { adminUsername: 'admin', parentAccountId: '100', clientKey: 'admin\u0000device-1' };
const DAY = 86_400_000;

function pushRoster(book: UploadHistoryBook, now = 0) {
	const draft = new HistoryDraft(book, now);
	draft.noteOutcome(SCOPE, { id: 1, batchId: 'b1' }, { status: 'rejected', reason: 'User x not found in account 1001' });
	const added = draft.addPart(SCOPE, {
		id: 2,
		batchId: 'b1',
		kind: 'upload.record',
		part: 0,
		parts: 1,
		meta: META,
		rows: [{ row: 2, cells: ['1001', 'x'], status: 'Queued', reason: '', changed: ['Name'], m: 1 }]
	});
	expect(added.ok).toBe(true);
	return draft.delta;
}

describe('the upload history book', () => {
	it('gives the same history when a delta is applied twice (a journal replayed after a crash)', () => {
		const once = new UploadHistoryBook();
		const delta = pushRoster(once);
		once.apply(delta);
		const twice = UploadHistoryBook.fromJSON(JSON.parse(JSON.stringify(once.toJSON())));
		twice.apply(delta);
		expect(twice.toJSON()).toEqual(once.toJSON());
		expect(once.rows('100', 'b1', 0, 10, 0, 30)?.rows).toEqual([
			{ row: 2, cells: ['1001', 'x'], status: 'Failed', reason: 'User x not found in account 1001', changed: [] }
		]);
		// The answers an upload's record took are not kept once it is whole.
		expect(once.outcomes.size).toBe(0);
	});

	it('hides an upload from the moment it is older than the days kept, and prunes it and stray answers', () => {
		const book = new UploadHistoryBook();
		book.apply(pushRoster(book, 0));
		const stray = new HistoryDraft(book, 0);
		stray.noteOutcome(SCOPE, { id: 9, batchId: 'never-recorded' }, { status: 'rejected', reason: 'x' });
		book.apply(stray.delta);
		expect(book.list('100', null, 10, 30 * DAY - 1, 30).uploads).toHaveLength(1);
		expect(book.list('100', null, 10, 30 * DAY, 30).uploads).toEqual([]);
		expect(expired(0, 30 * DAY, 30)).toBe(true);
		book.prune(30 * DAY, 30);
		expect(book.toJSON()).toEqual({ seq: 1, uploads: [], outcomes: [] });
	});
});
