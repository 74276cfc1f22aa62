import { createHash, timingSafeEqual } from 'node:crypto';
import { missingDeferrals } from '../cases/alerts';
import type { CaseRecord } from '../cases/model';

/**
 * Issuance at the comprehensive window (综合窗口出件) and delivery (送达): who may collect, how, and
 * what must hold first. Pure.
 */
export const issuanceMethods = ['pickup', 'courier', 'electronic'] as const;
export type IssuanceMethod = (typeof issuanceMethods)[number];

export const issuanceMethodLabels: Record<IssuanceMethod, string> = {
  pickup: '窗口领取',
  courier: '邮寄送达',
  electronic: '电子送达',
};

/** 容缺 materials still missing: the result may not leave the window until they are in (§ commitment). */
export const issuanceBlockers = (record: Pick<CaseRecord, 'deferrals' | 'materials' | 'matter'>) =>
  missingDeferrals(record).map((item) => ({
    materialId: item.materialId,
    name: record.matter.materials.find((m) => m.id === item.materialId)?.name ?? item.materialId,
    dueDate: item.dueDate,
  }));

const same = (a: string, b: string) => {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
};

/**
 * The person at the counter proves they may collect: the pick-up code from the notification, or (for a
 * person applicant) the whole ID number read from the card. Not its last digits: those are what the
 * masked number shows everyone who reads the case. Compared in constant time.
 */
export function pickupIdentityHolds(
  record: Pick<CaseRecord, 'applicant' | 'pickupCode'>,
  proof: { pickupCode?: string | undefined; idNumber?: string | undefined },
): boolean {
  if (proof.pickupCode !== undefined)
    return record.pickupCode !== undefined && same(proof.pickupCode, record.pickupCode);
  if (proof.idNumber !== undefined && record.applicant.kind === 'person') {
    return same(proof.idNumber.trim().toUpperCase(), record.applicant.idNumber.toUpperCase());
  }
  return false;
}

/** The verification code is kept only as this hash: the public check compares hashes. */
export const verificationCodeHash = (resultNumber: string, code: string): string =>
  createHash('sha256').update(`${resultNumber}\n${code.toUpperCase()}`).digest('hex');
