import type { CatalogueStore } from '../catalogue/catalogue-store';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { shanghaiDate } from '../domain/calendar-date';
import { isOwner, mayProvideMaterials, mayRead, maySeePersonalData } from '../domain/cases/access';
import { type AlertPolicy, alertAgenda, plannedAlerts } from '../domain/cases/alerts';
import type { Applicant, CaseRecord, CaseStatus, PinnedMatter } from '../domain/cases/model';
import { chainEvent, changesBetween, type FieldChange, type TrailActor } from '../domain/cases/trail';
import { effectiveVersion } from '../domain/catalogue/versions';
import { maskIdNumber, maskName, maskPhone } from '../domain/masking';
import { hasRole, type Principal, type Role } from '../domain/principal';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { ObjectStorage } from '../shared/object-storage';
import { type AlertItem, type CaseStore, VersionConflict } from './case-store';

/**
 * Intake and acceptance at the front desk (前台综合受理): one pipeline for the portal and the counter.
 * Every change writes the case at the version read and its chained trail event in one transaction.
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
}

export interface WorkflowSteps {
  /** A stale or already used token is no error: the case moved on and the workflow re-reads it. */
  complete(taskToken: string, output: Record<string, unknown>): Promise<void>;
}

export interface ChangeOptions {
  claimCaseNumber?: string;
  raiseAlerts?: AlertItem[];
  /** Field changes the record diff cannot see (alerts are their own items). */
  extraChanges?: FieldChange[];
  /** Items created with the change, each new (with `pk` and `sk`). */
  putItems?: Record<string, unknown>[];
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

function maskApplicant(applicant: Applicant): Applicant {
  return applicant.kind === 'person'
    ? {
        ...applicant,
        name: maskName(applicant.name),
        idNumber: maskIdNumber(applicant.idNumber),
        phone: maskPhone(applicant.phone),
      }
    : { ...applicant, contactName: maskName(applicant.contactName), phone: maskPhone(applicant.phone) };
}

export const personalFields = /^applicant\.(idNumber|phone|name|contactName)$/;

/**
 * Writes a change of a case: the case at the version read, its trail event, and the alerts it raises or
 * resolves, in one transaction. Shared by the API's use cases and the workflow's tasks.
 */
export function caseChanges(deps: Pick<CaseDeps, 'cases' | 'calendar' | 'alertPolicy' | 'now'>) {
  const { cases } = deps;
  const nowIso = () => new Date(deps.now()).toISOString();
  /**
   * Writes `next` over `record` with the trail event describing the difference. Alerts of the case that
   * no longer apply to `next` (the step was done, the deadline moved) are resolved in the same write.
   */
  const changeAs = async (
    actor: TrailActor,
    record: CaseRecord,
    changed: Omit<CaseRecord, 'trailHead'>,
    action: string,
    options: ChangeOptions = {},
  ) => {
    const at = nowIso();
    const known = record.phase ? await cases.caseAlerts(record.caseId) : [];
    const raised = new Set((options.raiseAlerts ?? []).map((a) => a.alertId));
    const calendar = await deps.calendar();
    const resolve = alertAgenda(plannedAlerts(changed, calendar, deps.alertPolicy), known, at)
      .resolve.filter((alertId) => !raised.has(alertId))
      .map((alertId) => ({ alertId, at }));
    const event = chainEvent(
      {
        seq: record.trailHead.seq + 1,
        at,
        actor,
        channel: changed.channel,
        action,
        changes: [
          ...changesBetween(withoutTrailHead(record), withoutTrailHead(changed)),
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
    // The case carries the head of its trail, written in the same transaction as the event.
    const next: CaseRecord = { ...changed, trailHead: { seq: event.seq, hash: event.hash } };
    try {
      await cases.saveCase(next, record.version, event, options.claimCaseNumber, {
        raise: options.raiseAlerts ?? [],
        resolve,
        puts: options.putItems ?? [],
      });
    } catch (error) {
      if (error instanceof VersionConflict) throw versionConflict();
      throw error;
    }
    return next;
  };

  return { changeAs };
}

export type CaseChanges = ReturnType<typeof caseChanges>;

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
    const shown = maySeePersonalData(principal, rest)
      ? rest
      : { ...rest, applicant: maskApplicant(record.applicant) };
    // The pick-up code proves the collector at the counter: only the applicant sees it.
    return { ...shown, ...(pickupCode && isOwner(principal, record) ? { pickupCode } : {}), deemedAccepted };
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

  const { changeAs } = caseChanges(deps);

  const change = (
    principal: Principal,
    record: CaseRecord,
    changed: Omit<CaseRecord, 'trailHead'>,
    action: string,
    role: Role,
    claimCaseNumber?: string,
  ) =>
    changeAs(actorOf(principal, role), record, changed, action, claimCaseNumber ? { claimCaseNumber } : {});

  /**
   * After a human step is written: hands the workflow's token back if it waits in the phase the step
   * completed. Read after the write, so a token stored meanwhile is seen; a later store fails its
   * phase condition and the workflow reads the new phase itself.
   */
  const completeStep = async (caseId: string, completedPhase: string, nextPhase: string) => {
    try {
      const waiting = await cases.getTaskToken(caseId);
      if (waiting && waiting.phase === completedPhase) {
        await deps.workflowSteps.complete(waiting.taskToken, { phase: nextPhase });
      }
    } catch (error) {
      // The step is written and answered; the workflow's timer hands a token left behind back itself.
      logger.warn('workflow step not handed back; the timer will', { caseId, error: error as Error });
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
      reviewPoints: version.guide.reviewPoints,
      materials: version.guide.materials.map((m) => ({
        id: m.id,
        name: m.name,
        required: m.required,
        deferrable: m.deferrable,
        keyMaterial: m.keyMaterial,
      })),
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
    assertMayProvide,
    readable,
    change,
    changeAs,
    completeStep,
    pinMatter,
    replay,
  };
}

export type CaseContext = ReturnType<typeof caseContext>;

/** The trail records what changed in the case, not the bookkeeping of the trail itself. */
export const withoutTrailHead = (record: Omit<CaseRecord, 'trailHead'> & { trailHead?: unknown }) => {
  const { trailHead: _head, ...rest } = record;
  return rest as unknown as Record<string, unknown>;
};

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
