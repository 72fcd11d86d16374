// The dialog's Apply flow against a mocked worker: what the admin is told, and what is asked of the worker.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PreviewSummary } from '../domain/preview-view';

const mocks = vi.hoisted(() => ({
	request: vi.fn(),
	saveFile: vi.fn(),
	getBatchRecord: vi.fn()
}));

vi.mock('./spreadsheets', () => ({ spreadsheets: { request: mocks.request, cancel: () => undefined } }));
vi.mock('./save-file', () => ({ saveFile: mocks.saveFile }));
vi.mock('../storage/batches-repo', () => ({ getBatchRecord: mocks.getBatchRecord }));
vi.mock('./session.svelte', () => ({
	session: { owner: { username: 'admin' }, expired: false },
	describe: (e: unknown) => (e instanceof Error ? e.message : String(e))
}));
vi.mock('./sync.svelte', () => ({ sync: { run: async () => undefined } }));
vi.mock('./connectivity.svelte', () => ({ connectivity: { worthTrying: false } }));

const { BulkUploadState } = await import('./bulk-upload.svelte');

const COUNTS = { rows: 2, updated: 1, unchanged: 0, failed: 1, queued: 0 };

function summary(): PreviewSummary {
	return {
		fileName: 'long.csv',
		sheetName: 'long',
		sheetNote: null,
		format: 'csv',
		encoding: 'UTF-8',
		delimiter: ',',
		declaredCount: 2,
		blocking: null,
		counts: { rows: 2, update: 1, unchanged: 0, failed: 1, warnings: 0 },
		notices: []
	};
}

/** A dialog showing a checked file, as after a successful upload. */
function previewing() {
	const state = new BulkUploadState();
	state.open = true;
	state.summary = summary();
	state.step = 'preview';
	return state;
}

beforeEach(() => {
	mocks.request.mockReset();
	mocks.saveFile.mockReset();
	mocks.getBatchRecord.mockReset();
	mocks.getBatchRecord.mockResolvedValue({ id: 'b1', state: 'done', counts: COUNTS });
});

describe('Apply', () => {
	it('reports what was applied when the results workbook cannot be written, and points to the history', async () => {
		mocks.request.mockImplementation(async (body: { type: string }) => {
			if (body.type === 'apply') return { type: 'applied', id: 1, batchId: 'b1', counts: COUNTS };
			if (body.type === 'results') throw new Error('Text length must not exceed 32767 characters');
			throw new Error(`unexpected ${body.type}`);
		});
		const state = previewing();
		await state.apply();
		expect(state.step).toBe('done');
		expect(state.completion).toMatchObject({ updated: 1, failed: 1, queued: 0, fileName: null });
		expect(state.error).toMatch(/applied/);
		expect(state.error).toMatch(/Upload history/);
		expect(mocks.saveFile).not.toHaveBeenCalled();
	});
});
