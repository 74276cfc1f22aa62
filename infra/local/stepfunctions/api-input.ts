import { ApiError, validationError } from './api-errors';

/** Reading and shaping Step Functions API requests and responses. */

export type ApiInput = Record<string, unknown>;

/** Characters AWS refuses in execution names (besides whitespace and control characters). */
const forbiddenNameCharacters = new Set('<>{}[]?*"#%\\^|~`$&,;:/');

/** The JSON protocol carries timestamps as epoch seconds. */
export const epochSeconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

export function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80) return false;
  for (const character of name) {
    const code = character.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || /\s/.test(character)) return false;
    if (forbiddenNameCharacters.has(character)) return false;
  }
  return true;
}

export function requireString(input: ApiInput, key: string): string {
  const value = input[key];
  if (typeof value !== 'string') {
    throw validationError(
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: ApiInput, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`'${key}' must be a string`);
  return value;
}

export function page<T>(items: readonly T[], input: ApiInput): { items: T[]; nextToken?: string } {
  const maxResults = input.maxResults ?? 0;
  if (
    typeof maxResults !== 'number' ||
    !Number.isInteger(maxResults) ||
    maxResults < 0 ||
    maxResults > 1000
  ) {
    throw validationError('maxResults must be an integer from 0 to 1000');
  }
  const size = maxResults === 0 ? 100 : maxResults;
  let offset = 0;
  const token = optionalString(input, 'nextToken');
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) {
      throw new ApiError('InvalidToken', 'Invalid nextToken');
    }
    offset = decoded;
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}
