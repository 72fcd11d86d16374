// The dialog against a mocked worker: what the admin is told, and what is asked of the worker (the size
// check before reading, and the Apply flow).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PreviewSummary } from '../domain/preview-view';
import { SpreadsheetError } from '../spreadsheet/errors';
import { DEFAULT_LIMITS } from '../spreadsheet/limits';
import { readUploadedSheet } from '../spreadsheet/read';

const mocks = vi.hoisted(() => ({
	request: vi.fn(),
	saveFile: vi.fn(),
	getBatchRecord: vi.fn()
}));

// The worker's calls as one mock taking { type: name, ...args }, so each test can answer by name.
vi.mock('../worker/client', () => ({
	dataWorker: { call: (name: string, args: object) => mocks.request({ type: name, ...args }), cancel: () => undefined },
	CancelledError: class extends Error {},
	TimeLimitError: class extends Error {}
}));
vi.mock('./save-file', () => ({ saveFile: mocks.saveFile }));
vi.mock('../storage/batches-repo', () => ({ getBatchRecord: mocks.getBatchRecord }));
vi.mock('./session.svelte', () => ({
	session: { owner: { username: 'admin' }, expired: false },
	describe: (e: unknown) => (e instanceof Error ? e.message : String(e))
}));
vi.mock('./sync.svelte', () => ({ sync: { run: async () => undefined, onBatchFinished: () => () => undefined, notify: () => undefined } }));
vi.mock('./connectivity.svelte', () => ({ connectivity: { worthTrying: false } }));

const { BulkUploadState } = await import('./bulk-upload.svelte');

const COUNTS = { rows: 2, added: 0, updated: 1, unchanged: 0, failed: 1, queued: 0 };

function summary(): PreviewSummary {
	return {
		action: 'update',
		fileName: 'long.csv',
		sheetName: 'long',
		sheetNote: null,
		format: 'csv',
		encoding: 'UTF-8',
		delimiter: ',',
		declaredCount: 2,
		blocking: null,
		counts: { rows: 2, update: 1, add: 0, unchanged: 0, failed: 1, warnings: 0 },
		edited: 0,
		notices: [],
		largeChange: null
	};
}

/** A dialog showing a checked file, as after a successful upload. */
async function previewing() {
	const state = new BulkUploadState();
	state.open = true;
	state.declaredCount = 2;
	state.file = new File(['Account ID,Username\n'], 'long.csv');
	mocks.request.mockResolvedValueOnce({ previewId: 'p-1', summary: summary() });
	mocks.request.mockResolvedValueOnce({ rows: [], total: 0 });
	await state.upload();
	expect(state.step).toBe('preview');
	return state;
}

function applyRequests() {
	return mocks.request.mock.calls.map(([body]) => body).filter((body) => body.type === 'apply');
}

beforeEach(() => {
	mocks.request.mockReset();
	mocks.saveFile.mockReset();
	mocks.getBatchRecord.mockReset();
	mocks.getBatchRecord.mockResolvedValue({ id: 'b1', state: 'done', counts: COUNTS });
});

describe('Apply', () => {
	it('reports what was applied when the results workbook cannot be written, and points to the history', async () => {
		const state = await previewing();
		mocks.request.mockImplementation(async (body: { type: string }) => {
			if (body.type === 'apply') return COUNTS;
			if (body.type === 'results') throw new Error('Text length must not exceed 32767 characters');
			throw new Error(`unexpected ${body.type}`);
		});
		await state.apply();
		expect(state.step).toBe('done');
		expect(state.completion).toMatchObject({ updated: 1, failed: 1, queued: 0, fileName: null });
		expect(state.error).toMatch(/applied/);
		expect(state.error).toMatch(/Upload history/);
		expect(mocks.saveFile).not.toHaveBeenCalled();
	});

	it('asks the worker once for two clicks in one task, naming the checked file', async () => {
		const state = await previewing();
		let finish!: () => void;
		mocks.request.mockImplementation(async (body: { type: string }) => {
			if (body.type === 'apply') {
				await new Promise<void>((resolve) => (finish = resolve));
				return COUNTS;
			}
			if (body.type === 'results') return { fileName: 'user-update-results.xlsx', blob: new Blob([]) };
			throw new Error(`unexpected ${body.type}`);
		});
		const clicks = [state.apply(), state.apply()];
		await vi.waitFor(() => expect(applyRequests()).toHaveLength(1));
		finish();
		await Promise.all(clicks);
		expect(applyRequests()).toEqual([expect.objectContaining({ previewId: 'p-1' })]);
		expect(mocks.saveFile).toHaveBeenCalledTimes(1);
		expect(state.step).toBe('done');
		// The dialog shows the outcome; nothing can apply the same file again from there.
		await state.apply();
		expect(applyRequests()).toHaveLength(1);
	});

	it('lets the admin try again when Apply failed before anything was applied', async () => {
		const state = await previewing();
		mocks.request.mockRejectedValueOnce(
			new Error(
				'Users on this device kept changing while the upload was being applied (a sync was running), so nothing was applied. Select Apply again.'
			)
		);
		await state.apply();
		expect(state.step).toBe('preview');
		mocks.request.mockImplementation(async (body: { type: string }) => {
			if (body.type === 'apply') return COUNTS;
			return { fileName: 'user-update-results.xlsx', blob: new Blob([]) };
		});
		await state.apply();
		expect(state.step).toBe('done');
		expect(applyRequests()).toHaveLength(2);
	});
});

describe('the size limit', () => {
	/** What the reader in the worker says about `size` bytes. */
	function readerSays(fileName: string, size: number): string {
		try {
			readUploadedSheet(new Uint8Array(size), fileName);
		} catch (error) {
			if (error instanceof SpreadsheetError) return error.message;
			throw error;
		}
		throw new Error('expected a refusal');
	}

	it.each([DEFAULT_LIMITS.maxFileBytes + 1, 77_000_000])(
		'a file of %d bytes is refused before it is read, in the same words as the reader',
		async (size) => {
			const state = new BulkUploadState();
			state.declaredCount = 2;
			state.file = { name: 'big.xlsx', size } as File;
			await state.upload();
			expect(mocks.request).not.toHaveBeenCalled();
			expect(state.step).toBe('action');
			expect(state.error).toBe(readerSays('big.xlsx', size));
		}
	);
});
