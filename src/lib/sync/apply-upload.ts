// Turns a checked upload into local changes and outbox mutations: plan, seal passwords, commit in one
// transaction. The worker runs it for Apply; engine tests run it directly.
import { planApply, type ApplyPlan } from '../domain/apply-plan';
import type { Preview } from '../domain/preview';
import type { RuleContext } from '../domain/row-rules';
import { commitBatch } from '../storage/commit-batch-repo';
import type { BatchRecord } from '../storage/db';
import type { UserSnapshot } from '../storage/users-repo';
import { sealPasswordSlices } from './password-vault';

export async function applyUpload(
	preview: Preview,
	ctx: RuleContext,
	meta: { batchId: string; admin: string; parentName: string; now?: number; largeChangeConfirmed?: number },
	snapshot?: UserSnapshot
): Promise<BatchRecord> {
	let t = performance.now();
	const plan = planApply(preview, ctx);
	t = lap('apply:plan', t);
	// Sealing is async WebCrypto, which cannot run inside an IndexedDB transaction: do it first.
	const passwords = await sealPasswordSlices(plan.mutations.map((m) => m.changes.password));
	t = lap('apply:seal', t);
	const batch = await commitBatch(
		{
			id: meta.batchId,
			fileName: preview.fileName,
			sheetName: preview.sheetName,
			createdAt: meta.now ?? Date.now(),
			admin: meta.admin,
			header: preview.header,
			columnMap: preview.columnMap,
			parentName: meta.parentName,
			...(preview.action !== 'update' ? { action: preview.action } : {}),
			...(meta.largeChangeConfirmed !== undefined ? { largeChangeConfirmed: meta.largeChangeConfirmed } : {})
		},
		plan,
		passwords,
		snapshot
	);
	lap('apply:commit', t);
	return batch;
}

/**
 * Commits a plan made elsewhere (an undo): no passwords to seal, the same one transaction as an upload,
 * so it is queued, synced, settled and recorded in the portal's history the same way.
 */
export async function applyPlan(
	plan: ApplyPlan,
	batch: Omit<BatchRecord, 'counts' | 'state'>,
	snapshot?: UserSnapshot
): Promise<BatchRecord> {
	const t = performance.now();
	const committed = await commitBatch(batch, plan, new Map(), snapshot);
	lap('undo:commit', t);
	return committed;
}

/** A named measure the bench reads (worker measures are collected with the page's). */
function lap(name: string, start: number): number {
	const end = performance.now();
	performance.measure(name, { start, end });
	return end;
}
