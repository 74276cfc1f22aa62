import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskCreditCode, maskIdNumber, maskName, maskPhone } from '../../functions/domain/masking';

const codePoints = (value: string): string[] => Array.from(value);
/** Any text without asterisks, including characters outside the BMP such as rare name characters. */
const textOf = (minLength: number) =>
  fc.string({ unit: 'binary', minLength, maxLength: 30 }).filter((value) => !value.includes('*'));
const text = textOf(0);
const masks = { maskIdNumber, maskPhone, maskName, maskCreditCode };

/** Asserts that `masked` keeps `head` leading and `tail` trailing code points of `value` and stars the rest. */
function expectKept(value: string, masked: string, head: number, tail: number): void {
  const input = codePoints(value);
  const output = codePoints(masked);
  expect(output).toHaveLength(input.length);
  expect(output.slice(0, head)).toEqual(input.slice(0, head));
  expect(output.slice(input.length - tail)).toEqual(input.slice(input.length - tail));
  expect(output.slice(head, input.length - tail).every((character) => character === '*')).toBe(true);
}

describe('masking of personal data', () => {
  it('masks the conventional examples', () => {
    expect(maskIdNumber('110101199003071234')).toBe('1101**********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('02112345678')).toBe('021****5678');
    expect(maskPhone('+8613812345678')).toBe('+86*********78');
    expect(maskPhone('12345678')).toBe('123***78');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('张')).toBe('*');
    expect(maskName('𠀀三')).toBe('𠀀*');
    expect(maskCreditCode('91350100M000100Y43')).toBe('91350100********43');
  });

  it('masks short inputs entirely rather than leave them readable', () => {
    expect(maskPhone('1234')).toBe('****');
    expect(maskPhone('12345')).toBe('*****');
    expect(maskPhone('123456')).toBe('123*56');
    expect(maskIdNumber('12345678')).toBe('********');
    expect(maskIdNumber('123456789')).toBe('1234*6789');
    expect(maskCreditCode('9135010043')).toBe('**********');
    expect(maskName('𠀀')).toBe('*');
    for (const mask of Object.values(masks)) expect(mask('')).toBe('');
  });

  for (const [name, mask] of Object.entries(masks)) {
    it(`${name} keeps the length, never lengthens and never returns two or more characters unchanged (property)`, () => {
      fc.assert(
        fc.property(text, (value) => {
          const masked = mask(value);
          expect(codePoints(masked)).toHaveLength(codePoints(value).length);
          expect(masked.length).toBeLessThanOrEqual(value.length);
          if (codePoints(value).length > 1) expect(masked).not.toBe(value);
          if (value.length > 0) expect(masked).toContain('*');
        }),
      );
    });
  }

  it('maskIdNumber keeps the first 4 and last 4 of anything longer than 8 (property)', () => {
    fc.assert(
      fc.property(textOf(9), (value) => {
        expectKept(value, maskIdNumber(value), 4, 4);
      }),
    );
  });

  it('maskPhone keeps first 3 and last 4 of 11 characters, else first 3 and last 2 (property)', () => {
    fc.assert(
      fc.property(textOf(6), (value) => {
        const length = codePoints(value).length;
        expectKept(value, maskPhone(value), 3, length === 11 ? 4 : 2);
      }),
    );
  });

  it('maskName keeps only the first character (property)', () => {
    fc.assert(
      fc.property(textOf(2), (value) => {
        expectKept(value, maskName(value), 1, 0);
      }),
    );
  });

  it('maskCreditCode keeps the first 8 and last 2 of anything longer than 10 (property)', () => {
    fc.assert(
      fc.property(textOf(11), (value) => {
        expectKept(value, maskCreditCode(value), 8, 2);
      }),
    );
  });
});
