/**
 * Resident ID number (公民身份号码, GB 11643-1999): 18 characters — a 6-digit address code, the birth date
 * as YYYYMMDD, a 3-digit sequence code and an ISO 7064 MOD 11-2 check character (0–9 or X for ten).
 *
 * The 15-digit numbers of the earlier scheme (two-digit year, no check character) are not accepted: the
 * 1999 standard replaced them, every card issued or renewed since carries the 18-character number, and
 * accepting them would let a mistyped number through with no check character to catch it.
 */

/** Weight of position i (counted from the left, 0-based) is 2^(17 - i) mod 11. */
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Check character indexed by (weighted sum mod 11): the one making the full weighted sum ≡ 1 (mod 11). */
const checkCharacters = '10X98765432';

const shape = /^\d{17}[\dX]$/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const earliestBirthDate = '1900-01-01';

export function idNumberCheckCharacter(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (weights[i] as number);
  return checkCharacters[sum % 11];
}

/** Trims surrounding white space and upper-cases a lower-case check character x; the form to store. */
export function normaliseIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

/** Whether a YYYY-MM-DD string names a date that exists in the (proleptic) Gregorian calendar. */
function isRealDate(date: string): boolean {
  if (!isoDate.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

const birthDatePart = (idNumber: string): string =>
  `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;

/**
 * Whether `value` is a well-formed resident ID number whose check character matches and whose birth date
 * exists, is not before 1900-01-01 and — when `today` (YYYY-MM-DD, Asia/Shanghai) is given — not after today.
 * A lower-case check character x is accepted; surrounding white space is not (normalise first).
 */
export function isValidIdNumber(value: string, today?: string): boolean {
  if (today !== undefined && !isRealDate(today))
    throw new RangeError(`today is not a YYYY-MM-DD date: ${today}`);
  const idNumber = value.length === 18 && value[17] === 'x' ? `${value.slice(0, 17)}X` : value;
  if (!shape.test(idNumber)) return false;
  const birthDate = birthDatePart(idNumber);
  if (!isRealDate(birthDate) || birthDate < earliestBirthDate) return false;
  if (today !== undefined && birthDate > today) return false;
  return idNumberCheckCharacter(idNumber.slice(0, 17)) === idNumber[17];
}

/** The birth date (YYYY-MM-DD) of a valid resident ID number; throws for anything else. */
export function birthDateOf(idNumber: string): string {
  if (!isValidIdNumber(idNumber)) throw new RangeError('not a valid resident ID number');
  return birthDatePart(idNumber);
}
