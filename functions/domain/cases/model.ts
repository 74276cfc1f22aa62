import * as z from 'zod';
import { caseTypes, idSchema, matterCode, staffingModes } from '../catalogue/model';
import { isValidCreditCode } from '../credit-code';
import { isValidIdNumber, normaliseIdNumber } from '../id-number';

/**
 * A case (办件): one application and everything that happens to it. Channels as GB/T 39046 counts them
 * (1 window, 2 PC, 3 mobile); the matter version it was submitted under is pinned on the case.
 */
export const caseStatuses = [
  'draft',
  'submitted',
  'supplement-requested',
  'accepted',
  'rejected',
  'decided',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const caseChannels = ['counter', 'online', 'mobile'] as const;
export type CaseChannel = (typeof caseChannels)[number];

const phone = z.string().regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, '应为手机号码或固定电话');

export const personApplicant = z.object({
  kind: z.literal('person'),
  name: z.string().trim().min(1).max(50),
  idNumber: z
    .string()
    .transform(normaliseIdNumber)
    .refine((value) => isValidIdNumber(value), '公民身份号码格式或校验位不正确 (GB 11643)'),
  phone,
});

export const enterpriseApplicant = z.object({
  kind: z.literal('enterprise'),
  name: z.string().trim().min(1).max(100),
  creditCode: z.string().refine(isValidCreditCode, '统一社会信用代码格式或校验位不正确 (GB 32100)'),
  contactName: z.string().trim().min(1).max(50),
  phone,
});

export const applicantSchema = z
  .discriminatedUnion('kind', [personApplicant, enterpriseApplicant])
  .meta({ id: 'Applicant' });
export type Applicant = z.infer<typeof applicantSchema>;

/** The matter as it was when the case was created: the case keeps this version whatever is published later. */
export const pinnedMatter = z.object({
  code: matterCode,
  version: z.number().int(),
  name: z.string(),
  departmentId: idSchema,
  windowId: idSchema,
  staffingMode: z.enum(staffingModes),
  caseType: z.enum(caseTypes),
  promisedDays: z.number().int(),
  statutoryDays: z.number().int(),
  /** 审查要点 the window clerk applies before accepting, as published with this version. */
  reviewPoints: z.array(z.string()),
  materials: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      required: z.boolean(),
      deferrable: z.boolean(),
      keyMaterial: z.boolean(),
    }),
  ),
});
export type PinnedMatter = z.infer<typeof pinnedMatter>;

export const materialContentTypes = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'application/ofd',
] as const;
export type MaterialContentType = (typeof materialContentTypes)[number];
export const maxMaterialBytes = 20 * 1024 * 1024;

/** One material of the case: provided once the server has read and checked the uploaded file. */
export interface CaseMaterial {
  status: 'missing' | 'provided';
  file?: {
    key: string;
    fileName: string;
    contentType: MaterialContentType;
    size: number;
    sha256: string;
    providedAt: string;
  };
  /** The clerk saw the paper original at the counter. */
  paperOriginalChecked?: { by: string; at: string };
}

/** 容缺: a deferrable material accepted as missing, with the applicant's commitment and a due date. */
export interface Deferral {
  materialId: string;
  dueDate: string;
}

export interface Notice {
  number: string;
  type: 'acceptance' | 'rejection' | 'supplement' | 'deferrable-acceptance';
  date: string;
  content: Record<string, unknown>;
}

export const reviewCheck = z.object({
  point: z.string().min(1),
  passed: z.boolean(),
  note: z.string().trim().max(300).optional(),
});
export type ReviewCheck = z.infer<typeof reviewCheck>;

export interface CaseRecord {
  caseId: string;
  status: CaseStatus;
  version: number;
  channel: CaseChannel;
  matter: PinnedMatter;
  applicant: Applicant;
  /** The portal user who applies (absent for a counter case of someone without an account). */
  ownerId?: string;
  createdBy: { userId: string; role: string };
  createdAt: string;
  caseNumber?: string;
  receivedAt?: string;
  acceptance?: {
    noticeNumber: string;
    reviewChecks: ReviewCheck[];
    acceptedAt: string;
    acceptedBy: string;
    promisedCompletionDate: string;
    statutoryCompletionDate: string;
    provisional: boolean;
  };
  rejection?: {
    noticeNumber: string;
    rejectedAt: string;
    rejectedBy: string;
    reason: string;
    legalBasis: string;
  };
  /** 容缺受理: what may still come, by when, on the applicant's commitment. */
  deferrals?: { items: Deferral[]; commitment: { statement: string; signedBy: string; signedAt: string } };
  /** 补正 rounds: each one-time notice lists every deficiency at once. */
  supplementRounds: number;
  supplementRequest?: {
    noticeNumber: string;
    items: { materialId: string; problem: string }[];
    requestedAt: string;
  };
  /** Administrative Licensing Law §32: no decision or notice within 5 working days of receipt means accepted. */
  acceptanceDueDate?: string;
  /** 即办件: decided at the counter in the same visit. */
  instantDecision?: { outcome: 'approve' | 'deny'; note: string; decidedAt: string; decidedBy: string };
  materials: Record<string, CaseMaterial>;
  notices: Notice[];
  /** The last trail event's number and hash, so the next event links without reading the trail. */
  trailHead: { seq: number; hash: string };
}
