import { describe, expect, it } from 'vitest';
import {
	columnLetter,
	headerErrorMessage,
	mapHeader,
	matchHeader,
	normalizeHeader,
	TEMPLATE_HEADERS,
	type ColumnField
} from './header-map';

describe('normalizeHeader', () => {
	it.each([
		['Account ID', 'accountid'],
		['  account_id  ', 'accountid'],
		['ACCOUNT-ID', 'accountid'],
		['Account #', 'accountnumber'],
		['Account No.', 'accountnumber'],
		['Account ID (required)', 'accountid'],
		['E-mail', 'email'],
		['Émail', 'email'],
		['Role*', 'role'],
		['Name [optional]', 'name']
	])('%s -> %s', (input, expected) => {
		expect(normalizeHeader(input)).toBe(expected);
	});
});

describe('matchHeader', () => {
	const cases: [string, ColumnField][] = [
		// Account ID
		['Account ID', 'accountId'],
		['Account Id', 'accountId'],
		['account id', 'accountId'],
		['AccountID', 'accountId'],
		['Account_ID', 'accountId'],
		['Account #', 'accountId'],
		['Account Number', 'accountId'],
		['Account No.', 'accountId'],
		['Account', 'accountId'],
		['Acct ID', 'accountId'],
		['Institution ID', 'accountId'],
		['Building ID', 'accountId'],
		['Account ID (required)', 'accountId'],
		// Username
		['Username', 'username'],
		['User name', 'username'],
		['USER NAME', 'username'],
		['User_Name', 'username'],
		['user-name', 'username'],
		['Login', 'username'],
		['Login Name', 'username'],
		['Login ID', 'username'],
		['User', 'username'],
		['Username (required)', 'username'],
		// Name
		['Name', 'name'],
		['Full name', 'name'],
		['Full Name', 'name'],
		['Display name', 'name'],
		['DisplayName', 'name'],
		['Name (optional)', 'name'],
		// Email
		['Email', 'email'],
		['E-mail', 'email'],
		['E-Mail', 'email'],
		['EMAIL', 'email'],
		['Email Address', 'email'],
		['E-mail address', 'email'],
		['Mail', 'email'],
		['Google email', 'email'],
		// Password
		['Password', 'password'],
		['New Password', 'password'],
		['Passwd', 'password'],
		['PWD', 'password'],
		// Role
		['Role', 'role'],
		['User Role', 'role'],
		['Roles', 'role'],
		['User type', 'role']
	];
	it.each(cases)('%s -> %s', (header, field) => {
		expect(matchHeader(header)).toBe(field);
	});

	it.each(['', '   ', 'Notes', 'Phone', 'ID', 'User ID', 'First name', 'Account Name'])('%j matches nothing', (header) => {
		expect(matchHeader(header)).toBeNull();
	});
});

describe('columnLetter', () => {
	it.each([
		[0, 'A'],
		[5, 'F'],
		[25, 'Z'],
		[26, 'AA'],
		[701, 'ZZ'],
		[702, 'AAA']
	])('%i -> %s', (i, letter) => expect(columnLetter(i)).toBe(letter));
});

describe('mapHeader', () => {
	it('maps the template header', () => {
		const map = mapHeader([[...TEMPLATE_HEADERS]])!;
		expect(map.columns).toEqual({ accountId: 0, username: 1, name: 2, email: 3, password: 4, role: 5 });
		expect(map.headerRow).toBe(1);
		expect(map.errors).toEqual([]);
		expect(map.warnings).toEqual([]);
	});

	it('returns null for a sheet with only blank rows', () => {
		expect(mapHeader([])).toBeNull();
		expect(mapHeader([[], ['', '  ']])).toBeNull();
	});

	it('takes the first non-blank row as the header and keeps its cells as written', () => {
		const map = mapHeader([[], ['  ', ''], [' Role ', 'E-Mail', 'LOGIN', 'Account #']])!;
		expect(map.headerIndex).toBe(2);
		expect(map.headerRow).toBe(3);
		expect(map.header).toEqual([' Role ', 'E-Mail', 'LOGIN', 'Account #']);
		expect(map.columns).toEqual({ role: 0, email: 1, username: 2, accountId: 3 });
		expect(map.errors).toEqual([]);
	});

	it('warns about unknown columns, naming each', () => {
		const map = mapHeader([['Account ID', 'Username', 'Phone', '', 'Notes']])!;
		expect(map.unknown).toEqual([
			{ index: 2, header: 'Phone' },
			{ index: 4, header: 'Notes' }
		]);
		expect(map.warnings.map((w) => w.message)).toEqual([
			'Row 1: Column C "Phone" is not a template column; its values are ignored',
			'Row 1: Column E "Notes" is not a template column; its values are ignored'
		]);
		expect(map.errors).toEqual([]);
	});

	it('refuses a duplicate template column', () => {
		const map = mapHeader([['Account ID', 'Username', 'Email', 'E-mail']])!;
		expect(map.errors).toHaveLength(1);
		expect(map.errors[0].reason).toBe('The file has 2 "Email" columns (C "Email", D "E-mail"). Keep one and delete the others.');
		expect(headerErrorMessage(map)).toContain('2 "Email" columns');
	});

	it('refuses two aliases of the same column', () => {
		const map = mapHeader([['Account ID', 'Username', 'Email Address', 'Mail']])!;
		expect(map.errors.map((e) => e.reason)).toEqual([
			'The file has 2 "Email" columns (C "Email Address", D "Mail"). Keep one and delete the others.'
		]);
	});

	it('prefers the exact name over an alias of the same column', () => {
		const map = mapHeader([['Account', 'Account ID', 'Username']])!;
		expect(map.errors).toEqual([]);
		expect(map.columns.accountId).toBe(1);
		expect(map.warnings[0].reason).toBe('Column A "Account" is ignored: column B "Account ID" is the Account ID column');
	});

	it('names a missing required column with the expected headers', () => {
		const map = mapHeader([['Account ID', 'Name', 'Email']])!;
		expect(headerErrorMessage(map)).toBe(
			'The file has no "Username" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role.'
		);
		expect(map.errors[0].column).toBe('Username');
	});

	it('names both required columns when both are missing, once', () => {
		const map = mapHeader([['Name', 'Email']])!;
		expect(map.errors).toHaveLength(2);
		expect(headerErrorMessage(map)).toBe(
			'The file has no "Account ID" or "Username" column. Row 1 must hold the headers: Account ID, Username, Name, Email, Password, Role.'
		);
	});

	it('says so when the header row was deleted and row 1 is a user', () => {
		const map = mapHeader([['1001', 'jdoe', 'Jane Doe']])!;
		expect(headerErrorMessage(map)).toContain('Row 1 looks like a user, not headers.');
	});

	it('points at the actual header row when blank rows come first', () => {
		const map = mapHeader([[], ['Account ID', 'Name']])!;
		expect(headerErrorMessage(map)).toContain('Row 2 (the first row that is not blank) must hold the headers');
	});
});

describe('uploading our own results and errors workbooks', () => {
	it('ignores Row, Status, Reason, Changed and Edited in preview next to Reason, with one note', () => {
		const map = mapHeader([[...TEMPLATE_HEADERS, 'Row', 'Status', 'Reason', 'Changed', 'Edited in preview']])!;
		expect(map.errors).toEqual([]);
		expect(map.unknown).toEqual([]);
		expect(map.own.map((o) => o.index)).toEqual([6, 7, 8, 9, 10]);
		expect(map.warnings.map((w) => w.message)).toEqual([
			'Row 1: Columns "Row", "Status", "Reason", "Changed" and "Edited in preview" hold results of an earlier upload; they are ignored'
		]);
	});

	it('says it in one line for the errors workbook (Reason only)', () => {
		const map = mapHeader([[...TEMPLATE_HEADERS, 'Reason']])!;
		expect(map.warnings.map((w) => w.reason)).toEqual(['Column "Reason" holds results of an earlier upload; it is ignored']);
	});

	it('takes "Status" without "Reason" for another system\'s column', () => {
		const map = mapHeader([['Account ID', 'Username', 'Status']])!;
		expect(map.own).toEqual([]);
		expect(map.unknown.map((u) => u.header)).toEqual(['Status']);
	});
});

describe('Microsoft Entra bulk files', () => {
	it('reads the headers below the "version:v1.0" line', () => {
		const map = mapHeader([['version:v1.0'], ['Account ID', 'User name [userPrincipalName] Required'], ['1001', 'jdoe@x.org']])!;
		expect(map.headerRow).toBe(2);
		expect(map.header[0]).toBe('Account ID');
	});
});
