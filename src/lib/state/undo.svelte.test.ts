// The Undo upload dialog's flow against a mocked worker: what the admin is told, and what is asked of the worker.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const mocks = vi.hoisted(() => ({ request: vi.fn(), saveFile: vi.fn(), getBatchRecord: vi.fn() }));

vi.mock('../worker/client', () => ({
	dataWorker: { call: (name: string, args: object) => mocks.request({ type: name, ...args }) }
}));
vi.mock('./save-file', () => ({ saveFile: mocks.saveFile }));
vi.mock('../storage/batches-repo', () => ({ getBatchRecord: mocks.getBatchRecord }));
vi.mock('./session.svelte', () => ({
	session: { owner: { username: 'admin' }, expired: false },
	describe: (e: unknown) => (e instanceof Error ? e.message : String(e))
}));
vi.mock('./sync.svelte', () => ({ sync: { run: async () => undefined, onBatchFinished: () => () => undefined, notify: () => undefined } }));
vi.mock('./connectivity.svelte', () => ({ connectivity: { worthTrying: false } }));

const { UndoState } = await import('./undo.svelte');

const COUNTS = { rows: 3, updated: 2, unchanged: 1, failed: 0, queued: 0 };
const SUMMARY = {
	uploadId: 'b1',
	title: 'roster.csv',
	uploadedAt: 1,
	counts: { rows: 3, users: 2, fieldsRestored: 2, fieldsKept: 1, passwordsStay: 0, notRestored: 1 }
};

async function previewing() {
	const state = new UndoState();
	mocks.request.mockResolvedValueOnce({ undoId: 'u-1', summary: SUMMARY });
	mocks.request.mockResolvedValueOnce({ rows: [], total: 3 });
	await state.openFor({ id: 'b1', title: 'roster.csv' });
	expect(state.step).toBe('preview');
	return state;
}

beforeEach(() => {
	mocks.request.mockReset();
	mocks.saveFile.mockReset();
	mocks.getBatchRecord.mockReset();
	mocks.getBatchRecord.mockResolvedValue({ id: 'u1', state: 'done', counts: COUNTS });
});

describe('Undo upload', () => {
	it('works the undo out in the worker for the entry, and applies it once, downloading its results', async () => {
		const state = await previewing();
		expect(mocks.request.mock.calls[0][0]).toEqual({ type: 'undoPreview', uploadId: 'b1' });
		mocks.request.mockImplementation(async (body: { type: string }) => {
			if (body.type === 'applyUndo') return COUNTS;
			if (body.type === 'results') return { fileName: 'user-update-undo-results-20250101-000000.xlsx', blob: new Blob([]) };
			throw new Error(`unexpected ${body.type}`);
		});
		await Promise.all([state.apply(), state.apply()]);
		expect(mocks.request.mock.calls.filter(([b]) => b.type === 'applyUndo')).toEqual([
			[expect.objectContaining({ type: 'applyUndo', undoId: 'u-1', admin: 'admin' })]
		]);
		expect(state.step).toBe('done');
		expect(state.completion).toMatchObject({ updated: 2, unchanged: 1, fileName: 'user-update-undo-results-20250101-000000.xlsx' });
		expect(mocks.saveFile).toHaveBeenCalledTimes(1);
	});

	it('says nothing was undone and stays on the preview when applying fails', async () => {
		const state = await previewing();
		mocks.request.mockRejectedValueOnce(new Error('There is no undo to apply. Close this window and select Undo again.'));
		await state.apply();
		expect(state.step).toBe('preview');
		expect(state.error).toBe('Nothing was undone: There is no undo to apply. Close this window and select Undo again.');
	});

	it('explains what to do when the upload’s rows cannot be had (offline, never fetched)', async () => {
		const state = new UndoState();
		mocks.request.mockRejectedValueOnce(new Error('The portal cannot be reached. Check the network connection.'));
		await state.openFor({ id: 'b1', title: 'roster.csv' });
		expect(state.summary).toBeNull();
		expect(state.error).toMatch(/^The undo could not be prepared: The portal cannot be reached\. .*Nothing was changed\./);
		expect(state.error).toMatch(/connect once/);
	});
});
