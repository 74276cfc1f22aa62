/**
 * Case numbers (办件编号) shown to applicants, e.g. TS261125-7K3QX9M2: `TS`, the Asia/Shanghai date of
 * receipt as YYMMDD, a hyphen and 8 characters of Crockford base32 (no I, L, O or U, so nothing reads as
 * 1 or 0) drawn from 40 random bits.
 *
 * They are assigned without any shared counter, so a peak of receipts never contends on one hot item. The
 * store refuses a duplicate with a conditional write and the caller draws again; with 32^8 ≈ 1.1e12
 * numbers a day, even after a million cases on one day a fresh draw hits a taken number with probability
 * under 1e-6, so that retry is vanishingly rare.
 */

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomLength = 8;
const pattern = /^TS(\d{2})(\d{2})(\d{2})-[0-9A-HJKMNP-TV-Z]{8}$/;

function isRealDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/**
 * A fresh case number for a case received on `date` (YYYY-MM-DD, Asia/Shanghai, year 2000–2099), taking its
 * randomness from `randomBytes` (in production `crypto.randomBytes`).
 */
export function caseNumberFor(date: string, randomBytes: (n: number) => Uint8Array): string {
  if (!isRealDate(date) || !date.startsWith('20')) {
    throw new RangeError(`case date must be a YYYY-MM-DD date in 2000–2099: ${date}`);
  }
  const suffix = crockfordRandom(randomLength, randomBytes);
  return `TS${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}-${suffix}`;
}

/** `length` characters of Crockford base32 (5 random bits each), e.g. for verification codes too. */
export function crockfordRandom(length: number, randomBytes: (n: number) => Uint8Array): string {
  const byteCount = Math.ceil((length * 5) / 8);
  const bytes = randomBytes(byteCount);
  if (bytes.length < byteCount) throw new RangeError(`expected ${byteCount} random bytes`);
  let bits = 0n;
  for (let i = 0; i < byteCount; i++) bits = (bits << 8n) | BigInt(bytes[i] as number);
  bits >>= BigInt(byteCount * 8 - length * 5);
  let code = '';
  for (let i = length - 1; i >= 0; i--) code += alphabet[Number((bits >> BigInt(5 * i)) & 31n)];
  return code;
}

/** Whether `value` is a case number in the canonical (upper-case) form with a real date. */
export function isCaseNumber(value: string): boolean {
  const match = pattern.exec(value);
  return match !== null && isRealDate(`20${match[1]}-${match[2]}-${match[3]}`);
}

/** The receipt date (YYYY-MM-DD) of a case number; throws for anything that is not one. */
export function caseNumberDate(value: string): string {
  if (!isCaseNumber(value)) throw new RangeError('not a case number');
  return `20${value.slice(2, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}
