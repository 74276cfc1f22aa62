import { addDays } from '../calendar/dates';

/**
 * Staff records (工作人员档案): the window clerks and department staff as the centre knows them — name,
 * role and the window or department they serve — and the clerks' qualifications (上岗资格): a clerk may take
 * up a department's matters only "经过属事单位的业务考核后". Tokens still carry role and scope; these
 * records name people in lists and hold what an identity provider cannot know.
 */
export const staffRoles = ['clerk', 'reviewer', 'chief', 'admin'] as const;
export type StaffRole = (typeof staffRoles)[number];

export interface StaffProfile {
  /** The identity provider's subject (`sub`). */
  userId: string;
  name: string;
  role: StaffRole;
  /** Clerks: the window they serve. */
  windowId?: string;
  /** Reviewers and chief representatives: their department. */
  departmentId?: string;
  active: boolean;
}

export interface Qualification {
  departmentId: string;
  /** The matters it covers; absent: every matter of the department. */
  matterCodes?: string[];
  /** The assessment (业务考核): when, by whom, with what result. */
  assessedOn: string;
  assessor: string;
  result: 'passed' | 'failed';
  /** The last day it is valid (Asia/Shanghai date). */
  validUntil: string;
  recordedAt: string;
  recordedBy: string;
  revoked?: { at: string; by: string; reason: string };
}

/** Days before a qualification ends that it is flagged for renewal. */
export const renewalNoticeDays = 30;

/** The scope a profile must have for its role: a clerk a window, department staff a department. */
export function profileIssues(profile: Omit<StaffProfile, 'userId'>): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (profile.role === 'clerk' && !profile.windowId)
    issues.push({ field: 'body.windowId', message: '窗口人员须指定所在窗口' });
  if (profile.role === 'clerk' && profile.departmentId)
    issues.push({ field: 'body.departmentId', message: '窗口人员不隶属部门,请删除此项' });
  if ((profile.role === 'reviewer' || profile.role === 'chief') && !profile.departmentId)
    issues.push({ field: 'body.departmentId', message: '部门人员须指定所属部门' });
  if (profile.role !== 'clerk' && profile.windowId)
    issues.push({ field: 'body.windowId', message: '只有窗口人员指定窗口' });
  if (profile.role === 'admin' && profile.departmentId)
    issues.push({ field: 'body.departmentId', message: '中心管理员不隶属部门' });
  return issues;
}

export type QualificationState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'failed';

/** Where a qualification stands on `today` (a Shanghai date). */
export function qualificationState(qualification: Qualification, today: string): QualificationState {
  if (qualification.revoked) return 'revoked';
  if (qualification.result !== 'passed') return 'failed';
  if (qualification.validUntil < today) return 'expired';
  if (qualification.validUntil <= addDays(today, renewalNoticeDays)) return 'expiring';
  return 'valid';
}

export type QualificationVerdict = { qualified: true } | { qualified: false; reason: string };

/**
 * Whether a clerk with these qualifications may take up `matterCode` of `departmentId` today, and if not,
 * which qualification is missing — in the words the clerk is shown.
 */
export function qualificationVerdict(
  qualifications: readonly Qualification[],
  need: { departmentId: string; departmentName: string; matterCode: string; matterName: string },
  today: string,
): QualificationVerdict {
  const own = qualifications.find((q) => q.departmentId === need.departmentId);
  const missing = `未取得${need.departmentName}的上岗资格`;
  if (!own) return { qualified: false, reason: `${missing}(须经该部门业务考核)` };
  const state = qualificationState(own, today);
  if (state === 'revoked') return { qualified: false, reason: `${need.departmentName}的上岗资格已被撤销` };
  if (state === 'failed') return { qualified: false, reason: `${missing}(业务考核未通过)` };
  if (state === 'expired')
    return { qualified: false, reason: `${need.departmentName}的上岗资格已于${own.validUntil}到期` };
  if (own.matterCodes && !own.matterCodes.includes(need.matterCode))
    return { qualified: false, reason: `上岗资格不含事项"${need.matterName}"(${need.matterCode})` };
  return { qualified: true };
}
