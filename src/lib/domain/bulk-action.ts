// Which bulk action an upload is: one pipeline (check, preview, apply, results, history) serves all
// three, and each step asks this module what the action means for it rather than branching on names.
// "add-or-update" is both boxes ticked: a row whose Account ID + Username exists updates that user,
// any other row adds one.

export type BulkAction = 'update' | 'add' | 'add-or-update';

export const BULK_ACTIONS: readonly BulkAction[] = ['update', 'add', 'add-or-update'];

/** The action the ticked boxes mean, or null when none is ticked. */
export function bulkActionOf(add: boolean, update: boolean): BulkAction | null {
	if (add && update) return 'add-or-update';
	if (add) return 'add';
	if (update) return 'update';
	return null;
}

export function addsUsers(action: BulkAction): boolean {
	return action !== 'update';
}

export function updatesUsers(action: BulkAction): boolean {
	return action !== 'add';
}

/** The start of the names of the workbooks an upload of this action downloads ("user-add-results-…"). */
export function actionFilePrefix(action: BulkAction = 'update'): string {
	return action === 'update' ? 'user-update' : action === 'add' ? 'user-add' : 'user-add-update';
}

/** How the Summary sheet and the history name the action. */
export function actionTitle(action: BulkAction = 'update'): string {
	return action === 'update' ? 'User Update' : action === 'add' ? 'User Add' : 'User Add and User Update';
}
