import * as z from 'zod';
import { isCalendarDate } from '../domain/calendar/dates';
import { alertKinds, alertLevels } from '../domain/cases/alerts';
import { casePhases } from '../domain/cases/lifecycle';
import {
  applicantSchema,
  caseChannels,
  caseStatuses,
  materialContentTypes,
  maxMaterialBytes,
  noticeTypes,
  pinnedMatter,
  reviewCheck,
  specialProcedureTypes,
} from '../domain/cases/model';
import { maxExtensionWorkingDays } from '../domain/cases/processing-clock';
import { idSchema, matterCode } from '../domain/catalogue/model';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';
import { pageOf, pageQuery } from '../shared/pagination';

/** Intake and acceptance (前台综合受理) and the trail (全过程留痕) of cases. */
export const version = z
  .number()
  .int()
  .min(1)
  .meta({ description: 'The version you read; a stale one is answered 409' });
export const caseParams = z.object({ caseId: z.uuid() });
const materialParams = z.object({
  caseId: z.uuid(),
  materialId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/),
});

/** 补正 items: every deficient material and what is wrong with it, in one notice. */
const supplementItems = z
  .array(z.object({ materialId: z.string().min(1), problem: z.string().trim().min(2).max(300) }))
  .min(1)
  .max(50);

const notice = z.object({
  number: z.string(),
  type: z.enum(noticeTypes),
  date: z.string(),
  content: z.record(z.string(), z.unknown()),
});

const processingClockView = z
  .object({
    startDate: z.iso.date(),
    promisedDays: z.number().int(),
    statutoryDays: z.number().int(),
    pauses: z.array(
      z.object({
        kind: z.enum(['supplement', 'special-procedure']),
        from: z.iso.date(),
        to: z.iso.date().optional(),
        workingDays: z.number().int().optional(),
      }),
    ),
    extension: z
      .object({
        workingDays: z.number().int(),
        reason: z.string(),
        approvedBy: z.string(),
        approvedAt: z.string(),
      })
      .optional(),
    promisedDueDate: z.iso.date(),
    statutoryDueDate: z.iso.date(),
    provisional: z.boolean(),
  })
  .meta({
    id: 'ProcessingClock',
    description:
      '办理时限: from acceptance in working days; supplement and special procedures pause it, one extension moves it',
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
    supplementRounds: z.number().int(),
    acceptanceDueDate: z.string().optional(),
    deemedAccepted: z
      .boolean()
      .meta({ description: '§32: past the acceptance deadline with no decision or notice' }),
    materials: z.record(z.string(), z.record(z.string(), z.unknown())),
    deferrals: z.record(z.string(), z.unknown()).optional(),
    supplementRequest: z.record(z.string(), z.unknown()).optional(),
    instantDecision: z.record(z.string(), z.unknown()).optional(),
    notices: z.array(notice),
    phase: z
      .enum(casePhases)
      .optional()
      .meta({ description: 'Back-office step (后台审批环节) of an accepted case' }),
    clock: processingClockView.optional(),
    backOffice: z.record(z.string(), z.unknown()).optional().meta({
      description: '流转, 接件, 审查, 决定, 制证, 回送, 补正 and 特别程序 with who and when',
    }),
    attention: z.object({ reason: z.string(), at: z.string() }).optional().meta({
      description: 'The workflow failed permanently; the centre admin must look (the trail says why)',
    }),
    termination: z.record(z.string(), z.unknown()).optional(),
    trailHead: z
      .object({ seq: z.number().int(), hash: z.string() })
      .meta({ description: 'The last trail event' }),
  })
  .meta({ id: 'Case' });

/** A worklist line: what the list indexes project from the case head (GET the case for the rest). */
export const caseSummaryView = z
  .object({
    caseId: z.uuid(),
    caseNumber: z.string().optional(),
    status: z.enum(caseStatuses),
    phase: z.enum(casePhases).optional(),
    channel: z.enum(caseChannels),
    matter: pinnedMatter.omit({ reviewPoints: true, materials: true }).meta({ id: 'MatterRef' }),
    applicantName: z
      .string()
      .meta({ description: "The applicant's name; masked unless you own or handle the case" }),
    createdAt: z.string(),
    receivedAt: z.string().optional(),
    dueDate: z.iso
      .date()
      .optional()
      .meta({ description: 'The promised date once accepted; the §32 acceptance deadline before' }),
    attention: z.object({ reason: z.string(), at: z.string() }).optional(),
    deemedAccepted: z
      .boolean()
      .meta({ description: '§32: past the acceptance deadline with no decision or notice' }),
  })
  .meta({ id: 'CaseSummary' });

export const trailEvent = z
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
const backOffice = { access: 'authenticated', tags: ['back office'] } as const;

export const caseResponses = {
  200: { description: 'The case', schema: caseView },
  ...errorResponses(400, 401, 403, 404, 409),
};

/** What an uploader declares of a file (a material, a consultation's attachment) before it is sent. */
export const uploadRequest = z.object({
  fileName: z.string().trim().min(1).max(120),
  contentType: z.enum(materialContentTypes),
  size: z.number().int().min(1).max(maxMaterialBytes),
});

/** Where to PUT a file: a short-lived presigned URL and the headers it was signed with. */
export const uploadTicket = z.object({
  uploadId: z.uuid(),
  upload: z.object({
    url: z.string(),
    expiresAt: z.string(),
    headers: z.record(z.string(), z.string()),
  }),
});

export const alertView = z
  .object({
    alertId: z.string(),
    caseId: z.uuid().optional().meta({
      description: "The case (absent on a staff member's alert and a consultation not about a case)",
    }),
    consultationId: z.uuid().optional().meta({ description: "On a consultation's alert (咨询件)" }),
    userId: z
      .string()
      .optional()
      .meta({ description: "On a staff member's alert (a qualification ending): the clerk" }),
    caseNumber: z.string().optional(),
    matterCode: z.string().optional().meta({ description: "The matter (absent on a staff member's alert)" }),
    matterName: z.string().optional(),
    windowId: z.string(),
    departmentId: z.string(),
    kind: z.enum(alertKinds),
    level: z.enum(alertLevels),
    audience: z.enum(['department', 'chief', 'admin', 'window']),
    dueDate: z.iso
      .date()
      .meta({ description: 'The date the alert is about (promised, receipt or deferral date)' }),
    raisedAt: z.string(),
    status: z.enum(['active', 'resolved']),
    materialId: z.string().optional(),
    detail: z.string().optional(),
  })
  .meta({ id: 'Alert' });

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
        submit: z.boolean().optional().meta({
          description:
            'Also submit it (收件) in the same request: for an application whose materials need no upload',
        }),
      }),
    },
    responses: {
      201: {
        description: 'The new case (a draft, or submitted with `submit`)',
        schema: caseView,
        location: true,
      },
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
      200: { description: 'A page of worklist lines', schema: pageOf(caseSummaryView) },
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
    request: {
      params: caseParams,
      body: z.object({
        version,
        reviewChecks: z.array(reviewCheck).max(50),
        deferred: z
          .object({
            items: z
              .array(z.object({ materialId: z.string().min(1), dueDate: z.iso.date() }))
              .min(1)
              .max(20),
            commitment: z.object({
              statement: z.string().trim().min(4).max(1000),
              signedBy: z.string().trim().min(1).max(50),
            }),
          })
          .optional()
          .meta({
            description:
              '容缺受理: deferrable materials that may follow by their due date, on a signed commitment',
          }),
        instantDecision: z
          .object({ outcome: z.enum(['approve', 'deny']), note: z.string().trim().min(1).max(500) })
          .optional()
          .meta({ description: '即办件: the decision taken at the counter in the same visit' }),
      }),
    },
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
  requestSupplement: {
    ...cases,
    operationId: 'requestSupplement',
    method: 'POST',
    path: '/cases/{caseId}/request-supplement',
    summary: 'Request a supplement (补正): every deficiency at once in a one-time notice (一次性告知)',
    request: {
      params: caseParams,
      body: z.object({
        version,
        items: supplementItems,
      }),
    },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  resubmit: {
    ...cases,
    operationId: 'resubmitCase',
    method: 'POST',
    path: '/cases/{caseId}/resubmit',
    summary: 'Resubmit after a supplement request',
    request: { params: caseParams, body: z.object({ version }) },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  requestMaterialUpload: {
    ...cases,
    operationId: 'requestMaterialUpload',
    method: 'POST',
    path: '/cases/{caseId}/materials/{materialId}/uploads',
    summary: 'A short-lived upload URL for one material (PDF, JPEG, PNG, OFD; ≤ 20 MiB)',
    request: {
      params: materialParams,
      body: uploadRequest,
    },
    responses: {
      201: {
        description: 'PUT the file to `upload.url` with `upload.headers`, then confirm it',
        schema: uploadTicket,
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  confirmMaterial: {
    ...cases,
    operationId: 'confirmMaterial',
    method: 'POST',
    path: '/cases/{caseId}/materials/{materialId}/confirm',
    summary: 'Count an upload: the server checks its size, its type by magic bytes and its sha256',
    request: {
      params: materialParams,
      body: z.object({ version, uploadId: z.uuid(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  checkPaperOriginal: {
    ...cases,
    operationId: 'checkPaperOriginal',
    method: 'POST',
    path: '/cases/{caseId}/materials/{materialId}/paper-check',
    summary: 'Record that the clerk saw the paper original at the counter',
    request: { params: materialParams, body: z.object({ version }) },
    responses: {
      200: { description: 'The case', schema: caseView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  downloadMaterial: {
    ...cases,
    operationId: 'downloadMaterial',
    method: 'GET',
    path: '/cases/{caseId}/materials/{materialId}/download',
    summary:
      'A 5-minute download URL of a material exactly as it was checked (its pinned copy and object version)',
    request: { params: materialParams },
    responses: {
      200: {
        description: 'The URL, and what the file must hash to',
        schema: z.object({
          url: z.string(),
          expiresAt: z.string(),
          sha256: z.string(),
          size: z.number().int(),
          contentType: z.enum(materialContentTypes),
          versionId: z.string().optional(),
        }),
      },
      ...errorResponses(400, 401, 403, 404),
    },
  },
  overdueAcceptance: {
    ...cases,
    operationId: 'listOverdueAcceptance',
    method: 'GET',
    path: '/departments/{departmentId}/overdue-acceptance',
    summary:
      "A department's cases past the 5 working days of §32 with no decision or notice: deemed accepted (centre admin)",
    request: { params: z.object({ departmentId: idSchema }), query: pageQuery },
    responses: {
      200: { description: 'Oldest first', schema: pageOf(caseSummaryView) },
      ...errorResponses(400, 401, 403),
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
  confirmReceipt: {
    ...backOffice,
    operationId: 'confirmReceipt',
    method: 'POST',
    path: '/cases/{caseId}/receipt',
    summary: '接件: the department confirms receipt of a case handed over (流转) from the window',
    request: { params: caseParams, body: z.object({ version }) },
    responses: caseResponses,
  },
  review: {
    ...backOffice,
    operationId: 'reviewCase',
    method: 'POST',
    path: '/cases/{caseId}/review',
    summary: "审查: the department reviewer's opinion and recommendation",
    request: {
      params: caseParams,
      body: z.object({
        version,
        opinion: z.string().trim().min(2).max(2000),
        recommendation: z.enum(['approve', 'deny']),
      }),
    },
    responses: caseResponses,
  },
  decide: {
    ...backOffice,
    operationId: 'decideCase',
    method: 'POST',
    path: '/cases/{caseId}/decision',
    summary: '决定: 准予 or 不予许可 with reasons (a reviewer or the chief representative of the department)',
    request: {
      params: caseParams,
      body: z
        .object({
          version,
          outcome: z.enum(['approve', 'deny']),
          reasons: z.string().trim().max(2000).default(''),
        })
        .refine((b) => b.outcome === 'approve' || b.reasons.length >= 2, {
          path: ['reasons'],
          message: '不予许可必须说明理由',
        }),
    },
    responses: caseResponses,
  },
  returnToWindow: {
    ...backOffice,
    operationId: 'returnToWindow',
    method: 'POST',
    path: '/cases/{caseId}/return',
    summary: '回送: the result goes back to the comprehensive window for issuance (the deadline is met here)',
    request: { params: caseParams, body: z.object({ version }) },
    responses: caseResponses,
  },
  departmentSupplement: {
    ...backOffice,
    operationId: 'requestDepartmentSupplement',
    method: 'POST',
    path: '/cases/{caseId}/department-supplement',
    summary:
      '补正 asked by the reviewer: one notice with every item; the processing clock stops until resubmission',
    request: {
      params: caseParams,
      body: z.object({
        version,
        items: supplementItems,
      }),
    },
    responses: caseResponses,
  },
  startSpecialProcedure: {
    ...backOffice,
    operationId: 'startSpecialProcedure',
    method: 'POST',
    path: '/cases/{caseId}/special-procedures',
    summary: '特别程序 (听证, 专家评审, 现场勘验, 检验检测, 公示): the clock stops; the applicant is told',
    request: {
      params: caseParams,
      body: z.object({
        version,
        type: z.enum(specialProcedureTypes),
        reason: z.string().trim().min(2).max(500),
      }),
    },
    responses: caseResponses,
  },
  endSpecialProcedure: {
    ...backOffice,
    operationId: 'endSpecialProcedure',
    method: 'POST',
    path: '/cases/{caseId}/special-procedures/end',
    summary: 'The special procedure ends with its result; the clock resumes and the deadline moves',
    request: { params: caseParams, body: z.object({ version, result: z.string().trim().min(2).max(1000) }) },
    responses: caseResponses,
  },
  extend: {
    ...backOffice,
    operationId: 'extendCase',
    method: 'POST',
    path: '/cases/{caseId}/extension',
    summary: '延期: once per case, with a reason, approved by the chief representative of the department',
    request: {
      params: caseParams,
      body: z.object({
        version,
        workingDays: z.number().int().min(1).max(maxExtensionWorkingDays),
        reason: z.string().trim().min(2).max(500),
      }),
    },
    responses: caseResponses,
  },
  listAlerts: {
    ...backOffice,
    operationId: 'listAlerts',
    method: 'GET',
    path: '/alerts',
    summary:
      'Active deadline alerts (预警) of a window, a department or the centre, by level, earliest due first',
    request: {
      query: pageQuery.extend({
        scope: z.enum(['window', 'department', 'centre']),
        id: idSchema.optional().meta({ description: 'Window or department id; defaults to your own' }),
        level: z.enum(alertLevels),
        dueOnOrBefore: z.string().refine(isCalendarDate, '应为有效日期 YYYY-MM-DD').optional(),
      }),
    },
    responses: {
      200: { description: 'A page of alerts', schema: pageOf(alertView) },
      ...errorResponses(400, 401, 403),
    },
  },
} as const satisfies Record<string, RouteSpec>;
