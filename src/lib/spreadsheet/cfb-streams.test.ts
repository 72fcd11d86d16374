import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CFB, utils, write } from 'xlsx';
import { CompoundFileError } from './cfb-sectors';
import { readCompoundFile } from './cfb-streams';

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/${name}`, import.meta.url))));
}

/** Every stream as SheetJS's container reader returns it. */
function sheetJsStreams(bytes: Uint8Array): Map<string, Uint8Array> {
	const container = CFB.read(bytes, { type: 'array' });
	const out = new Map<string, Uint8Array>();
	for (const entry of container.FileIndex as { type: number; name: string; content?: ArrayLike<number> }[]) {
		if (entry.type === 2 && entry.content) out.set(entry.name, Uint8Array.from(entry.content));
	}
	return out;
}

describe('readCompoundFile: the streams SheetJS would read, as bytes', () => {
	it.each([
		['legacy-format.xls (a mini stream)', fixture('legacy-format.xls')],
		[
			'a 3,000-row .xls (FAT chains) and a second sheet',
			(() => {
				const wb = utils.book_new();
				utils.book_append_sheet(
					wb,
					utils.aoa_to_sheet([['Account ID', 'Username'], ...Array.from({ length: 3000 }, (_, i) => ['1001', `user${i}`])]),
					'Users'
				);
				utils.book_append_sheet(wb, utils.aoa_to_sheet([['x']]), 'Other');
				return new Uint8Array(write(wb, { type: 'array', bookType: 'xls' }) as ArrayBuffer);
			})()
		],
		['password-protected.xlsx (EncryptionInfo, EncryptedPackage)', fixture('password-protected.xlsx')]
	])('%s', (_, bytes) => {
		const file = readCompoundFile(bytes);
		const expected = sheetJsStreams(bytes);
		expect(expected.size).toBeGreaterThan(0);
		for (const [name, content] of expected) {
			expect(file.names).toContain(name);
			expect(file.stream(name), name).toEqual(content);
		}
		expect(file.stream('no such stream')).toBeNull();
	});

	it('names are matched in any case', () => {
		expect(readCompoundFile(fixture('legacy-format.xls')).stream('WORKBOOK')).not.toBeNull();
	});

	it('refuses what is not a compound file it can read', () => {
		expect(() => readCompoundFile(new Uint8Array(100))).toThrow(CompoundFileError);
		const bytes = fixture('legacy-format.xls').slice();
		bytes[26] = 9;
		expect(() => readCompoundFile(bytes)).toThrow('version 9');
	});
});
