import * as z from 'zod';
import type { ResponseSpec } from './route';

/** The body of every 4xx/5xx response (see errors.ts). */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable code for programs, e.g. VALIDATION_FAILED' }),
      message: z.string().meta({ description: 'Explanation for people, in Chinese' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

const errorDescriptions: Record<number, string> = {
  400: '请求参数有误 (the offending fields are in details.fields)',
  401: '未认证 (missing, tampered or expired token)',
  403: '无权操作',
  404: '不存在',
  409: '冲突 (concurrent change or duplicate)',
  413: '请求体过大',
  415: '请求体类型不支持',
  429: '请求过多',
  503: '服务暂时不可用',
};

export function errorResponses(...statuses: number[]): Record<number, ResponseSpec> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: errorDescriptions[status] ?? 'Error', schema: errorSchema },
    ]),
  );
}
