import { type ZodError, type ZodType, z } from 'zod';
import { type FieldIssue, ValidationError } from './errors';

// Messages of every schema are for people at the window and on the portal: Chinese.
z.config(z.locales.zhCN());

export function fieldIssues(error: ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** Parses `value` or throws a 400 naming every offending field under `prefix` (body, query, params…). */
export function parseOrThrow<S extends ZodType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError('请求参数有误,请按提示修改后重试', fieldIssues(result.error, prefix));
}
