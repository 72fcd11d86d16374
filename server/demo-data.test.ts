// Checks the demo dataset keeps the promises its header comment makes to other tests.
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../src/lib/domain/dataset';
import { demoDataset, generateDataset } from './demo-data';

describe('demo dataset', () => {
	const dataset = parseDataset(demoDataset());

	it('is valid, deterministic and big enough', () => {
		expect(JSON.stringify(demoDataset())).toBe(JSON.stringify(dataset));
		const parent100 = new Set(dataset.institutions.filter((i) => i.parentAccountId === '100').map((i) => i.accountId));
		expect(parent100.size).toBe(15);
		expect(parent100.has('01015')).toBe(true);
		expect(dataset.users.filter((u) => parent100.has(u.accountId)).length).toBe(2400);
		expect(dataset.admins.map((a) => [a.username, a.password])).toEqual([
			['admin', 'springfield-demo'],
			['shelby-admin', 'shelbyville-demo']
		]);
	});

	it('has unique emails, Google users inside their domains, and accented names', () => {
		const emails = dataset.users.map((u) => u.email.toLowerCase()).filter((e) => e !== '');
		expect(new Set(emails).size).toBe(emails.length);
		const byId = new Map(dataset.institutions.map((i) => [i.accountId, i]));
		for (const u of dataset.users) {
			const inst = byId.get(u.accountId)!;
			if (inst.signIn === 'google') expect(inst.googleDomains).toContain(u.email.split('@')[1]);
		}
		expect(dataset.users.some((u) => u.name === 'José Núñez')).toBe(true);
		expect(dataset.users.some((u) => u.name === 'Zoë Brontë')).toBe(true);
	});

	it('contains the documented fixed users', () => {
		const find = (accountId: string, username: string) => dataset.users.find((u) => u.accountId === accountId && u.username === username);
		expect(find('1001', 'jdoe')).toMatchObject({ name: 'John Doe', email: 'jdoe.1001@example.org', role: 'Student' });
		expect(find('1003', 'jdoe')).toMatchObject({ email: 'jdoe.1003@springfieldschools.org' });
		expect(find('01015', 'asmith')).toMatchObject({ name: 'Alice Smith', email: 'asmith.01015@example.org', role: 'Teacher' });
		expect(find('2001', 'jdoe')).toMatchObject({ email: 'jdoe.2001@example.net', role: 'Librarian' });
		expect(find('1001', 'rpatel')).toMatchObject({ role: 'Administrator' });
		expect(dataset.users.filter((u) => u.username === 'jdoe').length).toBe(19);
	});

	it('generates benchmark sizes', () => {
		const big = generateDataset({ users: 20_000, seed: 7 });
		expect(big.users.length).toBe(20_000 + 248);
	});
});
