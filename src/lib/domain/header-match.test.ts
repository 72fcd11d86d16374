import { describe, expect, it } from 'vitest';
import { mapHeader } from './header-map';
import {
	columnsFromMatching,
	guessColumns,
	headerKey,
	matchingNotes,
	matchingProblems,
	nearness,
	needsMatching,
	sampleColumns,
	targetsByColumn,
	type MatchTarget
} from './header-match';

/** header → [target, reason] for a header row and one sample row of values. */
function guesses(header: string[], values: string[] = [], more: string[][] = []) {
	const samples = sampleColumns([header, values, ...more], 0);
	return Object.fromEntries(guessColumns(header, samples).map((g) => [g.header, [g.target, g.reason]]));
}
function targets(header: string[], values: string[] = []) {
	return Object.fromEntries(Object.entries(guesses(header, values)).map(([h, [t]]) => [h, t]));
}

describe('guesses for the exports admins have', () => {
	it('Google Workspace user CSV, with Account ID and Username added by the admin', () => {
		const header = [
			'First Name [Required]',
			'Last Name [Required]',
			'Email Address [Required]',
			'Password [Required]',
			'Password Hash Function [UPLOAD ONLY]',
			'Org Unit Path [Required]',
			'New Primary Email [UPLOAD ONLY]',
			'Recovery Email',
			'Building ID',
			'Account ID',
			'Username'
		];
		const g = guesses(header, [
			'Jane',
			'Doe',
			'jane.doe@springfieldschools.org',
			'Secret-Pass-1',
			'',
			'/Students',
			'',
			'mom@example.org',
			'',
			'1003',
			'jdoe'
		]);
		expect(g['First Name [Required]']).toEqual(['firstName', 'Google Workspace export: First Name [Required]']);
		expect(g['Last Name [Required]']).toEqual(['lastName', 'Google Workspace export: Last Name [Required]']);
		expect(g['Email Address [Required]']).toEqual(['email', 'Google Workspace export: Email Address [Required]']);
		expect(g['Password [Required]']).toEqual(['password', 'Google Workspace export: Password [Required]']);
		expect(g['Org Unit Path [Required]'][0]).toBe('ignore');
		expect(g['Recovery Email']).toEqual([
			'ignore',
			'Google Workspace export: Recovery Email; a second address, not the one users sign in with'
		]);
		// Google's own Building ID is empty in this export: not taken for the portal's Account ID.
		expect(g['Building ID']).toEqual(['ignore', '"Building ID" sounds like Account ID, but the column is empty']);
		expect(g['Account ID']).toEqual(['accountId', 'The template\'s "Account ID" column']);
	});

	it('Microsoft Entra bulk file: Name from displayName wins over given name and surname', () => {
		const t = targets([
			'Name [displayName] Required',
			'User name [userPrincipalName] Required',
			'Initial password [passwordProfile] Required',
			'Block sign in (Yes/No) [accountEnabled] Required',
			'First name [givenName]',
			'Last name [surname]'
		]);
		expect(t).toEqual({
			'Name [displayName] Required': 'name',
			'User name [userPrincipalName] Required': 'username',
			'Initial password [passwordProfile] Required': 'password',
			'Block sign in (Yes/No) [accountEnabled] Required': 'ignore',
			'First name [givenName]': 'ignore',
			'Last name [surname]': 'ignore'
		});
		expect(guesses(['Name [displayName] Required', 'First name [givenName]'])['First name [givenName]'][1]).toBe(
			'First name, but Name comes from column A "Name [displayName] Required"'
		);
		expect(guesses(['Mail [mail]'], ['a@b.org'])['Mail [mail]']).toEqual(['email', 'Microsoft Entra bulk file attribute [mail]']);
	});

	it('OneRoster users.csv: orgSourcedIds is the Account ID when its values are numbers', () => {
		const header = ['sourcedId', 'status', 'orgSourcedIds', 'role', 'username', 'givenName', 'familyName', 'email', 'password'];
		expect(targets(header, ['a1b2', 'active', '1001', 'student', 'jdoe', 'Jane', 'Doe', 'j@x.org', ''])).toEqual({
			sourcedId: 'ignore',
			status: 'ignore',
			orgSourcedIds: 'accountId',
			role: 'role',
			username: 'username',
			givenName: 'firstName',
			familyName: 'lastName',
			email: 'email',
			password: 'password'
		});
		expect(targets(header, ['a1b2', 'active', 'org-guid-1'])['orgSourcedIds']).toBe('ignore');
	});

	it('Canvas SIS users.csv: login_id is the Username and full_name the Name', () => {
		const g = guesses(['user_id', 'login_id', 'password', 'first_name', 'last_name', 'full_name', 'email', 'status'], ['u1', 'jdoe']);
		expect(g['login_id']).toEqual(['username', 'Canvas SIS users.csv: login_id']);
		expect(g['full_name']).toEqual(['name', 'Canvas SIS users.csv: full_name']);
		expect(g['user_id']).toEqual(['ignore', 'Canvas SIS users.csv: user_id; Canvas’s SIS ID for the user, not the username']);
		expect(g['first_name'][0]).toBe('ignore');
		// Without full_name, first and last name are joined into Name.
		expect(targets(['login_id', 'first_name', 'last_name'])).toEqual({
			login_id: 'username',
			first_name: 'firstName',
			last_name: 'lastName'
		});
	});
});

describe('misspellings and other languages', () => {
	it.each([
		['Usernme', 'username', 'Close to "Username" (1 letter different)'],
		['Emial', 'email', 'Close to "Email" (1 letter different)'],
		['Acount ID', 'accountId', 'Close to "Account ID" (1 letter different)'],
		['Nmae', 'name', 'Close to "Name" (1 letter different)'],
		['Pasword', 'password', 'Close to "Password" (1 letter different)'],
		['E-mial Adress', 'email', 'Close to "Email" (2 letters different)'],
		['Userrname', 'username', 'Close to "Username" (1 letter different)']
	])('%s → %s', (header, target, reason) => {
		expect(guesses([header], [header.startsWith('E') ? 'a@b.org' : '1001'])[header]).toEqual([target, reason]);
	});

	it.each([
		['Nombre', 'name', 'Spanish for "Name"'],
		['Correo electrónico', 'email', 'Spanish for "Email"'],
		['Contraseña', 'password', 'Spanish for "Password"'],
		['Prénom', 'firstName', 'French for "First name"'],
		['Mot de passe', 'password', 'French for "Password"'],
		['Benutzername', 'username', 'German for "Username"'],
		['Kennwort', 'password', 'German for "Password"'],
		['Senha', 'password', 'Portuguese for "Password"'],
		['Cognome', 'lastName', 'Italian for "Last name"'],
		['Gebruikersnaam', 'username', 'Dutch for "Username"'],
		['Rol', 'role', 'Spanish and Dutch for "Role"']
	])('%s → %s', (header, target, reason) => {
		expect(guesses([header], ['x@y.org'])[header]).toEqual([target, reason]);
	});

	it('takes "Nombre" next to "Apellidos" for the first name', () => {
		expect(guesses(['Nombre', 'Apellidos'])['Nombre']).toEqual(['firstName', 'Spanish for "First name" (next to "Apellidos")']);
	});

	it('does not stretch short words: "Game" and "Used" are not Name and Username', () => {
		expect(targets(['Game', 'Used', 'ID', 'Notes'])).toEqual({ Game: 'ignore', Used: 'ignore', ID: 'ignore', Notes: 'ignore' });
	});

	it('measures swaps as one letter', () => {
		expect(nearness('emial', 'email', 2)).toBe(1);
		expect(nearness('abc', 'xyz', 1)).toBe(2);
	});
});

describe('ambiguous cases', () => {
	it('a header as close to two fields is not guessed, and the reason says so', () => {
		expect(guesses(['Vurname'])['Vurname']).toEqual(['ignore', 'As close to "Last name" as to "First name": choose the one it holds']);
	});

	it('two columns for one field: the better match keeps it', () => {
		const g = guesses(['Mail', 'Email'], ['a@b.org', 'c@d.org']);
		expect(g['Email'][0]).toBe('email');
		expect(g['Mail']).toEqual(['ignore', 'Could also be Email, but column B "Email" is the closer match']);
	});

	it('values confirm Email: a column of numbers is not Email', () => {
		expect(guesses(['Mail'], ['12345'], [['67890']])['Mail']).toEqual([
			'ignore',
			'"Mail" sounds like Email, but its values are numbers (e.g. "12345")'
		]);
	});

	it('values confirm Account ID', () => {
		expect(guesses(['Account'], ['Lincoln Elementary'])['Account']).toEqual([
			'ignore',
			'"Account" sounds like Account ID, but its values are not account numbers (e.g. "Lincoln Elementary")'
		]);
		expect(targets(['Account'], ['01015'])).toEqual({ Account: 'accountId' });
	});

	it('an unnamed column of email addresses is Email when nothing else is', () => {
		const g = guesses(
			['Account ID', 'Username', 'Contact'],
			['1001', 'jdoe', 'a@b.org'],
			[
				['1001', 'x', 'c@d.org'],
				['1001', 'y', 'e@f.org']
			]
		);
		expect(g['Contact']).toEqual(['email', 'Its values look like email addresses (e.g. "a@b.org")']);
		expect(targets(['Email', 'Contact'], ['a@b.org', 'c@d.org'])).toEqual({ Email: 'email', Contact: 'ignore' });
	});

	it('our own results columns are ignored as such', () => {
		expect(guesses(['Account ID', 'Username', 'Reason', 'Notes'])['Reason']).toEqual([
			'ignore',
			'Results of an earlier upload, not a user field'
		]);
	});
});

describe('a remembered matching', () => {
	it('is used as it was for exactly the same headers', () => {
		const header = ['Login', 'Building', 'Whatever'];
		const remembered = {
			fileName: 'export.csv',
			usedAt: Date.UTC(2025, 2, 9, 12),
			targets: ['username', 'accountId', 'name'] as MatchTarget[]
		};
		const g = guessColumns(header, sampleColumns([header], 0), remembered);
		expect(g.map((x) => x.target)).toEqual(['username', 'accountId', 'name']);
		expect(g[0].reason).toBe('Matched like your upload of "export.csv" on Mar 9, 2025');
		expect(headerKey(header)).toBe(headerKey([' Login', 'Building ', 'Whatever']));
		expect(headerKey(header)).not.toBe(headerKey(['Building', 'Login', 'Whatever']));
	});
});

describe('the admin’s choices', () => {
	const choice = (letter: string, header: string, target: MatchTarget, index = letter.charCodeAt(0) - 65) => ({
		index,
		letter,
		header,
		target
	});

	it('need Account ID and Username', () => {
		expect(matchingProblems([choice('A', 'Login', 'username')])).toEqual(['Choose the column that holds the Account ID.']);
	});

	it('never one field twice, nor Name with First or Last name', () => {
		expect(
			matchingProblems([
				choice('A', 'Account', 'accountId'),
				choice('B', 'Login', 'username'),
				choice('C', 'Mail', 'email'),
				choice('D', 'E-mail', 'email'),
				choice('E', 'Full', 'name'),
				choice('F', 'Given', 'firstName')
			])
		).toEqual([
			'Email is chosen for 2 columns (C "Mail" and D "E-mail"): choose "Ignore this column" for all but one.',
			'Name is chosen, and so is First name or Last name: choose either Name, or First name and Last name.'
		]);
	});

	it('give the column map, the targets to remember, and the preview’s notes', () => {
		const header = ['Given', 'Family', 'Login', 'Acct', 'Org Unit', 'Phone', 'Reason'];
		const choices = [
			choice('A', 'Given', 'firstName'),
			choice('B', 'Family', 'lastName'),
			choice('C', 'Login', 'username'),
			choice('D', 'Acct', 'accountId'),
			choice('E', 'Org Unit', 'ignore'),
			choice('F', 'Phone', 'ignore'),
			choice('G', 'Reason', 'ignore')
		];
		expect(matchingProblems(choices)).toEqual([]);
		expect(columnsFromMatching(choices)).toEqual({ firstName: 0, lastName: 1, username: 2, accountId: 3 });
		expect(targetsByColumn([...header, ''], choices)).toEqual([
			'firstName',
			'lastName',
			'username',
			'accountId',
			'ignore',
			'ignore',
			'ignore',
			'ignore'
		]);
		expect(matchingNotes(header, 1, choices).map((n) => n.message)).toEqual([
			'Row 1: Column "Reason" holds results of an earlier upload; it is ignored',
			'Row 1: Columns "Org Unit" and "Phone" are not used (you chose to ignore them)'
		]);
	});
});

describe('when Match columns is needed', () => {
	it('for an unknown or missing column, not for the template nor a deleted header row', () => {
		expect(needsMatching(mapHeader([['Account ID', 'Username', 'Name']])!)).toBe(false);
		expect(needsMatching(mapHeader([['Account ID', 'Username', 'Reason', 'Status']])!)).toBe(false);
		expect(needsMatching(mapHeader([['Account ID', 'Username', 'Notes']])!)).toBe(true);
		expect(needsMatching(mapHeader([['Account ID', 'Name']])!)).toBe(true);
		expect(needsMatching(mapHeader([['1001', 'jdoe', 'Jane Doe']])!)).toBe(false);
	});
});
