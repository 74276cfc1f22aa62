import * as z from 'zod';

/**
 * Who is calling, as the domain sees it: derived from verified token claims, never from the request
 * body. Roles follow the brief: applicant (申请人), window clerk (综合窗口人员), department reviewer
 * (属事单位审查人员), chief representative (首席代表) and centre admin (区营商环境局管理员).
 */
export const roles = ['applicant', 'clerk', 'reviewer', 'chief', 'admin'] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  applicant: '申请人',
  clerk: '综合窗口人员',
  reviewer: '属事单位审查人员',
  chief: '首席代表',
  admin: '中心管理员',
};

export interface Principal {
  userId: string;
  roles: Role[];
  /** The comprehensive window a clerk works at. */
  windowId?: string;
  /** The department a reviewer or chief representative belongs to. */
  departmentId?: string;
  /** What the identity provider says of the person, by the configured claim names (never logged). */
  person?: PersonClaims;
}

/** Claims that identify a person, where the identity provider carries them (统一身份认证). */
export interface PersonClaims {
  name?: string;
  idNumber?: string;
  /** The provider's real-name level (实名等级), as it names it. */
  realNameLevel?: string;
}

/** Which claim of the provider's token carries each fact (configuration, not code: providers differ). */
export type PersonClaimNames = Partial<Record<keyof PersonClaims, string>>;

/** The person facts a token carries under the configured names; strings only, anything else ignored. */
export function personFromClaims(claims: Record<string, unknown>, names: PersonClaimNames): PersonClaims {
  const person: PersonClaims = {};
  for (const [fact, claim] of Object.entries(names) as [keyof PersonClaims, string][]) {
    const value = claims[claim];
    if (typeof value === 'string' && value.trim() !== '') person[fact] = value.trim().slice(0, 100);
  }
  return person;
}

/** A staff record as authorisation reads it. */
export interface StaffStanding {
  role: 'clerk' | 'reviewer' | 'chief' | 'admin';
  windowId?: string;
  departmentId?: string;
  active: boolean;
}

/**
 * The principal of a verified subject when roles come from our staff records (an identity provider that
 * is not ours knows who someone is, not what they do here): an active record gives its role and scope;
 * anyone else — a citizen, an enterprise user, a former clerk — is an applicant, whatever the token's
 * claims say.
 */
export function principalFromStaff(userId: string, staff: StaffStanding | undefined): Principal {
  if (!staff?.active) return { userId, roles: ['applicant'] };
  return {
    userId,
    roles: [staff.role],
    ...(staff.role === 'clerk' && staff.windowId ? { windowId: staff.windowId } : {}),
    ...((staff.role === 'reviewer' || staff.role === 'chief') && staff.departmentId
      ? { departmentId: staff.departmentId }
      : {}),
  };
}

/** Claim names as Cognito puts them in an ID token (groups for roles, custom attributes for scope). */
export const claimNames = {
  groups: 'cognito:groups',
  windowId: 'custom:windowId',
  departmentId: 'custom:departmentId',
} as const;

const claimsSchema = z.object({
  sub: z.string().min(1),
  [claimNames.groups]: z.array(z.string()).default([]),
  [claimNames.windowId]: z.string().min(1).optional(),
  [claimNames.departmentId]: z.string().min(1).optional(),
});

export class InvalidClaimsError extends Error {
  override readonly name = 'InvalidClaimsError';
}

/** Maps verified claims to a principal; unknown groups are ignored, a missing subject is refused. */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) throw new InvalidClaimsError(parsed.error.issues.map((i) => i.message).join('; '));
  const data = parsed.data;
  const known = new Set<string>(roles);
  const principal: Principal = {
    userId: data.sub,
    roles: data[claimNames.groups].filter((group): group is Role => known.has(group)),
  };
  const windowId = data[claimNames.windowId];
  const departmentId = data[claimNames.departmentId];
  if (windowId) principal.windowId = windowId;
  if (departmentId) principal.departmentId = departmentId;
  return principal;
}

export const hasRole = (principal: Principal, role: Role): boolean => principal.roles.includes(role);
