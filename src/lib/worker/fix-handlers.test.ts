// Fixing an upload in place through the data worker's calls, in process, with fake-indexeddb holding a
// signed-in admin's users: Match columns, Save row, the draft across a "reload", rows with errors.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db, wipeDatabase } from '../storage/db';
import { getDraft } from '../storage/draft-repo';
import { syncOnce } from '../sync/engine';
import { inProcessDataWorker, lincolnPortal, signInDevice } from '../testing/signed-in-worker';
import { useDataTransport } from './handlers';
import { workbookText } from '../spreadsheet/read-back';
import { holdFile } from './checked-file';

const worker = inProcessDataWorker();
const portal = lincolnPortal();

beforeAll(() => signInDevice(portal));
afterAll(async () => {
	await wipeDatabase();
});
beforeEach(async () => {
	await db().meta.delete('uploadDraft');
	await db().meta.delete('columnMatchings');
});

const bytesOf = (csv: string) => new TextEncoder().encode(csv).buffer as ArrayBuffer;
const PAGE = { offset: 0, limit: 50, filter: 'all' as const };
const MIXED =
	'Account ID,Username,Name,Email,Password,Role\r\n1001,jdoe,,not-an-email,,\r\n1001,bsmith,,,,Janitor\r\n1001,jdoe,Janet,,,\r\n';

async function preflight(csv: string, declaredCount: number, fileName = 'users.csv') {
	return worker.call('preflight', { fileName, bytes: bytesOf(csv), declaredCount });
}

async function book(blob: Blob) {
	return workbookText(new Uint8Array(await blob.arrayBuffer()));
}

describe('Save row', () => {
	it('re-checks the row and its twin, answers with the counts and the page, and keeps the edit in a draft', async () => {
		const first = await preflight(MIXED, 3);
		if (first.match) throw new Error('no matching expected');
		expect(first.summary.counts).toMatchObject({ update: 0, failed: 3 });
		const values = { accountId: '1001', username: 'jdoe', name: '', email: 'jane.new@example.org', role: '' };
		const saved = await worker.call('editRow', { previewId: first.previewId, row: 2, values, page: { ...PAGE, filter: 'errors' } });
		// Row 2 is still a duplicate of row 4: fixing its email does not free it.
		expect(saved.row).toMatchObject({ row: 2, status: 'failed', edited: ['Email'] });
		const twin = await worker.call('editRow', {
			previewId: first.previewId,
			row: 4,
			values: { accountId: '1001', username: 'bsmith', name: 'Janet', email: '', role: '' },
			page: { ...PAGE, filter: 'errors' }
		});
		expect(twin.summary.counts).toMatchObject({ update: 1, failed: 2 });
		expect(twin.summary.edited).toBe(2);
		// The filter shows errors: rows 2 and 4 … row 2 updates now, row 4 is bsmith twice with row 3.
		expect(twin.page.rows.map((r) => [r.row, r.status])).toEqual([
			[3, 'failed'],
			[4, 'failed']
		]);
		expect(twin.page.rows[1].errors[0]).toMatch(/Duplicate of row 3/);
		const draft = await getDraft();
		expect(draft?.edits.map((e) => [e.row, e.values])).toEqual([
			[2, { email: 'jane.new@example.org' }],
			[4, { username: 'bsmith' }]
		]);
	});

	it('seals a typed password in the draft and brings it back for the same file after a reload', async () => {
		const csv = 'Account ID,Username,Password\r\n1001,jdoe,short\r\n';
		const first = await preflight(csv, 1);
		if (first.match) throw new Error('no matching expected');
		const values = { accountId: '1001', username: 'jdoe', name: '', email: '', role: '' };
		const saved = await worker.call('editRow', { previewId: first.previewId, row: 2, values, password: 'Typed-Secret-42', page: PAGE });
		expect(saved.row).toMatchObject({ status: 'update', passwordEdited: true, edited: ['Password'] });
		const draft = await getDraft();
		expect(JSON.stringify(draft, (_k, v) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v))).not.toContain('Typed-Secret-42');
		expect(draft?.edits[0].password?.data).toBeInstanceOf(ArrayBuffer);

		// A reload: the worker holds nothing; the admin chooses the same file again.
		holdFile(undefined);
		expect(await worker.call('draftStatus')).toMatchObject({ fileName: 'users.csv', editedRows: 1, held: false, declaredCount: 1 });
		const again = await preflight(csv, 1);
		if (again.match) throw new Error('no matching expected');
		expect(again.summary.notices[0]).toBe('Your edits to 1 row of this file were kept on this device and are applied again.');
		expect(again.summary.counts).toMatchObject({ update: 1, failed: 0 });
		const page = await worker.call('previewPage', PAGE);
		expect(page.rows[0].changes).toEqual([{ field: 'Password', from: '', to: 'will be reset' }]);
	});

	it('does not apply a draft to another file, and keeps that draft', async () => {
		const first = await preflight(MIXED, 3);
		if (first.match) throw new Error('no matching expected');
		await worker.call('editRow', {
			previewId: first.previewId,
			row: 3,
			values: { accountId: '1001', username: 'bsmith', name: '', email: '', role: 'Teacher' },
			page: PAGE
		});
		const other = await preflight(MIXED.replace('Janitor', 'Janitors'), 3);
		if (other.match) throw new Error('no matching expected');
		expect(other.summary.edited).toBe(0);
		expect((await getDraft())?.fileName).toBe('users.csv');
	});

	it('Continue editing while the worker holds the file; Discard edits drops the draft and the edits', async () => {
		const first = await preflight(MIXED, 3);
		if (first.match) throw new Error('no matching expected');
		await worker.call('editRow', {
			previewId: first.previewId,
			row: 3,
			values: { accountId: '1001', username: 'bsmith', name: '', email: '', role: 'Teacher' },
			page: PAGE
		});
		expect((await worker.call('draftStatus'))?.held).toBe(true);
		expect((await worker.call('resumeDraft')).summary.edited).toBe(1);
		await worker.call('discardDraft');
		expect(await worker.call('draftStatus')).toBeNull();
		await expect(worker.call('resumeDraft')).rejects.toThrow(/Choose it again/);
	});
});

describe('Match columns', () => {
	const GOOGLE =
		'First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Org Unit Path [Required],Account ID,Username\r\n' +
		'Janet,Doe,jdoe@example.org,,/Students,1001,jdoe\r\nRobert,Smith,bsmith@example.org,,/Students,1001,bsmith\r\n';

	it('proposes guesses, checks the held rows on Continue, and remembers the matching for the same headers', async () => {
		const first = await preflight(GOOGLE, 2, 'google.csv');
		if (!first.match) throw new Error('matching expected');
		expect(first.match.columns.map((c) => [c.header, c.target])).toEqual([
			['First Name [Required]', 'firstName'],
			['Last Name [Required]', 'lastName'],
			['Email Address [Required]', 'email'],
			['Password [Required]', 'password'],
			['Org Unit Path [Required]', 'ignore'],
			['Account ID', 'accountId'],
			['Username', 'username']
		]);
		const checked = await worker.call('matchColumns', {
			previewId: first.previewId,
			choices: first.match.columns.map((c) => ({ index: c.index, target: c.target }))
		});
		expect(checked.summary.counts).toMatchObject({ update: 2, failed: 0 });
		expect(checked.summary.notices).toContain('Row 1: Column "Org Unit Path [Required]" is not used (you chose to ignore it)');
		const page = await worker.call('previewPage', PAGE);
		expect(page.rows.map((r) => r.changes)).toEqual([
			[{ field: 'Name', from: 'Jane Doe', to: 'Janet Doe' }],
			[{ field: 'Name', from: 'Bob Smith', to: 'Robert Smith' }]
		]);

		const again = await preflight(GOOGLE, 2, 'google-again.csv');
		if (!again.match) throw new Error('matching expected');
		expect(again.match.columns[0].reason).toMatch(/^Matched like your upload of "google.csv" on /);
	});

	it('refuses a matching without Username, naming what to do', async () => {
		const first = await preflight('Acct,Login,Notes\r\n1001,jdoe,x\r\n', 1);
		if (!first.match) throw new Error('matching expected');
		const choices = [
			{ index: 0, target: 'accountId' as const },
			{ index: 1, target: 'ignore' as const }
		];
		await expect(worker.call('matchColumns', { previewId: first.previewId, choices })).rejects.toThrow(
			'Choose the column that holds the Username.'
		);
	});
});

describe('Download rows with errors', () => {
	it('from the preview, and after Apply from the upload, with the draft gone', async () => {
		const first = await preflight(MIXED, 3);
		if (first.match) throw new Error('no matching expected');
		await worker.call('editRow', {
			previewId: first.previewId,
			row: 4,
			values: { accountId: '1001', username: 'bsmith', name: 'Bobby', email: '', role: '' },
			page: PAGE
		});
		const fromPreview = await book((await worker.call('errorRows', {})).blob);
		expect(fromPreview.Users).toEqual([
			['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Reason'],
			['1001', 'jdoe', '', 'not-an-email', '', '', 'Email "not-an-email" is not a valid email address'],
			[
				'1001',
				'bsmith',
				'',
				'',
				'',
				'Janitor',
				expect.stringMatching(/^Role "Janitor" is not one of Student, Teacher; Duplicate of row 4/)
			],
			['1001', 'bsmith', 'Bobby', '', '', '', expect.stringMatching(/^Duplicate of row 3/)]
		]);
		await worker.call('apply', { previewId: first.previewId, batchId: 'b-errors', admin: 'admin' });
		expect(await getDraft()).toBeUndefined();
		const file = await worker.call('errorRows', { batchId: 'b-errors' });
		expect(file.fileName).toMatch(/^user-update-errors-\d{8}-\d{6}\.xlsx$/);
		expect((await book(file.blob)).Users.length).toBe(4);
	});
});

describe('Download rows with errors of an upload the portal keeps', () => {
	it('reads the Failed rows from the portal’s rows, as on a device that never had the upload', async () => {
		useDataTransport(portal);
		const first = await preflight('Account ID,Username,Role\r\n1001,jdoe,Teacher\r\n1001,bsmith,Janitor\r\n', 2);
		if (first.match) throw new Error('no matching expected');
		await worker.call('apply', { previewId: first.previewId, batchId: 'b-portal', admin: 'admin' });
		await syncOnce(portal);
		await db().batches.clear();
		await db().batchRows.clear();
		const file = await worker.call('errorRows', { uploadId: 'b-portal' });
		expect((await book(file.blob)).Users).toEqual([
			['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role', 'Reason'],
			['1001', 'bsmith', '', '', '', 'Janitor', 'Role "Janitor" is not one of Student, Teacher']
		]);
	});
});
