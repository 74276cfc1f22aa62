import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseNumberDate, caseNumberFor, isCaseNumber } from '../../functions/domain/case-number';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const fixed =
  (...bytes: number[]) =>
  (n: number): Uint8Array =>
    Uint8Array.from({ length: n }, (_, i) => bytes[i % bytes.length] as number);

/** Decodes the 8-character suffix back to its 5 bytes (independently of the module's encoder). */
function suffixBytes(caseNumber: string): number[] {
  const bits = [...caseNumber.slice(9)].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Array.from({ length: 5 }, (_, i) => Number.parseInt(bits.slice(8 * i, 8 * i + 8), 2));
}

describe('case numbers (办件编号)', () => {
  it('formats the date and encodes the random bytes in Crockford base32, most significant bits first', () => {
    expect(caseNumberFor('2026-11-25', fixed(0))).toBe('TS261125-00000000');
    expect(caseNumberFor('2026-11-25', fixed(0xff))).toBe('TS261125-ZZZZZZZZ');
    expect(caseNumberFor('2000-01-01', fixed(0x08, 0x42, 0x10, 0x84, 0x21))).toBe('TS000101-11111111');
    expect(caseNumberFor('2099-12-31', fixed(0x3c, 0xc7, 0x7e, 0xa6, 0x82))).toBe('TS991231-7K3QX9M2');
  });

  it('refuses dates that are not real or not in 2000–2099, and too few random bytes', () => {
    for (const date of ['2026-02-29', '2026-13-01', '1999-12-31', '2100-01-01', '20261125', '26-11-25']) {
      expect(() => caseNumberFor(date, fixed(1)), date).toThrow(RangeError);
    }
    expect(() => caseNumberFor('2026-11-25', () => new Uint8Array(4))).toThrow(RangeError);
  });

  it('recognises only canonical case numbers with real dates', () => {
    expect(isCaseNumber('TS261125-7K3QX9M2')).toBe(true);
    expect(caseNumberDate('TS261125-7K3QX9M2')).toBe('2026-11-25');
    for (const value of [
      '',
      'TS261125-7K3QX9M',
      'TS261125-7K3QX9M22',
      'TS2611257K3QX9M2',
      'ts261125-7K3QX9M2',
      'TS261125-7k3qx9m2',
      'TX261125-7K3QX9M2',
      'TS261125-7K3QX9MI',
      'TS261125-7K3QX9ML',
      'TS261125-7K3QX9MO',
      'TS261125-7K3QX9MU',
      'TS260230-7K3QX9M2',
      'TS261325-7K3QX9M2',
      ' TS261125-7K3QX9M2',
    ]) {
      expect(isCaseNumber(value), value).toBe(false);
      expect(() => caseNumberDate(value), value).toThrow(RangeError);
    }
  });

  it('round-trips the date, matches isCaseNumber and uses only the alphabet (property)', () => {
    fc.assert(
      fc.property(isoDate, fc.uint8Array({ minLength: 5, maxLength: 5 }), (date, bytes) => {
        const caseNumber = caseNumberFor(date, () => bytes);
        expect(caseNumber).toHaveLength(17);
        expect(isCaseNumber(caseNumber)).toBe(true);
        expect(caseNumberDate(caseNumber)).toBe(date);
        expect([...caseNumber.slice(9)].every((c) => alphabet.includes(c))).toBe(true);
      }),
    );
  });

  it('uses every one of the 40 random bits, so distinct bytes give distinct numbers (property)', () => {
    fc.assert(
      fc.property(isoDate, fc.uint8Array({ minLength: 5, maxLength: 5 }), (date, bytes) => {
        const requested: number[] = [];
        const caseNumber = caseNumberFor(date, (n) => {
          requested.push(n);
          return bytes;
        });
        expect(requested).toEqual([5]);
        expect(suffixBytes(caseNumber)).toEqual([...bytes]);
      }),
    );
  });
});
