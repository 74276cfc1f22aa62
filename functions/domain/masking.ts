/**
 * Masking of personal data (脱敏) for responses to people who may not see it in full, following the usual
 * Chinese convention: keep a few leading and trailing characters and replace the rest with asterisks, one
 * asterisk per character so the length is kept.
 *
 * Lengths are counted in code points (so a rare name character outside the BMP becomes one asterisk); a
 * mask therefore never has more code points than its input and never more UTF-16 units either. Whenever the
 * input is too short for the usual head and tail to leave at least one character masked, every character is
 * masked, so an input of two or more characters never comes back unchanged (unless it was already asterisks).
 */

function maskKeeping(value: string, head: number, tail: number): string {
  const characters = Array.from(value);
  const masked = characters.length - head - tail;
  if (masked < 1) return '*'.repeat(characters.length);
  return `${characters.slice(0, head).join('')}${'*'.repeat(masked)}${characters.slice(characters.length - tail).join('')}`;
}

/** Resident ID number: first 4 (province and city) and last 4 kept, e.g. 1101**********1234. */
export const maskIdNumber = (value: string): string => maskKeeping(value, 4, 4);

/**
 * Phone number: an 11-digit mobile number keeps its first 3 (carrier prefix) and last 4, e.g. 138****5678;
 * any other length keeps first 3 and last 2; 5 characters or fewer are masked entirely.
 */
export const maskPhone = (value: string): string =>
  Array.from(value).length === 11 ? maskKeeping(value, 3, 4) : maskKeeping(value, 3, 2);

/** Personal name: the family-name character is kept, e.g. 张* and 欧***; a single character becomes *. */
export const maskName = (value: string): string => maskKeeping(value, 1, 0);

/** Unified social credit code: first 8 (registry, type and region) and last 2 kept. */
export const maskCreditCode = (value: string): string => maskKeeping(value, 8, 2);
