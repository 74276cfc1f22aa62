import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { isDepartmentStaffOf } from '../domain/cases/access';
import { beforeDecisionPhases, type CasePhase, phaseLabels } from '../domain/cases/lifecycle';
import {
  type CaseRecord,
  type SpecialProcedureType,
  specialProcedureLabels,
  supplementNotice,
} from '../domain/cases/model';
import {
  ClockRuleError,
  extendClock,
  type ProcessingClock,
  pauseClock,
  resumeClock,
} from '../domain/cases/processing-clock';
import { hasRole, type Principal, type Role } from '../domain/principal';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors';
import { actingRole, type CaseContext, versionConflict } from './case-context';

/**
 * The back office (后台审批) of an accepted case: receipt, review, decision, result production and return
 * to the window, with the department's supplement request and special procedures pausing the clock and
 * one extension moving it. Each step checks the actor's role and department, writes the case and its
 * trail event in one transaction, and only then hands the workflow's task token back.
 */
export const wrongPhase = (phase: CasePhase | undefined, action: string) =>
  new ConflictError(
    `办件当前环节(${phase ? phaseLabels[phase] : '未进入审批'})不能${action}`,
    'INVALID_CASE_PHASE',
    { phase: phase ?? null },
  );

const clockRule = (error: unknown) =>
  error instanceof ClockRuleError ? new ConflictError(error.message, error.code) : error;

type Who = 'department' | 'reviewer' | 'chief';

const allowed = (principal: Principal, record: CaseRecord, who: Who) =>
  isDepartmentStaffOf(principal, record) &&
  (who === 'department' || hasRole(principal, who) || (who === 'reviewer' && hasRole(principal, 'chief')));

const refusal: Record<Who, string> = {
  department: '只有承办部门的人员可以办理此环节',
  reviewer: '只有承办部门的审查人员可以办理此环节',
  chief: '只有承办部门的首席代表可以批准',
};

const roleOf = (principal: Principal, who: Who): Role =>
  who === 'chief' ? 'chief' : actingRole(principal, ['reviewer', 'chief']);

function requireClock(record: CaseRecord): ProcessingClock {
  if (!record.clock) throw new ConflictError('该办件没有办理时限', 'NO_PROCESSING_CLOCK');
  return record.clock;
}

/** The applicant's resubmission after the department's supplement request: the clock resumes. */
export async function resumeAfterSupplement(
  ctx: CaseContext,
  principal: Principal,
  record: CaseRecord,
  version: number,
) {
  if (record.version !== version) throw versionConflict();
  const request = record.backOffice?.supplementRequest;
  const missing = (request?.items ?? []).filter((i) => record.materials[i.materialId]?.status !== 'provided');
  if (missing.length > 0) {
    throw new ValidationError(
      '补正材料尚未全部提交',
      missing.map((i) => ({ field: `materials.${i.materialId}`, message: '尚未提交' })),
    );
  }
  const resumePhase = record.backOffice?.resumePhase ?? 'awaiting-review';
  let clock: ProcessingClock;
  try {
    clock = resumeClock(await ctx.calendar(), requireClock(record), ctx.today());
  } catch (error) {
    throw clockRule(error);
  }
  const backOffice = record.backOffice ?? { specialProcedures: [] };
  const { resumePhase: _done, ...rest } = backOffice;
  const next: CaseRecord = {
    ...record,
    version: version + 1,
    phase: resumePhase,
    clock,
    backOffice: {
      ...rest,
      ...(request ? { supplementRequest: { ...request, resubmittedAt: ctx.nowIso() } } : {}),
    },
  };
  const saved = await ctx.change(
    principal,
    record,
    next,
    'resubmit-supplement',
    actingRole(principal, ['applicant', 'clerk']),
  );
  await ctx.completeStep(record.caseId, 'awaiting-supplement', resumePhase);
  return ctx.view(principal, saved);
}

export function backOfficeSteps(ctx: CaseContext) {
  const { nowIso, today, view, readable, change, completeStep } = ctx;

  /** One step: who, from which phases, what changes; the token goes back only when the phase moved. */
  async function step(
    principal: Principal,
    caseId: string,
    version: number,
    spec: { from: readonly CasePhase[]; who: Who; action: string; label: string },
    mutate: (record: CaseRecord, calendar: WorkingDayCalendar) => Omit<CaseRecord, 'trailHead' | 'version'>,
  ) {
    const record = await readable(principal, caseId);
    if (!allowed(principal, record, spec.who)) throw new ForbiddenError(refusal[spec.who]);
    if (!record.phase || !spec.from.includes(record.phase)) throw wrongPhase(record.phase, spec.label);
    if (record.version !== version) throw versionConflict();
    let changed: Omit<CaseRecord, 'trailHead' | 'version'>;
    try {
      changed = mutate(record, await ctx.calendar());
    } catch (error) {
      throw clockRule(error);
    }
    const saved = await change(
      principal,
      record,
      { ...changed, version: version + 1 },
      spec.action,
      roleOf(principal, spec.who),
    );
    if (saved.phase && saved.phase !== record.phase) await completeStep(caseId, record.phase, saved.phase);
    return view(principal, saved);
  }

  const backOffice = (record: CaseRecord) => record.backOffice ?? { specialProcedures: [] };

  return {
    /** 接件: the department confirms it received the handed-over case. */
    confirmReceipt: (principal: Principal, caseId: string, version: number) =>
      step(
        principal,
        caseId,
        version,
        { from: ['awaiting-receipt'], who: 'department', action: 'confirm-receipt', label: '接件' },
        (record) => ({
          ...record,
          phase: 'awaiting-review',
          backOffice: { ...backOffice(record), receivedBy: { userId: principal.userId, at: nowIso() } },
        }),
      ),

    /** 审查: the reviewer's opinion and recommendation. */
    review: (
      principal: Principal,
      caseId: string,
      input: { version: number; opinion: string; recommendation: 'approve' | 'deny' },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        { from: ['awaiting-review'], who: 'reviewer', action: 'review', label: '提交审查意见' },
        (record) => ({
          ...record,
          phase: 'awaiting-decision',
          backOffice: {
            ...backOffice(record),
            review: {
              reviewer: principal.userId,
              opinion: input.opinion,
              recommendation: input.recommendation,
              at: nowIso(),
            },
          },
        }),
      ),

    /** 决定: 准予 or 不予许可; a denial states its reasons and the applicant's remedies. */
    decide: (
      principal: Principal,
      caseId: string,
      input: { version: number; outcome: 'approve' | 'deny'; reasons: string },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        { from: ['awaiting-decision'], who: 'reviewer', action: 'decide', label: '作出决定' },
        (record) => {
          const at = nowIso();
          return {
            ...record,
            status: 'decided',
            phase: 'awaiting-production',
            backOffice: {
              ...backOffice(record),
              decision: {
                outcome: input.outcome,
                reasons: input.reasons,
                decidedBy: principal.userId,
                decidedAt: at,
              },
            },
            notices:
              input.outcome === 'deny'
                ? [
                    ...record.notices,
                    {
                      number: `BYXK${record.caseNumber}`,
                      type: 'decision',
                      date: today(),
                      content: {
                        title: '不予行政许可决定书',
                        caseNumber: record.caseNumber,
                        matter: record.matter.name,
                        applicant: record.applicant.name,
                        reasons: input.reasons,
                        remedies:
                          '如不服本决定,可以自收到本决定书之日起六十日内依法申请行政复议,或者六个月内依法提起行政诉讼',
                      },
                    },
                  ]
                : record.notices,
          };
        },
      ),

    /** 制证: the result (licence, certificate, approval letter, or the denial letter) is produced. */
    produceResult: (
      principal: Principal,
      caseId: string,
      input: {
        version: number;
        resultName?: string | undefined;
        resultNumber?: string | undefined;
        validUntil?: string | undefined;
      },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        { from: ['awaiting-production'], who: 'department', action: 'produce-result', label: '制证' },
        (record) => {
          const approved = record.backOffice?.decision?.outcome === 'approve';
          return {
            ...record,
            phase: 'awaiting-return',
            backOffice: {
              ...backOffice(record),
              result: {
                resultName:
                  input.resultName ?? (approved ? `${record.matter.name}结果` : '不予行政许可决定书'),
                resultNumber: input.resultNumber ?? `${approved ? 'ZS' : 'BY'}${record.caseNumber}`,
                ...(input.validUntil ? { validUntil: input.validUntil } : {}),
                producedBy: principal.userId,
                producedAt: nowIso(),
              },
            },
          };
        },
      ),

    /** 回送: the result goes back to the comprehensive window for issuance; the deadline is met here. */
    returnToWindow: (principal: Principal, caseId: string, version: number) =>
      step(
        principal,
        caseId,
        version,
        { from: ['awaiting-return'], who: 'department', action: 'return-to-window', label: '回送' },
        (record) => ({
          ...record,
          phase: 'awaiting-issuance',
          backOffice: { ...backOffice(record), returnedAt: nowIso(), returnedBy: principal.userId },
        }),
      ),

    /** 补正 asked by the department during review: one notice with every item; the clock stops. */
    requestSupplement: (
      principal: Principal,
      caseId: string,
      input: { version: number; items: { materialId: string; problem: string }[] },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        {
          from: ['awaiting-review'],
          who: 'reviewer',
          action: 'department-request-supplement',
          label: '告知补正',
        },
        (record) => {
          const unknown = input.items.flatMap((item, i) =>
            record.materials[item.materialId]
              ? []
              : [{ field: `body.items.${i}.materialId`, message: '该事项没有这项材料' }],
          );
          if (unknown.length > 0) throw new ValidationError('补正告知有误', unknown);
          const round = record.supplementRounds + 1;
          const noticeNumber = `BZ${record.caseNumber}-${round}`;
          return {
            ...record,
            phase: 'awaiting-supplement',
            supplementRounds: round,
            clock: pauseClock(requireClock(record), 'supplement', today()),
            materials: Object.fromEntries(
              Object.entries(record.materials).map(([id, material]) =>
                input.items.some((i) => i.materialId === id)
                  ? [id, { ...material, status: 'missing' as const }]
                  : [id, material],
              ),
            ),
            backOffice: {
              ...backOffice(record),
              resumePhase: 'awaiting-review',
              supplementRequest: { noticeNumber, items: input.items, requestedAt: nowIso() },
            },
            notices: [
              ...record.notices,
              supplementNotice(
                record,
                { number: noticeNumber, date: today(), round, items: input.items },
                { clock: '补正期间不计入办理时限' },
              ),
            ],
          };
        },
      ),

    /** 特别程序 (§45): hearing, expert review, inspection, testing, public notice; the applicant is told. */
    startSpecialProcedure: (
      principal: Principal,
      caseId: string,
      input: { version: number; type: SpecialProcedureType; reason: string },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        {
          from: ['awaiting-review', 'awaiting-decision'],
          who: 'reviewer',
          action: 'start-special-procedure',
          label: '启动特别程序',
        },
        (record) => {
          const office = backOffice(record);
          const noticeNumber = `TB${record.caseNumber}-${office.specialProcedures.length + 1}`;
          return {
            ...record,
            phase: 'awaiting-special-procedure',
            clock: pauseClock(requireClock(record), 'special-procedure', today()),
            backOffice: {
              ...office,
              resumePhase: record.phase as CasePhase,
              specialProcedures: [
                ...office.specialProcedures,
                {
                  type: input.type,
                  reason: input.reason,
                  startedAt: nowIso(),
                  startedBy: principal.userId,
                  noticeNumber,
                },
              ],
            },
            notices: [
              ...record.notices,
              {
                number: noticeNumber,
                type: 'special-procedure',
                date: today(),
                content: {
                  title: '特别程序告知书',
                  caseNumber: record.caseNumber,
                  matter: record.matter.name,
                  procedure: specialProcedureLabels[input.type],
                  reason: input.reason,
                  clock: '特别程序所需时间不计入办理时限',
                },
              },
            ],
          };
        },
      ),

    /** The special procedure ends with its result; the case returns to the step it interrupted. */
    endSpecialProcedure: (principal: Principal, caseId: string, input: { version: number; result: string }) =>
      step(
        principal,
        caseId,
        input.version,
        {
          from: ['awaiting-special-procedure'],
          who: 'reviewer',
          action: 'end-special-procedure',
          label: '结束特别程序',
        },
        (record, calendar) => {
          const office = backOffice(record);
          const { resumePhase, ...rest } = office;
          return {
            ...record,
            phase: resumePhase ?? 'awaiting-review',
            clock: resumeClock(calendar, requireClock(record), today()),
            backOffice: {
              ...rest,
              specialProcedures: office.specialProcedures.map((p) =>
                p.endedAt ? p : { ...p, endedAt: nowIso(), result: input.result },
              ),
            },
          };
        },
      ),

    /** 延期 (§42): once, with a reason, approved by the department's chief representative. */
    extend: (
      principal: Principal,
      caseId: string,
      input: { version: number; workingDays: number; reason: string },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        {
          from: [...beforeDecisionPhases, 'awaiting-special-procedure', 'awaiting-supplement'],
          who: 'chief',
          action: 'extend',
          label: '延期',
        },
        (record, calendar) => {
          const clock = extendClock(calendar, requireClock(record), {
            workingDays: input.workingDays,
            reason: input.reason,
            approvedBy: principal.userId,
            approvedAt: nowIso(),
          });
          return {
            ...record,
            clock,
            notices: [
              ...record.notices,
              {
                number: `YQ${record.caseNumber}`,
                type: 'extension',
                date: today(),
                content: {
                  title: '延期办理告知书',
                  caseNumber: record.caseNumber,
                  matter: record.matter.name,
                  reason: input.reason,
                  workingDays: input.workingDays,
                  promisedCompletionDate: clock.promisedDueDate,
                  provisional: clock.provisional,
                },
              },
            ],
          };
        },
      ),
  };
}
