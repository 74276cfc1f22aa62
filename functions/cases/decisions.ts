import { shanghaiDate } from '../domain/calendar-date';
import { type AcceptanceInput, acceptanceIssues } from '../domain/cases/acceptance';
import { mayDecideAcceptance, mayProvideMaterials } from '../domain/cases/access';
import { phaseAfterAcceptance } from '../domain/cases/lifecycle';
import { type CaseMaterial, type CaseRecord, supplementNotice } from '../domain/cases/model';
import { startClock } from '../domain/cases/processing-clock';
import { hasRole, type Principal } from '../domain/principal';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { assertSupplementAddressed, nextSupplementRound, resumeAfterSupplement } from './back-office';
import { actingRole, type CaseContext, decidingRole, wrongStatus } from './case-context';

/** Decisions at the front desk (前台综合受理): accept (容缺, 即办), reject, one-time supplement notices, the §32 oversight. */
export function frontDeskDecisions(ctx: CaseContext) {
  const {
    now,
    nowIso,
    today,
    acceptanceDeadline,
    view,
    listPage,
    readable,
    act,
    expectVersion,
    assertQualified,
  } = ctx;
  return {
    /**
     * 受理: every review point checked and passed, every required material provided or, for a deferrable
     * one, deferred (容缺) on the applicant's commitment with a due date no later than the promised date.
     * An instant matter (即办件) is decided in the same step. The notice has its own number.
     */
    async accept(principal: Principal, caseId: string, decision: AcceptanceInput) {
      const { saved } = await act(principal, caseId, async (record) => {
        if (!mayDecideAcceptance(principal, record)) {
          throw new ForbiddenError('只有受理该事项的窗口人员可以作出受理决定');
        }
        await assertQualified(principal, record);
        if (record.status !== 'submitted') throw wrongStatus(record.status, '受理');
        expectVersion(record, decision.version);
        const date = today();
        const calendar = await ctx.calendar();
        const promised =
          record.matter.promisedDays > 0
            ? calendar.addWorkingDays(date, record.matter.promisedDays)
            : { date, provisional: false };
        const statutory =
          record.matter.statutoryDays > 0
            ? calendar.addWorkingDays(date, record.matter.statutoryDays)
            : { date, provisional: false };
        const issues = acceptanceIssues(record, decision, promised.date);
        if (issues.length > 0) {
          throw new ValidationError('不符合受理条件:不通过的请一次性告知补正或不予受理', issues);
        }
        const at = nowIso();
        const deferred = decision.deferred;
        const instant = record.matter.caseType === 'instant';
        const noticeNumber = `${deferred ? 'RQ' : 'SL'}${record.caseNumber}`;
        // A promised case goes to the back office: its workflow starts from the table's stream.
        const phase = instant ? undefined : phaseAfterAcceptance(record);
        const next: CaseRecord = {
          ...record,
          status: instant ? 'decided' : 'accepted',
          version: decision.version + 1,
          ...(phase
            ? {
                phase,
                clock: startClock(calendar, date, record.matter.promisedDays, record.matter.statutoryDays),
                backOffice: {
                  ...(phase === 'awaiting-receipt' ? { handedOverAt: at } : {}),
                  specialProcedures: [],
                },
              }
            : {}),
          acceptance: {
            noticeNumber,
            reviewChecks: decision.reviewChecks,
            acceptedAt: at,
            acceptedBy: principal.userId,
            promisedCompletionDate: promised.date,
            statutoryCompletionDate: statutory.date,
            provisional: promised.provisional || statutory.provisional,
          },
          ...(deferred
            ? {
                deferrals: {
                  items: deferred.items,
                  commitment: {
                    statement: deferred.commitment.statement,
                    signedBy: deferred.commitment.signedBy,
                    signedAt: at,
                  },
                },
              }
            : {}),
          ...(instant && decision.instantDecision
            ? { instantDecision: { ...decision.instantDecision, decidedAt: at, decidedBy: principal.userId } }
            : {}),
          notices: [
            ...record.notices,
            {
              number: noticeNumber,
              type: deferred ? 'deferrable-acceptance' : 'acceptance',
              date,
              content: {
                title: deferred ? '容缺受理通知书' : '受理通知书',
                caseNumber: record.caseNumber,
                matter: record.matter.name,
                applicant: record.applicant.name,
                promisedCompletionDate: promised.date,
                provisional: promised.provisional,
                ...(deferred
                  ? {
                      deferredMaterials: deferred.items.map((item) => ({
                        material: record.matter.materials.find((m) => m.id === item.materialId)?.name,
                        dueDate: item.dueDate,
                        how: '通过网上办事大厅上传或到综合窗口提交',
                      })),
                      consequence: '逾期未补齐容缺材料的,按承诺终止办理',
                    }
                  : {}),
              },
            },
          ],
        };
        return { next, action: instant ? 'accept-and-decide' : 'accept', role: decidingRole(principal) };
      });
      return view(principal, saved);
    },

    /** 补正 (一次性告知): every deficient or missing material and what is wrong with it, in one notice. */
    async requestSupplement(
      principal: Principal,
      caseId: string,
      version: number,
      items: { materialId: string; problem: string }[],
    ) {
      const { saved } = await act(principal, caseId, async (record) => {
        if (!mayDecideAcceptance(principal, record)) {
          throw new ForbiddenError('只有受理该事项的窗口人员可以告知补正');
        }
        await assertQualified(principal, record);
        if (record.status !== 'submitted') throw wrongStatus(record.status, '告知补正');
        expectVersion(record, version);
        const round = nextSupplementRound(record, items);
        const noticeNumber = `BZ${record.caseNumber}-${round}`;
        const next: CaseRecord = {
          ...record,
          status: 'supplement-requested',
          version: version + 1,
          supplementRounds: round,
          supplementRequest: { round, by: 'window', noticeNumber, items, requestedAt: nowIso() },
          notices: [
            ...record.notices,
            supplementNotice(record, { number: noticeNumber, date: today(), round, items }),
          ],
        };
        return { next, action: 'request-supplement', role: decidingRole(principal) };
      });
      return view(principal, saved);
    },

    /**
     * The applicant (or the counter) resubmits after a supplement request: at the front desk the §32 clock
     * starts again; asked by the department during review, the processing clock resumes.
     */
    async resubmit(principal: Principal, caseId: string, version: number) {
      const record = await readable(principal, caseId);
      if (!mayProvideMaterials(principal, record))
        throw new ForbiddenError('只有申请人或受理窗口可以提交补正');
      if (record.phase === 'awaiting-supplement')
        return resumeAfterSupplement(ctx, principal, caseId, version, record);
      const { saved } = await act(
        principal,
        caseId,
        async (current) => {
          if (current.status !== 'supplement-requested') throw wrongStatus(current.status, '提交补正');
          expectVersion(current, version);
          // 一次性告知: every item the notice listed must have been addressed, or the notice says it again.
          assertSupplementAddressed(current, current.supplementRequest);
          return {
            next: {
              ...current,
              status: 'submitted',
              version: version + 1,
              supplementRequest: current.supplementRequest
                ? { ...current.supplementRequest, resubmittedAt: nowIso() }
                : undefined,
              acceptanceDueDate: await acceptanceDeadline(),
            },
            action: 'resubmit',
            role: actingRole(principal, ['applicant', 'clerk']),
          };
        },
        record,
      );
      return view(principal, saved);
    },

    /** The clerk saw the paper original at the counter. */
    async checkPaperOriginal(principal: Principal, caseId: string, materialId: string, version: number) {
      const { saved } = await act(principal, caseId, (record) => {
        if (!mayDecideAcceptance(principal, record)) throw new ForbiddenError('只有受理窗口人员可以核验原件');
        if (!record.materials[materialId])
          throw new NotFoundError('该事项没有这项材料', 'MATERIAL_NOT_FOUND', { materialId });
        expectVersion(record, version);
        const next: CaseRecord = {
          ...record,
          version: version + 1,
          materials: {
            ...record.materials,
            [materialId]: {
              ...(record.materials[materialId] as CaseMaterial),
              paperOriginalChecked: { by: principal.userId, at: nowIso() },
            },
          },
        };
        return { next, action: 'check-paper-original', role: decidingRole(principal) };
      });
      return view(principal, saved);
    },

    /** §32 oversight: a department's cases received more than 5 working days ago with no decision or notice. */
    async deemedAccepted(
      principal: Principal,
      departmentId: string,
      limit: number,
      cursor?: Record<string, unknown>,
    ) {
      if (!hasRole(principal, 'admin')) throw new ForbiddenError('只有中心管理员可以查看逾期未受理的办件');
      // Submitted cases sort by their §32 date: those past it are one key range of the index.
      return listPage(
        { kind: 'department', departmentId, status: 'submitted' },
        false,
        { limit, cursor },
        today(),
      );
    },

    /** 不予受理: reason and legal basis, and a rejection notice. */
    async reject(principal: Principal, caseId: string, version: number, reason: string, legalBasis: string) {
      const { saved } = await act(principal, caseId, async (record) => {
        if (!mayDecideAcceptance(principal, record))
          throw new ForbiddenError('只有受理该事项的窗口人员可以作出受理决定');
        await assertQualified(principal, record);
        if (record.status !== 'submitted') throw wrongStatus(record.status, '不予受理');
        expectVersion(record, version);
        const noticeNumber = `BSL${record.caseNumber}`;
        const at = nowIso();
        const today = shanghaiDate(now());
        const next: CaseRecord = {
          ...record,
          status: 'rejected',
          version: version + 1,
          rejection: { noticeNumber, rejectedAt: at, rejectedBy: principal.userId, reason, legalBasis },
          notices: [
            ...record.notices,
            {
              number: noticeNumber,
              type: 'rejection',
              date: today,
              content: {
                title: '不予受理通知书',
                caseNumber: record.caseNumber,
                matter: record.matter.name,
                applicant: record.applicant.name,
                reason,
                legalBasis,
                remedies: '如不服本决定,可依法申请行政复议或者提起行政诉讼',
              },
            },
          ],
        };
        return { next, action: 'reject', role: decidingRole(principal) };
      });
      return view(principal, saved);
    },
  };
}
