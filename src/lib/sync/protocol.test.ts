import { describe, expect, it } from 'vitest';
import { historyRowSchema, isHistoryRow, uploadRowsResponseSchema } from './protocol';

const applied = {
	row: 2,
	cells: ['1001', 'jdoe'],
	status: 'Updated',
	reason: '',
	changed: ['Name'],
	applied: { accountId: '01015', username: 'jdoe', fields: { name: { before: 'A', after: 'B' } }, password: true }
};

describe('history rows on the wire', () => {
	const cases: [string, unknown][] = [
		['an applied row', applied],
		['a failed row', { row: 3, cells: [], status: 'Failed', reason: 'nope', changed: [] }],
		['an added row', { ...applied, status: 'Added', applied: { ...applied.applied, created: true } }],
		['an added row whose created is not true', { ...applied, status: 'Added', applied: { ...applied.applied, created: false } }],
		['a row number that is not a whole number', { ...applied, row: 2.5 }],
		['a number among the cells', { ...applied, cells: ['1001', 7] }],
		['an unknown status', { ...applied, status: 'Done' }],
		['an Account ID that is not digits', { ...applied, applied: { ...applied.applied, accountId: 'x1' } }],
		['a change without its before value', { ...applied, applied: { ...applied.applied, fields: { email: { after: 'x' } } } }],
		['a password that is not a yes or no', { ...applied, applied: { ...applied.applied, password: 'yes' } }],
		['no fields', { ...applied, applied: { ...applied.applied, fields: null } }],
		['null', null],
		['a list', []]
	];
	for (const [what, row] of cases) {
		it(`agree with the schema on ${what}`, () => {
			expect(isHistoryRow(row)).toBe(historyRowSchema.safeParse(row).success);
		});
	}

	it('are checked as a whole page', () => {
		const upload = {
			fileName: 'f.csv',
			sheetName: 's',
			uploadedAt: 1,
			header: [],
			columnMap: {},
			id: 'b',
			admin: 'a',
			receivedAt: 2,
			counts: { rows: 1, updated: 1, unchanged: 0, failed: 0, queued: 0 }
		};
		expect(uploadRowsResponseSchema.safeParse({ protocolVersion: 1, upload, rows: [applied], nextOffset: null }).success).toBe(true);
		// A portal from before User Add counts no added rows: read as 0.
		const parsed = uploadRowsResponseSchema.safeParse({ protocolVersion: 1, upload, rows: [applied], nextOffset: null });
		expect(parsed.success && parsed.data.upload.counts.added).toBe(0);
		expect(uploadRowsResponseSchema.safeParse({ protocolVersion: 1, upload, rows: [applied, { row: 1 }], nextOffset: null }).success).toBe(
			false
		);
	});
});
