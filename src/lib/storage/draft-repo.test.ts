import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { wipeDatabase } from './db';
import { deleteDraft, getDraft, putDraft, type UploadDraft } from './draft-repo';
import { findMatching, MAX_REMEMBERED, rememberMatching } from './column-matchings-repo';

afterEach(async () => {
	await wipeDatabase();
});

const draft = (fileHash: string): UploadDraft => ({
	fileName: 'mixed.xlsx',
	fileSize: 1234,
	fileHash,
	sheetName: 'Users',
	declaredCount: 14,
	edits: [{ row: 8, values: { email: 'jdoe.1004@example.org' }, password: { iv: new Uint8Array(12), data: new ArrayBuffer(16) } }],
	savedAt: 1
});

describe('upload draft', () => {
	it('is kept until deleted, and deleting another file’s draft leaves it', async () => {
		expect(await getDraft()).toBeUndefined();
		await putDraft(draft('aa'));
		expect((await getDraft())?.edits[0]).toMatchObject({ row: 8, values: { email: 'jdoe.1004@example.org' } });
		await deleteDraft('bb');
		expect(await getDraft()).toBeDefined();
		await deleteDraft('aa');
		expect(await getDraft()).toBeUndefined();
	});
});

describe('remembered column matchings', () => {
	it('are found by the exact header row, the newest first, at most MAX_REMEMBERED', async () => {
		await rememberMatching('["Login","Acct"]', { fileName: 'a.csv', usedAt: 1, targets: ['username', 'accountId'] });
		await rememberMatching('["Login","Acct"]', { fileName: 'b.csv', usedAt: 2, targets: ['username', 'accountId'] });
		expect(await findMatching('["Login","Acct"]')).toEqual({ fileName: 'b.csv', usedAt: 2, targets: ['username', 'accountId'] });
		expect(await findMatching('["Acct","Login"]')).toBeUndefined();
		for (let i = 0; i < MAX_REMEMBERED; i++) await rememberMatching(`k${i}`, { fileName: 'x', usedAt: i, targets: [] });
		expect(await findMatching('["Login","Acct"]')).toBeUndefined();
		expect(await findMatching(`k${MAX_REMEMBERED - 1}`)).toBeDefined();
	});
});
