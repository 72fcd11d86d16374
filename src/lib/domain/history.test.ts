import { describe, expect, it } from 'vitest';
import {
	fitRecordPart,
	historyCounts,
	historyRow,
	recordParts,
	RECORD_CELL_MAX,
	RECORD_PART_CHARS,
	uploadTitle,
	type RecordRow,
	type RecordMeta
} from './history';
import { QUEUED_REASON } from './results';

const META: RecordMeta = {
	fileName: 'roster.xlsx',
	sheetName: 'Users',
	uploadedAt: 1_700_000_000_000,
	header: ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'],
	columnMap: { accountId: 0, username: 1, name: 2, email: 3, password: 4, role: 5 }
};

function rows(n: number): RecordRow[] {
	return Array.from({ length: n }, (_, i) => ({
		row: i + 2,
		cells: ['1001', `user${i}`, `A rather long new name for user number ${i}`, `user${i}@example.org`, '(set)', 'Student'],
		status: 'Queued',
		reason: QUEUED_REASON,
		changed: ['Name', 'Email', 'Password'],
		m: i + 1
	}));
}

describe('upload record parts', () => {
	it('keeps a small upload in one part that carries the upload’s facts', () => {
		const parts = recordParts(META, rows(3));
		expect(parts).toHaveLength(1);
		expect(parts[0]).toMatchObject({ part: 0, parts: 1, meta: META });
		expect(parts[0].rows.map((r) => r.m)).toEqual([1, 2, 3]);
		// The device's "waiting to be sent" note is its own business.
		expect(parts[0].rows[0].reason).toBe('');
	});

	it('cuts 100,000 rows into parts that each stay under a push body’s limit, in row order, losing none', () => {
		const all = rows(100_000);
		const parts = recordParts(META, all);
		expect(parts.length).toBeGreaterThan(10);
		for (const part of parts) {
			expect(part.parts).toBe(parts.length);
			// UTF-8 takes at most 3 bytes per character: under 1 MB whatever the text.
			expect(JSON.stringify(part).length * 3).toBeLessThan(1024 * 1024);
			expect(JSON.stringify(part.rows).length).toBeLessThanOrEqual(RECORD_PART_CHARS);
			// Even if the portal rejected every row of it with a reason as long as history keeps.
			const rejected = fitRecordPart({ ...part, rows: part.rows.map((r) => ({ ...r, reason: 'é'.repeat(RECORD_CELL_MAX) })) });
			expect(Buffer.byteLength(JSON.stringify(rejected))).toBeLessThan(1024 * 1024);
			expect(rejected.rows[0].reason).toHaveLength(100);
		}
		expect(parts.slice(1).every((p) => p.meta === undefined)).toBe(true);
		expect(parts.flatMap((p) => p.rows).map((r) => r.row)).toEqual(all.map((r) => r.row));
	});

	it('shortens cells longer than history keeps, and never drops a row, however long', () => {
		const long: RecordRow = {
			row: 2,
			cells: ['1001', 'jdoe', 'x'.repeat(40_000)],
			status: 'Failed',
			reason: 'y'.repeat(2000),
			changed: []
		};
		const [part] = recordParts(META, [long]);
		expect(part.rows[0].cells[2]).toHaveLength(RECORD_CELL_MAX);
		expect(part.rows[0].cells[2].endsWith('…')).toBe(true);
		expect(part.rows[0].reason).toHaveLength(RECORD_CELL_MAX);
	});

	it('sends one (empty) part for an upload without rows, so it still reaches the history', () => {
		expect(recordParts(META, [])).toEqual([{ part: 0, parts: 1, meta: META, rows: [] }]);
	});
});

describe('history rows', () => {
	const sent: RecordRow = { row: 2, cells: ['1001', 'jdoe', 'New'], status: 'Queued', reason: '', changed: ['Name'], m: 7 };
	const change = { accountId: '1001', username: 'jdoe', fields: { name: { before: 'Old', after: 'New' } }, password: false };

	it('take the portal’s word for a row it answered', () => {
		expect(historyRow(sent, { status: 'applied', change })).toMatchObject({ status: 'Updated', applied: change, changed: ['Name'] });
		expect(historyRow(sent, { status: 'rejected', reason: 'Name was changed by someone else since this file was checked' })).toEqual({
			row: 2,
			cells: sent.cells,
			status: 'Failed',
			reason: 'Name was changed by someone else since this file was checked',
			changed: []
		});
		expect(historyRow({ ...sent, status: 'Unchanged', m: undefined }, undefined).status).toBe('Unchanged');
	});

	it('count like the results workbook does', () => {
		const list = [historyRow(sent, { status: 'applied', change }), historyRow({ ...sent, status: 'Failed' }, undefined)];
		expect(historyCounts(list)).toEqual({ rows: 2, added: 0, updated: 1, unchanged: 0, failed: 1, queued: 0 });
	});

	it('name an undo after the upload it takes back', () => {
		expect(uploadTitle({ fileName: 'roster.xlsx' })).toBe('roster.xlsx');
		expect(uploadTitle({ fileName: 'roster.xlsx', undoOf: { id: 'b1', fileName: 'roster.xlsx' } })).toBe('Undo of roster.xlsx');
	});
});
