/**
 * DynamoDB's item size rules, applied to the plain JavaScript values the DocumentClient is given, for the
 * requests whose consumed capacity DynamoDB does not report: a conditional write that fails still
 * consumes write units (as many as the item's size), and the error carries no ConsumedCapacity.
 * Rules (Developer Guide, "Item sizes and formats"): attribute names count their UTF-8 bytes; strings
 * their UTF-8 bytes; numbers about one byte per two significant digits plus one; binary its length;
 * booleans and null one byte; lists and maps 3 bytes plus one byte per element besides the elements.
 */
const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

export function numberSize(value: number | bigint): number {
  const digits = String(value)
    .replace(/^-/, '')
    .replace(/e[+-]?\d+$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function valueSize(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (typeof value === 'boolean') return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    // A set is stored as its members; no list overhead.
    let size = 0;
    for (const member of value) size += valueSize(member);
    return size;
  }
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + valueSize(v) + 1, 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .reduce((sum, [name, v]) => sum + utf8(name) + valueSize(v) + 1, 0)
    );
  }
  return 0;
}

/** Bytes of an item: every attribute's name and value (undefined attributes are removed, as marshalled). */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Write request units of one standard write of an item of this size: 1 per started KB, at least 1. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Read request units: 1 per started 4 KB strongly consistent, half of that eventually consistent. */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
