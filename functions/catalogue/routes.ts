import * as z from 'zod';
import {
  caseTypes,
  departmentSchema,
  fileRef,
  idSchema,
  implementerNatures,
  matterCode,
  serviceGuideContent,
  windowAssignment,
  windowSchema,
} from '../domain/catalogue/model';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';
import { pageOf, pageQuery } from '../shared/pagination';

/** The matter catalogue's HTTP API (事项目录): public reading, centre configuration, department editing. */
export const revision = z
  .number()
  .int()
  .min(0)
  .meta({ description: 'The revision you read (0 to create); a stale one is answered 409' });
const audited = { revision: z.number().int(), updatedAt: z.string(), updatedBy: z.string() };

export const windowView = windowSchema.extend(audited).meta({ id: 'WindowView' });
export const departmentView = departmentSchema.extend(audited).meta({ id: 'DepartmentView' });

export const matterSummary = z
  .object({
    code: matterCode,
    name: z.string(),
    departmentId: idSchema,
    type: serviceGuideContent.shape.type,
    caseType: z.enum(caseTypes),
    version: z.number().int(),
    validFrom: z.string(),
    window: windowAssignment.optional(),
  })
  .meta({ id: 'MatterSummary' });

export const serviceGuideView = serviceGuideContent
  .extend({
    code: matterCode,
    version: z.number().int(),
    status: z.enum(['draft', 'published']),
    validFrom: z.string().optional(),
    publishedAt: z.string().optional(),
    departmentId: idSchema,
    window: windowAssignment.optional(),
    implementerNature: z.enum(implementerNatures),
    revision: z.number().int(),
  })
  .meta({ id: 'ServiceGuide' });

const windowParams = z.object({ windowId: idSchema });
const departmentParams = z.object({ departmentId: idSchema });
const matterParams = z.object({ code: matterCode });
const fileParams = z.object({ code: matterCode, fileId: z.uuid() });
const downloadUrl = z.object({ url: z.string(), expiresAt: z.string() }).meta({ id: 'DownloadUrl' });

const publicRead = { access: 'public', tags: ['catalogue'] } as const;
const editing = { access: 'authenticated', tags: ['catalogue: editing'] } as const;

export const catalogueRoutes = {
  listWindows: {
    ...publicRead,
    operationId: 'listWindows',
    method: 'GET',
    path: '/windows',
    summary: 'Comprehensive windows (综合窗口)',
    request: { query: pageQuery },
    responses: {
      200: { description: 'A page of windows', schema: pageOf(windowView) },
      ...errorResponses(400),
    },
  },
  getWindow: {
    ...publicRead,
    operationId: 'getWindow',
    method: 'GET',
    path: '/windows/{windowId}',
    summary: 'One window',
    request: { params: windowParams },
    responses: { 200: { description: 'The window', schema: windowView }, ...errorResponses(400, 404) },
  },
  putWindow: {
    ...editing,
    operationId: 'putWindow',
    method: 'PUT',
    path: '/windows/{windowId}',
    summary: 'Create or change a window (centre admin)',
    request: {
      params: windowParams,
      body: windowSchema.omit({ id: true }).extend({ revision }),
    },
    responses: {
      200: { description: 'Changed', schema: windowView },
      201: { description: 'Created', schema: windowView, location: true },
      ...errorResponses(400, 401, 403, 409),
    },
  },
  listDepartments: {
    ...publicRead,
    operationId: 'listDepartments',
    method: 'GET',
    path: '/departments',
    summary: 'Departments (属事单位)',
    request: { query: pageQuery },
    responses: {
      200: { description: 'A page of departments', schema: pageOf(departmentView) },
      ...errorResponses(400),
    },
  },
  getDepartment: {
    ...publicRead,
    operationId: 'getDepartment',
    method: 'GET',
    path: '/departments/{departmentId}',
    summary: 'One department with its chief representative (首席代表)',
    request: { params: departmentParams },
    responses: {
      200: { description: 'The department', schema: departmentView },
      ...errorResponses(400, 404),
    },
  },
  putDepartment: {
    ...editing,
    operationId: 'putDepartment',
    method: 'PUT',
    path: '/departments/{departmentId}',
    summary: 'Create or change a department (centre admin); the credit code is unique and check-digit valid',
    request: { params: departmentParams, body: departmentSchema.omit({ id: true }).extend({ revision }) },
    responses: {
      200: { description: 'Changed', schema: departmentView },
      201: { description: 'Created', schema: departmentView, location: true },
      ...errorResponses(400, 401, 403, 409),
    },
  },
  announcement: {
    ...publicRead,
    operationId: 'getEntrustedMatterAnnouncement',
    method: 'GET',
    path: '/departments/{departmentId}/announcement',
    summary: "The department's announcement (公告) of the matters it entrusts to a window, and since when",
    request: { params: departmentParams, query: pageQuery },
    responses: {
      200: {
        description: 'Entrusted matters',
        schema: z.object({
          department: z.object({ id: idSchema, name: z.string() }),
          items: z.array(
            z.object({ code: matterCode, name: z.string(), windowId: idSchema, since: z.string() }),
          ),
          nextCursor: z.string().optional(),
        }),
      },
      ...errorResponses(400, 404),
    },
  },
  departmentMatters: {
    ...editing,
    operationId: 'listDepartmentMatters',
    method: 'GET',
    path: '/departments/{departmentId}/matters',
    summary: "All of a department's matters with their drafts, for its own staff",
    request: { params: departmentParams, query: pageQuery },
    responses: {
      200: {
        description: 'A page of matters',
        schema: pageOf(
          z.object({
            code: matterCode,
            name: z.string().meta({ description: 'Of the version in effect, else of the draft' }),
            inEffect: z.object({ version: z.number().int(), validFrom: z.string() }).optional(),
            scheduled: z.object({ version: z.number().int(), validFrom: z.string() }).optional(),
            draft: z.object({ version: z.number().int(), revision: z.number().int() }).optional(),
            window: windowAssignment.optional(),
          }),
        ),
      },
      ...errorResponses(400, 401, 403),
    },
  },
  listMatters: {
    ...publicRead,
    operationId: 'listMatters',
    method: 'GET',
    path: '/matters',
    summary: 'Published matters (事项), by window, department, case type, or a word of the name',
    request: {
      query: pageQuery.extend({
        window: idSchema.optional(),
        department: idSchema.optional(),
        caseType: z.enum(caseTypes).optional(),
        q: z.string().trim().min(1).max(50).optional().meta({ description: 'Text the matter name contains' }),
      }),
    },
    responses: {
      200: {
        description: 'A page of matters (filters apply within the page)',
        schema: pageOf(matterSummary),
      },
      ...errorResponses(400),
    },
  },
  getMatter: {
    ...publicRead,
    operationId: 'getServiceGuide',
    method: 'GET',
    path: '/matters/{code}',
    summary: 'The service guide (服务指南) in effect, or a published version by number',
    request: {
      params: matterParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    },
    responses: {
      200: { description: 'The service guide', schema: serviceGuideView },
      ...errorResponses(400, 404),
    },
  },
  createMatter: {
    ...editing,
    operationId: 'createMatter',
    method: 'POST',
    path: '/matters',
    summary: "Create a matter as a draft (its department's staff)",
    request: { body: z.object({ code: matterCode, departmentId: idSchema, guide: serviceGuideContent }) },
    responses: {
      201: { description: 'The draft', schema: serviceGuideView, location: true },
      ...errorResponses(400, 401, 403),
    },
  },
  getDraft: {
    ...editing,
    operationId: 'getDraft',
    method: 'GET',
    path: '/matters/{code}/draft',
    summary: 'The open draft of a matter',
    request: { params: matterParams },
    responses: {
      200: { description: 'The draft', schema: serviceGuideView },
      ...errorResponses(401, 403, 404),
    },
  },
  saveDraft: {
    ...editing,
    operationId: 'saveDraft',
    method: 'PUT',
    path: '/matters/{code}/draft',
    summary: 'Save the draft (revision 0 opens the next version while the published one stays live)',
    request: { params: matterParams, body: z.object({ revision, guide: serviceGuideContent }) },
    responses: {
      200: { description: 'The draft', schema: serviceGuideView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  publishDraft: {
    ...editing,
    operationId: 'publishDraft',
    method: 'POST',
    path: '/matters/{code}/draft/publish',
    summary: 'Publish the draft with the date it takes effect',
    request: {
      params: matterParams,
      body: z.object({ revision: revision.min(1), validFrom: z.iso.date() }),
    },
    responses: {
      200: { description: 'The published version', schema: serviceGuideView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  assignMatter: {
    ...editing,
    operationId: 'assignMatter',
    method: 'PUT',
    path: '/matters/{code}/assignment',
    summary: 'Assign a matter to a window with a staffing mode (派驻 / 委托) (centre admin)',
    request: { params: matterParams, body: windowAssignment },
    responses: {
      200: {
        description: 'The assignment',
        schema: z.object({
          code: matterCode,
          window: windowAssignment,
          implementerNature: z.enum(implementerNatures),
        }),
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  requestFileUpload: {
    ...editing,
    operationId: 'requestCatalogueFileUpload',
    method: 'POST',
    path: '/matters/{code}/files',
    summary: 'A short-lived upload URL for a blank form or sample (PDF, JPEG, PNG; ≤ 10 MiB)',
    request: {
      params: matterParams,
      body: z.object({
        fileName: z.string().trim().min(1).max(120),
        contentType: fileRef.shape.contentType,
        size: z
          .number()
          .int()
          .min(1)
          .max(10 * 1024 * 1024),
      }),
    },
    responses: {
      201: {
        description: 'PUT the file to `upload.url` with `upload.headers`, then confirm it',
        schema: z.object({
          fileId: z.uuid(),
          key: z.string(),
          upload: z.object({
            url: z.string(),
            expiresAt: z.string(),
            headers: z.record(z.string(), z.string()),
          }),
        }),
      },
      ...errorResponses(400, 401, 403, 404),
    },
  },
  confirmFile: {
    ...editing,
    operationId: 'confirmCatalogueFile',
    method: 'POST',
    path: '/matters/{code}/files/{fileId}/confirm',
    summary:
      'Check an uploaded file (size, type by its bytes, sha256); the returned ref can go into the draft',
    request: { params: fileParams },
    responses: {
      200: { description: 'The file reference', schema: z.object({ fileId: z.uuid(), ref: fileRef }) },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  downloadFile: {
    ...publicRead,
    operationId: 'getCatalogueFile',
    method: 'GET',
    path: '/matters/{code}/files/{fileId}',
    summary: 'A short-lived download URL for a confirmed blank form or sample',
    request: { params: fileParams },
    responses: { 200: { description: 'Download URL', schema: downloadUrl }, ...errorResponses(400, 404) },
  },
} as const satisfies Record<string, RouteSpec>;
