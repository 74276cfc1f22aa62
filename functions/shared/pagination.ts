import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ValidationError } from './errors';

/**
 * Cursor pagination over DynamoDB queries: the cursor is the query's LastEvaluatedKey, opaque to clients
 * (base64url JSON). A cursor that does not decode is a 400 on `query.cursor`, never a 500.
 */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        const key = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
        if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: '分页游标无效' });
      return z.NEVER;
    }),
});

export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Pass as `cursor` for the next page; absent on the last' }),
  });

/**
 * The query's start key from a decoded cursor, checked against the query it must continue: exactly the
 * key attributes of that table or index, as strings of a sane length, and the same partition (so a cursor
 * of one list cannot be replayed on another). Anything else is a 400 on `query.cursor`, never a 500 from
 * DynamoDB ("The provided starting key is invalid").
 */
export function startKeyFor(
  cursor: Record<string, unknown> | undefined,
  query: { partition: Record<string, string>; keys: readonly string[] },
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const names = Object.keys(cursor).sort();
  const expected = [...new Set([...Object.keys(query.partition), ...query.keys])].sort();
  const valid =
    names.length === expected.length &&
    names.every((name, i) => name === expected[i]) &&
    names.every((name) => {
      const value = cursor[name];
      return typeof value === 'string' && value.length > 0 && value.length <= 1024;
    }) &&
    Object.entries(query.partition).every(([name, value]) => cursor[name] === value);
  if (!valid) {
    throw new ValidationError('分页游标无效', [
      { field: 'query.cursor', message: '分页游标无效或不属于此列表' },
    ]);
  }
  return cursor as Record<string, string>;
}

/** One page of a query: its items and the key to continue from, if there is more. */
export interface Page<T> {
  items: T[];
  lastKey?: Record<string, unknown>;
}

/** Every item a query matches, page after page (for lists bounded by the domain: a trail, a window's clerks). */
export async function queryAllPages(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
