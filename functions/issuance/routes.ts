import * as z from 'zod';
import { caseParams, caseResponses, version } from '../cases/routes';
import { isCalendarDate } from '../domain/calendar/dates';
import { maxMaterialBytes } from '../domain/cases/model';
import { issuanceMethods } from '../domain/results/issuance';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';

/** Result documents, issuance at the window, delivery and the public check of results. */
const issuance = { access: 'authenticated', tags: ['issuance'] } as const;

const download = z
  .object({
    url: z.string(),
    expiresAt: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int(),
  })
  .meta({ id: 'DocumentDownload', description: 'A short-lived (5 min) download URL and the file’s sha256' });

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const issuanceRoutes = {
  requestResultUpload: {
    ...issuance,
    operationId: 'requestResultUpload',
    method: 'POST',
    path: '/cases/{caseId}/result/uploads',
    summary:
      "An upload URL for the department's own signed result file (PDF), used instead of the generated one",
    request: { params: caseParams, body: z.object({ size: z.number().int().min(1).max(maxMaterialBytes) }) },
    responses: {
      201: {
        description: 'PUT the file to `upload.url` with `upload.headers`, then produce the result with it',
        schema: z.object({
          uploadId: z.uuid(),
          upload: z.object({
            url: z.string(),
            expiresAt: z.string(),
            headers: z.record(z.string(), z.string()),
          }),
        }),
      },
      ...errorResponses(400, 401, 404),
    },
  },
  produceResult: {
    ...issuance,
    operationId: 'produceResult',
    method: 'POST',
    path: '/cases/{caseId}/result',
    summary:
      '制证: the result document (or the denial letter) with its number and verification code, as PDF in the results bucket',
    request: {
      params: caseParams,
      body: z.object({
        version,
        resultName: z.string().trim().min(2).max(100).optional(),
        resultNumber: z
          .string()
          .regex(/^[A-Za-z0-9-]{4,40}$/, '应为 4–40 位字母、数字或连字符')
          .optional(),
        validUntil: z.string().refine(isCalendarDate, '应为有效日期 YYYY-MM-DD').optional(),
        upload: z.object({ uploadId: z.uuid(), sha256 }).optional().meta({
          description: 'A signed result file uploaded before (same server-side checks as materials)',
        }),
      }),
    },
    responses: caseResponses,
  },
  issue: {
    ...issuance,
    operationId: 'issueResult',
    method: 'POST',
    path: '/cases/{caseId}/issuance',
    summary: '出件 at the window: pick-up (pick-up code or the whole ID number), courier, or electronic',
    request: {
      params: caseParams,
      body: z.object({
        version,
        method: z.enum(issuanceMethods),
        pickup: z
          .object({
            pickupCode: z
              .string()
              .regex(/^\d{6}$/, '应为 6 位数字')
              .optional(),
            idNumber: z
              .string()
              .regex(/^\d{17}[\dXx]$/, '应为 18 位公民身份号码')
              .optional()
              .meta({
                description:
                  "The applicant's whole ID number, read from the card at the counter (its last digits are what masking shows, so they prove nothing)",
              }),
            collectedBy: z.string().trim().min(1).max(50),
          })
          .optional(),
        courier: z
          .object({
            carrier: z.string().trim().min(2).max(30),
            trackingNumber: z.string().regex(/^[A-Za-z0-9]{6,30}$/),
          })
          .optional(),
      }),
    },
    responses: caseResponses,
  },
  confirmDelivery: {
    ...issuance,
    operationId: 'confirmDelivery',
    method: 'POST',
    path: '/cases/{caseId}/delivery',
    summary: '送达 by courier: the signed receipt came back; the case closes (办结)',
    request: { params: caseParams, body: z.object({ version, signedBy: z.string().trim().min(1).max(50) }) },
    responses: caseResponses,
  },
  downloadResult: {
    ...issuance,
    operationId: 'downloadResult',
    method: 'GET',
    path: '/cases/{caseId}/result/download',
    summary:
      "The result document: the applicant once issued electronically (the first download is the delivery), and the case's staff",
    request: { params: caseParams },
    responses: { 200: { description: 'Download', schema: download }, ...errorResponses(401, 404, 409) },
  },
  noticeDocument: {
    ...issuance,
    operationId: 'getNoticeDocument',
    method: 'GET',
    path: '/cases/{caseId}/notices/{noticeNumber}/document',
    summary: 'A notice of the case (受理, 容缺受理, 不予受理, 补正, 特别程序, 延期, 决定, 终止) as PDF',
    request: { params: caseParams.extend({ noticeNumber: z.string().regex(/^[A-Z0-9-]{4,60}$/) }) },
    responses: { 200: { description: 'Download', schema: download }, ...errorResponses(400, 401, 404) },
  },
  verifyResult: {
    access: 'public',
    tags: ['issuance'],
    operationId: 'verifyResult',
    method: 'GET',
    path: '/results/verify',
    summary:
      'Is a result genuine? By its number and verification code; answers the minimum facts, nothing personal',
    request: {
      query: z.object({
        number: z.string().regex(/^[A-Za-z0-9-]{4,40}$/),
        code: z.string().regex(/^[0-9A-Za-z]{8}$/),
      }),
    },
    responses: {
      200: {
        description: 'The verdict',
        schema: z
          .object({
            valid: z.boolean(),
            status: z.enum(['valid', 'revoked', 'unknown']),
            resultNumber: z.string().optional(),
            resultName: z.string().optional(),
            matterName: z.string().optional(),
            issuer: z.string().optional(),
            decisionDate: z.string().optional(),
            validUntil: z.string().optional(),
          })
          .meta({ id: 'ResultVerification' }),
      },
      ...errorResponses(400),
    },
  },
} as const satisfies Record<string, RouteSpec>;
