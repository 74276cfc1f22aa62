import type { ZodError, ZodType } from 'zod';
import * as z from 'zod';
import zhCN from 'zod/v4/locales/zh-CN.js';
import { type FieldIssue, ValidationError } from './errors';

// Messages of every schema are for people at the window and on the portal: Chinese.
// Jitless: an object schema built after this line compiles no fast path with `new Function` on its first
// parse. A function parses few requests per container but many different schemas, so the compile costs
// more than it saves: a first parse took 1.6 ms instead of 2.5 ms, later ones 3.0 µs instead of 2.9 µs
// (ad hoc), and a cold start of the cases function about 4 ms less (`npm run bench`, cold path).
z.config({ ...zhCN(), jitless: true });

export function fieldIssues(error: ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Fields of `input` that parsing dropped: object schemas strip keys they do not know, so a key present in
 * the input and absent at the same place in the output is one the API does not take. Walking the two
 * side by side holds for every schema, nested or not, without reaching into zod's internals.
 */
export function unknownFields(input: unknown, output: unknown, path: string[] = []): string[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((item, i) => unknownFields(item, output[i], [...path, String(i)]));
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return [];
  return Object.keys(input).flatMap((key) =>
    // Own keys only: `__proto__` or `constructor` in a body is not a field because every object inherits one.
    Object.hasOwn(output, key)
      ? unknownFields(input[key], output[key], [...path, key])
      : [[...path, key].join('.')],
  );
}

/** Parts whose unknown fields are refused: a misspelt or invented field is a mistake, not a no-op. */
const strictParts = new Set(['body', 'query']);

/**
 * Parses several parts of a request at once (params, query, body…) so that one 400 names every offending
 * field, not just those of the first bad part.
 */
export function parseParts<T extends Record<string, { schema: ZodType | undefined; value: unknown }>>(
  parts: T,
): { [K in keyof T]: T[K]['schema'] extends ZodType ? z.infer<T[K]['schema']> : undefined } {
  const issues: FieldIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [prefix, { schema, value }] of Object.entries(parts)) {
    if (!schema) continue;
    const result = schema.safeParse(value);
    if (!result.success) {
      issues.push(...fieldIssues(result.error, prefix));
      continue;
    }
    out[prefix] = result.data;
    if (!strictParts.has(prefix)) continue;
    for (const field of unknownFields(value, result.data)) {
      issues.push({ field: `${prefix}.${field}`, message: '不支持的字段' });
    }
  }
  if (issues.length > 0) throw new ValidationError('请求参数有误,请按提示修改后重试', issues);
  return out as never;
}
