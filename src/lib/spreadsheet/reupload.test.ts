// The workbooks the portal hands out after a check or an apply, uploaded back: the results workbook (with
// what was edited in the preview) and the rows with errors. Both read without Match columns, their own
// columns ignored with one note.
import { describe, expect, it } from 'vitest';
import { CheckedUpload } from '../domain/checked-upload';
import { errorRowsOfPreview, errorRowsOfResults } from '../domain/error-rows';
import { needsMatching } from '../domain/header-match';
import { mapHeader } from '../domain/header-map';
import { buildPreview } from '../domain/preview';
import { finalizeRows, summarize } from '../domain/results';
import { planApply } from '../domain/apply-plan';
import { INSTITUTIONS, ROLES, ruleContext, sheet } from '../testing/factories';
import { readUploadedSheet } from './read';
import { workbookText } from './read-back';
import { errorsFileName, writeErrorRows, writeResults } from './write';

const ctx = ruleContext();

const book = workbookText;

/** A checked file with one row fixed in the preview and one still failing. */
function editedUpload() {
	const rows = sheet(
		['1001', 'jdoe', '', 'not-an-email', 'Sup3r-Secret-77'],
		['1001', 'bsmith', '', '', '', 'Janitor'],
		['1001', 'ghost', 'Nobody']
	);
	const upload = CheckedUpload.check({ rows, fileName: 'mixed.xlsx', sheetName: 'Users', declaredCount: 3 }, ctx);
	upload.edit(2, { email: 'jane.new@springfield.example' });
	return upload;
}

function resultsOf(upload: CheckedUpload): Promise<Uint8Array> {
	const { preview } = upload;
	const plan = planApply({ ...preview, blocking: null }, ctx);
	return writeResults({
		header: preview.header,
		columnMap: preview.columnMap,
		rows: plan.rows,
		fileName: preview.fileName,
		admin: 'admin',
		time: new Date(2025, 2, 9, 14, 5, 7),
		summary: summarize(plan.rows)
	});
}

describe('the results workbook of an upload edited in the preview', () => {
	it('shows the edited values, and what was edited with the file’s value in "Edited in preview"', async () => {
		const results = book(await resultsOf(editedUpload())).Results;
		expect(results[0]).toEqual([
			'Account ID',
			'Username',
			'Name',
			'Email',
			'Password',
			'Role',
			'Row',
			'Status',
			'Reason',
			'Changed',
			'Edited in preview'
		]);
		expect(results[1]).toEqual([
			'1001',
			'jdoe',
			'',
			'jane.new@springfield.example',
			'(set)',
			'',
			'2',
			'Queued',
			'Saved on this device, to be sent when the portal is reachable',
			'Email, Password',
			'Email: was "not-an-email"'
		]);
		expect(results[2][10]).toBe('');
		expect(JSON.stringify(results)).not.toContain('Sup3r-Secret-77');
	});

	it('has no such column when nothing was edited', async () => {
		const upload = CheckedUpload.check(
			{ rows: sheet(['1001', 'jdoe', 'Janet']), fileName: 'f.xlsx', sheetName: 'Users', declaredCount: 1 },
			ctx
		);
		expect(book(await resultsOf(upload)).Results[0].at(-1)).toBe('Changed');
	});

	it('uploads back: the Results sheet is read, Row, Status, Reason, Changed and Edited in preview are ignored in one note, "(set)" sets no password', async () => {
		const read = readUploadedSheet(await resultsOf(editedUpload()), 'user-update-results-20250309-140507.xlsx');
		expect(read).toMatchObject({ sheetName: 'Results', chosenBecause: 'named-results' });
		const map = mapHeader(read.rows)!;
		expect(needsMatching(map)).toBe(false);
		const preview = buildPreview({ rows: read.rows, fileName: 'results.xlsx', sheetName: read.sheetName, declaredCount: 3 }, ctx);
		expect(preview.blocking).toBeNull();
		expect(preview.headerWarnings.map((w) => w.message)).toEqual([
			'Row 1: Columns "Row", "Status", "Reason", "Changed" and "Edited in preview" hold results of an earlier upload; they are ignored'
		]);
		expect(preview.rows[0].mutation?.changes).toEqual({ email: 'jane.new@springfield.example' });
	});
});

describe('the rows with errors', () => {
	it('from a preview: only the failed rows, as edited, in the template layout with Reason last and no password', async () => {
		const rows = errorRowsOfPreview(editedUpload().preview);
		expect(rows.map((r) => r.row)).toEqual([3, 4]);
		const bytes = await writeErrorRows({ rows, institutions: INSTITUTIONS, roles: ROLES, parentName: 'Springfield Public Schools' });
		const wb = book(bytes);
		expect(Object.keys(wb)).toEqual(['Users', 'Instructions', 'Accounts']);
		expect(wb.Users).toEqual([
			['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Reason'],
			['1001', 'bsmith', '', '', '', 'Janitor', 'Role "Janitor" is not one of Teacher, Student, Administrator'],
			['1001', 'ghost', 'Nobody', '', '', '', 'User ghost not found in account 1001']
		]);
		expect(wb.Instructions.flat().join(' ')).toContain('the Reason column is ignored');
		expect(wb.Accounts.map((r) => r[0])).toContain('01015');
	});

	it('from stored results: the Failed rows, the portal’s rejections included, in template columns whatever the file’s', () => {
		const columns = { username: 0, accountId: 1, firstName: 2, lastName: 3 };
		const rows = errorRowsOfResults(columns, [
			{ row: 2, cells: ['jdoe', '1001', 'Jane', 'Doe'], status: 'Updated', reason: '' },
			{
				row: 3,
				cells: ['bsmith', '1001', 'Bob', 'Smith'],
				status: 'Failed',
				reason: 'Email was changed by someone else since this file was checked'
			}
		]);
		expect(rows).toEqual([
			{
				row: 3,
				values: { accountId: '1001', username: 'bsmith', name: 'Bob Smith', email: '', role: '' },
				reason: 'Email was changed by someone else since this file was checked'
			}
		]);
	});

	it('uploads back without Match columns; Reason is ignored with one note', async () => {
		const bytes = await writeErrorRows({ rows: errorRowsOfPreview(editedUpload().preview), institutions: INSTITUTIONS, roles: ROLES });
		const read = readUploadedSheet(bytes, errorsFileName(new Date()));
		expect(read.sheetName).toBe('Users');
		expect(needsMatching(mapHeader(read.rows)!)).toBe(false);
		const fixed = read.rows.map((r, i) => (i === 1 ? [...r.slice(0, 5), 'Student', r[6]] : r));
		const preview = buildPreview({ rows: fixed, fileName: 'errors.xlsx', sheetName: 'Users', declaredCount: 2 }, ctx);
		expect(preview.headerWarnings.map((w) => w.reason)).toEqual(['Column "Reason" holds results of an earlier upload; it is ignored']);
		expect(preview.rows.map((r) => r.status)).toEqual(['unchanged', 'failed']);
	});

	it('is named user-update-errors-YYYYMMDD-HHmmss.xlsx', () => {
		expect(errorsFileName(new Date(2025, 2, 9, 14, 5, 7))).toBe('user-update-errors-20250309-140507.xlsx');
	});
});

describe('finalizeRows', () => {
	it('describes each edited field with the file’s value, and a password only by name', () => {
		const upload = CheckedUpload.check(
			{ rows: sheet(['1001', 'jdoe', 'Jane Doe', '', '']), fileName: 'f', sheetName: 'Users', declaredCount: 1 },
			ctx
		);
		upload.edit(2, { name: 'Janet Doe', role: 'Student' }, 'New-Password-9');
		expect(finalizeRows(upload.preview, () => ({ status: 'applied' }))[0].edited).toBe('Name: was "Jane Doe"; Password; Role: was blank');
	});
});
