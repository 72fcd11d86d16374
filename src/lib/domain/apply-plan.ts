// What applying a preview writes: every row's stored result (Queued until the server answers) and one
// mutation per "update" row, with the values it changes from, so a rejection can roll back, or per "add"
// row, with every field of the new user, so a rejection can take the user away again.
// Pure; the storage layer commits the plan in one transaction.
import type { Preview } from './preview';
import { finalizeRows, type FinalRow } from './results';
import { PASSWORD_MASK, type RuleContext } from './row-rules';
import type { UserChanges, UserBase } from './types';

export { PASSWORD_MASK };

export interface PlannedRow extends FinalRow {
	/** Index into `mutations` for rows sent to the server. */
	mutationIndex?: number;
}

export interface PlannedMutation {
	rowIndex: number;
	accountId: string;
	/** The user's username as the portal spells it (the file may differ in case). */
	username: string;
	changes: UserChanges;
	/** The user's values of the changed fields when checked: the conflict check and the rollback. */
	base: UserBase;
	/** Adds the user: `username` as the file spells it, `changes` every field of the new user, `base` empty. */
	create?: true;
}

export interface ApplyPlan {
	rows: PlannedRow[];
	mutations: PlannedMutation[];
}

export function planApply(preview: Preview, ctx: RuleContext): ApplyPlan {
	if (preview.blocking) throw new Error(`Nothing can be applied: ${preview.blocking.message}`);
	const finals = finalizeRows(preview, () => ({ status: 'queued' }));
	const passwordColumn = preview.columnMap.password;
	const mutations: PlannedMutation[] = [];
	const rows = finals.map((final, rowIndex): PlannedRow => {
		// Passwords never reach storage in the clear: results keep only whether one was given.
		// (Copied only when there is a password to hide: most rows share the preview's cells.)
		const password = passwordColumn === undefined ? '' : (final.cells[passwordColumn] ?? '');
		const cells = password === '' ? final.cells : final.cells.map((c, i) => (i === passwordColumn ? (c.trim() ? PASSWORD_MASK : '') : c));
		const source = preview.rows[rowIndex];
		if (final.status !== 'Queued' || !source.mutation) return { ...final, cells };
		if (source.mutation.create) {
			mutations.push({
				rowIndex,
				accountId: source.accountId,
				username: source.username,
				changes: source.mutation.changes,
				base: {},
				create: true
			});
			return { ...final, cells, mutationIndex: mutations.length - 1 };
		}
		const user = ctx.user(source.accountId, source.username);
		if (!user) throw new Error(`Row ${source.row}: user ${source.username} disappeared while applying`);
		mutations.push({
			rowIndex,
			accountId: user.accountId,
			username: user.username,
			changes: source.mutation.changes,
			base: source.mutation.base
		});
		return { ...final, cells, mutationIndex: mutations.length - 1 };
	});
	return { rows, mutations };
}
