import type { CatalogueStore } from '../catalogue/catalogue-store';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { shanghaiDate } from '../domain/calendar-date';
import { isOwner, mayProvideMaterials, mayRead, maySeePersonalData } from '../domain/cases/access';
import { type AlertPolicy, alertAgenda, plannedAlerts } from '../domain/cases/alerts';
import { sleepSeconds, type TimerPlan } from '../domain/cases/deadline-timer';
import type { CaseRecord, CaseStatus, CaseSummary, PinnedMatter } from '../domain/cases/model';
import { maskCase } from '../domain/cases/personal-data';
import { chainEvent, type FieldChange, stepChannel, type TrailActor } from '../domain/cases/trail';
import { effectiveVersion } from '../domain/catalogue/versions';
import { maskName } from '../domain/masking';
import { hasRole, type Principal, type Role } from '../domain/principal';
import { qualificationVerdict } from '../domain/staff/staff';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { ObjectStorage } from '../shared/object-storage';
import { encodeCursor } from '../shared/pagination';
import type { ClerkQualifications } from '../staff/clerk-qualifications';
import { caseDelta } from './case-layout';
import { type AlertItem, type CaseListScope, type CaseStore, StaleCase } from './case-store';
import { matterDetailsOf } from './matter-details';

/**
 * Intake and acceptance at the front desk (前台综合受理): one pipeline for the portal and the counter.
 * Every change writes the case's delta and its chained trail event in one transaction.
 */
export interface CaseDeps {
  cases: CaseStore;
  catalogue: Pick<CatalogueStore, 'getHead' | 'getVersion'>;
  /** The working-day calendar under every holiday schedule known now (it changes when one is loaded). */
  calendar: () => Promise<WorkingDayCalendar>;
  /** The materials bucket. */
  files: ObjectStorage;
  now: () => number;
  alertPolicy: AlertPolicy;
  /** Completes the human step the case's workflow waits on (SendTaskSuccess). */
  workflowSteps: WorkflowSteps;
  /** A clerk's 上岗资格: decisions at the window need one for the matter's department. */
  qualifications: ClerkQualifications;
}

/**
 * What a completed step tells the waiting workflow: how long its next wait may last before the timer
 * reads the case again (the task's TimeoutSecondsPath: a whole number of seconds from 1 to 99999999;
 * anything else would fail the execution beyond any Catch), and for the history where the case stands.
 */
export interface StepCompletion {
  sleepSeconds: number;
  phase?: string;
  closed?: boolean;
}

export interface WorkflowSteps {
  /** A stale or already used token is no error: the case moved on and the workflow re-reads it. */
  complete(taskToken: string, output: StepCompletion): Promise<void>;
}

export interface ChangeOptions {
  claimCaseNumber?: string;
  raiseAlerts?: AlertItem[];
  /** Field changes the record diff cannot see (alerts are their own items). */
  extraChanges?: FieldChange[];
  /** Items created with the change, each new (with `pk` and `sk`). */
  putItems?: Record<string, unknown>[];
  /** The upload the change confirms: it must still be there, and is used up. */
  consumeUpload?: string;
}

export const idempotencyHours = 24;

export const notFound = (caseId: string) => new NotFoundError('办件不存在', 'CASE_NOT_FOUND', { caseId });
export const versionConflict = () =>
  new ConflictError('办件已被他人处理或修改,请刷新后重试', 'VERSION_CONFLICT');
export const wrongStatus = (status: CaseStatus, action: string) =>
  new ConflictError(`办件当前状态不允许${action}`, 'INVALID_CASE_STATUS', { status });

/** The role a principal acts in on a case, for the trail. */
export function actingRole(principal: Principal, preferred: Role[]): Role {
  return preferred.find((role) => hasRole(principal, role)) ?? principal.roles[0] ?? 'applicant';
}

/**
 * Writes a change of a case: the delta from the case as read, its trail event, and the alerts it raises
 * or resolves, in one transaction. Shared by the API's use cases and the workflow's tasks. Throws
 * StaleCase when anything wrote the case since it was read.
 */
export function caseChanges(deps: Pick<CaseDeps, 'cases' | 'calendar' | 'alertPolicy' | 'now'>) {
  const { cases } = deps;
  const nowIso = () => new Date(deps.now()).toISOString();
  /**
   * Writes `changed` over `record` with the trail event describing the difference. Alerts of the case
   * that no longer apply to it (the step was done, the deadline moved) are resolved in the same write.
   */
  const writeChange = async (
    actor: TrailActor,
    record: CaseRecord,
    changed: Omit<CaseRecord, 'trailHead'>,
    action: string,
    options: ChangeOptions = {},
  ): Promise<{ saved: CaseRecord; timer: TimerPlan }> => {
    const at = nowIso();
    const known = record.phase ? await cases.caseAlerts(record.caseId) : [];
    const raised = new Set((options.raiseAlerts ?? []).map((a) => a.alertId));
    const calendar = await deps.calendar();
    const agenda = alertAgenda(plannedAlerts(changed, calendar, deps.alertPolicy), known, at);
    const resolve = agenda.resolve
      .filter((alertId) => !raised.has(alertId))
      .map((alertId) => ({ alertId, at }));
    const delta = caseDelta(record, { ...changed, trailHead: record.trailHead });
    const event = chainEvent(
      {
        seq: record.trailHead.seq + 1,
        at,
        actor,
        channel: stepChannel(actor, record),
        action,
        changes: [
          ...delta.changes,
          ...(options.extraChanges ?? []),
          ...resolve.map(({ alertId }) => ({
            field: `alerts.${alertId}.status`,
            old: 'active',
            new: 'resolved',
          })),
        ],
      },
      record.trailHead.hash,
    );
    // The head carries the head of its trail, written in the same transaction as the event.
    const trailHead = { seq: event.seq, hash: event.hash };
    await cases.write({
      caseId: record.caseId,
      delta: { ...delta, set: { ...delta.set, trailHead } },
      event,
      expectedTrailSeq: record.trailHead.seq,
      ...(options.claimCaseNumber ? { claimCaseNumber: options.claimCaseNumber } : {}),
      raiseAlerts: options.raiseAlerts ?? [],
      resolveAlerts: resolve,
      puts: options.putItems ?? [],
      ...(options.consumeUpload ? { consumeUpload: options.consumeUpload } : {}),
    });
    const timer = { nextFireAt: agenda.nextFireAt, dueNow: agenda.raise.some((p) => !raised.has(p.alertId)) };
    return { saved: { ...changed, trailHead } as CaseRecord, timer };
  };

  const changeAs = async (...args: Parameters<typeof writeChange>) => (await writeChange(...args)).saved;

  return { changeAs, writeChange };
}

export type CaseChanges = ReturnType<typeof caseChanges>;

/** What a person's step decides on the case as read: the next case and how it is recorded. */
export interface StepOutcome {
  next: Omit<CaseRecord, 'trailHead'>;
  action: string;
  role: Role;
  options?: ChangeOptions;
}

/**
 * How often a person's step is decided again after the system wrote the case meanwhile, and how long it
 * waits first (doubling, with jitter): a burst of alert writes must not win every race against a person.
 */
const systemChangeAttempts = 6;
const systemChangeBackoffMs = (attempt: number) => 10 * 2 ** (attempt - 1) * (0.5 + Math.random());

/** What the case use cases share: reading, viewing and changing a case with its trail event. */
export function caseContext(deps: CaseDeps) {
  const { cases, catalogue, calendar, now } = deps;
  const nowIso = () => new Date(now()).toISOString();
  const today = () => shanghaiDate(now());
  /** §32: 5 working days from receipt to decide or to tell every deficiency at once. */
  const acceptanceDeadline = async () => (await calendar()).addWorkingDays(today(), 5).date;

  const view = (principal: Principal, record: CaseRecord) => {
    // §32: past the acceptance deadline with neither decision nor notice, the application counts as accepted.
    const deemedAccepted =
      record.status === 'submitted' &&
      record.acceptanceDueDate !== undefined &&
      record.acceptanceDueDate < today();
    const { pickupCode, ...rest } = record;
    const shown = maySeePersonalData(principal, rest) ? rest : maskCase(rest);
    // The pick-up code proves the collector at the counter: only the applicant sees it.
    return { ...shown, ...(pickupCode && isOwner(principal, record) ? { pickupCode } : {}), deemedAccepted };
  };

  /** A worklist line as the reader may see it: the name masked for the centre's overview. */
  const summaryView = (summary: CaseSummary, personal: boolean) => ({
    ...summary,
    applicantName: personal ? summary.applicantName : maskName(summary.applicantName),
    deemedAccepted:
      summary.status === 'submitted' && summary.dueDate !== undefined && summary.dueDate < today(),
  });

  /** One page of a worklist (an index query projecting the summary), as the reader may see it. */
  const listPage = async (
    scope: CaseListScope,
    personal: boolean,
    query: { limit: number; cursor?: Record<string, unknown> | undefined; status?: CaseStatus | undefined },
    dueBefore?: string,
  ) => {
    const page = await cases.listCases(scope, query.limit, query.cursor, dueBefore);
    const items = page.items
      .filter((summary) => scope.kind !== 'owner' || !query.status || summary.status === query.status)
      .map((summary) => summaryView(summary, personal));
    return { items, nextCursor: encodeCursor(page.lastKey) };
  };

  /** Materials may be provided before receipt, while a supplement is asked for, and for deferred ones. */
  const assertMayProvide = (principal: Principal, record: CaseRecord, materialId: string) => {
    if (!mayProvideMaterials(principal, record)) throw new ForbiddenError('只有申请人或受理窗口可以提交材料');
    if (!record.materials[materialId]) {
      throw new NotFoundError('该事项没有这项材料', 'MATERIAL_NOT_FOUND', { materialId });
    }
    const deferred =
      ['accepted', 'decided', 'issuable'].includes(record.status) &&
      record.deferrals?.items.some((d) => d.materialId === materialId);
    const askedByDepartment =
      record.phase === 'awaiting-supplement' &&
      record.backOffice?.supplementRequest?.items.some((i) => i.materialId === materialId);
    if (!['draft', 'supplement-requested'].includes(record.status) && !deferred && !askedByDepartment) {
      throw wrongStatus(record.status, '提交材料');
    }
  };

  const readable = async (principal: Principal, caseId: string) => {
    const record = await cases.getCase(caseId);
    // A case someone may not see answers as if it did not exist.
    if (!record || !mayRead(principal, record)) throw notFound(caseId);
    return record;
  };

  const { changeAs, writeChange } = caseChanges(deps);

  /**
   * A person's step on a case: `decide` checks who may act and whether the case allows it (including the
   * version the person read) and says what changes; the change is written at the trail head it was
   * computed from. When the system wrote the case meanwhile (an alert, the workflow's bookkeeping, a
   * recomputed deadline: the version people edit against does not move), the step is decided again on the
   * case as it is now; when a person did, it is a 409 VERSION_CONFLICT. `read`: the case as the caller
   * has just read it (with `readable`), decided on first instead of reading it again.
   */
  const act = async (
    principal: Principal,
    caseId: string,
    decide: (record: CaseRecord) => StepOutcome | Promise<StepOutcome>,
    read?: CaseRecord,
  ): Promise<{ before: CaseRecord; saved: CaseRecord }> => {
    for (let attempt = 1; ; attempt++) {
      const record = attempt === 1 && read ? read : await readable(principal, caseId);
      let outcome: StepOutcome;
      try {
        outcome = await decide(record);
      } catch (error) {
        // Decided again after a write by the system, and that write is what stands in the way now.
        if (attempt > 1 && error instanceof AppError && error.status === 409) {
          throw new ConflictError(
            `办件已被系统更新(时限监控或流程处理),${error.message}`,
            'CHANGED_BY_SYSTEM',
            { cause: error.code, ...(error.details === undefined ? {} : { details: error.details }) },
          );
        }
        throw error;
      }
      let written: Awaited<ReturnType<typeof writeChange>>;
      try {
        written = await writeChange(
          actorOf(principal, outcome.role),
          record,
          outcome.next,
          outcome.action,
          outcome.options,
        );
      } catch (error) {
        if (!(error instanceof StaleCase)) throw error;
        if ((await cases.getVersion(caseId)) !== record.version) throw versionConflict();
        if (attempt >= systemChangeAttempts)
          throw new ConflictError('办件正在被系统更新,请稍后重试', 'CASE_BUSY');
        await new Promise((resolve) => setTimeout(resolve, systemChangeBackoffMs(attempt)));
        continue;
      }
      if (written.saved.phase) await handBack(written.saved, written.timer);
      return { before: record, saved: written.saved };
    }
  };

  /**
   * A clerk decides at the window (受理, 不予受理, 补正, 出件) only for a department whose assessment they
   * passed (经过属事单位的业务考核): 403 saying which qualification is missing. Staff who are not clerks
   * are judged by their role alone.
   */
  const assertQualified = async (principal: Principal, record: CaseRecord) => {
    if (!hasRole(principal, 'clerk')) return;
    const { active, qualifications: held } = await deps.qualifications.of(principal.userId);
    if (active === false)
      throw new ForbiddenError('该工作人员档案已停用,不能办理窗口业务', { missing: 'active-staff-record' });
    const need = {
      departmentId: record.matter.departmentId,
      departmentName: record.matter.departmentId,
      matterCode: record.matter.code,
      matterName: record.matter.name,
    };
    if (qualificationVerdict(held, need, today()).qualified) return;
    const departmentName = await deps.qualifications.departmentName(need.departmentId);
    const verdict = qualificationVerdict(held, { ...need, departmentName }, today());
    if (!verdict.qualified)
      throw new ForbiddenError(verdict.reason, {
        missing: 'qualification',
        departmentId: need.departmentId,
        matterCode: need.matterCode,
      });
  };

  /** The version check of a person's step: the case must be as they read it. */
  const expectVersion = (record: CaseRecord, version: number) => {
    if (record.version !== version) throw versionConflict();
  };

  /**
   * After a person's step on an accepted case: the workflow waits on a token stored for the phase it saw,
   * with a timeout at its next planned instant. The token goes back when the step moved the phase, or
   * planned something earlier than that timeout (an alert due now, a resumed clock), with the sleep to the
   * next planned instant. Read after the write, so a token stored meanwhile is seen; a token stored
   * later finds the new phase when the workflow reads it, and the workflow reads the case again.
   */
  const handBack = async (saved: CaseRecord, timer: TimerPlan) => {
    try {
      const waiting = await cases.getTaskToken(saved.caseId);
      if (!waiting) return;
      const closed = saved.phase === 'closed';
      const startedAt = waiting.executionStartedAt;
      // A token stored without the execution's start (none should be) lets the timer, which knows it,
      // plan at once.
      const sleep = startedAt && !closed ? sleepSeconds(timer, now(), startedAt) : 1;
      const earlier = waiting.wakeAt !== undefined && now() + sleep * 1000 < Date.parse(waiting.wakeAt);
      if (closed || waiting.phase !== saved.phase || earlier) {
        await deps.workflowSteps.complete(waiting.taskToken, {
          sleepSeconds: sleep,
          ...(saved.phase ? { phase: saved.phase } : {}),
          closed,
        });
      }
    } catch (error) {
      // The step is written and answered; the workflow reads the case again when its task times out.
      logger.warn('workflow step not handed back', { caseId: saved.caseId, error: error as Error });
    }
  };

  const pinMatter = async (code: string): Promise<PinnedMatter> => {
    const head = await catalogue.getHead(code);
    const snapshot = head && effectiveVersion(head, shanghaiDate(now()));
    const version = snapshot && (await catalogue.getVersion(code, snapshot.version));
    if (!head || !version) {
      throw new ValidationError('事项不存在或尚未发布', [
        { field: 'body.matterCode', message: '事项不存在或尚未发布' },
      ]);
    }
    if (!head.assignment) {
      throw new ValidationError('该事项尚未进驻综合窗口', [
        { field: 'body.matterCode', message: '该事项尚未进驻综合窗口' },
      ]);
    }
    return {
      code,
      version: version.version,
      name: version.guide.name,
      departmentId: head.departmentId,
      windowId: head.assignment.windowId,
      staffingMode: head.assignment.staffingMode,
      caseType: version.guide.caseType,
      promisedDays: version.guide.promisedLimit.value,
      statutoryDays: version.guide.statutoryLimit.value,
      ...matterDetailsOf(version),
    };
  };

  const replay = async (id: string, requestHash: string): Promise<CaseRecord> => {
    // The first request may still be committing: its record becomes visible within moments.
    for (let attempt = 0; attempt < 40; attempt++) {
      const existing = await cases.getIdempotency(id);
      if (existing) {
        if (existing.requestHash !== requestHash) {
          throw new ConflictError('该幂等键已用于内容不同的另一次提交', 'IDEMPOTENCY_KEY_REUSED');
        }
        const record = await cases.getCase(existing.caseId);
        if (record) return record;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new ConflictError('相同的提交正在处理中,请稍后重试', 'REQUEST_IN_PROGRESS');
  };

  return {
    ...deps,
    nowIso,
    today,
    acceptanceDeadline,
    view,
    listPage,
    assertMayProvide,
    readable,
    act,
    assertQualified,
    expectVersion,
    changeAs,
    pinMatter,
    replay,
  };
}

export type CaseContext = ReturnType<typeof caseContext>;

export const decidingRole = (principal: Principal): Role =>
  actingRole(principal, ['clerk', 'reviewer', 'chief']);

export function actorOf(principal: Principal, role: Role) {
  return {
    userId: principal.userId,
    role,
    ...(principal.windowId ? { windowId: principal.windowId } : {}),
    ...(principal.departmentId ? { departmentId: principal.departmentId } : {}),
  };
}
