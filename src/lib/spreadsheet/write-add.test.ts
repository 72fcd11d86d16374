// The workbooks of User Add (and of both boxes ticked): the template's instructions, the results'
// Added rows and counts, and the file names. The update workbooks are tested in write.test.ts.
import { describe, expect, it } from 'vitest';
import { buildPreview } from '../domain/preview';
import { finalizeRows, summarize } from '../domain/results';
import { INSTITUTIONS, ROLES, ruleContext, sheet } from '../testing/factories';
import { workbookText } from './read-back';
import { errorsFileName, resultsFileName, templateFileName, writeResults, writeTemplate } from './write';

describe('User Add workbooks', () => {
	it('the template keeps the update template’s columns (one file can add and update) with instructions for new users', async () => {
		const book = workbookText(await writeTemplate({ institutions: INSTITUTIONS, roles: ROLES, action: 'add' }));
		expect(Object.keys(book)).toEqual(['Users', 'Instructions', 'Accounts']);
		expect(book.Users[0]).toEqual(['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role']);
		expect(book.Instructions[0][0]).toBe('Bulk User Add');
		const required = Object.fromEntries(book.Instructions.filter((r) => r.length >= 3).map((r) => [r[0], r[1]]));
		expect(required).toMatchObject({
			'Account ID': 'Required',
			Username: 'Required',
			Name: 'Required',
			Email: 'Required for Google sign-in',
			Password: 'Required for password sign-in',
			Role: 'Required'
		});
		expect(JSON.stringify(book.Instructions)).toContain('3 to 64 characters, letters, digits and . _ -');
	});

	it('the results say Added per row and count added rows on the Summary sheet, with the bulk action', async () => {
		const preview = buildPreview(
			{
				rows: sheet(['1001', 'jdoe', 'Janet Doe'], ['1001', 'kid.one', 'Kid One', '', 'Secret-pass-1', 'Student']),
				fileName: 'both.xlsx',
				sheetName: 'Users',
				declaredCount: 2,
				action: 'add-or-update'
			},
			ruleContext()
		);
		const rows = finalizeRows(preview, () => ({ status: 'applied' }));
		const book = workbookText(
			await writeResults({
				header: preview.header,
				columnMap: preview.columnMap,
				rows,
				fileName: 'both.xlsx',
				admin: 'admin',
				time: new Date(2026, 0, 2),
				summary: summarize(rows),
				action: 'add-or-update'
			})
		);
		expect(book.Results.slice(1).map((r) => [r[1], r[4], r[7]])).toEqual([
			['jdoe', '', 'Updated'],
			['kid.one', '(set)', 'Added']
		]);
		expect(JSON.stringify(book)).not.toContain('Secret-pass-1');
		expect(Object.fromEntries(book.Summary.map((r) => [r[0], r[1]]))).toMatchObject({
			'Bulk action': 'User Add and User Update',
			Added: '1',
			Updated: '1'
		});
	});

	it('names the files after the action', () => {
		const at = new Date(2026, 0, 2, 3, 4, 5);
		expect(templateFileName('add')).toBe('user-add-template.xlsx');
		expect(resultsFileName(at, 'add')).toBe('user-add-results-20260102-030405.xlsx');
		expect(resultsFileName(at, 'add-or-update')).toBe('user-add-update-results-20260102-030405.xlsx');
		expect(errorsFileName(at, 'add')).toBe('user-add-errors-20260102-030405.xlsx');
		expect(resultsFileName(at)).toBe('user-update-results-20260102-030405.xlsx');
	});
});
