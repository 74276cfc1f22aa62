import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  birthDateOf,
  idNumberCheckCharacter,
  isValidIdNumber,
  normaliseIdNumber,
} from '../../functions/domain/id-number';

/** Independent reference for ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check c with sum + c ≡ 1 (mod 11). */
function referenceCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const value = (12 - (sum % 11)) % 11;
  return value === 10 ? 'X' : String(value);
}

const withCheck = (first17: string): string => `${first17}${idNumberCheckCharacter(first17)}`;
const digits = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
const isoDate = (min: string, max: string) =>
  fc
    .date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10));
/** 17-digit bodies whose birth-date part is a real date from 1900-01-01 to 2099-12-31. */
const validBody = fc
  .tuple(digits(6), isoDate('1900-01-01', '2099-12-31'), digits(3))
  .map(([address, birth, sequence]) => `${address}${birth.replaceAll('-', '')}${sequence}`);

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts known-valid numbers, the check character agreeing with an independent computation', () => {
    for (const [idNumber, birthDate] of [
      ['11010519491231002X', '1949-12-31'],
      ['440305198001010013', '1980-01-01'],
      ['320106200002291230', '2000-02-29'],
    ] as const) {
      expect(referenceCheck(idNumber.slice(0, 17)), idNumber).toBe(idNumber[17]);
      expect(idNumberCheckCharacter(idNumber.slice(0, 17)), idNumber).toBe(idNumber[17]);
      expect(isValidIdNumber(idNumber), idNumber).toBe(true);
      expect(isValidIdNumber(idNumber, '2026-11-25'), idNumber).toBe(true);
      expect(birthDateOf(idNumber)).toBe(birthDate);
    }
  });

  it('computes the check character from 17 digits only', () => {
    for (const body of [
      '',
      '1101051949123100',
      '110105194912310021',
      '1101051949123100A',
      '1101051949123100 ',
    ]) {
      expect(idNumberCheckCharacter(body), body).toBeUndefined();
    }
  });

  it('accepts a lower-case check character x and normalises it to upper case', () => {
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(normaliseIdNumber(' 11010519491231002x\t')).toBe('11010519491231002X');
    expect(normaliseIdNumber('440305198001010013')).toBe('440305198001010013');
  });

  it('refuses wrong lengths, 15-digit legacy numbers, letters and surrounding white space', () => {
    for (const value of [
      '',
      '110105491231002', // the 15-digit legacy form of the published sample
      '11010519491231002',
      '11010519491231002X0',
      '1101051949123100X2',
      'X10105194912310021',
      '11010519491231002Y',
      ' 11010519491231002X',
      '11010519491231002X ',
      '１１０１０５１９４９１２３１００２Ｘ',
    ]) {
      expect(isValidIdNumber(value), value).toBe(false);
    }
  });

  it('refuses birth dates that do not exist or are before 1900, even with a correct check character', () => {
    for (const birth of [
      '19900230',
      '19900431',
      '19000229',
      '20010229',
      '19991301',
      '19990100',
      '18991231',
    ]) {
      const idNumber = withCheck(`110101${birth}123`);
      expect(isValidIdNumber(idNumber), idNumber).toBe(false);
    }
    expect(isValidIdNumber(withCheck('11010119000101123'))).toBe(true);
    expect(isValidIdNumber(withCheck('11010120000229123'))).toBe(true);
  });

  it('refuses a birth date after today only when today is given', () => {
    const idNumber = withCheck('11010120261126123');
    expect(isValidIdNumber(idNumber)).toBe(true);
    expect(isValidIdNumber(idNumber, '2026-11-25')).toBe(false);
    expect(isValidIdNumber(idNumber, '2026-11-26')).toBe(true);
  });

  it('throws when today is not a real YYYY-MM-DD date', () => {
    for (const today of ['2026-02-30', '20261125', '2026-11-25T00:00:00Z']) {
      expect(() => isValidIdNumber('11010519491231002X', today), today).toThrow(RangeError);
    }
  });

  it('birthDateOf refuses anything that is not a valid ID number', () => {
    expect(() => birthDateOf('110101199002301234')).toThrow(RangeError);
    expect(() => birthDateOf('11010519491231002Y')).toThrow(RangeError);
  });

  it('check character agrees with the independent reference for every 17 digits (property)', () => {
    fc.assert(fc.property(digits(17), (body) => idNumberCheckCharacter(body) === referenceCheck(body)));
  });

  it('accepts every valid body completed with its check character and returns its birth date (property)', () => {
    fc.assert(
      fc.property(validBody, (body) => {
        const idNumber = withCheck(body);
        expect(isValidIdNumber(idNumber)).toBe(true);
        expect(isValidIdNumber(idNumber.toLowerCase())).toBe(true);
        expect(birthDateOf(idNumber).replaceAll('-', '')).toBe(body.slice(6, 14));
      }),
    );
  });

  it('refuses every other check character (property)', () => {
    fc.assert(
      fc.property(validBody, fc.constantFrom(...'0123456789X'), (body, other) => {
        fc.pre(other !== idNumberCheckCharacter(body));
        return !isValidIdNumber(`${body}${other}`);
      }),
    );
  });

  it('detects any single changed digit of the first 17 (property)', () => {
    fc.assert(
      fc.property(validBody, fc.nat(16), fc.nat(9), (body, position, digit) => {
        const changed = `${body.slice(0, position)}${digit}${body.slice(position + 1)}`;
        fc.pre(changed !== body);
        expect(idNumberCheckCharacter(changed)).not.toBe(idNumberCheckCharacter(body));
        expect(isValidIdNumber(`${changed}${idNumberCheckCharacter(body)}`)).toBe(false);
      }),
    );
  });

  it('detects any transposition of adjacent different characters, the check character included (property)', () => {
    fc.assert(
      fc.property(validBody, fc.nat(16), (body, position) => {
        const idNumber = withCheck(body);
        const a = idNumber[position] as string;
        const b = idNumber[position + 1] as string;
        fc.pre(a !== b);
        const swapped = `${idNumber.slice(0, position)}${b}${a}${idNumber.slice(position + 2)}`;
        return !isValidIdNumber(swapped);
      }),
    );
  });

  it('refuses exactly the birth dates after today (property)', () => {
    fc.assert(
      fc.property(
        digits(6),
        isoDate('1900-01-01', '2099-12-31'),
        digits(3),
        isoDate('1900-01-01', '2099-12-31'),
        (address, birth, sequence, today) => {
          const idNumber = withCheck(`${address}${birth.replaceAll('-', '')}${sequence}`);
          return isValidIdNumber(idNumber, today) === birth <= today;
        },
      ),
    );
  });
});
