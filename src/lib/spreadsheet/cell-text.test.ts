import { describe, expect, it } from 'vitest';
import { numberCellText, plainNumber } from './cell-text';

describe('plainNumber', () => {
	it.each([
		[1001, '1001'],
		[0, '0'],
		[-0, '0'],
		[-5, '-5'],
		[1.5, '1.5'],
		[123456789012345, '123456789012345'],
		[1e20, '100000000000000000000'],
		[0.1 + 0.2, '0.3'],
		[1.0000000000000002, '1']
	])('%d -> %s', (value, text) => expect(plainNumber(value)).toBe(text));
});

describe('numberCellText', () => {
	it('shows General numbers as plain digits', () => {
		expect(numberCellText(1001, 'General')).toBe('1001');
		expect(numberCellText(12345678901234, 'General')).toBe('12345678901234');
		expect(numberCellText(1001, undefined)).toBe('1001');
		expect(numberCellText(1001, '@')).toBe('1001');
	});

	it('keeps zero padding', () => {
		expect(numberCellText(1015, '00000')).toBe('01015');
		expect(numberCellText(1015, '000000')).toBe('001015');
		expect(numberCellText(123456, '00000')).toBe('123456');
		expect(numberCellText(1.5, '00000')).toBe('1.5');
	});

	it('keeps zero padding behind other format syntax', () => {
		expect(numberCellText(1015, '[<=99999]00000;General')).toBe('01015');
	});

	it('drops thousands separators, decimals and percent signs (the digits are what was meant)', () => {
		expect(numberCellText(1234567, '#,##0')).toBe('1234567');
		expect(numberCellText(1001, '0.00')).toBe('1001');
		expect(numberCellText(0.5, '0%')).toBe('0.5');
	});

	it('shows dates as formatted text, preferring the reader’s own rendering', () => {
		expect(numberCellText(45296, 'yyyy-mm-dd')).toBe('2024-01-05');
		expect(numberCellText(45296, 'm/d/yy')).toBe('1/5/24');
		expect(numberCellText(45296, 'dd.mm.yyyy', '05.01.2024')).toBe('05.01.2024');
	});

	it('uses the stored text of an integer when given', () => {
		expect(numberCellText(1001, 'General', undefined, '1001')).toBe('1001');
		expect(numberCellText(1.5, 'General', undefined, '1.5')).toBe('1.5');
	});
});
