// Prototype pollution through uploads: CVE-2023-30533 (SheetJS < 0.19.3, comments whose cell reference
// is "__proto__"), and headers, values and sheet names spelled like Object.prototype members. After
// reading and previewing, Object.prototype must be exactly as before; such headers are unknown columns
// (with a warning) and such values are plain text that passes or fails validation like any other.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read as sheetjsRead, type CellObject } from 'xlsx';
import { buildPreview, type Preview } from '../domain/preview';
import { ruleContext } from '../testing/factories';
import { readUploadedSheet, type SheetRead } from './read';

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/hostile/${name}`, import.meta.url))));
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
let before: string[][];

function snapshot(): string[][] {
	return PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort());
}

function expectNoPollution() {
	expect(snapshot()).toEqual(before);
	const probe = {} as Record<string, unknown>;
	for (const key of ['polluted', 'c', 't', 'a', 'r', 'l', 'T', 'h', 'v', 'w', 'z', 'f', 'F']) {
		expect(probe[key], `({}).${key}`).toBeUndefined();
	}
	expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
	expect(typeof probe.toString).toBe('function');
	expect(typeof probe.hasOwnProperty).toBe('function');
	expect(probe.constructor).toBe(Object);
}

function readAndPreview(name: string, declaredCount: number): { read: SheetRead; preview: Preview } {
	const read = readUploadedSheet(fixture(name), name);
	const preview = buildPreview({ rows: read.rows, fileName: name, sheetName: read.sheetName, declaredCount }, ruleContext());
	return { read, preview };
}

beforeAll(() => {
	before = snapshot();
});
afterAll(() => expectNoPollution());

describe('CVE-2023-30533 shape', () => {
	it('proto-comments-cve-2023-30533.xlsx: comments, threaded comments, people, names and properties keyed "__proto__"', () => {
		const { read, preview } = readAndPreview('proto-comments-cve-2023-30533.xlsx', 2);
		expect(read.sheetName).toBe('Users');
		expect(read.rows[2]).toEqual(['__proto__', 'constructor', 'toString']);
		expect(preview.rows.map((r) => r.status)).toEqual(['unchanged', 'failed']);
		expect(preview.rows[1].errors[0].message).toBe('Row 3, Account ID: "__proto__" must contain digits only');
		expectNoPollution();
	});

	it('SheetJS itself, dense and sparse (the CVE was in sparse mode): the fixture reaches the comment code, nothing leaks', () => {
		for (const dense of [true, false]) {
			const wb = sheetjsRead(fixture('proto-comments-cve-2023-30533.xlsx'), { dense });
			const ws = wb.Sheets.Users as unknown as Record<string, CellObject> & { '!data'?: CellObject[][] };
			const a1 = dense ? ws['!data']![0][0] : ws.A1;
			const b1 = dense ? ws['!data']![0][1] : ws.B1;
			expect(a1.c?.[0]).toMatchObject({ a: '__proto__', t: '__proto__' });
			expect(b1.c?.[0]).toMatchObject({ a: '__proto__', T: true });
			expect(wb.Workbook?.Names?.map((n) => n.Name)).toEqual(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
			expectNoPollution();
		}
	});
});

describe('headers and values named like Object.prototype members', () => {
	it.each(['proto-headers-and-values.csv', 'proto-headers-and-values.xlsx'])('%s', (name) => {
		const { read, preview } = readAndPreview(name, 3);
		expect(read.rows[0].slice(0, 5)).toEqual(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
		// Unknown columns, said out loud; the template columns map as usual.
		expect(preview.headerWarnings.map((w) => w.reason)).toEqual([
			'Column A "__proto__" is not a template column; its values are ignored',
			'Column B "constructor" is not a template column; its values are ignored',
			'Column C "prototype" is not a template column; its values are ignored',
			'Column D "toString" is not a template column; its values are ignored',
			'Column E "hasOwnProperty" is not a template column; its values are ignored'
		]);
		expect(preview.columnMap).toEqual({ accountId: 5, username: 6, name: 7, role: 8 });
		expect(Object.keys(preview.columnMap)).toEqual(['accountId', 'username', 'name', 'role']);
		expect(preview.blocking).toBeNull();
		// Values are text: validated like any other.
		const [renamed, unknownUser, badAccount] = preview.rows;
		expect(renamed.errors.map((e) => e.reason)).toEqual(['Role "constructor" is not one of Teacher, Student, Administrator']);
		expect(unknownUser.errors.map((e) => e.reason)).toEqual([
			'User __proto__ not found in account 1001',
			'Role "hasOwnProperty" is not one of Teacher, Student, Administrator'
		]);
		expect(badAccount.errors.map((e) => e.reason)).toEqual(['Account ID "constructor" must contain digits only']);
		expectNoPollution();
	});

	it('a user renamed to "__proto__" is an ordinary update', () => {
		const csv = new TextEncoder().encode('Account ID,Username,Name\n1001,jdoe,__proto__\n1001,bsmith,constructor\n');
		const read = readUploadedSheet(csv, 'rename.csv');
		const preview = buildPreview({ rows: read.rows, fileName: 'rename.csv', sheetName: read.sheetName, declaredCount: 2 }, ruleContext());
		expect(preview.rows.map((r) => [r.status, r.mutation?.changes])).toEqual([
			['update', { name: '__proto__' }],
			['update', { name: 'constructor' }]
		]);
		expect(Object.keys(preview.rows[0].mutation!.changes)).toEqual(['name']);
		expectNoPollution();
	});
});

describe('sheet and style names', () => {
	it('proto-sheet-names.xlsx: sheets "constructor", "toString" (empty), "__proto__" (data), "hasOwnProperty"', () => {
		const { read, preview } = readAndPreview('proto-sheet-names.xlsx', 1);
		expect(read.sheetNames).toEqual(['constructor', 'toString', '__proto__', 'hasOwnProperty']);
		expect(read).toMatchObject({ sheetName: '__proto__', chosenBecause: 'first-non-empty' });
		expect(read.rows).toHaveLength(2);
		expect(preview.rows.map((r) => r.status)).toEqual(['unchanged']);
		expectNoPollution();
	});

	it('proto-ods-names.ods: a table and styles named "__proto__" and "constructor"', () => {
		const { read, preview } = readAndPreview('proto-ods-names.ods', 3);
		expect(read).toMatchObject({ format: 'ods', sheetName: '__proto__' });
		expect(read.rows.map((r) => r[0])).toEqual(['Account ID', '1001', '__proto__', '1001']);
		expect(preview.rows.map((r) => r.status)).toEqual(['unchanged', 'failed', 'failed']);
		expectNoPollution();
	});
});
