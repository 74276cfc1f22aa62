import type { CatalogueStore } from '../catalogue/catalogue-store';
import { shanghaiDate } from '../domain/calendar-date';
import { chainEvent, changesBetween, genesisHash, trailActor } from '../domain/cases/trail';
import { hasRole, type Principal } from '../domain/principal';
import {
  profileIssues,
  type Qualification,
  qualificationState,
  type StaffProfile,
} from '../domain/staff/staff';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../shared/errors';
import { encodeCursor } from '../shared/pagination';
import { StaffConflict, type StaffListScope, type StaffStore, type StoredProfile } from './staff-store';

/**
 * Staff records and qualifications (工作人员档案、上岗资格): the centre admin keeps the profiles; a
 * department's chief representative records the assessments of the clerks who take up its matters
 * (or the admin does); the window's qualification matrix serves shift planning. Every change is an
 * event of the staff member's hash-chained trail.
 */
export interface StaffDeps {
  staff: StaffStore;
  catalogue: Pick<CatalogueStore, 'getWindow' | 'getDepartment' | 'getHead'>;
  now: () => number;
}

export type ProfileInput = Omit<StaffProfile, 'userId'>;
export type QualificationInput = Pick<
  Qualification,
  'matterCodes' | 'assessedOn' | 'assessor' | 'result' | 'validUntil'
>;

const notFound = (userId: string) => new NotFoundError('工作人员不存在', 'STAFF_NOT_FOUND', { userId });
const conflict = () => new ConflictError('工作人员档案已被他人修改,请刷新后重试', 'REVISION_CONFLICT');
const invalid = (issues: FieldIssue[]) => new ValidationError('工作人员信息有误,请按提示修改后重试', issues);

export function staffUseCases({ staff, catalogue, now }: StaffDeps) {
  const nowIso = () => new Date(now()).toISOString();
  const today = () => shanghaiDate(now());
  const isAdmin = (principal: Principal) => hasRole(principal, 'admin');
  const isChiefOf = (principal: Principal, departmentId: string) =>
    hasRole(principal, 'chief') && principal.departmentId === departmentId;

  /** The profile and its qualifications (one query), or 404. */
  const requireStanding = async (userId: string) => {
    const { profile, qualifications } = await staff.standing(userId);
    if (!profile) throw notFound(userId);
    return { profile, qualifications };
  };
  const event = (
    profile: StoredProfile | undefined,
    principal: Principal,
    action: string,
    changes: ReturnType<typeof changesBetween>,
  ) =>
    chainEvent(
      {
        seq: (profile?.trailHead.seq ?? 0) + 1,
        at: nowIso(),
        actor: trailActor(principal),
        channel: 'back-office',
        action,
        changes,
      },
      profile?.trailHead.hash ?? genesisHash,
    );
  const withConflicts = async <T>(work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StaffConflict) throw conflict();
      throw error;
    }
  };
  const withStates = (qualifications: Qualification[]) =>
    qualifications.map((q) => ({ ...q, state: qualificationState(q, today()) }));

  return {
    /** Creates (revision 0) or changes a profile: the centre admin only. */
    async putProfile(principal: Principal, userId: string, input: ProfileInput, revision: number) {
      if (!isAdmin(principal)) throw new ForbiddenError('只有中心管理员可以维护工作人员档案');
      const issues = profileIssues(input);
      if (input.windowId && !(await catalogue.getWindow(input.windowId)))
        issues.push({ field: 'body.windowId', message: `窗口 ${input.windowId} 不存在` });
      if (input.departmentId && !(await catalogue.getDepartment(input.departmentId)))
        issues.push({ field: 'body.departmentId', message: `部门 ${input.departmentId} 不存在` });
      if (issues.length > 0) throw invalid(issues);
      const { profile: previous, qualifications } = await staff.standing(userId);
      if (revision === 0 && previous)
        throw new ConflictError('该工作人员档案已存在', 'STAFF_EXISTS', { userId });
      if (revision !== 0 && (!previous || previous.revision !== revision)) {
        if (!previous) throw notFound(userId);
        throw conflict();
      }
      const profile: StaffProfile = { userId, ...input };
      const { revision: _r, updatedAt: _a, updatedBy: _b, trailHead: _h, ...before } = previous ?? {};
      const trailEvent = event(
        previous,
        principal,
        previous ? 'change-profile' : 'create-profile',
        changesBetween(previous ? before : undefined, { ...profile }),
      );
      const stored: StoredProfile = {
        ...profile,
        revision: revision + 1,
        updatedAt: trailEvent.at,
        updatedBy: principal.userId,
        trailHead: { seq: trailEvent.seq, hash: trailEvent.hash },
      };
      await withConflicts(() => staff.putProfile(stored, revision, trailEvent));
      return { ...stored, qualifications: withStates(qualifications) };
    },

    /** A profile with its qualifications: the admin, the person themself, a chief for their department's staff. */
    async getProfile(principal: Principal, userId: string) {
      const { profile, qualifications } = await requireStanding(userId);
      const allowed =
        isAdmin(principal) ||
        principal.userId === userId ||
        (profile.departmentId !== undefined && isChiefOf(principal, profile.departmentId));
      if (!allowed) throw notFound(userId);
      return { ...profile, qualifications: withStates(qualifications) };
    },

    async listProfiles(
      principal: Principal,
      scope: StaffListScope,
      limit: number,
      cursor?: Record<string, unknown>,
    ) {
      const ownDepartment = 'departmentId' in scope && isChiefOf(principal, scope.departmentId);
      if (!isAdmin(principal) && !ownDepartment)
        throw new ForbiddenError('只有中心管理员(或部门首席代表查看本部门人员)可以查看工作人员名单');
      const page = await staff.listProfiles(scope, limit, cursor);
      return { items: page.items, nextCursor: encodeCursor(page.lastKey) };
    },

    /**
     * Records a clerk's assessment for a department (replacing the one in force; the trail keeps them all):
     * the department's chief representative or the admin.
     */
    async recordQualification(
      principal: Principal,
      userId: string,
      departmentId: string,
      input: QualificationInput,
    ) {
      if (!isAdmin(principal) && !isChiefOf(principal, departmentId))
        throw new ForbiddenError('只有该部门的首席代表或中心管理员可以记录上岗考核');
      const { profile, qualifications } = await requireStanding(userId);
      const department = await catalogue.getDepartment(departmentId);
      if (!department) throw new NotFoundError('部门不存在', 'DEPARTMENT_NOT_FOUND', { id: departmentId });
      const issues: FieldIssue[] = [];
      if (profile.role !== 'clerk')
        issues.push({ field: 'params.userId', message: '上岗资格只记录给综合窗口人员' });
      if (input.assessedOn > today())
        issues.push({ field: 'body.assessedOn', message: '考核日期不能晚于今天' });
      if (input.validUntil < input.assessedOn)
        issues.push({ field: 'body.validUntil', message: '有效期不能早于考核日期' });
      for (const [i, code] of (input.matterCodes ?? []).entries()) {
        const head = await catalogue.getHead(code);
        if (head?.departmentId !== departmentId)
          issues.push({ field: `body.matterCodes.${i}`, message: `事项 ${code} 不属于${department.name}` });
      }
      if (issues.length > 0) throw invalid(issues);
      const current = qualifications.find((q) => q.departmentId === departmentId);
      const qualification: Qualification = {
        departmentId,
        ...(input.matterCodes ? { matterCodes: input.matterCodes } : {}),
        assessedOn: input.assessedOn,
        assessor: input.assessor,
        result: input.result,
        validUntil: input.validUntil,
        recordedAt: nowIso(),
        recordedBy: principal.userId,
      };
      const trailEvent = event(
        profile,
        principal,
        'record-qualification',
        changesBetween(current ? { qualifications: { [departmentId]: current } } : undefined, {
          qualifications: { [departmentId]: qualification },
        }),
      );
      await withConflicts(() => staff.putQualification(profile, qualification, trailEvent));
      return { ...qualification, state: qualificationState(qualification, today()) };
    },

    /** Revokes the qualification in force, with the reason. */
    async revokeQualification(principal: Principal, userId: string, departmentId: string, reason: string) {
      if (!isAdmin(principal) && !isChiefOf(principal, departmentId))
        throw new ForbiddenError('只有该部门的首席代表或中心管理员可以撤销上岗资格');
      const { profile, qualifications } = await requireStanding(userId);
      const current = qualifications.find((q) => q.departmentId === departmentId);
      if (!current) throw new NotFoundError('该工作人员没有此部门的上岗资格', 'QUALIFICATION_NOT_FOUND');
      if (current.revoked) throw new ConflictError('该上岗资格已被撤销', 'QUALIFICATION_REVOKED');
      const revoked: Qualification = { ...current, revoked: { at: nowIso(), by: principal.userId, reason } };
      const trailEvent = event(profile, principal, 'revoke-qualification', [
        { field: `qualifications.${departmentId}.revoked`, new: revoked.revoked },
      ]);
      await withConflicts(() => staff.putQualification(profile, revoked, trailEvent));
      return { ...revoked, state: qualificationState(revoked, today()) };
    },

    /**
     * The window's matrix for shift planning: each clerk of the window against each department the window
     * serves, with the state of the qualification (valid, expiring within 30 days, expired, revoked, failed).
     */
    async windowQualifications(principal: Principal, windowId: string) {
      const window = await catalogue.getWindow(windowId);
      if (!window) throw new NotFoundError('窗口不存在', 'WINDOW_NOT_FOUND', { id: windowId });
      const allowed =
        isAdmin(principal) ||
        (hasRole(principal, 'clerk') && principal.windowId === windowId) ||
        (hasRole(principal, 'chief') &&
          principal.departmentId !== undefined &&
          window.departmentIds.includes(principal.departmentId));
      if (!allowed) throw new ForbiddenError('只有本窗口人员、进驻部门的首席代表或中心管理员可以查看');
      const clerks = await staff.windowClerks(windowId);
      const rows = await Promise.all(
        clerks.map(async (clerk) => {
          const { qualifications } = await staff.standing(clerk.userId);
          return {
            userId: clerk.userId,
            name: clerk.name,
            active: clerk.active,
            departments: Object.fromEntries(
              window.departmentIds.map((departmentId) => {
                const q = qualifications.find((item) => item.departmentId === departmentId);
                return [
                  departmentId,
                  q
                    ? {
                        state: qualificationState(q, today()),
                        validUntil: q.validUntil,
                        ...(q.matterCodes ? { matterCodes: q.matterCodes } : {}),
                      }
                    : { state: 'none' as const },
                ];
              }),
            ),
          };
        }),
      );
      return { windowId, departmentIds: window.departmentIds, asOf: today(), clerks: rows };
    },

    async trail(principal: Principal, userId: string) {
      if (!isAdmin(principal)) throw new ForbiddenError('只有中心管理员可以查看工作人员档案的留痕');
      await requireStanding(userId);
      return { items: await staff.trail(userId) };
    },
  };
}
