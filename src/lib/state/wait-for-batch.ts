// After an Apply (an upload or an undo): push now and wait a while, so the results workbook carries the
// portal's final word per row. Rows still unanswered when the wait ends stay Queued in it.
import { getBatchRecord } from '../storage/batches-repo';
import { watch } from '../storage/live';
import { connectivity } from './connectivity.svelte';
import { session } from './session.svelte';
import { sync } from './sync.svelte';

export const SEND_WAIT_MS = 20_000;

/**
 * Waits (at most SEND_WAIT_MS) until every row of the batch has the portal's answer, reporting how many
 * have; stops early when the portal stops answering or the session expires.
 */
export function sendAndWait(batchId: string, onProgress: (answered: number, rows: number) => void): Promise<void> {
	void sync.run();
	return new Promise((resolve) => {
		const stops: (() => void)[] = [];
		let finished = false;
		const finish = () => {
			if (finished) return;
			finished = true;
			for (const stop of stops) stop();
			resolve();
		};
		const timer = setTimeout(finish, SEND_WAIT_MS);
		stops.push(() => clearTimeout(timer));
		stops.push(
			connectivity.onChange(() => {
				if (!connectivity.worthTrying) finish();
			}),
			watch(
				() => getBatchRecord(batchId),
				(batch) => {
					if (finished) return;
					if (!batch || batch.state === 'done' || session.expired || !connectivity.worthTrying) return finish();
					const { queued, rows } = batch.counts;
					onProgress(rows - queued, rows);
				},
				finish
			)
		);
	});
}
