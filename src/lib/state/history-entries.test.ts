import { describe, expect, it } from 'vitest';
import type { UploadSummary } from '../domain/history';
import type { BatchRecord } from '../storage/db';
import { historyEntries } from './history-entries';

const counts = (updated: number, queued = 0) => ({ rows: updated + queued + 1, added: 0, updated, unchanged: 1, failed: 0, queued });

function batch(id: string, over: Partial<BatchRecord> = {}): BatchRecord {
	return {
		id,
		fileName: `${id}.xlsx`,
		sheetName: 'Users',
		createdAt: 1000,
		admin: 'admin',
		header: [],
		columnMap: {},
		parentName: 'Springfield',
		counts: counts(2),
		state: 'done',
		...over
	};
}

function upload(id: string, over: Partial<UploadSummary> = {}): UploadSummary {
	return {
		id,
		fileName: `${id}.xlsx`,
		sheetName: 'Users',
		uploadedAt: 1000,
		admin: 'admin',
		header: [],
		columnMap: {},
		receivedAt: 2000,
		counts: counts(2),
		...over
	};
}

describe('upload history entries', () => {
	it('merges this device’s uploads with the portal’s by id, newest first, marking those from another device', () => {
		const entries = historyEntries(
			[batch('mine', { createdAt: 3000 }), batch('queued', { createdAt: 4000, state: 'queued', counts: counts(0, 2) })],
			[upload('mine', { uploadedAt: 3000, counts: counts(1) }), upload('theirs', { uploadedAt: 2000 })]
		);
		expect(entries.map((e) => [e.id, e.status, e.fromAnotherDevice, e.onPortal, e.canUndo])).toEqual([
			['queued', 'Waiting to sync', false, false, false],
			['mine', 'Complete', false, true, true],
			['theirs', 'Complete', true, true, true]
		]);
		// Once final, the portal's counts are the ones shown.
		expect(entries[1].counts.updated).toBe(1);
	});

	it('shows an upload Undone as soon as its undo is applied here, and offers no second undo', () => {
		const entries = historyEntries(
			[batch('undo', { createdAt: 5000, state: 'queued', undoOf: { id: 'theirs', fileName: 'theirs.xlsx' } })],
			[
				upload('theirs'),
				upload('old', { uploadedAt: 500, undoneBy: 'elsewhere' }),
				upload('nothing', { uploadedAt: 400, counts: counts(0) })
			]
		);
		expect(entries.map((e) => [e.title, e.status, e.canUndo])).toEqual([
			['Undo of theirs.xlsx', 'Waiting to sync', false],
			['theirs.xlsx', 'Undone', false],
			['old.xlsx', 'Undone', false],
			['nothing.xlsx', 'Complete', false]
		]);
	});
});

describe('history entries of User Add', () => {
	it('offer no undo for an upload that only added users, and undo for one that also updated some', () => {
		const addOnly = { rows: 3, added: 3, updated: 0, unchanged: 0, failed: 0, queued: 0 };
		const mixed = { ...addOnly, added: 2, updated: 1 };
		const entries = historyEntries(
			[batch('b-add', { counts: addOnly }), batch('b-mixed', { counts: mixed, createdAt: 2000 })],
			[upload('b-add', { counts: addOnly }), upload('b-mixed', { counts: mixed })]
		);
		expect(entries.map((e) => [e.id, e.canUndo])).toEqual([
			['b-mixed', true],
			['b-add', false]
		]);
	});
});
