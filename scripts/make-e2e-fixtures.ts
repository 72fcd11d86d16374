// Writes the e2e upload fixtures: files an admin would upload against the demo dataset
// (server/demo-data.ts: every institution has users jdoe "John Doe" and asmith "Alice Smith").
// Run: npx tsx scripts/make-e2e-fixtures.ts. Output is deterministic and committed.
import { writeFileSync } from 'node:fs';
import * as XLSX from 'xlsx';

const dir = 'tests/fixtures/e2e';
const HEADER = ['Account ID', 'Username', 'Name', 'Email', 'Password', 'Role'];

function xlsx(rows: string[][], bookType: 'xlsx' | 'ods' = 'xlsx'): Buffer {
	const sheet = XLSX.utils.aoa_to_sheet(rows);
	// Account IDs typed as text, as the template formats them, so 01015 keeps its zero.
	for (let r = 1; r < rows.length; r++) {
		const cell = sheet[XLSX.utils.encode_cell({ r, c: 0 })];
		if (cell) Object.assign(cell, { t: 's', z: '@' });
	}
	const book = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(book, sheet, 'Users');
	return XLSX.write(book, { type: 'buffer', bookType, compression: true }) as Buffer;
}

// Every case the Must-show list names, one row each (the row number is the spreadsheet row).
export const MIXED: string[][] = [
	HEADER,
	['1001', 'jdoe', 'Jonathan Doe', '', '', ''], // 2 valid: name
	['1001', 'asmith', '', '', '', 'librarian'], // 3 valid: role, canonicalised
	['1002', 'JDOE', '', 'jdoe.new.1002@example.org', '', ''], // 4 valid: email, username in other case
	['1001', 'zbronte', 'Zoë Brontë', 'zbronte.1001@example.org', '', 'Teacher'], // 5 unchanged
	['2001', 'jdoe', 'Foreign Doe', '', '', ''], // 6 another parent's account
	['1001', 'nobody', 'No Body', '', '', ''], // 7 unknown user
	['1004', 'jdoe', '', 'not-an-email', '', ''], // 8 bad email
	['1006', 'asmith', 'Alice Twice', '', '', ''], // 9 duplicate of row 10
	['1006', 'asmith', 'Alice Again', '', '', ''], // 10 duplicate of row 9
	['1003', 'jdoe', '', 'jdoe.1003@gmail.com', '', ''], // 11 Google domain mismatch
	['1007', 'jdoe', '', '', '', 'Janitor'], // 12 wrong role
	['01015', 'jdoe', 'Johnny Doe', '', '', ''], // 13 leading-zero Account ID
	['1009', 'jdoe', '', '', 'Correct-Horse-42', ''], // 14 password reset
	['4711', 'jdoe', 'Ghost', '', '', ''] // 15 unknown account
];

writeFileSync(`${dir}/mixed-user-update.xlsx`, xlsx(MIXED));

// Windows-1252 bytes (not UTF-8): accented names must come out right. Semicolon-separated, as
// European Excel saves "CSV".
const cp1252 = ['Account ID;Username;Name', '1001;jnunez;José Núñez-García', '1001;mlee;Zoë Müller-Brontë'].join('\r\n') + '\r\n';
writeFileSync(`${dir}/windows-1252-accented-names.csv`, Buffer.from(cp1252, 'latin1'));

writeFileSync(
	`${dir}/libreoffice-name-update.ods`,
	xlsx([HEADER, ['1010', 'jdoe', 'Jordan Doe', '', '', ''], ['1010', 'asmith', '', '', '', 'Administrator']], 'ods')
);

writeFileSync(
	`${dir}/offline-name-update.xlsx`,
	xlsx([HEADER, ['1012', 'jdoe', 'Offline Doe', '', '', ''], ['1012', 'asmith', 'Offline Smith', '', '', '']])
);
// Markup and formulas in names must show as text in the app and stay inert in the results workbook.
writeFileSync(
	`${dir}/xss-and-formula-names.csv`,
	[
		'Account ID,Username,Name,Password',
		'1013,jdoe,<img src=x onerror=alert(1)>,',
		'1013,asmith,"=HYPERLINK(""http://evil.example"",""click"")",Sup3r-Secret-77'
	].join('\r\n') + '\r\n'
);

// Google Admin's user CSV (Users → Download users / the bulk-update template), to which the admin added
// the portal's Account ID and Username columns: Match columns takes First and Last Name into Name and
// ignores Google's own columns. Names change; 1005 jdoe gets a new address in the Google domain.
const GOOGLE_HEADER = [
	'First Name [Required]',
	'Last Name [Required]',
	'Email Address [Required]',
	'Password [Required]',
	'Password Hash Function [UPLOAD ONLY]',
	'Org Unit Path [Required]',
	'New Primary Email [UPLOAD ONLY]',
	'Recovery Email',
	'Home Secondary Email',
	'Work Secondary Email',
	'Recovery Phone [MUST BE IN THE E.164 FORMAT]',
	'Work Phone',
	'Home Phone',
	'Mobile Phone',
	'Work Address',
	'Home Address',
	'Employee ID',
	'Employee Type',
	'Employee Title',
	'Manager Email',
	'Department',
	'Cost Center',
	'Building ID',
	'Floor Name',
	'Floor Section',
	'Change Password at Next Sign-In',
	'New Status [UPLOAD ONLY]',
	'Advanced Protection Program enrollment',
	'Account ID',
	'Username'
];
const google = (first: string, last: string, email: string, unit: string, accountId: string, username: string) => {
	const row = GOOGLE_HEADER.map(() => '');
	Object.assign(row, { 0: first, 1: last, 2: email, 5: unit, 25: 'FALSE', 28: accountId, 29: username });
	return row;
};
const csvLine = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
writeFileSync(
	`${dir}/google-workspace-export.csv`,
	[
		GOOGLE_HEADER,
		google('Johnathan', 'Doe', 'jdoe.1003@springfieldschools.org', '/Students/Grade 7', '1003', 'jdoe'),
		google('Alicia', 'Smith', 'asmith.1003@springfieldschools.org', '/Staff', '1003', 'asmith'),
		google('John', 'Doe', 'john.doe@springfieldschools.org', '/Students/Grade 10', '1005', 'jdoe')
	]
		.map(csvLine)
		.join('\r\n') + '\r\n'
);
// User Add: new users of password and Google accounts beside rows each rule fails (the row numbers are
// the spreadsheet's). Usernames ending in 26 are not in the demo dataset.
export const ADD: string[][] = [
	HEADER,
	['1001', 'nina.new26', 'Nina New', '', 'Welcome-2026a', 'Student'], // 2 added, password sign-in
	['1003', 'tom.teach26', 'Tom Teach', 'tom.teach26@springfieldschools.org', '', 'teacher'], // 3 added, Google sign-in
	['1001', 'JDOE', 'Another Doe', '', 'Welcome-2026c', 'Student'], // 4 username taken (other letter case)
	['1001', 'bad name!', 'Bad Name', '', 'Welcome-2026d', 'Student'], // 5 username rule
	['1003', 'gnomail26', 'G No Mail', '', '', 'Student'], // 6 Google account without an email
	['1001', 'nopass26', 'No Pass', '', '', 'Student'], // 7 password account without a password
	['1004', 'twin26', 'Twin One', '', 'Welcome-2026e', 'Student'], // 8 duplicate of row 9
	['1004', 'TWIN26', 'Twin Two', '', 'Welcome-2026f', 'Student'], // 9 duplicate of row 8
	['01015', 'zero.kid26', 'Zero Kid', '', 'Welcome-2026b', 'Librarian'] // 10 added, leading-zero Account ID
];
writeFileSync(`${dir}/user-add-good-and-bad-rows.xlsx`, xlsx(ADD));

// Queued offline; "offline.two26" is taken on the portal before the device is back online.
writeFileSync(
	`${dir}/user-add-offline-username-taken.xlsx`,
	xlsx([
		HEADER,
		['1012', 'offline.one26', 'Offline One', '', 'Welcome-2026g', 'Student'],
		['1012', 'offline.two26', 'Offline Two', '', 'Welcome-2026h', 'Student']
	])
);

// Both boxes ticked: existing users are updated, the others added, each row by its own rules.
writeFileSync(
	`${dir}/user-add-and-update-mixed.xlsx`,
	xlsx([
		HEADER,
		['1010', 'jdoe', 'Jordan Doe', '', '', ''], // 2 updated
		['1010', 'new.face26', 'New Face', 'new.face26@example.org', 'Welcome-2026i', 'Teacher'], // 3 added
		['1010', 'asmith', '', '', '', ''], // 4 unchanged
		['1010', 'no.role26', 'No Role', '', 'Welcome-2026j', ''] // 5 a new user without a role
	])
);

console.log('wrote e2e fixtures to', dir);
