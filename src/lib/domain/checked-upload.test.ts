import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CheckedUpload, EDIT_FIELDS, type RowValues } from './checked-upload';
import { describeEdits } from './results';
import { buildPreview, type Preview, type PreviewInput } from './preview';
import type { ColumnMap } from './header-map';
import { ruleContext, sheet, user } from '../testing/factories';

const ctx = ruleContext();

function input(rows: string[][], matching?: ColumnMap): PreviewInput {
	const dataRows = rows.slice(1).filter((r) => r.some((c) => c.trim() !== '')).length;
	return {
		rows,
		fileName: 'users.xlsx',
		sheetName: 'Users',
		declaredCount: dataRows,
		...(matching ? { matching: { columns: matching, notes: [] } } : {})
	};
}

/** What a full check and an incremental one must agree on (the edit marks are the upload's own). */
function comparable(preview: Preview) {
	return {
		header: preview.header,
		columnMap: preview.columnMap,
		blocking: preview.blocking,
		counts: preview.counts,
		headerWarnings: preview.headerWarnings.map((w) => w.message),
		rows: preview.rows.map((r) => ({
			row: r.row,
			cells: r.cells,
			accountId: r.accountId,
			username: r.username,
			status: r.status,
			errors: r.errors.map((e) => e.message),
			warnings: r.warnings.map((w) => w.message),
			diff: r.diff,
			mutation: r.mutation
		}))
	};
}

/** The same without where columns sit: a restored draft adds the columns it needs in its own order. */
function outcomes(preview: Preview) {
	const { rows, counts, blocking } = comparable(preview);
	return { counts, blocking, rows: rows.map(({ cells: _cells, ...rest }) => rest) };
}

function fullCheckOf(upload: CheckedUpload): Preview {
	const rows = upload.editedSheet();
	return buildPreview({ ...input(rows), matching: upload.matchingUsed }, ctx);
}

describe('CheckedUpload: saving an edit', () => {
	it('re-checks the row and updates counts at once', () => {
		const upload = CheckedUpload.check(input(sheet(['1001', 'jdoe', '', 'not-an-email'], ['1001', 'bsmith', 'Robert Smith'])), ctx);
		expect(upload.preview.counts).toMatchObject({ update: 1, failed: 1 });
		const outcome = upload.edit(2, { email: 'jane.new@springfield.example' });
		expect(outcome.status).toBe('update');
		expect(outcome.diff).toEqual([{ field: 'email', from: 'jdoe@springfield.example', to: 'jane.new@springfield.example' }]);
		expect(outcome.edits).toEqual([{ field: 'email', was: 'not-an-email' }]);
		expect(upload.preview.counts).toMatchObject({ rows: 2, update: 2, failed: 0 });
		expect(describeEdits(outcome.edits!)).toBe('Email: was "not-an-email"');
	});

	it('a fixed duplicate frees its twin', () => {
		const upload = CheckedUpload.check(input(sheet(['1001', 'jdoe', 'Janet'], ['1001', 'jdoe', 'Janette'])), ctx);
		expect(upload.preview.counts.failed).toBe(2);
		upload.edit(3, { username: 'bsmith' });
		expect(upload.preview.rows.map((r) => r.status)).toEqual(['update', 'update']);
		expect(upload.preview.counts).toMatchObject({ update: 2, failed: 0 });
		expect(comparable(upload.preview)).toEqual(comparable(fullCheckOf(upload)));
	});

	it('an email made unique frees the other row, and a new clash fails both', () => {
		const upload = CheckedUpload.check(
			input(sheet(['1001', 'jdoe', '', 'same@springfield.example'], ['1001', 'bsmith', '', 'same@springfield.example'])),
			ctx
		);
		expect(upload.preview.rows[0].errors.map((e) => e.message)).toEqual([
			'Row 2, Email: "same@springfield.example" is also in row 3; an email address belongs to one user'
		]);
		upload.edit(3, { email: 'other@springfield.example' });
		expect(upload.preview.counts).toMatchObject({ update: 2, failed: 0 });
		upload.edit(2, { email: 'OTHER@springfield.example' });
		expect(upload.preview.counts).toMatchObject({ update: 0, failed: 2 });
		expect(comparable(upload.preview)).toEqual(comparable(fullCheckOf(upload)));
	});

	it('a value equal to the file is no edit; editing back removes the mark', () => {
		const upload = CheckedUpload.check(input(sheet(['1001', 'jdoe', 'Janet'])), ctx);
		upload.edit(2, { name: 'Janette', email: '' });
		expect(upload.preview.rows[0].edits).toEqual([{ field: 'name', was: 'Janet' }]);
		upload.edit(2, { name: 'Janet' });
		expect(upload.preview.rows[0].edits).toBeUndefined();
		expect(upload.editedRows).toBe(0);
		expect(upload.editedSheet()[1]).toEqual(['1001', 'jdoe', 'Janet']);
	});

	it('a password typed in the editor is applied and described without its value', () => {
		const upload = CheckedUpload.check(input(sheet(['1001', 'jdoe', '', '', 'short'])), ctx);
		expect(upload.preview.rows[0].status).toBe('failed');
		const outcome = upload.edit(2, {}, 'Long-Enough-42');
		expect(outcome.status).toBe('update');
		expect(outcome.mutation?.changes.password).toBe('Long-Enough-42');
		expect(describeEdits(outcome.edits!)).toBe('Password');
		// An empty password later keeps the one typed before.
		expect(upload.edit(2, { name: 'Janet' }, '').mutation?.changes.password).toBe('Long-Enough-42');
		expect(upload.passwordEdited(2)).toBe(true);
	});

	it('a field the file has no column for gets one, headed with its label', () => {
		const upload = CheckedUpload.check(
			input([
				['Account ID', 'Username', 'Notes'],
				['1001', 'jdoe', 'x']
			]),
			ctx
		);
		const outcome = upload.edit(2, { role: 'Student' });
		expect(outcome.mutation?.changes).toEqual({ role: 'Student' });
		expect(upload.preview.header).toEqual(['Account ID', 'Username', 'Notes', 'Role']);
		expect(upload.preview.columnMap.role).toBe(3);
		expect(outcome.edits).toEqual([{ field: 'role', was: '' }]);
		expect(describeEdits(outcome.edits!)).toBe('Role: was blank');
	});

	it('Name matched from First name and Last name reads back as typed', () => {
		const rows = [
			['Account ID', 'Username', 'First', 'Last'],
			['1001', 'jdoe', 'Jane', 'Doe'],
			['1001', 'bsmith', 'Rob', 'Smith']
		];
		const upload = CheckedUpload.check(input(rows, { accountId: 0, username: 1, firstName: 2, lastName: 3 }), ctx);
		expect(upload.preview.rows.map((r) => r.status)).toEqual(['unchanged', 'update']);
		expect(upload.values(3)).toMatchObject({ name: 'Rob Smith' });
		const outcome = upload.edit(3, { name: 'Robert Smith Jr.' });
		expect(outcome.diff).toEqual([{ field: 'name', from: 'Bob Smith', to: 'Robert Smith Jr.' }]);
		expect(outcome.edits).toEqual([{ field: 'name', was: 'Rob Smith' }]);
		expect(upload.values(3).name).toBe('Robert Smith Jr.');
	});

	it('keeps edits through a full re-check and when checked with a draft of edits', () => {
		const rows = sheet(['1001', 'jdoe', '', 'not-an-email'], ['1001', 'bsmith', 'Bob Smith', '', '', 'Janitor']);
		const upload = CheckedUpload.check(input(rows), ctx);
		upload.edit(2, { email: 'ok@springfield.example' });
		upload.edit(3, { role: 'Student' });
		upload.recheck(ruleContext({ users: [user(), user({ username: 'bsmith', name: 'Bob Smith', role: 'Teacher' })] }));
		expect(upload.preview.rows.map((r) => [r.status, r.edits?.map((e) => e.field)])).toEqual([
			['update', ['email']],
			['update', ['role']]
		]);
		const again = CheckedUpload.check(input(rows), ctx, upload.rowEdits());
		expect(again.preview.rows.map((r) => [r.status, r.edits?.length])).toEqual([
			['update', 1],
			['unchanged', 1]
		]);
		// The file's rows are never modified.
		expect(rows[1][3]).toBe('not-an-email');
	});

	it('refuses to edit a row that is not a user row', () => {
		const upload = CheckedUpload.check(input(sheet(['1001', 'jdoe'])), ctx);
		expect(() => upload.edit(1, { name: 'x' })).toThrow(/Row 1 is not a user row/);
		expect(() => upload.edit(9, { name: 'x' })).toThrow(/Row 9/);
	});
});

// ---- property: an incremental re-check equals a full check of the edited sheet -------------------------

const ACCOUNTS = ['1001', '1002', '01015', '1015', '9999', ''];
const USERNAMES = ['jdoe', 'JDOE', 'bsmith', 'gwen', 'ogden', 'ghost'];
const NAMES = ['', 'Jane Doe', 'New Name', ' Spaced '];
const EMAILS = [
	'',
	'a@springfield.example',
	'A@springfield.example',
	'b@springfield.example',
	'gwen@shelbyville.edu',
	'bad',
	'jdoe@springfield.example'
];
const ROLES = ['', 'Teacher', 'student', 'Janitor'];
const PASSWORDS = ['', 'short', 'Long-Enough-1'];

const cellRow = fc.tuple(
	fc.constantFrom(...ACCOUNTS.filter(Boolean)),
	fc.constantFrom(...USERNAMES),
	fc.constantFrom(...NAMES),
	fc.constantFrom(...EMAILS),
	fc.constantFrom(...PASSWORDS),
	fc.constantFrom(...ROLES)
);

const editValues = fc.record(
	{
		accountId: fc.constantFrom(...ACCOUNTS),
		username: fc.constantFrom(...USERNAMES),
		name: fc.constantFrom(...NAMES),
		email: fc.constantFrom(...EMAILS),
		role: fc.constantFrom(...ROLES)
	},
	{ requiredKeys: ['username'] }
) as fc.Arbitrary<Partial<RowValues>>;

const anEdit = fc.record({ at: fc.nat(), values: editValues, password: fc.constantFrom(undefined, '', 'Long-Enough-2', 'tiny') });

/** Layouts: the template, a file without some columns (edits add them), and Name from two columns. */
const LAYOUTS: { header: string[]; pick: (cells: string[]) => string[]; matching?: ColumnMap }[] = [
	{ header: ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'], pick: (c) => c },
	{ header: ['Username', 'Account ID', 'Notes'], pick: (c) => [c[1], c[0], 'note'] },
	{
		header: ['Account ID', 'Username', 'Given', 'Family', 'Email'],
		pick: (c) => [c[0], c[1], c[2].split(' ')[0] ?? '', c[2].split(' ')[1] ?? '', c[3]],
		matching: { accountId: 0, username: 1, firstName: 2, lastName: 3, email: 4 }
	}
];

describe('CheckedUpload: incremental re-check equals a full check', () => {
	it('for random files and random edits', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...LAYOUTS),
				fc.array(cellRow, { minLength: 1, maxLength: 12 }),
				fc.array(anEdit, { minLength: 1, maxLength: 8 }),
				(layout, data, edits) => {
					const rows = [layout.header, ...data.map((cells) => layout.pick([...cells]))];
					const upload = CheckedUpload.check(input(rows, layout.matching), ctx);
					for (const { at, values, password } of edits) {
						const row = 2 + (at % data.length);
						upload.edit(row, values, password);
						expect(comparable(upload.preview)).toEqual(comparable(fullCheckOf(upload)));
					}
					// A fresh check of the file with the same edits agrees too (a draft restored after a reload).
					const restored = CheckedUpload.check(input(rows, layout.matching), ctx, upload.rowEdits());
					expect(outcomes(restored.preview)).toEqual(outcomes(upload.preview));
					expect(restored.preview.rows.map((r) => r.edits)).toEqual(upload.preview.rows.map((r) => r.edits));
					for (const field of EDIT_FIELDS) expect(typeof upload.values(2)[field]).toBe('string');
				}
			),
			{ numRuns: 300 }
		);
	});
});
