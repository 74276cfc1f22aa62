import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { isDepartmentStaffOf, isOwner, isWindowClerkOf } from '../domain/cases/access';
import { type CasePhase, phaseLabels } from '../domain/cases/lifecycle';
import type { CaseRecord } from '../domain/cases/model';
import { ClockRuleError } from '../domain/cases/processing-clock';
import { hasRole, type Principal, type Role } from '../domain/principal';
import { ConflictError, ForbiddenError } from '../shared/errors';
import { actingRole, type CaseContext, type ChangeOptions } from './case-context';

/**
 * One step of an accepted case (后台审批, 出件): who may take it, from which phases, what it changes. The
 * case and its trail event (and any item the step creates) are written in one transaction at the
 * version read; only then is the workflow's task token handed back, when the phase moved.
 */
export const wrongPhase = (phase: CasePhase | undefined, action: string) =>
  new ConflictError(
    `办件当前环节(${phase ? phaseLabels[phase] : '未进入审批'})不能${action}`,
    'INVALID_CASE_PHASE',
    { phase: phase ?? null },
  );

export const clockRule = (error: unknown) =>
  error instanceof ClockRuleError ? new ConflictError(error.message, error.code) : error;

export type Who = 'department' | 'reviewer' | 'chief' | 'window' | 'owner';

const allowed = (principal: Principal, record: CaseRecord, who: Who) =>
  who === 'window'
    ? isWindowClerkOf(principal, record)
    : who === 'owner'
      ? isOwner(principal, record)
      : isDepartmentStaffOf(principal, record) &&
        (who === 'department' ||
          hasRole(principal, who) ||
          (who === 'reviewer' && hasRole(principal, 'chief')));

const refusal: Record<Who, string> = {
  department: '只有承办部门的人员可以办理此环节',
  reviewer: '只有承办部门的审查人员可以办理此环节',
  chief: '只有承办部门的首席代表可以批准',
  window: '只有受理该事项的综合窗口人员可以办理此环节',
  owner: '只有申请人本人可以办理此环节',
};

const roleOf = (principal: Principal, who: Who): Role =>
  who === 'chief'
    ? 'chief'
    : who === 'window'
      ? 'clerk'
      : who === 'owner'
        ? 'applicant'
        : actingRole(principal, ['reviewer', 'chief']);

export function caseStep(ctx: CaseContext) {
  const { view, act, expectVersion } = ctx;
  /** One step: who, from which phases, what changes (the workflow hears of it through `act`). */
  return async function step(
    principal: Principal,
    caseId: string,
    version: number,
    spec: { from: readonly CasePhase[]; who: Who; action: string; label: string },
    mutate: (
      record: CaseRecord,
      calendar: WorkingDayCalendar,
    ) => Omit<CaseRecord, 'trailHead' | 'version'> | Promise<Omit<CaseRecord, 'trailHead' | 'version'>>,
    options: () => ChangeOptions = () => ({}),
  ) {
    const { saved } = await act(principal, caseId, async (record) => {
      if (!allowed(principal, record, spec.who)) throw new ForbiddenError(refusal[spec.who]);
      if (!record.phase || !spec.from.includes(record.phase)) throw wrongPhase(record.phase, spec.label);
      expectVersion(record, version);
      let changed: Omit<CaseRecord, 'trailHead' | 'version'>;
      try {
        changed = await mutate(record, await ctx.calendar());
      } catch (error) {
        throw clockRule(error);
      }
      return {
        next: { ...changed, version: version + 1 },
        action: spec.action,
        role: roleOf(principal, spec.who),
        options: options(),
      };
    });
    return view(principal, saved);
  };
}
