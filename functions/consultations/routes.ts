import * as z from 'zod';
import { trailEvent, uploadRequest, uploadTicket } from '../cases/routes';
import { materialContentTypes } from '../domain/cases/model';
import { idSchema, matterCode } from '../domain/catalogue/model';
import { consultationStatuses, consultationText } from '../domain/consultations/consultation';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';
import { pageOf, pageQuery } from '../shared/pagination';

/** Consultations (咨询件) between the window, the departments and applicants. */
const message = z.object({
  kind: z.enum(['question', 'answer', 'follow-up', 'forward']),
  text: z.string(),
  by: z.string(),
  role: z.string(),
  at: z.string(),
});

export const consultationView = z
  .object({
    consultationId: z.uuid(),
    number: z.string().meta({ example: 'ZX20261202-3F9A1C07' }),
    matterCode,
    matterName: z.string(),
    caseId: z.uuid().optional(),
    departmentId: idSchema,
    windowId: idSchema,
    askedBy: z.object({ userId: z.string(), role: z.enum(['clerk', 'applicant']) }),
    channel: z.enum(['counter', 'online']),
    addressee: z
      .enum(['window', 'department'])
      .meta({ description: 'Who must answer now: the window (a portal question) or the department' }),
    assigneeId: z.string().optional(),
    status: z.enum(consultationStatuses),
    limitHours: z.number().int().meta({ description: "The department's response limit in office hours" }),
    round: z.number().int().meta({ description: '1, then one more per follow-up or forwarding' }),
    roundStartedAt: z.string(),
    dueAt: z.string().meta({ description: 'When the answer of this round is due (office hours counted)' }),
    raisedAt: z.string(),
    answeredAt: z.string().optional(),
    closedAt: z.string().optional(),
    messages: z.array(message),
    attachments: z.array(
      z.object({
        attachmentId: z.uuid(),
        fileName: z.string(),
        contentType: z.enum(materialContentTypes),
        size: z.number().int(),
        sha256: z.string(),
        by: z.string(),
        role: z.string(),
        at: z.string(),
      }),
    ),
    version: z.number().int(),
  })
  .meta({ id: 'Consultation' });

const params = z.object({ consultationId: z.uuid() });
const version = z.number().int().min(1).meta({ description: 'The version read (optimistic concurrency)' });
const consultations = { access: 'authenticated', tags: ['consultations'] } as const;
const step = <B extends z.ZodObject>(operationId: string, path: string, summary: string, body: B) => ({
  ...consultations,
  operationId,
  method: 'POST' as const,
  path: `/consultations/{consultationId}/${path}`,
  summary,
  request: { params, body },
  responses: {
    200: { description: 'The consultation after the step', schema: consultationView },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export const consultationRoutes = {
  raiseConsultation: {
    ...consultations,
    operationId: 'raiseConsultation',
    method: 'POST',
    path: '/consultations',
    summary:
      'Ask about a matter or a case: a clerk asks the department, an applicant asks the window (due in office hours)',
    request: {
      body: z.object({
        matterCode: matterCode.optional(),
        caseId: z.uuid().optional(),
        question: consultationText,
      }),
    },
    responses: {
      201: { description: 'The new consultation', schema: consultationView, location: true },
      ...errorResponses(400, 401, 403, 404),
    },
  },
  listConsultations: {
    ...consultations,
    operationId: 'listConsultations',
    method: 'GET',
    path: '/consultations',
    summary: "Consultations, newest first: the caller's own, a window's, or a department's",
    request: {
      query: pageQuery.extend({
        scope: z.enum(['mine', 'window', 'department']).default('mine'),
        id: idSchema
          .optional()
          .meta({ description: 'The window or department (centre admin); default: the caller’s' }),
      }),
    },
    responses: {
      200: { description: 'A page of consultations', schema: pageOf(consultationView) },
      ...errorResponses(400, 401, 403),
    },
  },
  getConsultation: {
    ...consultations,
    operationId: 'getConsultation',
    method: 'GET',
    path: '/consultations/{consultationId}',
    summary: 'A consultation with its messages (its asker, the window, the department, the centre admin)',
    request: { params },
    responses: {
      200: { description: 'The consultation', schema: consultationView },
      ...errorResponses(400, 401, 404),
    },
  },
  answerConsultation: step(
    'answerConsultation',
    'answer',
    'Answer (the addressee: the window, or the department’s assignee, any of its staff when unassigned, its chief)',
    z.object({ version, text: consultationText }),
  ),
  forwardConsultation: step(
    'forwardConsultation',
    'forward',
    'Forward a portal question to the department (the window): a new round with the department’s limit',
    z.object({ version, note: consultationText.optional() }),
  ),
  assignConsultation: step(
    'assignConsultation',
    'assign',
    'Reassign within the department (its staff or the centre admin) to one of its active reviewers or its chief',
    z.object({ version, assigneeId: z.string().min(1).max(128) }),
  ),
  closeConsultation: step(
    'closeConsultation',
    'close',
    'Close an answered consultation (its asker)',
    z.object({ version }),
  ),
  followUpConsultation: step(
    'followUpConsultation',
    'follow-up',
    'Ask again after an answer (its asker): reopened for a new round with a new due time',
    z.object({ version, text: consultationText }),
  ),
  requestAttachmentUpload: {
    ...consultations,
    operationId: 'requestConsultationAttachmentUpload',
    method: 'POST',
    path: '/consultations/{consultationId}/attachments/uploads',
    summary:
      'A short-lived upload URL for an attachment (its asker or whoever may answer; PDF, JPEG, PNG, OFD; ≤ 20 MiB)',
    request: { params, body: uploadRequest },
    responses: {
      201: {
        description: 'PUT the file to `upload.url` with `upload.headers`, then attach it',
        schema: uploadTicket,
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  attachFile: step(
    'attachConsultationFile',
    'attachments',
    'Attach an uploaded file: the server checks its size, its type by magic bytes and its sha256',
    z.object({ version, uploadId: z.uuid(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
  attachmentDownload: {
    ...consultations,
    operationId: 'downloadConsultationAttachment',
    method: 'GET',
    path: '/consultations/{consultationId}/attachments/{attachmentId}/download',
    summary: 'A 5-minute download URL of an attachment exactly as it was checked',
    request: { params: params.extend({ attachmentId: z.uuid() }) },
    responses: {
      200: { description: 'The URL', schema: z.object({ url: z.string(), expiresAt: z.string() }) },
      ...errorResponses(400, 401, 404),
    },
  },
  consultationToFaq: {
    ...consultations,
    operationId: 'consultationToFaq',
    method: 'POST',
    path: '/consultations/{consultationId}/faq',
    summary:
      "Turn the answer into a FAQ (常见问题) of the matter's next guide draft (the department's staff or the admin)",
    request: { params },
    responses: {
      200: {
        description: 'The draft that has the FAQ (`added: false` when it had it already)',
        schema: z.object({
          matterCode,
          draftVersion: z.number().int(),
          faqs: z.number().int(),
          added: z.boolean(),
        }),
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  consultationTrail: {
    ...consultations,
    operationId: 'consultationTrail',
    method: 'GET',
    path: '/consultations/{consultationId}/trail',
    summary:
      'The trail of a consultation (the window, the department, the centre admin): message texts as hashes',
    request: { params },
    responses: {
      200: { description: 'Its events, oldest first', schema: z.object({ items: z.array(trailEvent) }) },
      ...errorResponses(400, 401, 403, 404),
    },
  },
} satisfies Record<string, RouteSpec>;
