import { describe, expect, it } from 'vitest';
import { diffRecords, isEmptyDiff } from './diff';

type U = { name: string; email: string; role: string };

describe('diffRecords', () => {
	it('reports added, updated and removed keys', () => {
		const d = diffRecords<U>({ name: 'Jane', role: 'Teacher' }, { name: 'Janet', email: 'j@x.org' });
		expect(d).toEqual({ added: { email: 'j@x.org' }, updated: { name: ['Jane', 'Janet'] }, removed: { role: 'Teacher' } });
		expect(isEmptyDiff(d)).toBe(false);
	});

	it('is empty for equal records and ignores undefined', () => {
		const d = diffRecords<U>({ name: 'Jane', role: undefined }, { name: 'Jane' });
		expect(isEmptyDiff(d)).toBe(true);
	});
});
