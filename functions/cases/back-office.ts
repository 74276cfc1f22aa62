import { randomInt } from 'node:crypto';
import { beforeDecisionPhases, type CasePhase } from '../domain/cases/lifecycle';
import {
  type CaseRecord,
  maxSpecialProcedures,
  maxSupplementRounds,
  type SpecialProcedureType,
  type SupplementRequest,
  specialProcedureLabels,
  supplementNotice,
  unaddressedSupplementItems,
} from '../domain/cases/model';
import { extendClock, type ProcessingClock, pauseClock, resumeClock } from '../domain/cases/processing-clock';
import type { Principal } from '../domain/principal';
import { ConflictError, ValidationError } from '../shared/errors';
import { actingRole, type CaseContext } from './case-context';
import { caseStep, clockRule, wrongPhase } from './case-step';

/**
 * The back office (后台审批) of an accepted case: receipt, review, decision, result production and return
 * to the window, with the department's supplement request and special procedures pausing the clock and
 * one extension moving it. Each step checks the actor's role and department, writes the case and its
 * trail event in one transaction, and only then hands the workflow's task token back.
 */
function requireClock(record: CaseRecord): ProcessingClock {
  if (!record.clock) throw new ConflictError('该办件没有办理时限', 'NO_PROCESSING_CLOCK');
  return record.clock;
}

/** A 补正 that leaves items unaddressed is refused, naming every one of them. */
export function assertSupplementAddressed(
  record: CaseRecord,
  request: Pick<SupplementRequest, 'items' | 'requestedAt'> | undefined,
) {
  const open = request ? unaddressedSupplementItems(record, request) : [];
  if (open.length > 0) {
    throw new ConflictError(
      `补正材料尚未全部提交:${open.map((item) => item.material).join('、')}`,
      'SUPPLEMENT_INCOMPLETE',
      { items: open },
    );
  }
}

/**
 * The next 补正 round of a case, front desk or department (both share one count): every item names a
 * material of the matter, and the case has rounds left. Returns the round's number.
 */
export function nextSupplementRound(record: CaseRecord, items: readonly { materialId: string }[]): number {
  const unknown = items.flatMap((item, i) =>
    record.materials[item.materialId]
      ? []
      : [{ field: `body.items.${i}.materialId`, message: '该事项没有这项材料' }],
  );
  if (unknown.length > 0) throw new ValidationError('补正告知有误', unknown);
  if (record.supplementRounds >= maxSupplementRounds) {
    throw new ConflictError(
      `补正告知已达${maxSupplementRounds}次上限,请依法作出受理或审批决定`,
      'SUPPLEMENT_ROUND_LIMIT',
      { rounds: record.supplementRounds },
    );
  }
  return record.supplementRounds + 1;
}

/** The applicant's resubmission after the department's supplement request: the clock resumes. */
export async function resumeAfterSupplement(
  ctx: CaseContext,
  principal: Principal,
  caseId: string,
  version: number,
  read?: CaseRecord,
) {
  const { saved } = await ctx.act(
    principal,
    caseId,
    async (record) => {
      if (record.phase !== 'awaiting-supplement') throw wrongPhase(record.phase, '提交补正');
      ctx.expectVersion(record, version);
      const request = record.backOffice?.supplementRequest;
      assertSupplementAddressed(record, request);
      const resumePhase = record.backOffice?.resumePhase ?? 'awaiting-review';
      let clock: ProcessingClock;
      try {
        clock = resumeClock(await ctx.calendar(), requireClock(record), ctx.today());
      } catch (error) {
        throw clockRule(error);
      }
      const backOffice = record.backOffice ?? { specialProcedures: [] };
      const { resumePhase: _done, ...rest } = backOffice;
      return {
        next: {
          ...record,
          version: version + 1,
          phase: resumePhase,
          clock,
          backOffice: {
            ...rest,
            ...(request ? { supplementRequest: { ...request, resubmittedAt: ctx.nowIso() } } : {}),
          },
        },
        action: 'resubmit-supplement',
        role: actingRole(principal, ['applicant', 'clerk']),
      };
    },
    read,
  );
  return ctx.view(principal, saved);
}

/** The message (SMS and portal) that the result is ready, with the pick-up code; the outbox item of the change. */
export function resultReadyNotification(
  record: CaseRecord,
  pickupCode: string,
  at: string,
): Record<string, unknown> {
  return {
    pk: `CASE#${record.caseId}`,
    sk: `NOTIFY#${at}#result-ready`,
    caseId: record.caseId,
    kind: 'result-ready',
    channel: 'sms',
    phone: record.applicant.phone,
    pickupCode,
    at,
    text: `您申请的${record.matter.name}(办件编号${record.caseNumber})已办结,请凭取件码${pickupCode}到综合窗口领取,或选择邮寄、电子送达。`,
  };
}

export function backOfficeSteps(ctx: CaseContext) {
  const { nowIso, today } = ctx;

  const step = caseStep(ctx);

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

    /**
     * 回送: the result goes back to the comprehensive window for issuance (the deadline is met here); the
     * applicant is told, with a pick-up code, in the same write.
     */
    returnToWindow: async (principal: Principal, caseId: string, version: number) => {
      const pickupCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
      let notification: Record<string, unknown> | undefined;
      const saved = await step(
        principal,
        caseId,
        version,
        { from: ['awaiting-return'], who: 'department', action: 'return-to-window', label: '回送' },
        (record) => {
          const at = nowIso();
          notification = resultReadyNotification(record, pickupCode, at);
          return {
            ...record,
            status: 'issuable',
            phase: 'awaiting-issuance',
            pickupCode,
            backOffice: { ...backOffice(record), returnedAt: at, returnedBy: principal.userId },
          };
        },
        () => ({ putItems: notification ? [notification] : [] }),
      );
      return saved;
    },

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
          const round = nextSupplementRound(record, input.items);
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
              supplementRequest: {
                round,
                by: 'department',
                noticeNumber,
                items: input.items,
                requestedAt: nowIso(),
              },
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
          if (office.specialProcedures.length >= maxSpecialProcedures) {
            throw new ConflictError(`特别程序已达${maxSpecialProcedures}次上限`, 'SPECIAL_PROCEDURE_LIMIT', {
              procedures: office.specialProcedures.length,
            });
          }
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
