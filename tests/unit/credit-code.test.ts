import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, isValidCreditCode } from '../../functions/domain/credit-code';

const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const body17 = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...alphabet), minLength: 2, maxLength: 2 }),
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 6 }),
    fc.string({ unit: fc.constantFrom(...alphabet), minLength: 9, maxLength: 9 }),
  )
  .map((parts) => parts.join(''));

describe('unified social credit code (GB 32100)', () => {
  it('accepts published examples with correct check characters', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91110000600037341L')).toBe(true);
  });

  it('refuses wrong length, forbidden letters and lower case', () => {
    for (const code of [
      '',
      '91350100M000100Y4',
      '91350100M000100Y433',
      '91350100M000100I43',
      '91350100m000100y43',
    ]) {
      expect(isValidCreditCode(code), code).toBe(false);
    }
  });

  it('accepts every code completed with its computed check character (property)', () => {
    fc.assert(fc.property(body17, (body) => isValidCreditCode(`${body}${creditCodeCheckCharacter(body)}`)));
  });

  it('refuses every code whose check character was changed (property)', () => {
    fc.assert(
      fc.property(body17, fc.constantFrom(...alphabet), (body, other) => {
        fc.pre(other !== creditCodeCheckCharacter(body));
        return !isValidCreditCode(`${body}${other}`);
      }),
    );
  });

  it('detects any single changed character of the first 17 (property)', () => {
    fc.assert(
      fc.property(body17, fc.nat(16), fc.constantFrom(...alphabet), (body, position, replacement) => {
        const code = `${body}${creditCodeCheckCharacter(body)}`;
        const changed = `${code.slice(0, position)}${replacement}${code.slice(position + 1)}`;
        fc.pre(changed !== code && /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}/.test(changed));
        return !isValidCreditCode(changed);
      }),
    );
  });
});
