import * as z from 'zod';
import { type ErrorStatus, errorCodes } from '../errors';
import type { ResponseSpec } from './route';

const errorBody = (status: ErrorStatus) =>
  z
    .object({
      error: z.object({
        code: z.enum(errorCodes[status]).meta({ description: 'Stable code for programs' }),
        message: z.string().meta({ description: 'Explanation for people, in Chinese' }),
        details: z.unknown().optional().meta({
          description: 'For 400: `fields`, each `{ field, message }`; otherwise facts of the error',
        }),
      }),
    })
    .meta({ id: `Error${status}` });

/** The body of every 4xx/5xx response (see errors.ts), with the codes that status may carry. */
export const errorSchemas = Object.fromEntries(
  (Object.keys(errorCodes) as unknown as ErrorStatus[]).map((status) => [status, errorBody(status)]),
) as Record<ErrorStatus, ReturnType<typeof errorBody>>;

const errorSchemaSet = new Set<z.ZodType>(Object.values(errorSchemas));
export const isErrorSchema = (schema: z.ZodType | undefined): boolean =>
  schema !== undefined && errorSchemaSet.has(schema);

const errorDescriptions: Record<ErrorStatus, string> = {
  400: '请求参数有误 (the offending fields are in details.fields)',
  401: '未认证 (missing, tampered or expired token)',
  403: '无权操作',
  404: '不存在',
  405: '该地址不支持此请求方法 (details.allowed lists the methods it takes)',
  409: '冲突 (concurrent change, duplicate, or a step the case is not ready for)',
  413: '请求体过大',
  415: '请求体类型不支持 (application/json)',
  429: '请求过多 (the stage is throttling; in AWS API Gateway answers with its own body)',
  500: '服务器内部错误 (a bug: logged, never detailed)',
  503: '服务暂时不可用 (a dependency is unavailable or the API is shedding load)',
};

export function errorResponses(...statuses: ErrorStatus[]): Record<number, ResponseSpec> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: errorDescriptions[status], schema: errorSchemas[status] },
    ]),
  );
}
