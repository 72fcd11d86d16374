// Durable storage of the portal state in the --state directory: a snapshot (state.json, replaced
// atomically via temp file + fsync + rename) plus an append-only journal (journal.ndjson, fsync'd per
// commit) that is folded into a new snapshot once it grows. Also owns the write lock that serialises
// commits, and fail-stop behaviour: after a failed write nothing more is acknowledged until a restart.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset } from '../src/lib/domain/dataset';
import { JournalDamage, journalLine, parseJournal } from './journal';
import { DEFAULT_SEED_COSTS, PortalState, type CommitRecord, type SeedCosts, type Snapshot } from './state';

export interface StoreOptions {
	dir: string;
	/** Seeds a fresh state directory and is what a test reset restores; ignored when state exists. */
	dataset: Dataset;
	seedCosts?: SeedCosts;
	/** Fold the journal into a new snapshot after this many bytes or records. */
	compactAfterBytes?: number;
	compactAfterRecords?: number;
	/** Uploads older than `days` leave the history when the journal is folded into a snapshot. */
	history?: { days: number; now: () => number };
	log?: (line: string) => void;
}

const SNAPSHOT = 'state.json';
const JOURNAL = 'journal.ndjson';
const LOCK = 'lock';

// Directories this process has open; the pid in the lock file cannot tell two in-process stores apart.
const openDirs = new Set<string>();

export class StorageFailedError extends Error {}

/** The state directory cannot be loaded without losing acknowledged changes; nothing in it was touched. */
export class StateDamagedError extends Error {}

export class PortalStore {
	private queue: Promise<unknown> = Promise.resolve();
	private failure: Error | null = null;
	private journalBytes = 0;
	private journalRecords = 0;
	private closing = false;
	private closePromise: Promise<void> | undefined;
	private closed = false;

	private constructor(
		private readonly dir: string,
		private current: PortalState,
		private generation: number,
		private readonly journal: FileHandle,
		private readonly opts: StoreOptions,
		private readonly fingerprint: string,
		/** True when this start seeded the state from the dataset (rather than loading existing state). */
		readonly seeded: boolean
	) {}

	get state(): PortalState {
		return this.current;
	}

	/** True when existing state was seeded from a different dataset than the one given now. */
	get datasetDiffers(): boolean {
		return this.current.datasetFingerprint !== this.fingerprint;
	}

	static async open(opts: StoreOptions): Promise<PortalStore> {
		const dir = path.resolve(opts.dir);
		const log = opts.log ?? (() => {});
		await mkdir(dir, { recursive: true, mode: 0o700 });
		await acquireLock(dir);
		let journal: FileHandle | undefined;
		try {
			const fingerprint = datasetFingerprint(opts.dataset);
			const costs = opts.seedCosts ?? DEFAULT_SEED_COSTS;
			const snapshot = await readSnapshot(path.join(dir, SNAPSHOT));
			journal = await open(path.join(dir, JOURNAL), 'a+', 0o600);
			let store: PortalStore;
			if (!snapshot) {
				// The journal gets its first bytes only after the first snapshot is in place, so a journal
				// with content means a snapshot existed here and is gone.
				if ((await journal.stat()).size > 0) throw new StateDamagedError(missingSnapshotMessage(dir));
				const state = await PortalState.fromDataset(opts.dataset, fingerprint, costs);
				store = new PortalStore(dir, state, 0, journal, opts, fingerprint, true);
				await store.compact();
			} else {
				const state = PortalState.fromSnapshot(snapshot);
				const replayed = await replayJournal(journal, dir, snapshot.generation, state, log);
				store = new PortalStore(dir, state, snapshot.generation, journal, opts, fingerprint, false);
				// Start every run from a clean snapshot so the journal only ever holds this run's commits.
				if (replayed !== 0) await store.compact();
				else await store.resetJournal();
			}
			return store;
		} catch (err) {
			await journal?.close();
			await releaseLock(dir);
			throw err;
		}
	}

	/** Runs `fn` with exclusive write access; commits and compactions never interleave. */
	withLock<T>(fn: () => Promise<T>): Promise<T> {
		// Work queued before close() still runs; work arriving after it is refused.
		if (this.closing) return Promise.reject(new StorageFailedError('the server is shutting down'));
		const run = this.queue.then(() => {
			this.assertWritable();
			return fn();
		});
		this.queue = run.catch(() => {});
		return run;
	}

	assertWritable(): void {
		if (this.failure) throw new StorageFailedError(`state storage failed earlier (${this.failure.message}); restart the server`);
		if (this.closed) throw new StorageFailedError('the store is closed');
	}

	/**
	 * Makes a change durable (journal line + fdatasync) and only then applies it to `state`; call inside
	 * withLock with a record worked out against the current state (see StateDraft). Until the write is
	 * done no pull can see the change, and a failed write leaves memory as it was. A failed write also
	 * stops the store acknowledging anything more: how much of the line reached the file is unknown, and
	 * appending after a partial line would damage the journal.
	 */
	async commit(record: CommitRecord): Promise<void> {
		this.assertWritable();
		const line = journalLine(record);
		try {
			await this.journal.appendFile(line, 'utf8');
			await this.journal.datasync();
		} catch (err) {
			this.failure = err instanceof Error ? err : new Error(String(err));
			throw new StorageFailedError(`could not write the journal: ${this.failure.message}`);
		}
		try {
			this.current.applyRecord(record);
		} catch (err) {
			// On disk but maybe half in memory: only a restart (replaying the journal) is sure to be right.
			this.failure = err instanceof Error ? err : new Error(String(err));
			throw err;
		}
		this.journalBytes += Buffer.byteLength(line);
		this.journalRecords++;
		const big =
			this.journalBytes > (this.opts.compactAfterBytes ?? 16 * 1024 * 1024) ||
			this.journalRecords > (this.opts.compactAfterRecords ?? 5000);
		if (big && !this.closing) {
			// Queued behind the current holder, so the answer that triggered it is not delayed by it.
			void this.withLock(() => this.compact()).catch((err: unknown) => this.opts.log?.(`compaction failed: ${String(err)}`));
		}
	}

	/** Replaces the state with a fresh seed of the dataset (test reset); revs keep growing so clients re-pull everything. */
	async reseed(): Promise<void> {
		const state = await PortalState.fromDataset(
			this.opts.dataset,
			this.fingerprint,
			this.opts.seedCosts ?? DEFAULT_SEED_COSTS,
			this.current.seq
		);
		await this.compact(state);
	}

	/** Waits for queued writes, folds the journal into the snapshot and releases the directory. */
	close(): Promise<void> {
		this.closePromise ??= (async () => {
			this.closing = true;
			await this.queue;
			try {
				if (!this.failure && this.journalRecords > 0) await this.compact();
			} finally {
				this.closed = true;
				await this.journal.close();
				await releaseLock(this.dir);
			}
		})();
		return this.closePromise;
	}

	/** Writes `state` as the new snapshot; it becomes the served state once the snapshot is in place. */
	private async compact(state = this.current): Promise<void> {
		try {
			// Expired uploads are hidden already; dropping them here keeps the snapshot from growing for ever.
			if (this.opts.history) state.history.prune(this.opts.history.now(), this.opts.history.days);
			const generation = this.generation + 1;
			await writeAtomically(path.join(this.dir, SNAPSHOT), JSON.stringify(state.toSnapshot(generation)));
			// From here the snapshot is authoritative: an old-generation journal is ignored on load.
			this.current = state;
			this.generation = generation;
			await this.resetJournal();
		} catch (err) {
			this.failure = err instanceof Error ? err : new Error(String(err));
			throw err;
		}
	}

	private async resetJournal(): Promise<void> {
		await this.journal.truncate(0);
		await this.journal.appendFile(journalLine({ generation: this.generation }), 'utf8');
		await this.journal.sync();
		this.journalBytes = 0;
		this.journalRecords = 0;
	}
}

/** A stable fingerprint of a dataset, so a start with a different --data over existing state can warn. */
export function datasetFingerprint(dataset: Dataset): string {
	return createHash('sha256').update(JSON.stringify(dataset)).digest('hex').slice(0, 16);
}

async function readSnapshot(file: string): Promise<Snapshot | null> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw err;
	}
	// Never silently reseed over a damaged file: it may hold the only copy of applied changes.
	const damaged = (why: string) =>
		new StateDamagedError(
			`${file} ${why}; restore it from a backup, or move the state directory away to start fresh from the dataset. Nothing has been changed.`
		);
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw damaged('is not valid JSON');
	}
	if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== 'portal-state') {
		throw damaged('is not a portal state snapshot');
	}
	return json as Snapshot;
}

function missingSnapshotMessage(dir: string): string {
	return (
		`${path.join(dir, SNAPSHOT)} is missing, but ${path.join(dir, JOURNAL)} is not empty: this directory held a portal state ` +
		`whose snapshot is gone, and seeding a new one from the dataset would throw away every change made here. ` +
		`Nothing has been changed. Restore state.json from a backup; to really start over from the dataset, move the whole directory ${dir} away.`
	);
}

function damagedJournalMessage(dir: string, line: number, reason: string): string {
	const file = path.join(dir, JOURNAL);
	return (
		`${file} line ${line} is damaged (${reason}). Every complete line is a change clients were told is saved, ` +
		`so the server will not start without it; nothing in ${dir} has been changed. Restore the state directory from a backup, ` +
		`or, to give up the changes this journal holds (everything since state.json was last written), move ${file} elsewhere and start again.`
	);
}

/** Applies the journal's records on top of the snapshot they follow; returns how many there were. */
async function replayJournal(
	journal: FileHandle,
	dir: string,
	generation: number,
	state: PortalState,
	log: (line: string) => void
): Promise<number> {
	const text = await journal.readFile('utf8');
	let parsed;
	try {
		parsed = parseJournal(text);
	} catch (err) {
		if (err instanceof JournalDamage) throw new StateDamagedError(damagedJournalMessage(dir, err.line, err.reason));
		throw err;
	}
	const torn = () =>
		log(`ignoring an incomplete last journal entry in ${path.join(dir, JOURNAL)} (a write interrupted by a crash, never acknowledged)`);
	// No complete header: a crash while the journal was being started over, after its entries were folded in.
	if (!parsed.header) {
		if (parsed.tornTail) torn();
		return 0;
	}
	// An older generation was folded into the snapshot before a crash kept the journal from starting over.
	if (parsed.header.generation < generation) return 0;
	if (parsed.header.generation > generation) {
		throw new StateDamagedError(
			`${path.join(dir, JOURNAL)} belongs to a newer state.json (generation ${parsed.header.generation}) than the one in ${dir} ` +
				`(generation ${generation}): state.json was replaced by an older copy, and the changes in between are missing. ` +
				`Nothing has been changed. Put back the state.json that goes with this journal, or restore the whole directory from one backup.`
		);
	}
	for (const { line, record } of parsed.records) {
		try {
			state.applyRecord(record);
		} catch (err) {
			throw new StateDamagedError(
				damagedJournalMessage(dir, line, `it cannot be applied: ${err instanceof Error ? err.message : String(err)}`)
			);
		}
	}
	if (parsed.tornTail) torn();
	return parsed.records.length;
}

async function writeAtomically(file: string, content: string): Promise<void> {
	const tmp = `${file}.tmp`;
	const fh = await open(tmp, 'w', 0o600);
	try {
		await fh.writeFile(content, 'utf8');
		await fh.sync();
	} finally {
		await fh.close();
	}
	await rename(tmp, file);
	// The rename itself is only durable once the directory entry is flushed.
	const dirHandle = await open(path.dirname(file), 'r');
	try {
		await dirHandle.sync();
	} finally {
		await dirHandle.close();
	}
}

async function acquireLock(dir: string): Promise<void> {
	if (openDirs.has(dir)) throw new Error(`state directory ${dir} is already open in this process`);
	const lockFile = path.join(dir, LOCK);
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fh = await open(lockFile, 'wx', 0o600);
			await fh.writeFile(String(process.pid));
			await fh.close();
			openDirs.add(dir);
			return;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
			const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
			if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
				throw new Error(`state directory ${dir} is in use by process ${pid}; stop it or use another --state directory`, { cause: err });
			}
			// Left behind by a crashed run: take it over.
			await rm(lockFile, { force: true });
		}
	}
	throw new Error(`could not lock state directory ${dir}`);
}

async function releaseLock(dir: string): Promise<void> {
	openDirs.delete(dir);
	await rm(path.join(dir, LOCK), { force: true });
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}
