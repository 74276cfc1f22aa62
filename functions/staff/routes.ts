import * as z from 'zod';
import { trailEvent } from '../cases/routes';
import { revision } from '../catalogue/routes';
import { idSchema, isoDate, matterCode, text } from '../domain/catalogue/model';
import { staffRoles } from '../domain/staff/staff';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';
import { pageOf, pageQuery } from '../shared/pagination';

/** Staff records and the clerks' qualifications (工作人员档案、上岗资格). */
const userId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/, '应为身份提供方的用户标识(字母、数字、._@:-)')
  .meta({ description: "The identity provider's subject (`sub`)", example: 'clerk-3' });
const qualificationStates = ['valid', 'expiring', 'expired', 'revoked', 'failed'] as const;

export const qualificationView = z
  .object({
    departmentId: idSchema,
    matterCodes: z
      .array(matterCode)
      .optional()
      .meta({ description: 'Absent: every matter of the department' }),
    assessedOn: isoDate,
    assessor: z.string(),
    result: z.enum(['passed', 'failed']),
    validUntil: isoDate,
    recordedAt: z.string(),
    recordedBy: z.string(),
    revoked: z.object({ at: z.string(), by: z.string(), reason: z.string() }).optional(),
    state: z.enum(qualificationStates).meta({ description: '`expiring`: valid, ending within 30 days' }),
  })
  .meta({ id: 'Qualification' });

const profileFields = {
  name: text(50),
  role: z.enum(staffRoles),
  windowId: idSchema.optional().meta({ description: 'Clerks: the window they serve' }),
  departmentId: idSchema
    .optional()
    .meta({ description: 'Reviewers and chief representatives: their department' }),
  active: z.boolean(),
};

export const staffProfileView = z
  .object({
    userId,
    ...profileFields,
    revision: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    trailHead: z.object({ seq: z.number().int(), hash: z.string() }),
  })
  .meta({ id: 'StaffProfile' });

const staffWithQualifications = staffProfileView
  .extend({ qualifications: z.array(qualificationView) })
  .meta({ id: 'StaffRecord' });

const staffParams = z.object({ userId });
const qualificationParams = z.object({ userId, departmentId: idSchema });
const staff = { access: 'authenticated', tags: ['staff'] } as const;

export const staffRoutes = {
  listStaff: {
    ...staff,
    operationId: 'listStaff',
    method: 'GET',
    path: '/staff',
    summary:
      "Staff profiles: a window's clerks, a department's staff, or everyone (centre admin; a chief for their department)",
    request: {
      query: pageQuery
        .extend({ windowId: idSchema.optional(), departmentId: idSchema.optional() })
        .refine((q) => !(q.windowId && q.departmentId), {
          message: '窗口与部门只能选择一个',
          path: ['departmentId'],
        }),
    },
    responses: {
      200: { description: 'A page of profiles', schema: pageOf(staffProfileView) },
      ...errorResponses(400, 401, 403),
    },
  },
  getStaff: {
    ...staff,
    operationId: 'getStaff',
    method: 'GET',
    path: '/staff/{userId}',
    summary: 'A staff profile with its qualifications (centre admin, the person, their department chief)',
    request: { params: staffParams },
    responses: {
      200: { description: 'The profile', schema: staffWithQualifications },
      ...errorResponses(400, 401, 404),
    },
  },
  putStaff: {
    ...staff,
    operationId: 'putStaff',
    method: 'PUT',
    path: '/staff/{userId}',
    summary:
      'Create or change a staff profile (centre admin): a clerk has a window, department staff a department',
    request: { params: staffParams, body: z.object({ ...profileFields, revision }) },
    responses: {
      200: { description: 'Changed', schema: staffWithQualifications },
      201: { description: 'Created', schema: staffWithQualifications, location: true },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  recordQualification: {
    ...staff,
    operationId: 'recordQualification',
    method: 'PUT',
    path: '/staff/{userId}/qualifications/{departmentId}',
    summary:
      "Record a clerk's assessment (业务考核) by a department: the department's chief representative or the centre admin",
    request: {
      params: qualificationParams,
      body: z.object({
        matterCodes: z.array(matterCode).min(1).max(200).optional(),
        assessedOn: isoDate,
        assessor: text(50),
        result: z.enum(['passed', 'failed']),
        validUntil: isoDate,
      }),
    },
    responses: {
      200: { description: 'The qualification in force for the department', schema: qualificationView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  revokeQualification: {
    ...staff,
    operationId: 'revokeQualification',
    method: 'POST',
    path: '/staff/{userId}/qualifications/{departmentId}/revoke',
    summary: 'Revoke a qualification, with the reason',
    request: { params: qualificationParams, body: z.object({ reason: text(300) }) },
    responses: {
      200: { description: 'The revoked qualification', schema: qualificationView },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  },
  windowQualifications: {
    ...staff,
    operationId: 'getWindowQualifications',
    method: 'GET',
    path: '/windows/{windowId}/qualifications',
    summary:
      "The window's qualification matrix, clerk × department, for shift planning (its clerks, the chiefs of its departments, the admin)",
    request: { params: z.object({ windowId: idSchema }) },
    responses: {
      200: {
        description: 'The matrix as of today',
        schema: z
          .object({
            windowId: idSchema,
            departmentIds: z.array(idSchema),
            asOf: isoDate,
            clerks: z.array(
              z.object({
                userId,
                name: z.string(),
                active: z.boolean(),
                departments: z.record(
                  z.string(),
                  z.object({
                    state: z.enum([...qualificationStates, 'none']),
                    validUntil: isoDate.optional(),
                    matterCodes: z.array(matterCode).optional(),
                  }),
                ),
              }),
            ),
          })
          .meta({ id: 'QualificationMatrix' }),
      },
      ...errorResponses(400, 401, 403, 404),
    },
  },
  staffTrail: {
    ...staff,
    operationId: 'getStaffTrail',
    method: 'GET',
    path: '/staff/{userId}/trail',
    summary: "A staff member's trail: every change of the profile and the qualifications (centre admin)",
    request: { params: staffParams },
    responses: {
      200: { description: 'Events in order', schema: z.object({ items: z.array(trailEvent) }) },
      ...errorResponses(400, 401, 403, 404),
    },
  },
} as const satisfies Record<string, RouteSpec>;
