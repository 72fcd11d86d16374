import { describe, expect, it } from 'vitest';
import { mapHeader } from './header-map';
import { cellIssue } from './issue';
import { finishRow, restoreNeutralized, trimCell, validateRow, type RowOutcome, type RuleContext } from './row-rules';
import { HEADER, ruleContext, user } from '../testing/factories';

const columns = mapHeader([[...HEADER]])!.columns;

function check(cells: string[], ctx: RuleContext = ruleContext(), row = 2): RowOutcome {
	return finishRow(validateRow(cells, row, columns, ctx));
}
const reasons = (o: RowOutcome) => o.errors.map((e) => e.reason);
const messages = (o: RowOutcome) => o.errors.map((e) => e.message);

describe('trimCell', () => {
	it.each([
		['jdoe', 'jdoe'],
		[' jdoe ', 'jdoe'],
		['\tjdoe\n', 'jdoe'],
		['\u00a0Jane Doe\u00a0', 'Jane Doe'],
		['\u200bjdoe\ufeff', 'jdoe'],
		['Jane  Doe', 'Jane  Doe'],
		['', ''],
		['   ', '']
	])('%j -> %j', (raw, trimmed) => expect(trimCell(raw)).toBe(trimmed));
});

describe('restoreNeutralized', () => {
	it.each([
		["'=Smith", '=Smith'],
		["'+1", '+1'],
		["'-x", '-x'],
		["'@home", '@home'],
		["O'Brien", "O'Brien"],
		["'quoted'", "'quoted'"],
		["'", "'"]
	])('%j -> %j', (value, restored) => expect(restoreNeutralized(value)).toBe(restored));
});

describe('cellIssue wording', () => {
	it('puts the row before the field rule reason', () => {
		expect(cellIssue(5, 'Email', 'Email "x@" is not a valid email address', 'x@').message).toBe(
			'Row 5, Email: "x@" is not a valid email address'
		);
		expect(cellIssue(5, 'Password', 'Password is too short (3 characters; at least 8)').message).toBe(
			'Row 5, Password is too short (3 characters; at least 8)'
		);
		expect(cellIssue(5, 'Username', 'User jdoe not found in account 1001', 'jdoe').message).toBe(
			'Row 5, Username: User jdoe not found in account 1001'
		);
	});
});

describe('validateRow: account and user', () => {
	it('requires an Account ID', () => {
		const o = check(['', 'jdoe']);
		expect(o.status).toBe('failed');
		expect(messages(o)).toEqual(['Row 2, Account ID is required']);
	});

	it('requires digits only', () => {
		expect(messages(check(['10a1', 'jdoe']))).toEqual(['Row 2, Account ID: "10a1" must contain digits only']);
		expect(reasons(check(['1001.0', 'jdoe']))).toEqual(['Account ID "1001.0" must contain digits only']);
	});

	it('refuses an account that is not a child of the parent, and stops there', () => {
		const o = check(['4711', 'jdoe', 'x'.repeat(500), 'not-an-email']);
		expect(reasons(o)).toEqual(['Account 4711 is not a child account of Springfield Public Schools; row not processed']);
		expect(o.errors[0]).toMatchObject({ row: 2, column: 'Account ID', value: '4711' });
	});

	it('suggests the zero-padded account when leading zeros were lost', () => {
		expect(reasons(check(['1015', 'ogden']))[0]).toBe(
			'Account 1015 is not a child account of Springfield Public Schools; row not processed. Did you mean 01015? Spreadsheet programs drop leading zeros; format the Account ID column as Text'
		);
		expect(reasons(check(['001001', 'jdoe']))[0]).toContain('Did you mean 1001?');
	});

	it('keeps leading zeros meaningful', () => {
		const o = check(['01015', 'ogden', 'New Name']);
		expect(o.status).toBe('update');
		expect(o.accountId).toBe('01015');
		expect(o.accountName).toBe('Ogdenville Middle');
	});

	it('requires a Username', () => {
		expect(messages(check(['1001', '']))).toEqual(['Row 2, Username is required']);
	});

	it('requires the user to exist in that account', () => {
		const o = check(['1001', 'ghost', 'Name']);
		expect(messages(o)).toEqual(['Row 2, Username: User ghost not found in account 1001']);
		expect(o.errors[0].value).toBe('ghost');
		// jdoe exists in 1001, not in 1002.
		expect(reasons(check(['1002', 'jdoe']))).toEqual(['User jdoe not found in account 1002']);
	});

	it('still checks the other cells of a row whose user is unknown', () => {
		const o = check(['1001', 'ghost', '', 'x@', '', 'Janitor']);
		expect(reasons(o)).toEqual([
			'User ghost not found in account 1001',
			'Email "x@" is not a valid email address',
			'Role "Janitor" is not one of Teacher, Student, Administrator'
		]);
	});

	it('finds usernames case-insensitively', () => {
		const o = check(['1001', 'JDOE', 'Janet Doe']);
		expect(o.status).toBe('update');
		expect(o.username).toBe('JDOE');
	});
});

describe('validateRow: fields', () => {
	it('blank optional cells mean no change', () => {
		const o = check(['1001', 'jdoe', '', '', '', '']);
		expect(o.status).toBe('unchanged');
		expect(o.mutation).toBeUndefined();
		expect(o.diff).toEqual([]);
	});

	it('a row equal to the current values is unchanged', () => {
		const u = user();
		expect(check([u.accountId, u.username, u.name, u.email, '', u.role]).status).toBe('unchanged');
	});

	it('builds the mutation with the base values of the changed fields only', () => {
		const o = check(['1001', 'jdoe', 'Janet Doe', 'jdoe@springfield.example', '', 'student']);
		expect(o.status).toBe('update');
		expect(o.mutation).toEqual({ changes: { name: 'Janet Doe', role: 'Student' }, base: { name: 'Jane Doe', role: 'Teacher' } });
		expect(o.diff).toEqual([
			{ field: 'name', from: 'Jane Doe', to: 'Janet Doe' },
			{ field: 'role', from: 'Teacher', to: 'Student' }
		]);
	});

	it('limits names and refuses control characters', () => {
		expect(reasons(check(['1001', 'jdoe', 'x'.repeat(101)]))).toEqual([
			'Name: 101 characters; names can have at most 100. Shorten it and upload again.'
		]);
		expect(check(['1001', 'jdoe', 'x'.repeat(100)]).status).toBe('update');
		expect(reasons(check(['1001', 'jdoe', 'Jane\u0007Doe']))).toEqual(['Name "Jane?Doe" contains a control character']);
	});

	it('validates the email format', () => {
		const o = check(['1001', 'jdoe', '', 'x@'], ruleContext(), 5);
		expect(messages(o)).toEqual(['Row 5, Email: "x@" is not a valid email address']);
		expect(o.errors[0]).toMatchObject({ row: 5, column: 'Email', value: 'x@' });
	});

	it('refuses an email used by another existing user, naming that user', () => {
		const o = check(['1001', 'jdoe', '', 'BSMITH@springfield.example']);
		expect(reasons(o)).toEqual(['Email "BSMITH@springfield.example" is already used by user bsmith in account 1001']);
	});

	it("accepts the user's own email in another letter case as a change", () => {
		const o = check(['1001', 'jdoe', '', 'JDoe@Springfield.example']);
		expect(o.status).toBe('update');
		expect(o.mutation?.changes).toEqual({ email: 'JDoe@Springfield.example' });
	});

	it('applies the Google domain rule to Google sign-in accounts', () => {
		expect(reasons(check(['1002', 'gwen', '', 'gwen@gmail.com']))).toEqual([
			'Email "gwen@gmail.com" does not match the Google sign-in domain of account 1002 (@shelbyville.edu)'
		]);
		expect(check(['1002', 'gwen', '', 'gwen.new@SHELBYVILLE.edu']).status).toBe('update');
		// Password accounts have no domain rule.
		expect(check(['1001', 'jdoe', '', 'jdoe@gmail.com']).status).toBe('update');
	});

	it('checks password length and the username', () => {
		expect(reasons(check(['1001', 'jdoe', '', '', 'short']))).toEqual(['Password is too short (5 characters; at least 8)']);
		expect(reasons(check(['1001', 'jdoe', '', '', 'p'.repeat(129)]))).toEqual([
			'Password: 129 characters; passwords can have at most 128. Shorten it and upload again.'
		]);
		expect(reasons(check(['1001', 'jdoe1234', '', '', 'JDOE1234'], ruleContext({ users: [user({ username: 'jdoe1234' })] })))).toEqual([
			'Password must not be the same as the username'
		]);
	});

	it('never puts the password value in an issue', () => {
		const secret = 'sh0rt';
		const o = check(['1001', 'jdoe', '', '', ` ${secret}`]);
		for (const issue of [...o.errors, ...o.warnings]) {
			expect(JSON.stringify(issue)).not.toContain(secret);
		}
		expect(o.warnings.map((w) => w.message)).toEqual(['Row 2, Password had leading or trailing spaces; they were removed']);
	});

	it('always counts a password as a change, shown without its value', () => {
		const o = check(['1001', 'jdoe', 'Jane Doe', '', 'Correct-Horse-1']);
		expect(o.status).toBe('update');
		expect(o.diff).toEqual([{ field: 'password', from: '', to: '', secret: true }]);
		expect(o.mutation).toEqual({ changes: { password: 'Correct-Horse-1' }, base: {} });
	});

	it('ignores a password for a Google sign-in account, with a warning', () => {
		const o = check(['1002', 'gwen', '', '', 'Correct-Horse-1']);
		expect(o.status).toBe('unchanged');
		expect(o.warnings.map((w) => w.message)).toEqual(['Row 2, Password is ignored: account 1002 uses Google sign-in']);
		// Even a password that would be invalid is only ignored.
		expect(check(['1002', 'gwen', '', '', 'x']).errors).toEqual([]);
	});

	it('matches roles case-insensitively and writes them canonically', () => {
		const o = check(['1001', 'jdoe', '', '', '', '  ADMINISTRATOR ']);
		expect(o.mutation?.changes.role).toBe('Administrator');
		expect(check(['1001', 'jdoe', '', '', '', 'teacher']).status).toBe('unchanged');
		expect(reasons(check(['1001', 'jdoe', '', '', '', 'Janitor']))).toEqual([
			'Role "Janitor" is not one of Teacher, Student, Administrator'
		]);
	});
});

describe('validateRow: over-long values', () => {
	// Excel holds at most 32,767 characters in a cell; a CSV can hold anything. Every field has a far
	// lower limit on the portal, and the message says so in the admin's words, never with the value.
	it('names row, column, length and limit of an over-long name, with the next step', () => {
		const o = check(['1001', 'jdoe', 'x'.repeat(40_000)], ruleContext(), 7);
		expect(o.status).toBe('failed');
		expect(messages(o)).toEqual(['Row 7, Name: 40,000 characters; names can have at most 100. Shorten it and upload again.']);
		expect(o.errors[0]).toMatchObject({ row: 7, column: 'Name' });
	});

	it('checks the limit of every field', () => {
		expect(messages(check(['1001', 'u'.repeat(101), 'New'], ruleContext(), 3))).toEqual([
			'Row 3, Username: 101 characters; usernames can have at most 100. Check it and upload again.'
		]);
		expect(messages(check(['1'.repeat(19), 'jdoe'], ruleContext(), 3))).toEqual([
			'Row 3, Account ID: 19 digits; Account IDs have at most 18. Check it and upload again.'
		]);
		const email = `${'e'.repeat(250)}@springfield.example`;
		expect(messages(check(['1001', 'jdoe', '', email], ruleContext(), 3))).toEqual([
			`Row 3, Email: ${email.length} characters; email addresses can have at most 254. Shorten it and upload again.`
		]);
		expect(messages(check(['1001', 'jdoe', '', '', 'p'.repeat(40_000)], ruleContext(), 3))).toEqual([
			'Row 3, Password: 40,000 characters; passwords can have at most 128. Shorten it and upload again.'
		]);
	});

	it('keeps every reason short, whatever the length of the cell', () => {
		const huge = '9'.repeat(40_000);
		for (const cells of [
			[huge, 'jdoe'],
			['1001', huge],
			['1001', 'jdoe', huge, huge, huge, huge],
			['1001', `=${'x'.repeat(32_766)}`]
		]) {
			const o = check(cells);
			expect(o.status).toBe('failed');
			for (const issue of [...o.errors, ...o.warnings]) expect(issue.message.length).toBeLessThan(300);
		}
	});
});

describe('validateRow: trimming', () => {
	it('trims every cell and warns with the original value', () => {
		const o = check([' 1001', 'jdoe ', ' Janet Doe', '', '', 'Teacher\t']);
		expect(o.status).toBe('update');
		expect(o.mutation?.changes).toEqual({ name: 'Janet Doe' });
		expect(o.warnings.map((w) => w.message)).toEqual([
			'Row 2, Account ID: " 1001" had leading or trailing spaces; they were removed',
			'Row 2, Username: "jdoe " had leading or trailing spaces; they were removed',
			'Row 2, Name: " Janet Doe" had leading or trailing spaces; they were removed',
			'Row 2, Role: "Teacher\t" had leading or trailing spaces; they were removed'
		]);
	});

	it('treats a cell of spaces as blank without a warning', () => {
		const o = check(['1001', 'jdoe', '   ', '', '', '']);
		expect(o.status).toBe('unchanged');
		expect(o.warnings).toEqual([]);
	});

	it('restores neutralised text from our own exports', () => {
		const ctx = ruleContext({ users: [user({ name: '=Smith' })] });
		expect(check(['1001', 'jdoe', "'=Smith"], ctx).status).toBe('unchanged');
	});
});
