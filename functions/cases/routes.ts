import * as z from 'zod';
import {
  applicantSchema,
  caseChannels,
  caseStatuses,
  pinnedMatter,
  reviewCheck,
} from '../domain/cases/model';
import { idSchema, matterCode } from '../domain/catalogue/model';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';
import { pageOf, pageQuery } from '../shared/pagination';

/** Intake and acceptance (前台综合受理) and the trail (全过程留痕) of cases. */
const version = z
  .number()
  .int()
  .min(1)
  .meta({ description: 'The version you read; a stale one is answered 409' });
const caseParams = z.object({ caseId: z.uuid() });

const notice = z.object({
  number: z.string(),
  type: z.enum(['acceptance', 'rejection']),
  date: z.string(),
  content: z.record(z.string(), z.unknown()),
});

export const caseView = z
  .object({
    caseId: z.uuid(),
    status: z.enum(caseStatuses),
    version: z.number().int(),
    channel: z.enum(caseChannels),
    matter: pinnedMatter,
    applicant: z.record(z.string(), z.unknown()).meta({
      description: 'Applicant; name, ID number and phone masked unless you are the owner or handle the case',
    }),
    ownerId: z.string().optional(),
    createdBy: z.object({ userId: z.string(), role: z.string() }),
    createdAt: z.string(),
    caseNumber: z.string().optional().meta({ description: '办件编号, assigned at receipt (收件)' }),
    receivedAt: z.string().optional(),
    acceptance: z
      .object({
        noticeNumber: z.string(),
        reviewChecks: z.array(reviewCheck),
        acceptedAt: z.string(),
        acceptedBy: z.string(),
        promisedCompletionDate: z.string(),
        statutoryCompletionDate: z.string(),
        provisional: z.boolean(),
      })
      .optional(),
    rejection: z
      .object({
        noticeNumber: z.string(),
        rejectedAt: z.string(),
        rejectedBy: z.string(),
        reason: z.string(),
        legalBasis: z.string(),
      })
      .optional(),
    notices: z.array(notice),
  })
  .meta({ id: 'Case' });

const trailEvent = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.object({
      userId: z.string(),
      role: z.string(),
      windowId: idSchema.optional(),
      departmentId: idSchema.optional(),
    }),
    channel: z.string(),
    action: z.string(),
    changes: z.array(
      z.object({ field: z.string(), old: z.unknown().optional(), new: z.unknown().optional() }),
    ),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'TrailEvent' });

const cases = { access: 'authenticated', tags: ['cases'] } as const;

export const caseRoutes = {
  createCase: {
    ...cases,
    operationId: 'createCase',
    method: 'POST',
    path: '/cases',
    summary:
      'Start a case for a published matter: an applicant on the portal, or a clerk of its window at the counter',
    request: {
      headers: z.object({
        'idempotency-key': z
          .string()
          .regex(/^[A-Za-z0-9_-]{8,128}$/)
          .optional()
          .meta({ description: 'A retried or doubled request with the same key returns the first case' }),
      }),
      body: z.object({
        matterCode,
        applicant: applicantSchema,
        channel: z.enum(['online', 'mobile']).optional(),
      }),
    },
    responses: {
      201: { description: 'The new case (a draft)', schema: caseView },
      200: { description: 'The case this Idempotency-Key already created', schema: caseView },
      ...errorResponses(400, 401, 403, 409),
    },
  },
  listCases: {
    ...cases,
    operationId: 'listCases',
    method: 'GET',
    path: '/cases',
    summary:
      "Newest first: an applicant's own cases; a clerk's window queue; a department's queue (by status)",
    request: { query: pageQuery.extend({ status: z.enum(caseStatuses).optional() }) },
    responses: {
      200: { description: 'A page of cases', schema: pageOf(caseView) },
      ...errorResponses(400, 401, 403),
    },
  },
  getCase: {
    ...cases,
    operationId: 'getCase',
    method: 'GET',
    path: '/cases/{caseId}',
    summary: 'One case with its pinned matter version, review points and notices',
    request: { params: caseParams },
    responses: { 200: { description: 'The case', schema: caseView }, ...errorResponses(400, 401, 404) },
  },
  updateDraft: {
    ...cases,
    operationId: 'updateCaseDraft',
    method: 'PUT',
    path: '/cases/{caseId}/draft',
    summary: 'Edit a draft case (its owner)',
    request: { params: caseParams, body: z.object({ version, applicant: applicantSchema }) },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  submit: {
    ...cases,
    operationId: 'submitCase',
    method: 'POST',
    path: '/cases/{caseId}/submit',
    summary: 'Submit a draft: receipt (收件) with a case number and time',
    request: { params: caseParams, body: z.object({ version }) },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  accept: {
    ...cases,
    operationId: 'acceptCase',
    method: 'POST',
    path: '/cases/{caseId}/accept',
    summary:
      'Accept (受理): every review point checked and passed; an acceptance notice and the promised date',
    request: { params: caseParams, body: z.object({ version, reviewChecks: z.array(reviewCheck).max(50) }) },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  reject: {
    ...cases,
    operationId: 'rejectCase',
    method: 'POST',
    path: '/cases/{caseId}/reject',
    summary: 'Reject (不予受理) with reason and legal basis; a rejection notice',
    request: {
      params: caseParams,
      body: z.object({
        version,
        reason: z.string().trim().min(2).max(500),
        legalBasis: z.string().trim().min(2).max(300),
      }),
    },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  trail: {
    ...cases,
    operationId: 'getCaseTrail',
    method: 'GET',
    path: '/cases/{caseId}/trail',
    summary: 'The trail (全过程留痕): who did what, when, through which channel, old and new values',
    request: { params: caseParams },
    responses: {
      200: { description: 'Events in order', schema: z.object({ items: z.array(trailEvent) }) },
      ...errorResponses(401, 404),
    },
  },
  verifyTrail: {
    ...cases,
    operationId: 'verifyCaseTrail',
    method: 'GET',
    path: '/cases/{caseId}/trail/verify',
    summary: "Check the trail's hash chain; names the first event that does not hold",
    request: { params: caseParams },
    responses: {
      200: {
        description: 'The verdict',
        schema: z.union([
          z.object({ valid: z.literal(true), events: z.number().int(), head: z.string() }),
          z.object({ valid: z.literal(false), brokenAt: z.number().int(), reason: z.string() }),
        ]),
      },
      ...errorResponses(401, 404),
    },
  },
} as const satisfies Record<string, RouteSpec>;
