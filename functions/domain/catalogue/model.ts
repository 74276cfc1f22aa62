import * as z from 'zod';
import { isValidCreditCode } from '../credit-code';

/**
 * The matter catalogue (事项目录): windows, departments, matters and their service guides, with the
 * data items of GB/T 39046-2020. These schemas are the one definition of the data: the API parses
 * requests with them, the OpenAPI document is generated from them and the seed file is checked by them.
 */
export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, '应为 2–40 位小写字母、数字或连字符')
  .meta({ example: 'window-2' });

const phone = z.string().regex(/^[0-9-]{5,20}$/, '应为电话号码');
export const text = (max: number) => z.string().trim().min(1).max(max);
export const isoDate = z.iso.date().meta({ description: 'YYYY-MM-DD (Asia/Shanghai)' });

export const staffingModes = ['dispatched', 'entrusted'] as const;

/** 事项类型 (GB/T 39046: 行政许可, 行政确认, …, 公共服务). */
export const matterTypes = [
  'administrative-licensing',
  'administrative-confirmation',
  'administrative-payment',
  'administrative-award',
  'administrative-ruling',
  'administrative-levy',
  'other-administrative-power',
  'public-service',
] as const;

/**
 * 实施主体性质 (GB/T 39046: 1 法定机关, 2 授权组织, 3 受委托组织). Not edited: it follows from the staffing
 * mode at the window (entrusted → 受委托组织), see implementerNatureOf.
 */
export const implementerNatures = [
  'statutory-authority',
  'authorised-organisation',
  'entrusted-organisation',
] as const;

/** 办件类型 (GB/T 39046: 1 即办件, 2 承诺件). */
export const caseTypes = ['instant', 'promised'] as const;

/** 办理渠道 (GB/T 39046: 1 窗口, 2 网上 (PC), 3 移动端, 4 快递). */
export const channels = ['counter', 'online', 'mobile', 'courier'] as const;

export const timeLimit = z.object({
  value: z.number().int().min(0).max(365),
  unit: z.literal('working-days').default('working-days'),
});

export const fileRef = z
  .object({
    key: z.string().min(1).max(300),
    fileName: text(120),
    contentType: z.enum(['application/pdf', 'image/jpeg', 'image/png']),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().positive(),
  })
  .meta({ id: 'FileRef', description: 'A blank form or sample stored in S3; served by a short-lived URL' });

export const materialRequirement = z
  .object({
    id: idSchema,
    name: text(100),
    issuer: text(100).meta({ description: '出具单位, e.g. 申请人自备 / 公安机关' }),
    originals: z.number().int().min(0).max(20),
    copies: z.number().int().min(0).max(20),
    required: z.boolean(),
    /** 关键材料: what the decision rests on; never deferrable. */
    keyMaterial: z.boolean(),
    /** 容缺: may be supplied after acceptance, by a due date. Only a non-key material may be deferrable. */
    deferrable: z.boolean().default(false),
    notes: z.string().trim().max(500).optional(),
    blankForm: fileRef.optional(),
    sample: fileRef.optional(),
  })
  .meta({ id: 'MaterialRequirement' });

export const serviceGuideContent = z
  .object({
    name: text(100),
    type: z.enum(matterTypes),
    caseType: z.enum(caseTypes),
    statutoryLimit: timeLimit,
    promisedLimit: timeLimit,
    acceptanceConditions: z.array(text(500)).min(1).max(30),
    processSteps: z
      .array(z.object({ name: text(50), description: text(500) }))
      .min(1)
      .max(20),
    fees: z.object({
      charged: z.boolean(),
      description: text(300),
      basis: z.string().trim().max(300).optional(),
    }),
    legalBasis: z.array(text(300)).max(20).default([]),
    result: z.object({ name: text(100), sample: fileRef.optional() }),
    consultationPhone: phone,
    complaintPhone: phone,
    channels: z.array(z.enum(channels)).min(1),
    materials: z.array(materialRequirement).max(50),
    reviewPoints: z
      .array(text(300))
      .max(50)
      .default([])
      .meta({ description: '审查要点 for the window clerk' }),
    faqs: z
      .array(z.object({ question: text(200), answer: text(1000) }))
      .max(50)
      .default([]),
  })
  .meta({ id: 'ServiceGuideContent' });

export type ServiceGuideContent = z.infer<typeof serviceGuideContent>;
export type MaterialRequirement = z.infer<typeof materialRequirement>;

export const windowSchema = z
  .object({
    id: idSchema,
    name: text(50),
    location: z.string().trim().max(100).optional(),
    departmentIds: z.array(idSchema).max(20),
  })
  .meta({ id: 'Window' });
export type Window = z.infer<typeof windowSchema>;

export const creditCode = z
  .string()
  .refine(isValidCreditCode, '统一社会信用代码格式或校验位不正确 (GB 32100)')
  .meta({ example: '11230900MB0000001C' });

export const departmentSchema = z
  .object({
    id: idSchema,
    name: text(50),
    creditCode,
    chiefRepresentative: z.object({ name: text(30), phone }),
    consultationHours: z.number().int().min(1).max(40).optional().meta({
      description: '咨询件答复时限: office hours the department has to answer a consultation (default 4)',
    }),
  })
  .meta({ id: 'Department' });
export type Department = z.infer<typeof departmentSchema>;

export const matterCode = z
  .string()
  .regex(/^[0-9A-Z][0-9A-Z-]{3,39}$/, '应为 4–40 位大写字母、数字或连字符')
  .meta({ example: 'JY-0001' });

/** Where a matter is accepted: its comprehensive window and the staffing mode there. */
export const windowAssignment = z.object({
  windowId: idSchema,
  staffingMode: z.enum(staffingModes),
  since: isoDate,
});
export type WindowAssignment = z.infer<typeof windowAssignment>;
