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
    if (result.success) out[prefix] = result.data;
    else issues.push(...fieldIssues(result.error, prefix));
  }
  if (issues.length > 0) throw new ValidationError('请求参数有误,请按提示修改后重试', issues);
  return out as never;
}
