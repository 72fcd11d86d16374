// Taking an upload back: for every field the upload changed, whether it still holds the value the upload
// set (then it gets back the value it replaced) or someone changed it since (then it is left alone).
// Passwords cannot be taken back, only counted, and neither can users the upload added: undo has no way
// to delete a user (there is no user.delete), and a user added days ago may be signing in by now, so
// taking one away is not something an undo should do behind the admin's back. Added rows are counted and
// said in words; the updates of the same upload are undone as usual. The plan is an ApplyPlan, so an undo is committed, queued
// and settled exactly like an upload; each change's base is the value the upload set, so the portal's
// field-level conflict check protects an edit made after this preview too.
import type { ApplyPlan, PlannedMutation, PlannedRow } from './apply-plan';
import { changedLabels, VISIBLE_FIELDS, type HistoryRow } from './history';
import { QUEUED_REASON } from './results';
import { FIELD_LABELS, type User, type UserBase, type UserChanges, type VisibleField } from './types';

export const CHANGED_SINCE = 'Changed since this upload; not restored';
export const PASSWORD_STAYS = 'Password changes cannot be taken back';

export type UndoRowStatus = 'restore' | 'not-restored';

export interface UndoFieldView {
	field: string;
	/** The value the user has now. */
	now: string;
	/** The value it will get back; undefined when the field is left alone. */
	back?: string;
	/** Why a field is left alone. */
	note?: string;
}

/** One row of the undo preview, as the dialog shows it. */
export interface UndoRowView {
	row: number;
	accountId: string;
	username: string;
	status: UndoRowStatus;
	fields: UndoFieldView[];
	/** Sentences for the row as a whole: passwords, a user that is gone. */
	notes: string[];
}

export interface UndoCounts {
	/** Rows of the upload that changed users. */
	rows: number;
	/** Users who get at least one value back. */
	users: number;
	fieldsRestored: number;
	/** Fields changed since the upload, left alone. */
	fieldsKept: number;
	/** Users whose password the upload set, and which stays. */
	passwordsStay: number;
	/** Users the upload added: an undo leaves them. */
	addedStay: number;
	/** Users who get nothing back. */
	notRestored: number;
}

export interface UndoPlan {
	views: UndoRowView[];
	counts: UndoCounts;
	/** Commit with commitBatch: Queued rows carry mutations, the others say why not. */
	apply: ApplyPlan;
}

function joinNotes(notes: string[]): string {
	return notes.join('; ');
}

/**
 * The undo of an upload whose rows the portal keeps, against the users as this device holds them now
 * (queued changes of this device included: a field with one waiting counts as changed since).
 */
export function planUndo(rows: readonly HistoryRow[], userNow: (accountId: string, username: string) => User | undefined): UndoPlan {
	const views: UndoRowView[] = [];
	const planned: PlannedRow[] = [];
	const mutations: PlannedMutation[] = [];
	const counts: UndoCounts = { rows: 0, users: 0, fieldsRestored: 0, fieldsKept: 0, passwordsStay: 0, addedStay: 0, notRestored: 0 };
	for (const source of rows) {
		const applied = source.applied;
		if (source.status === 'Added') counts.addedStay++;
		if (source.status !== 'Updated' || !applied) continue;
		counts.rows++;
		const user = userNow(applied.accountId, applied.username);
		const fields: UndoFieldView[] = [];
		const notes: string[] = [];
		const changes: UserChanges = {};
		const base: UserBase = {};
		const kept: string[] = [];
		for (const field of VISIBLE_FIELDS) {
			const change = applied.fields[field];
			if (!change) continue;
			const label = FIELD_LABELS[field];
			if (!user) continue;
			const now = user[field as VisibleField];
			if (now === change.after && change.before !== change.after) {
				fields.push({ field: label, now, back: change.before });
				changes[field] = change.before;
				base[field] = change.after;
				counts.fieldsRestored++;
			} else if (now !== change.before) {
				fields.push({ field: label, now, note: CHANGED_SINCE });
				kept.push(label);
				counts.fieldsKept++;
			}
		}
		if (!user) notes.push(`User ${applied.username} not found in account ${applied.accountId}; not restored`);
		if (applied.password) {
			notes.push(PASSWORD_STAYS);
			counts.passwordsStay++;
		}
		const restoring = Object.keys(changes).length > 0;
		if (restoring) counts.users++;
		else counts.notRestored++;
		views.push({
			row: source.row,
			accountId: applied.accountId,
			username: applied.username,
			status: restoring ? 'restore' : 'not-restored',
			fields,
			notes
		});
		const keptNote = kept.length ? `${kept.join(' and ')}: ${CHANGED_SINCE.charAt(0).toLowerCase()}${CHANGED_SINCE.slice(1)}` : '';
		const rowNotes = [keptNote, ...notes].filter(Boolean);
		if (restoring) {
			mutations.push({ rowIndex: planned.length, accountId: user!.accountId, username: user!.username, changes, base });
			planned.push({
				row: source.row,
				cells: source.cells,
				status: 'Queued',
				reason: joinNotes([QUEUED_REASON, ...rowNotes]),
				changed: VISIBLE_FIELDS.filter((f) => changes[f] !== undefined).map((f) => FIELD_LABELS[f]),
				mutationIndex: mutations.length - 1
			});
		} else {
			const why = rowNotes.length ? rowNotes : [`Nothing to restore: ${changedLabels(applied).join(', ')} already back as before`];
			planned.push({ row: source.row, cells: source.cells, status: 'Unchanged', reason: joinNotes(why), changed: [] });
		}
	}
	return { views, counts, apply: { rows: planned, mutations } };
}

/** "3 users this upload added stay": the count in words, for the dialog. */
export function addedStaySentence(count: number): string {
	if (count === 0) return '';
	const who = count === 1 ? '1 user this upload added stays' : `${count.toLocaleString('en-US')} users this upload added stay`;
	return `Undo does not remove users: ${who}. Remove ${count === 1 ? 'that user' : 'them'} in the portal if they should not exist.`;
}

/** "12 users keep their new password": the count in words, for the dialog. */
export function passwordsStaySentence(count: number): string {
	if (count === 0) return '';
	const who = count === 1 ? '1 user keeps the new password' : `${count.toLocaleString('en-US')} users keep their new passwords`;
	return `Password changes cannot be taken back: ${who} this upload set.`;
}
