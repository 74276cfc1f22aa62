import * as z from 'zod';
import { caseTypes, idSchema, matterCode, staffingModes } from '../catalogue/model';
import { isValidCreditCode } from '../credit-code';
import { isValidIdNumber, normaliseIdNumber } from '../id-number';
import type { CasePhase } from './lifecycle';
import type { ProcessingClock } from './processing-clock';

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
  /** Ended without a decision: a deferred material (容缺) did not come by its due date. */
  'terminated',
  /** The result is back at the window (回送), waiting to be issued (待出件). */
  'issuable',
  /** 办结: the result was issued and delivered (送达). */
  'closed',
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

/**
 * What a case keeps of its pinned matter version: the facts it routes and counts by. The review points
 * and the material requirements are read from the published version item (immutable) by code and version.
 */
export type MatterRef = Omit<PinnedMatter, 'reviewPoints' | 'materials'>;
export type MatterDetails = Pick<PinnedMatter, 'reviewPoints' | 'materials'>;

/** 补正 rounds per case (front desk and department together): each notice lists every deficiency at once. */
export const maxSupplementRounds = 30;
/** 特别程序 per case. With the supplement rounds this bounds the pauses a processing clock can hold. */
export const maxSpecialProcedures = 20;

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
    /** The object the server copied and checked at confirmation; no upload URL was ever issued for it. */
    key: string;
    /** Its S3 version where the bucket keeps versions (in AWS): downloads name it. */
    versionId?: string;
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

export const noticeTypes = [
  'acceptance',
  'rejection',
  'supplement',
  'deferrable-acceptance',
  'special-procedure',
  'extension',
  'decision',
  'termination',
] as const;
export type NoticeType = (typeof noticeTypes)[number];

export interface Notice {
  number: string;
  type: NoticeType;
  date: string;
  content: Record<string, unknown>;
}

/**
 * The items of a 补正 request the applicant has not addressed yet: neither a new file confirmed nor the
 * paper original checked at the counter since the request. A resubmission must address every item.
 */
export function unaddressedSupplementItems(
  record: Pick<CaseRecord, 'materials' | 'matter'>,
  request: Pick<SupplementRequest, 'items' | 'requestedAt'>,
) {
  return request.items
    .filter((item) => {
      const material = record.materials[item.materialId];
      const replaced =
        material?.status === 'provided' &&
        material.file !== undefined &&
        material.file.providedAt > request.requestedAt;
      const checked =
        material?.paperOriginalChecked !== undefined &&
        material.paperOriginalChecked.at > request.requestedAt;
      return !replaced && !checked;
    })
    .map((item) => ({
      materialId: item.materialId,
      material: record.matter.materials.find((m) => m.id === item.materialId)?.name ?? item.materialId,
      problem: item.problem,
    }));
}

/** 补正材料一次性告知书: the same notice at the front desk and when the department asks during review. */
export function supplementNotice(
  record: Pick<CaseRecord, 'caseNumber' | 'matter'>,
  notice: { number: string; date: string; round: number; items: { materialId: string; problem: string }[] },
  extra: Record<string, unknown> = {},
): Notice {
  return {
    number: notice.number,
    type: 'supplement',
    date: notice.date,
    content: {
      title: '补正材料一次性告知书',
      caseNumber: record.caseNumber,
      matter: record.matter.name,
      round: notice.round,
      items: notice.items.map((item) => ({
        material: record.matter.materials.find((m) => m.id === item.materialId)?.name,
        problem: item.problem,
      })),
      ...extra,
    },
  };
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
  supplementRequest?: SupplementRequest;
  /** Administrative Licensing Law §32: no decision or notice within 5 working days of receipt means accepted. */
  acceptanceDueDate?: string;
  /** 即办件: decided at the counter in the same visit. */
  instantDecision?: { outcome: 'approve' | 'deny'; note: string; decidedAt: string; decidedBy: string };
  materials: Record<string, CaseMaterial>;
  notices: Notice[];
  /** Where an accepted case stands in the back office (后台审批); the workflow routes by it. */
  phase?: CasePhase;
  /** The processing clock of a promised case, from acceptance (办理时限). */
  clock?: ProcessingClock;
  /** The back-office steps (流转, 接件, 审查, 决定, 制证, 回送, 特别程序, 补正), see lifecycle.ts. */
  backOffice?: BackOffice;
  /** The workflow failed permanently: the centre admin must look (the trail says why). */
  attention?: { reason: string; at: string };
  termination?: { reason: string; at: string; materialIds: string[] };
  /** Given to the applicant with the notification that the result is ready; shown to the owner only. */
  pickupCode?: string;
  issuance?: Issuance;
  /** The last trail event's number and hash, so the next event links without reading the trail. */
  trailHead: { seq: number; hash: string };
}

/** One 补正 round: asked at the front desk (`window`) or by the department during review. */
export interface SupplementRequest {
  round: number;
  by: 'window' | 'department';
  noticeNumber: string;
  items: { materialId: string; problem: string }[];
  requestedAt: string;
  resubmittedAt?: string;
}

export interface BackOffice {
  handedOverAt?: string;
  receivedBy?: { userId: string; at: string };
  review?: { reviewer: string; opinion: string; recommendation: 'approve' | 'deny'; at: string };
  decision?: { outcome: 'approve' | 'deny'; reasons: string; decidedBy: string; decidedAt: string };
  result?: {
    resultName: string;
    resultNumber?: string;
    validUntil?: string;
    producedBy: string;
    producedAt: string;
    /** The document in the results bucket: generated PDF, or the department's signed file. */
    document?: ResultDocument;
  };
  returnedAt?: string;
  returnedBy?: string;
  /** 补正 asked by the department during review: the clock stops until the applicant resubmits. */
  supplementRequest?: SupplementRequest;
  specialProcedures: SpecialProcedure[];
  /** The phase a case returns to when a pause (supplement, special procedure) ends. */
  resumePhase?: CasePhase;
}

export interface ResultDocument {
  key: string;
  sha256: string;
  size: number;
  contentType: string;
  source: 'generated' | 'uploaded';
}

/** 出件 and 送达: how the result left the window, and when it reached the applicant. */
export interface Issuance {
  method: 'pickup' | 'courier' | 'electronic';
  issuedAt: string;
  issuedBy: string;
  pickup?: { proof: 'pickup-code' | 'id-number'; collectedBy: string };
  courier?: { carrier: string; trackingNumber: string };
  delivery?: { deliveredAt: string; recordedBy: string; how: string; signedBy?: string };
}

export const specialProcedureTypes = [
  'hearing',
  'expert-review',
  'inspection',
  'testing',
  'public-notice',
] as const;
export type SpecialProcedureType = (typeof specialProcedureTypes)[number];

export const specialProcedureLabels: Record<SpecialProcedureType, string> = {
  hearing: '听证',
  'expert-review': '专家评审',
  inspection: '现场勘验',
  testing: '检验检测',
  'public-notice': '公示',
};

export interface SpecialProcedure {
  type: SpecialProcedureType;
  reason: string;
  startedAt: string;
  startedBy: string;
  endedAt?: string;
  result?: string;
  noticeNumber: string;
}

/** A case as a worklist shows it: what the list indexes project from its head. */
export interface CaseSummary {
  caseId: string;
  caseNumber?: string;
  status: CaseStatus;
  phase?: CasePhase;
  channel: CaseChannel;
  matter: MatterRef;
  applicantName: string;
  createdAt: string;
  receivedAt?: string;
  /** The promised date once accepted, the §32 acceptance deadline before. */
  dueDate?: string;
  attention?: { reason: string; at: string };
}
