// The sync contract (README, "Sync contract") as one test suite that any portal must pass: the reference
// server over HTTP and the in-memory portal the app's tests sync against both run it, so the app is never
// tested against a portal that behaves otherwise than the real one. Everything is observed through
// PortalTransport, the only way the app talks to a portal; the few hooks play "someone else" on the
// portal, read what it stores and lose an answer on the way back.
import { afterEach, describe, expect, it } from 'vitest';
import { transportFailure } from './transport-failure';
import type { Dataset } from '../domain/dataset';
import type { User, UserRecord, VisibleField } from '../domain/types';
import type { RecordMeta, RecordRow } from '../domain/history';
import {
	PROTOCOL_VERSION,
	PULL_PAGE_MAX,
	type Mutation,
	type PullResponse,
	type PushRequest,
	type PushResponse,
	type UploadRecord,
	type UserCreate,
	type UserUpdate
} from '../sync/protocol';
import type { PortalTransport, TransportError } from '../sync/transport';

export interface PortalUnderTest {
	/** Signed out at first. */
	transport: PortalTransport;
	/** Someone else edits a user on the portal with another tool: no field rules, but a new rev like any change. */
	editAsSomeoneElse(accountId: string, username: string, changes: Partial<Pick<User, VisibleField>>): Promise<void>;
	/** Someone else adds a user on the portal with another tool. */
	addAsSomeoneElse(user: User): Promise<void>;
	/** The user as the portal holds it now, or undefined when it has no such user. */
	userOnPortal(accountId: string, username: string): Promise<UserRecord | undefined>;
	/** Whether the portal would take this password for the user. */
	passwordMatches(accountId: string, username: string, password: string): Promise<boolean>;
	/** The portal applies the next push, then its answer is lost on the way back. */
	loseNextPushAnswer(): Promise<void>;
	/** Moves the portal's clock forward (the upload history's expiry reads it). */
	advanceClock(ms: number): Promise<void>;
	close(): Promise<void>;
}

/** A fresh portal holding `dataset` and nothing else. */
export type PortalFactory = (dataset: Dataset) => Promise<PortalUnderTest>;

export const SPRINGFIELD_ADMIN = { username: 'admin', password: 'springfield-contract' };
export const SHELBYVILLE_ADMIN = { username: 'shelby-admin', password: 'shelbyville-contract' };
const ROLES = ['Student', 'Teacher', 'Librarian', 'Administrator'];

/**
 * Parent 100 with a password, a Google (domain written in mixed case) and a zero-padded account;
 * parent 200 with one library whose users share a username and an email domain with parent 100's.
 * `extraUsers` more users of parent 100, for paging.
 */
export function contractDataset(extraUsers = 0): Dataset {
	const users: Dataset['users'] = [
		{ accountId: '1001', username: 'jdoe', name: 'John Doe', email: 'jdoe@example.org', role: 'Student', password: 'Initial-pass-1' },
		{ accountId: '1001', username: 'asmith', name: 'Alice Smith', email: 'asmith@example.org', role: 'Teacher' },
		{ accountId: '1001', username: 'jnunez', name: 'José Núñez', email: 'jnunez@example.org', role: 'Student' },
		{ accountId: '1001', username: 'pwilliams', name: 'Pat Williams', email: 'pwilliams@example.org', role: 'Student' },
		{ accountId: '1002', username: 'gteach', name: 'Grace Teach', email: 'gteach@schools.example.org', role: 'Teacher' },
		{ accountId: '01003', username: 'zbronte', name: 'Zoë Brontë', email: 'zbronte@example.org', role: 'Librarian' },
		{ accountId: '2001', username: 'jdoe', name: 'Jane Doe', email: 'jane@shelby.example.net', role: 'Librarian' },
		{ accountId: '2001', username: 'secret', name: 'Secret Person', email: 'secret@shelby.example.net', role: 'Student' }
	];
	for (let i = 0; i < extraUsers; i++) {
		users.push({
			accountId: i % 2 ? '1001' : '01003',
			username: `user${i}`,
			name: `User ${i}`,
			email: `user${i}@example.org`,
			role: 'Student'
		});
	}
	return {
		parents: [
			{ accountId: '100', name: 'Springfield Public Schools' },
			{ accountId: '200', name: 'Shelbyville Library System' }
		],
		institutions: [
			{ accountId: '1001', name: 'Springfield Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] },
			{ accountId: '1002', name: 'Springfield High', parentAccountId: '100', signIn: 'google', googleDomains: ['Schools.Example.org'] },
			{ accountId: '01003', name: 'Lakeview K-8', parentAccountId: '100', signIn: 'password', googleDomains: [] },
			{ accountId: '2001', name: 'Shelbyville Central Library', parentAccountId: '200', signIn: 'password', googleDomains: [] }
		],
		roles: ROLES,
		users,
		admins: [
			{ ...SPRINGFIELD_ADMIN, parentAccountId: '100' },
			{ ...SHELBYVILLE_ADMIN, parentAccountId: '200' }
		]
	};
}

const SPRINGFIELD_USERS = 6;
const CLIENT = 'contract-client-0001';

function update(
	id: number,
	accountId: string,
	username: string,
	changes: UserUpdate['changes'],
	base: UserUpdate['base'] = {},
	batchId = 'contract-batch'
): UserUpdate {
	return { id, batchId, kind: 'user.update', accountId, username, changes, base };
}

function create(
	id: number,
	accountId: string,
	username: string,
	fields: Partial<UserCreate['fields']>,
	batchId = 'contract-batch'
): UserCreate {
	return { id, batchId, kind: 'user.create', accountId, username, fields: { name: '', email: '', role: '', ...fields } };
}

const META: RecordMeta = {
	fileName: 'roster.xlsx',
	sheetName: 'Users',
	uploadedAt: 1_700_000_000_000,
	header: ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'],
	columnMap: { accountId: 0, username: 1, name: 2, email: 3, password: 4, role: 5 }
};

function record(id: number, batchId: string, part: number, parts: number, rows: RecordRow[], meta: Partial<RecordMeta> = {}): UploadRecord {
	return { id, batchId, kind: 'upload.record', part, parts, ...(part === 0 ? { meta: { ...META, ...meta } } : {}), rows };
}

function row(n: number, cells: string[], m?: number, status: RecordRow['status'] = 'Queued'): RecordRow {
	return { row: n, cells, status, reason: '', changed: [], ...(m !== undefined ? { m } : {}) };
}

function push(transport: PortalTransport, mutations: Mutation[], clientId = CLIENT): Promise<PushResponse> {
	return transport.push({ protocolVersion: PROTOCOL_VERSION, clientId, mutations });
}

/** What the app sees of a refusal. */
function refusal(error: TransportError) {
	return {
		kind: error.kind,
		status: error.status,
		message: error.message,
		...(error.details.expectedId !== undefined ? { expectedId: error.details.expectedId } : {})
	};
}

/** Every page from `cursor` on. */
async function pullAll(
	transport: PortalTransport,
	limit: number,
	cursor = '0'
): Promise<{ pages: PullResponse[]; users: UserRecord[]; cursor: string }> {
	const pages: PullResponse[] = [];
	for (;;) {
		const page = await transport.pull(cursor, limit);
		pages.push(page);
		cursor = page.cursor;
		if (!page.hasMore) break;
		if (pages.length > 10_000) throw new Error('pull never ends');
	}
	return { pages, users: pages.flatMap((p) => p.users), cursor };
}

const key = (u: Pick<User, 'accountId' | 'username'>) => `${u.accountId}/${u.username}`;

export function registerPortalContractTests(name: string, factory: PortalFactory): void {
	const opened: PortalUnderTest[] = [];
	afterEach(async () => {
		await Promise.all(opened.splice(0).map((p) => p.close()));
	});

	/** A fresh portal, signed in as Springfield's admin unless `as` says otherwise (null: signed out). */
	async function portal(
		options: { dataset?: Dataset; as?: { username: string; password: string } | null } = {}
	): Promise<PortalUnderTest & { t: PortalTransport }> {
		const p = await factory(options.dataset ?? contractDataset());
		opened.push(p);
		if (options.as !== null) await p.transport.signIn(options.as ?? SPRINGFIELD_ADMIN);
		return Object.assign(p, { t: p.transport });
	}

	describe(`portal contract: ${name}`, () => {
		describe('session', () => {
			it('signs in with the username in any letter case and says who is signed in, for which parent, with which roles', async () => {
				const { t } = await portal({ as: null });
				expect(await t.session()).toBeNull();
				const info = await t.signIn({ username: 'ADMIN', password: SPRINGFIELD_ADMIN.password });
				expect(info).toEqual({
					protocolVersion: PROTOCOL_VERSION,
					admin: { username: 'admin' },
					parent: { accountId: '100', name: 'Springfield Public Schools' },
					roles: ROLES,
					largeChange: { percent: 10, minUsers: 50 }
				});
				expect(await t.session()).toEqual(info);
			});

			it('answers a wrong password and an unknown admin alike, and stays signed out', async () => {
				const { t } = await portal({ as: null });
				const wrong = await transportFailure(t.signIn({ username: 'admin', password: 'not-the-password' }));
				const unknown = await transportFailure(t.signIn({ username: 'nobody', password: 'not-the-password' }));
				expect(refusal(wrong)).toEqual({ kind: 'unauthenticated', status: 401, message: 'Wrong username or password' });
				expect(refusal(unknown)).toEqual(refusal(wrong));
				expect(await t.session()).toBeNull();
			});

			it('after signing out refuses institutions, pull and push as unauthenticated', async () => {
				const p = await portal();
				const { t } = p;
				await t.signOut();
				expect(await t.session()).toBeNull();
				const expected = { kind: 'unauthenticated', status: 401, message: 'Not signed in, or the session has expired; sign in again' };
				expect(refusal(await transportFailure(t.institutions()))).toEqual(expected);
				expect(refusal(await transportFailure(t.pull('0', 10)))).toEqual(expected);
				expect(refusal(await transportFailure(push(t, [update(1, '1001', 'jdoe', { name: 'X' })])))).toEqual(expected);
				expect((await p.userOnPortal('1001', 'jdoe'))?.name).toBe('John Doe');
			});
		});

		describe('institutions', () => {
			it('lists the signed-in admin’s child institutions only, Google domains in lower case', async () => {
				const p = await portal();
				expect(await p.t.institutions()).toEqual([
					{ accountId: '1001', name: 'Springfield Elementary', parentAccountId: '100', signIn: 'password', googleDomains: [] },
					{ accountId: '1002', name: 'Springfield High', parentAccountId: '100', signIn: 'google', googleDomains: ['schools.example.org'] },
					{ accountId: '01003', name: 'Lakeview K-8', parentAccountId: '100', signIn: 'password', googleDomains: [] }
				]);
				await p.t.signOut();
				await p.t.signIn(SHELBYVILLE_ADMIN);
				expect((await p.t.institutions()).map((i) => i.accountId)).toEqual(['2001']);
			});
		});

		describe('pull', () => {
			it('from cursor "0" brings every user of the admin’s parent once, in rev order, without password material', async () => {
				const { t } = await portal();
				const all = await pullAll(t, 4);
				expect(all.pages.map((p) => [p.users.length, p.hasMore, p.total])).toEqual([
					[4, true, SPRINGFIELD_USERS],
					[2, false, SPRINGFIELD_USERS]
				]);
				for (const page of all.pages) expect(page.cursor).toBe(String(page.users.at(-1)!.rev));
				const revs = all.users.map((u) => u.rev);
				expect(revs).toEqual([...revs].sort((a, b) => a - b));
				expect(new Set(revs).size).toBe(revs.length);
				const byKey = (a: User, b: User) => (key(a) < key(b) ? -1 : 1);
				const springfield = contractDataset().users.filter((u) => u.accountId !== '2001');
				expect(all.users.map(({ rev: _rev, ...u }) => u).sort(byKey)).toEqual(
					springfield.map(({ password: _password, ...u }) => u).sort(byKey)
				);

				const after = await t.pull(all.cursor, 4);
				expect(after).toEqual({
					protocolVersion: PROTOCOL_VERSION,
					users: [],
					cursor: all.cursor,
					hasMore: false,
					total: SPRINGFIELD_USERS
				});
			});

			it('from a later cursor brings only users changed since, in the order of the changes; other parents’ changes never', async () => {
				const p = await portal();
				const { cursor } = await pullAll(p.t, 100);
				await p.editAsSomeoneElse('01003', 'zbronte', { name: 'Zoe Bronte' });
				await p.editAsSomeoneElse('2001', 'jdoe', { name: 'Not for Springfield' });
				await p.editAsSomeoneElse('1001', 'jdoe', { email: 'john@example.org', role: 'Teacher' });
				const later = await pullAll(p.t, 100, cursor);
				expect(later.users.map((u) => [key(u), u.name, u.email, u.role])).toEqual([
					['01003/zbronte', 'Zoe Bronte', 'zbronte@example.org', 'Librarian'],
					['1001/jdoe', 'John Doe', 'john@example.org', 'Teacher']
				]);
				expect(later.users[0].rev).toBeGreaterThan(Number(cursor));
				expect(later.cursor).toBe(String(later.users[1].rev));
			});

			it('stays whole while someone else edits: an edited user comes again in a later page', async () => {
				const p = await portal({ dataset: contractDataset(10) });
				const first = await p.t.pull('0', 5);
				const seenFirst = first.users[1];
				await p.editAsSomeoneElse(seenFirst.accountId, seenFirst.username, { name: 'Edited after page one' });
				await p.editAsSomeoneElse('01003', 'user8', { name: 'Edited before its page' });
				const rest = await pullAll(p.t, 5, first.cursor);
				const latest = new Map([...first.users, ...rest.users].map((u) => [key(u), u]));
				expect(latest.size).toBe(SPRINGFIELD_USERS + 10);
				expect(latest.get(key(seenFirst))?.name).toBe('Edited after page one');
				expect(latest.get('01003/user8')?.name).toBe('Edited before its page');
				expect(rest.users.filter((u) => u.username === 'user8')).toHaveLength(1);
			});

			it(`pages at most ${PULL_PAGE_MAX.toLocaleString('en-US')} users, whatever the limit asked`, async () => {
				const { t } = await portal({ dataset: contractDataset(PULL_PAGE_MAX) });
				const page = await t.pull('0', 999_999);
				expect(page.users).toHaveLength(PULL_PAGE_MAX);
				expect(page).toMatchObject({ hasMore: true, total: SPRINGFIELD_USERS + PULL_PAGE_MAX });
			});

			it('refuses a cursor or a page size that is not a whole number in range', async () => {
				const { t } = await portal();
				const cursor = { kind: 'rejected', status: 400, message: 'Query parameter cursor must be an integer ≥ 0' };
				expect(refusal(await transportFailure(t.pull('abc', 10)))).toEqual(cursor);
				expect(refusal(await transportFailure(t.pull('-1', 10)))).toEqual(cursor);
				expect(refusal(await transportFailure(t.pull('0', 0)))).toEqual({
					kind: 'rejected',
					status: 400,
					message: 'Query parameter limit must be an integer ≥ 1'
				});
			});

			it('answers a cursor beyond its newest change (state restored from an older backup) with every user again', async () => {
				const { t } = await portal();
				const all = await pullAll(t, 100);
				const again = await t.pull(String(Number(all.cursor) + 1000), 100);
				expect(again.users).toEqual(all.users);
				expect(again).toMatchObject({ cursor: all.cursor, hasMore: false });
			});
		});

		describe('push: each change exactly once', () => {
			it('answers every mutation in order, an applied one with the user’s new state and rev', async () => {
				const p = await portal();
				const before = (await p.userOnPortal('1001', 'asmith'))!;
				const answer = await push(p.t, [
					update(1, '1001', 'asmith', { name: 'Alice Smythe', role: 'teacher' }, { name: 'Alice Smith', role: 'Teacher' }),
					update(2, '1001', 'ghost', { name: 'Nobody' })
				]);
				expect(answer.protocolVersion).toBe(PROTOCOL_VERSION);
				expect(answer.lastAppliedId).toBe(2);
				const [applied, missing] = answer.results;
				expect(applied).toEqual({ id: 1, status: 'applied', user: { ...before, name: 'Alice Smythe', rev: expect.any(Number) } });
				expect(applied.status === 'applied' && applied.user.rev).toBeGreaterThan(before.rev);
				expect(missing).toEqual({ id: 2, status: 'rejected', code: 'not_found', reason: 'User ghost not found in account 1001' });
				expect(await p.userOnPortal('1001', 'asmith')).toEqual(applied.status === 'applied' ? applied.user : undefined);
			});

			it('answers a resent push with the answers it gave then, with no second effect, even if the user changed since', async () => {
				const p = await portal();
				const mutations = [update(1, '1001', 'jnunez', { role: 'Teacher' }, { role: 'Student' })];
				const first = await push(p.t, mutations);
				const { cursor } = await pullAll(p.t, 100);
				expect(await push(p.t, mutations)).toEqual(first);
				expect((await p.t.pull(cursor, 100)).users).toEqual([]);
				await p.editAsSomeoneElse('1001', 'jnunez', { role: 'Librarian' });
				expect(await push(p.t, mutations)).toEqual(first);
				expect((await p.userOnPortal('1001', 'jnunez'))?.role).toBe('Librarian');
			});

			it('replays the part of a push it already applied and applies the rest', async () => {
				const p = await portal();
				const first = await push(p.t, [update(1, '1001', 'jnunez', { name: 'One' }), update(2, '1001', 'ghost', { name: 'Two' })]);
				const overlap = await push(p.t, [
					update(2, '1001', 'ghost', { name: 'Two' }),
					update(3, '1001', 'jnunez', { name: 'Three' }, { name: 'One' })
				]);
				expect(overlap.results[0]).toEqual(first.results[1]);
				expect(overlap.results[1]).toMatchObject({ id: 3, status: 'applied', user: { name: 'Three' } });
				expect(overlap.lastAppliedId).toBe(3);
			});

			it('when an answer is lost on the way back, resending gets the stored answer and the change is made once', async () => {
				const p = await portal();
				const mutations = [update(1, '1001', 'pwilliams', { name: 'Dropped Answer' }, { name: 'Pat Williams' })];
				await p.loseNextPushAnswer();
				expect((await transportFailure(push(p.t, mutations))).kind).toBe('offline');
				const applied = (await p.userOnPortal('1001', 'pwilliams'))!;
				expect(applied.name).toBe('Dropped Answer');
				const retry = await push(p.t, mutations);
				expect(retry).toEqual({
					protocolVersion: PROTOCOL_VERSION,
					results: [{ id: 1, status: 'applied', user: applied }],
					lastAppliedId: 1
				});
				expect(await p.userOnPortal('1001', 'pwilliams')).toEqual(applied);
			});

			it('refuses a push that skips ids with a gap naming the id expected next, applying none of it', async () => {
				const p = await portal();
				expect(refusal(await transportFailure(push(p.t, [update(2, '1001', 'jnunez', { name: 'Skipped' })])))).toEqual({
					kind: 'gap',
					status: 409,
					message: 'Mutation 2 arrived but 1 was expected next; resend from 1',
					expectedId: 1
				});
				await push(p.t, [update(1, '1001', 'jnunez', { role: 'Teacher' })]);
				expect(
					refusal(
						await transportFailure(
							push(p.t, [update(3, '1001', 'jnunez', { name: 'Skipped' }), update(4, '1001', 'asmith', { name: 'Skipped' })])
						)
					)
				).toMatchObject({
					kind: 'gap',
					status: 409,
					expectedId: 2
				});
				expect((await p.userOnPortal('1001', 'jnunez'))?.name).toBe('José Núñez');
				expect((await p.userOnPortal('1001', 'asmith'))?.name).toBe('Alice Smith');
			});

			it('uses up the id of a rejected mutation like that of an applied one', async () => {
				const p = await portal();
				expect((await push(p.t, [update(1, '1001', 'ghost', { name: 'X' })])).lastAppliedId).toBe(1);
				const next = await push(p.t, [update(2, '1001', 'jnunez', { name: 'After a rejection' })]);
				expect(next).toMatchObject({ lastAppliedId: 2, results: [{ id: 2, status: 'applied' }] });
			});

			it('counts ids per admin: the same client id under another admin starts again at 1', async () => {
				const p = await portal();
				const springfield = await push(p.t, [update(1, '1001', 'jdoe', { name: 'John D.' })]);
				await p.t.signOut();
				await p.t.signIn(SHELBYVILLE_ADMIN);
				const shelbyville = await push(p.t, [update(1, '2001', 'jdoe', { name: 'Jane D.' })]);
				expect(shelbyville.results[0]).toMatchObject({ id: 1, status: 'applied', user: { accountId: '2001', name: 'Jane D.' } });
				await p.t.signOut();
				await p.t.signIn(SPRINGFIELD_ADMIN);
				expect(await push(p.t, [update(1, '1001', 'jdoe', { name: 'John D.' })])).toEqual(springfield);
				expect((await push(p.t, [update(2, '1001', 'jdoe', { role: 'Teacher' })])).results[0]).toMatchObject({ id: 2, status: 'applied' });
			});

			it('refuses a malformed push as a whole: ids not consecutive, another protocol version, a mutation changing nothing', async () => {
				const p = await portal();
				expect(
					refusal(
						await transportFailure(push(p.t, [update(1, '1001', 'jnunez', { name: 'X' }), update(3, '1001', 'jnunez', { name: 'Y' })]))
					)
				).toEqual({
					kind: 'rejected',
					status: 400,
					message: 'Mutation ids in a push must be consecutive; mutations.1.id is 3, expected 2'
				});
				const otherVersion = {
					protocolVersion: 2,
					clientId: CLIENT,
					mutations: [update(1, '1001', 'jnunez', { name: 'X' })]
				} as unknown as PushRequest;
				expect(refusal(await transportFailure(p.t.push(otherVersion)))).toEqual({
					kind: 'rejected',
					status: 426,
					message: 'This server speaks sync protocol version 1; reload the app to update it'
				});
				expect(refusal(await transportFailure(push(p.t, [update(1, '1001', 'jnunez', {})])))).toEqual({
					kind: 'rejected',
					status: 400,
					message: 'Invalid request: mutations.0.changes: a mutation must change at least one field'
				});
				expect((await p.userOnPortal('1001', 'jnunez'))?.name).toBe('José Núñez');
				expect((await push(p.t, [update(1, '1001', 'jnunez', { name: 'X' })])).results[0]).toMatchObject({ status: 'applied' });
			});
		});

		describe('push: every change checked again', () => {
			it('refuses accounts outside the admin’s parent in the same words whether they exist or not', async () => {
				const p = await portal({ as: SHELBYVILLE_ADMIN });
				const answer = await push(p.t, [update(1, '1001', 'jdoe', { name: 'Hacked' }), update(2, '9999', 'jdoe', { name: 'Hacked' })]);
				const reason = 'Account 1001 is not a child account of Shelbyville Library System; row not processed';
				expect(answer.results).toEqual([
					{ id: 1, status: 'rejected', code: 'forbidden', reason },
					{ id: 2, status: 'rejected', code: 'forbidden', reason: reason.replace('1001', '9999') }
				]);
				expect((await p.userOnPortal('1001', 'jdoe'))?.name).toBe('John Doe');
			});

			it('finds users whatever the letter case of the username, and stores a role in its own spelling', async () => {
				const p = await portal();
				const answer = await push(p.t, [update(1, '1001', 'JNunez', { role: 'LIBRARIAN' }, { role: 'Student' })]);
				expect(answer.results[0]).toMatchObject({ status: 'applied', user: { username: 'jnunez', role: 'Librarian' } });
			});

			it('re-checks each field, naming every problem of a mutation', async () => {
				const p = await portal();
				const answer = await push(p.t, [
					update(1, '1002', 'gteach', { email: 'grace@gmail.com' }),
					update(2, '1001', 'jdoe', { role: 'Janitor', email: 'not an email' }),
					update(3, '1001', 'jdoe', { password: 'short' }),
					update(4, '1001', 'pwilliams', { password: 'PWilliams' }),
					update(5, '1001', 'jdoe', { name: 'Bad\u0007Name' }),
					update(6, '1001', 'jdoe', { name: 'N'.repeat(101) }),
					update(7, '1002', 'gteach', { email: 'grace.t@SCHOOLS.example.org' })
				]);
				const reasons = answer.results.map((r) => (r.status === 'rejected' ? `${r.code}: ${r.reason}` : r.status));
				expect(reasons).toEqual([
					'validation: Email "grace@gmail.com" does not match the Google sign-in domain of account 1002 (@schools.example.org)',
					'validation: Email "not an email" is not a valid email address; Role "Janitor" is not one of Student, Teacher, Librarian, Administrator',
					'validation: Password is too short (5 characters; at least 8)',
					'validation: Password must not be the same as the username',
					'validation: Name "Bad?Name" contains a control character',
					'validation: Name: 101 characters; names can have at most 100. Shorten it and upload again.',
					'applied'
				]);
				expect(await p.userOnPortal('1001', 'jdoe')).toMatchObject({ name: 'John Doe', email: 'jdoe@example.org', role: 'Student' });
			});

			it('keeps an email address to one user of the parent, whatever its letter case; other parents’ addresses do not count', async () => {
				const p = await portal();
				const answer = await push(p.t, [
					update(1, '1001', 'jdoe', { email: 'ASMITH@example.org' }),
					update(2, '1001', 'jnunez', { email: 'jane@shelby.example.net' }),
					update(3, '1001', 'asmith', { email: 'ASmith@Example.org' }),
					update(4, '1001', 'jdoe', { email: 'new@example.org' }),
					update(5, '01003', 'zbronte', { email: 'NEW@example.org' })
				]);
				expect(answer.results.map((r) => (r.status === 'rejected' ? r.reason : r.status))).toEqual([
					'Email "ASMITH@example.org" is already used by another user',
					'applied',
					'applied',
					'applied',
					'Email "NEW@example.org" is already used by another user'
				]);
			});

			it('checks a mutation against the ones before it in the same push', async () => {
				const p = await portal();
				const answer = await push(p.t, [
					update(1, '1001', 'jdoe', { name: 'First' }, { name: 'John Doe' }),
					update(2, '1001', 'jdoe', { name: 'Second' }, { name: 'First' }),
					update(3, '1001', 'jdoe', { name: 'Third' }, { name: 'John Doe' })
				]);
				expect(answer.results.map((r) => (r.status === 'rejected' ? r.reason : r.status === 'applied' ? r.user.name : r.status))).toEqual([
					'First',
					'Second',
					'Name was changed by someone else since this file was checked'
				]);
			});

			it('rejects a change to a field someone else changed since the file was checked, naming every such field; agreeing is no conflict', async () => {
				const p = await portal();
				await p.editAsSomeoneElse('01003', 'zbronte', { name: 'Zoe Bronte', email: 'zoe@example.org' });
				const answer = await push(p.t, [
					update(1, '01003', 'zbronte', { name: 'Zoë B.' }, { name: 'Zoë Brontë' }),
					update(2, '01003', 'zbronte', { name: 'Zoë C.', email: 'z@example.org' }, { name: 'Zoë Brontë', email: 'zbronte@example.org' }),
					update(3, '01003', 'zbronte', { name: 'Zoe Bronte', role: 'Teacher' }, { name: 'Zoë Brontë', role: 'Librarian' })
				]);
				expect(answer.results).toEqual([
					{ id: 1, status: 'rejected', code: 'conflict', reason: 'Name was changed by someone else since this file was checked' },
					{
						id: 2,
						status: 'rejected',
						code: 'conflict',
						reason: 'Name and Email were changed by someone else since this file was checked'
					},
					{ id: 3, status: 'applied', user: expect.objectContaining({ name: 'Zoe Bronte', email: 'zoe@example.org', role: 'Teacher' }) }
				]);
			});

			it('applies a change to fields nobody else changed, keeping the other edit', async () => {
				const p = await portal();
				await p.editAsSomeoneElse('1001', 'jnunez', { email: 'theirs@example.org' });
				const answer = await push(p.t, [update(1, '1001', 'jnunez', { name: 'Mine' }, { name: 'José Núñez' })]);
				expect(answer.results[0]).toMatchObject({ status: 'applied', user: { name: 'Mine', email: 'theirs@example.org' } });
			});

			it('takes a password without ever answering with it', async () => {
				const p = await portal();
				const secret = 'Plaintext-Must-Not-Leak-91';
				const before = (await p.userOnPortal('1001', 'jdoe'))!;
				const answer = await push(p.t, [update(1, '1001', 'jdoe', { password: secret })]);
				expect(answer.results[0]).toEqual({ id: 1, status: 'applied', user: { ...before, rev: expect.any(Number) } });
				expect(JSON.stringify(answer)).not.toContain(secret);
				expect(await p.passwordMatches('1001', 'jdoe', secret)).toBe(true);
				expect(await p.passwordMatches('1001', 'jdoe', 'Initial-pass-1')).toBe(false);
			});

			it('gives every applied change a new rev, even one that changes nothing visible', async () => {
				const p = await portal();
				const before = (await p.userOnPortal('1001', 'jdoe'))!;
				const answer = await push(p.t, [update(1, '1001', 'jdoe', { name: 'John Doe' }, { name: 'John Doe' })]);
				expect(answer.results[0]).toMatchObject({ status: 'applied', user: { name: 'John Doe' } });
				expect((await p.userOnPortal('1001', 'jdoe'))!.rev).toBeGreaterThan(before.rev);
			});
		});

		describe('push: user create', () => {
			const NEW = { name: 'New Kid', email: 'new.kid@example.org', role: 'student', password: 'New-Kid-pass-1' };

			it('adds a user, answers its state with a new rev, keeps only a hash of its password, and a pull brings it', async () => {
				const p = await portal();
				const { cursor } = await pullAll(p.t, 100);
				const answer = await push(p.t, [create(1, '1001', 'New.Kid', NEW)]);
				expect(answer).toEqual({
					protocolVersion: PROTOCOL_VERSION,
					results: [
						{
							id: 1,
							status: 'applied',
							user: {
								accountId: '1001',
								username: 'New.Kid',
								name: 'New Kid',
								email: 'new.kid@example.org',
								role: 'Student',
								rev: expect.any(Number)
							}
						}
					],
					lastAppliedId: 1
				});
				expect(JSON.stringify(answer)).not.toContain(NEW.password);
				expect(await p.passwordMatches('1001', 'new.kid', NEW.password)).toBe(true);
				const later = await pullAll(p.t, 100, cursor);
				expect(later.users).toEqual([answer.results[0].status === 'applied' && answer.results[0].user]);
				expect(await p.userOnPortal('1001', 'NEW.KID')).toEqual(later.users[0]);
			});

			it('rejects a username taken since the file was checked, in any letter case, also by a create earlier in the push', async () => {
				const p = await portal();
				await p.addAsSomeoneElse({ accountId: '1001', username: 'Late.Comer', name: 'Theirs', email: '', role: 'Teacher' });
				const answer = await push(p.t, [
					create(1, '1001', 'late.comer', NEW),
					create(2, '1001', 'JDOE', { ...NEW, email: 'x@example.org' }),
					create(3, '01003', 'twin', { ...NEW, email: 'twin1@example.org' }),
					create(4, '01003', 'TWIN', { ...NEW, email: 'twin2@example.org' })
				]);
				expect(answer.results.map((r) => (r.status === 'rejected' ? `${r.code}: ${r.reason}` : r.status))).toEqual([
					'conflict: Username late.comer was taken in account 1001 since this file was checked. Choose another username and upload the row again.',
					'conflict: Username JDOE was taken in account 1001 since this file was checked. Choose another username and upload the row again.',
					'applied',
					'conflict: Username TWIN was taken in account 01003 since this file was checked. Choose another username and upload the row again.'
				]);
				expect((await p.userOnPortal('1001', 'late.comer'))?.name).toBe('Theirs');
				expect((await p.userOnPortal('1001', 'jdoe'))?.name).toBe('John Doe');
			});

			it('when the answer to a create is lost, resending gets the stored answer: added once, never "taken"', async () => {
				const p = await portal();
				const mutations = [create(1, '1001', 'dropped', NEW)];
				await p.loseNextPushAnswer();
				expect((await transportFailure(push(p.t, mutations))).kind).toBe('offline');
				const created = (await p.userOnPortal('1001', 'dropped'))!;
				expect(created.name).toBe('New Kid');
				const retry = await push(p.t, mutations);
				expect(retry).toEqual({
					protocolVersion: PROTOCOL_VERSION,
					results: [{ id: 1, status: 'applied', user: created }],
					lastAppliedId: 1
				});
				expect(await p.userOnPortal('1001', 'dropped')).toEqual(created);
				// Replayed again after the user changed: still the stored answer, no second user and no "taken".
				await p.editAsSomeoneElse('1001', 'dropped', { name: 'Renamed' });
				expect(await push(p.t, mutations)).toEqual(retry);
				expect((await p.userOnPortal('1001', 'dropped'))?.name).toBe('Renamed');
			});

			it('re-checks every rule of a new user, naming every problem; other parents’ accounts are forbidden', async () => {
				const p = await portal();
				const answer = await push(p.t, [
					create(1, '2001', 'spy', NEW),
					create(2, '1001', 'no spaces', NEW),
					create(3, '1001', 'ab', NEW),
					create(4, '1001', 'blank.kid', {}),
					create(5, '1002', 'gkid', { name: 'G Kid', role: 'Student' }),
					create(6, '1002', 'gkid', { name: 'G Kid', role: 'Student', email: 'gkid@gmail.com' }),
					create(7, '1001', 'weak', { ...NEW, email: '', password: 'WEAK' }),
					create(8, '1001', 'janitor', { ...NEW, email: '', role: 'Janitor' }),
					create(9, '1001', 'copycat', { ...NEW, email: 'JDOE@example.org' }),
					create(10, '1001', 'first.mail', { ...NEW, email: 'fresh@example.org' }),
					create(11, '01003', 'second.mail', { ...NEW, email: 'FRESH@example.org' }),
					create(12, '1002', 'gpass', { name: 'G Pass', role: 'Teacher', email: 'gpass@schools.example.org', password: 'Ignored-pass-1' }),
					create(13, '1001', 'other.parent.mail', { ...NEW, email: 'jane@shelby.example.net' })
				]);
				const reasons = answer.results.map((r) => (r.status === 'rejected' ? `${r.code}: ${r.reason}` : r.status));
				expect(reasons).toEqual([
					'forbidden: Account 2001 is not a child account of Springfield Public Schools; row not processed',
					'validation: Username "no spaces" may only hold letters, digits and . _ - (no spaces or accents). Choose another and upload again.',
					'validation: Username "ab" has 2 characters; a new username needs 3 to 64. Choose another and upload again.',
					'validation: Name is required to add a user. Fill it in and upload again.; Password is required to add a user to account 1001, which uses password sign-in (8 to 128 characters, not the username). Fill it in and upload again.; Role is required to add a user: one of Student, Teacher, Librarian, Administrator. Fill it in and upload again.',
					'validation: Email is required to add a user to account 1002, which uses Google sign-in (@schools.example.org). Fill it in and upload again.',
					'validation: Email "gkid@gmail.com" does not match the Google sign-in domain of account 1002 (@schools.example.org)',
					'validation: Password is too short (4 characters; at least 8)',
					'validation: Role "Janitor" is not one of Student, Teacher, Librarian, Administrator',
					'validation: Email "JDOE@example.org" is already used by another user',
					'applied',
					'validation: Email "FRESH@example.org" is already used by another user',
					'applied',
					'applied'
				]);
				expect(await p.userOnPortal('1001', 'blank.kid')).toBeUndefined();
				expect(await p.passwordMatches('1002', 'gpass', 'Ignored-pass-1')).toBe(false);
			});

			it('keeps a create’s answer in the upload’s history as Added, every field from blank, never the password', async () => {
				const p = await portal();
				await push(p.t, [create(1, '1001', 'hist.kid', NEW, 'b-add'), create(2, '1001', 'jdoe', NEW, 'b-add')]);
				await push(p.t, [
					record(3, 'b-add', 0, 1, [row(2, ['1001', 'hist.kid', 'New Kid', '', '(set)', 'student'], 1), row(3, ['1001', 'jdoe'], 2)], {
						action: 'add'
					})
				]);
				const { upload, rows } = await p.t.uploadRows('b-add', 0, 10);
				expect(upload).toMatchObject({ action: 'add', counts: { rows: 2, added: 1, updated: 0, failed: 1 } });
				expect(rows.map((r) => [r.status, r.applied])).toEqual([
					[
						'Added',
						{
							accountId: '1001',
							username: 'hist.kid',
							fields: {
								name: { before: '', after: 'New Kid' },
								email: { before: '', after: 'new.kid@example.org' },
								role: { before: '', after: 'Student' }
							},
							password: true,
							created: true
						}
					],
					['Failed', undefined]
				]);
				expect(JSON.stringify(rows)).not.toContain(NEW.password);
			});
		});

		describe('upload history', () => {
			/** An upload of three rows: one applied (name and password), one the portal rejects, one the device found unchanged. */
			async function applyRoster(p: PortalUnderTest & { t: PortalTransport }, firstId = 1, batchId = 'b-roster') {
				await push(p.t, [
					update(firstId, '1001', 'JDOE', { name: 'Johnny Doe', password: 'Secret-Pass-123' }, { name: 'John Doe' }, batchId),
					update(firstId + 1, '1001', 'ghost', { name: 'Nobody' }, {}, batchId)
				]);
				return push(p.t, [
					record(firstId + 2, batchId, 0, 1, [
						row(2, ['1001', 'JDOE', 'Johnny Doe', '', '(set)', ''], firstId),
						row(3, ['1001', 'ghost', 'Nobody'], firstId + 1),
						row(4, ['1001', 'asmith', 'Alice Smith'], undefined, 'Unchanged')
					])
				]);
			}

			it('keeps an upload sent after its rows, each row with the portal’s word and the values before and after, never a password', async () => {
				const p = await portal();
				const answer = await applyRoster(p);
				expect(answer.results).toEqual([{ id: 3, status: 'recorded' }]);
				const list = await p.t.uploads(null, 10);
				expect(list).toEqual({
					protocolVersion: PROTOCOL_VERSION,
					uploads: [
						{
							...META,
							id: 'b-roster',
							admin: 'admin',
							receivedAt: expect.any(Number),
							counts: { rows: 3, added: 0, updated: 1, unchanged: 1, failed: 1, queued: 0 }
						}
					],
					next: null
				});
				const rows = await p.t.uploadRows('b-roster', 0, 100);
				expect(rows.rows).toEqual([
					{
						row: 2,
						cells: ['1001', 'JDOE', 'Johnny Doe', '', '(set)', ''],
						status: 'Updated',
						reason: '',
						changed: [],
						applied: { accountId: '1001', username: 'jdoe', fields: { name: { before: 'John Doe', after: 'Johnny Doe' } }, password: true }
					},
					{ row: 3, cells: ['1001', 'ghost', 'Nobody'], status: 'Failed', reason: 'User ghost not found in account 1001', changed: [] },
					{ row: 4, cells: ['1001', 'asmith', 'Alice Smith'], status: 'Unchanged', reason: '', changed: [] }
				]);
				expect(rows.nextOffset).toBeNull();
				expect(JSON.stringify([list, rows])).not.toContain('Secret-Pass-123');
			});

			it('shows a parent’s uploads to every admin of it and to no other parent, whose own ids do not collide', async () => {
				const p = await portal();
				await applyRoster(p);
				await p.t.signOut();
				await p.t.signIn(SHELBYVILLE_ADMIN);
				expect((await p.t.uploads(null, 10)).uploads).toEqual([]);
				expect(refusal(await transportFailure(p.t.uploadRows('b-roster', 0, 10)))).toEqual({
					kind: 'rejected',
					status: 404,
					message: 'Upload b-roster is not in the upload history (uploads are kept for a limited number of days)'
				});
				// The same upload id under another parent is another upload.
				await push(p.t, [record(1, 'b-roster', 0, 1, [row(2, ['2001', 'jdoe'], undefined, 'Unchanged')], { fileName: 'shelby.csv' })]);
				expect((await p.t.uploads(null, 10)).uploads.map((u) => u.fileName)).toEqual(['shelby.csv']);
				await p.t.signOut();
				await p.t.signIn(SPRINGFIELD_ADMIN);
				expect((await p.t.uploads(null, 10)).uploads.map((u) => u.fileName)).toEqual(['roster.xlsx']);
			});

			it('takes a record in parts, in order, exactly once; lists only whole uploads, newest first, in pages', async () => {
				const p = await portal();
				await push(p.t, [record(1, 'b-old', 0, 1, [], { fileName: 'old.csv' })]);
				const first = await push(p.t, [record(2, 'b-big', 0, 3, [row(2, ['a'])], { fileName: 'big.csv' })]);
				expect((await p.t.uploads(null, 10)).uploads.map((u) => u.fileName)).toEqual(['old.csv']);
				// A resent part gets its stored answer and adds nothing.
				expect(await push(p.t, [record(2, 'b-big', 0, 3, [row(2, ['a'])], { fileName: 'big.csv' })])).toEqual(first);
				const skipped = await push(p.t, [record(3, 'b-big', 2, 3, [row(4, ['c'])])]);
				expect(skipped.results[0]).toMatchObject({ status: 'rejected', code: 'validation' });
				await push(p.t, [record(4, 'b-big', 1, 3, [row(3, ['b'])]), record(5, 'b-big', 2, 3, [row(4, ['c'])])]);
				const newest = await p.t.uploads(null, 1);
				expect(newest.uploads.map((u) => [u.fileName, u.counts.rows])).toEqual([['big.csv', 3]]);
				expect(newest.next).not.toBeNull();
				const older = await p.t.uploads(newest.next, 1);
				expect(older).toMatchObject({ uploads: [{ fileName: 'old.csv' }], next: null });
				const page = await p.t.uploadRows('b-big', 1, 1);
				expect(page.rows.map((r) => r.cells)).toEqual([['b']]);
				expect(page.nextOffset).toBe(2);
				expect((await p.t.uploadRows('b-big', 2, 5)).nextOffset).toBeNull();
			});

			it('marks an upload Undone when the record of its undo arrives; an undo can be undone in turn', async () => {
				const p = await portal();
				await applyRoster(p);
				await push(p.t, [
					update(4, '1001', 'jdoe', { name: 'John Doe' }, { name: 'Johnny Doe' }, 'b-undo'),
					record(5, 'b-undo', 0, 1, [row(2, ['1001', 'JDOE', 'Johnny Doe', '', '(set)', ''], 4)], {
						undoOf: { id: 'b-roster', fileName: 'roster.xlsx' }
					})
				]);
				const uploads = (await p.t.uploads(null, 10)).uploads;
				expect(uploads.map((u) => [u.id, u.undoOf?.id, u.undoneBy])).toEqual([
					['b-undo', 'b-roster', undefined],
					['b-roster', undefined, 'b-undo']
				]);
				const undoRows = await p.t.uploadRows('b-undo', 0, 10);
				expect(undoRows.rows[0].applied).toEqual({
					accountId: '1001',
					username: 'jdoe',
					fields: { name: { before: 'Johnny Doe', after: 'John Doe' } },
					password: false
				});
				await push(p.t, [
					update(6, '1001', 'jdoe', { name: 'Johnny Doe' }, { name: 'John Doe' }, 'b-undo-2'),
					record(7, 'b-undo-2', 0, 1, [row(2, ['1001', 'JDOE'], 6)], { undoOf: { id: 'b-undo', fileName: 'roster.xlsx' } })
				]);
				expect((await p.t.uploads(null, 10)).uploads.find((u) => u.id === 'b-undo')?.undoneBy).toBe('b-undo-2');
				expect((await p.userOnPortal('1001', 'jdoe'))?.name).toBe('Johnny Doe');
			});

			it('forgets uploads once they are older than the days it keeps them (30 by default)', async () => {
				const p = await portal();
				await applyRoster(p);
				await p.advanceClock(29 * 86_400_000);
				expect((await p.t.uploads(null, 10)).uploads).toHaveLength(1);
				await p.advanceClock(2 * 86_400_000);
				expect((await p.t.uploads(null, 10)).uploads).toEqual([]);
				expect((await transportFailure(p.t.uploadRows('b-roster', 0, 10))).status).toBe(404);
			});

			it('refuses history queries that are not whole numbers in range', async () => {
				const { t } = await portal();
				expect(refusal(await transportFailure(t.uploads('x', 10)))).toEqual({
					kind: 'rejected',
					status: 400,
					message: 'Query parameter before must be a cursor from an earlier page'
				});
				expect((await transportFailure(t.uploadRows('b', -1, 10))).status).toBe(400);
				await t.signOut();
				expect((await transportFailure(t.uploads(null, 10))).kind).toBe('unauthenticated');
			});
		});
	});
}
