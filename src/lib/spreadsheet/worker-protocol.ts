// Typed messages between the main thread and the spreadsheet worker. The main thread only posts bytes
// and renders what comes back; parsing, validation, storage writes for Apply, workbook building and
// the first download of 100,000 users all happen in the worker, so none of it runs on the UI thread.
import type { PreviewRowView, PreviewSummary } from '../domain/preview-view';

export type WorkerRequest =
	| { type: 'preflight'; id: number; fileName: string; bytes: ArrayBuffer; declaredCount: number }
	| { type: 'previewPage'; id: number; offset: number; limit: number; filter: PreviewFilter }
	/** `previewId` names the checked file being applied: the worker applies each one at most once. */
	| { type: 'apply'; id: number; previewId: string; batchId: string; admin: string }
	| { type: 'results'; id: number; batchId: string }
	| { type: 'template'; id: number; withUsers: boolean }
	| { type: 'institutions'; id: number }
	| { type: 'download'; id: number };

export type PreviewFilter = 'all' | 'errors' | 'update' | 'unchanged' | 'warnings';

export type WorkerProgress = { phase: 'downloading' | 'reading' | 'checking' | 'applying' | 'sending' | 'writing'; done: number; total: number };

export type WorkerResponse =
	| { type: 'progress'; id: number; progress: WorkerProgress }
	| { type: 'preview'; id: number; previewId: string; summary: PreviewSummary }
	| { type: 'previewPage'; id: number; rows: PreviewRowView[]; total: number }
	| { type: 'applied'; id: number; batchId: string; counts: { rows: number; updated: number; unchanged: number; failed: number; queued: number } }
	/** A finished workbook as a Blob made in the worker: the page gets a handle, never copies the bytes. */
	| { type: 'file'; id: number; fileName: string; blob: Blob }
	| { type: 'downloaded'; id: number; users: number }
	| { type: 'error'; id: number; message: string };

export type WorkerResult<T extends WorkerResponse['type']> = Extract<WorkerResponse, { type: T }>;
