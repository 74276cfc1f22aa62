import { type CaseChanges, caseChanges } from '../cases/case-context';
import { type AlertItem, type CaseStore, StaleCase } from '../cases/case-store';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { shanghaiDate } from '../domain/calendar-date';
import {
  type AlertPolicy,
  alertAgenda,
  alertLabels,
  type PlannedAlert,
  plannedAlerts,
} from '../domain/cases/alerts';
import { dueForRenewal, sleepSeconds, successorExecutionName } from '../domain/cases/deadline-timer';
import { casePhases } from '../domain/cases/lifecycle';
import type { CaseRecord } from '../domain/cases/model';
import type { TrailActor } from '../domain/cases/trail';
import type { CaseWorkflowStore } from './case-workflow-store';
import { caseClosed, caseNotFound, unknownPhase } from './errors';

/**
 * The task states of the case lifecycle, over the cases table. The workflow's own changes of a case
 * (alerts, termination, attention) go through the same transactional write as the API's, with the
 * workflow as the actor in the trail.
 */
export interface WorkflowTaskDeps {
  store: CaseWorkflowStore;
  cases: CaseStore;
  calendar: () => Promise<WorkingDayCalendar>;
  alertPolicy: AlertPolicy;
  now: () => number;
}

export const workflowActor: TrailActor = { userId: 'system:case-workflow', role: 'system' };

export interface ClockTick {
  /** The case was closed (possibly by this tick): the execution ends. */
  closed: boolean;
  /** The execution is close to its one-year limit: it starts `nextExecutionName` and ends. */
  renew: boolean;
  /** How long the human step's task waits before the timer reads the case again. */
  sleepSeconds: number;
  nextExecutionName: string;
}

/** The running execution, as the state machine's context gives it. */
export interface ExecutionRef {
  name: string;
  startedAt: string;
}

const attempts = 4;

/** Re-reads and retries a change that lost a race with another write of the case. */
async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof StaleCase) || attempt >= attempts) throw error;
    }
  }
}

function alertItem(
  record: CaseRecord,
  planned: PlannedAlert | Omit<PlannedAlert, 'fireAt'>,
  raisedAt: string,
): AlertItem {
  return {
    alertId: planned.alertId,
    caseId: record.caseId,
    ...(record.caseNumber ? { caseNumber: record.caseNumber } : {}),
    matterCode: record.matter.code,
    matterName: record.matter.name,
    windowId: record.matter.windowId,
    departmentId: record.matter.departmentId,
    kind: planned.kind,
    level: planned.level,
    audience: planned.audience,
    dueDate: planned.dueDate,
    raisedAt,
    status: 'active',
    detail: alertLabels[planned.kind],
    ...(planned.materialId ? { materialId: planned.materialId } : {}),
  };
}

export function caseWorkflowTasks(deps: WorkflowTaskDeps) {
  const { store, cases, calendar, alertPolicy, now } = deps;
  const { changeAs }: CaseChanges = caseChanges(deps);
  const nowIso = () => new Date(now()).toISOString();

  const read = async (caseId: string) => {
    const record = await cases.getCase(caseId);
    if (!record) throw caseNotFound(caseId);
    return record;
  };

  /** 容缺 not kept: the case ends as the applicant's commitment says, with a termination notice. */
  const terminate = (record: CaseRecord, raise: AlertItem[], overdue: PlannedAlert[]) => {
    const at = nowIso();
    const materialIds = overdue.flatMap((a) => (a.materialId ? [a.materialId] : []));
    // The system's own writes leave the version people edit against alone; a person's step that comes
    // after this one meets the closed case and is told so (CHANGED_BY_SYSTEM).
    const next: CaseRecord = {
      ...record,
      status: 'terminated',
      phase: 'closed',
      termination: { reason: '容缺材料逾期未补齐,按承诺终止办理', at, materialIds },
      notices: [
        ...record.notices,
        {
          number: `ZZ${record.caseNumber}`,
          type: 'termination',
          date: shanghaiDate(now()),
          content: {
            title: '终止办理告知书',
            caseNumber: record.caseNumber,
            matter: record.matter.name,
            applicant: record.applicant.name,
            materials: materialIds.map((id) => record.matter.materials.find((m) => m.id === id)?.name ?? id),
            reason: '容缺受理承诺的材料逾期未补齐',
            remedies: '可补齐材料后重新申请;如不服,可依法申请行政复议或者提起行政诉讼',
          },
        },
      ],
    };
    return changeAs(workflowActor, record, next, 'terminate-deferral-overdue', {
      raiseAlerts: raise,
      extraChanges: raise.map((a) => ({
        field: `alerts.${a.alertId}`,
        new: { kind: a.kind, level: a.level, dueDate: a.dueDate },
      })),
    });
  };

  return {
    /**
     * Stores the token of the phase's human step with the instant its task times out; the API step that
     * completes the step, or plans an earlier instant, sends it back.
     */
    async awaitStep(caseId: string, taskToken: string, sleepSeconds: number, executionStartedAt: string) {
      const { phase } = await store.loadPosition(caseId);
      if (phase === 'closed') throw caseClosed(caseId);
      if (!(casePhases as readonly string[]).includes(phase) || !phase.startsWith('awaiting-'))
        throw unknownPhase(caseId, phase);
      await store.storeTaskToken(caseId, phase, taskToken, {
        storedAt: nowIso(),
        wakeAt: new Date(now() + sleepSeconds * 1000).toISOString(),
        executionStartedAt,
      });
      return { stored: true, phase };
    },

    /**
     * The timer woke (the step's task timed out, or a step asked for it): read the case, raise the alerts
     * that are due and new, resolve those that no longer apply, end the case if a deferred material is
     * overdue, and say how long to sleep, or that the execution must hand over to its successor.
     */
    tick: (caseId: string, execution: ExecutionRef): Promise<ClockTick> =>
      withRetry(async () => {
        const record = await read(caseId);
        const at = nowIso();
        const nextExecutionName = successorExecutionName(caseId, execution.name);
        const ended = { closed: true, renew: false, sleepSeconds: 1, nextExecutionName };
        if (!record.phase || record.phase === 'closed') return ended;
        const planned = plannedAlerts(record, await calendar(), alertPolicy);
        const agenda = alertAgenda(planned, await cases.caseAlerts(caseId), at);
        const raise = agenda.raise.map((p) => alertItem(record, p, at));
        const overdueDeferrals = agenda.raise.filter((p) => p.kind === 'deferral-overdue');
        if (overdueDeferrals.length > 0) {
          await terminate(record, raise, overdueDeferrals);
          return ended;
        }
        if (raise.length > 0 || agenda.resolve.length > 0) {
          await changeAs(workflowActor, record, record, 'raise-alerts', {
            raiseAlerts: raise,
            extraChanges: raise.map((a) => ({
              field: `alerts.${a.alertId}`,
              new: { kind: a.kind, level: a.level, dueDate: a.dueDate },
            })),
          });
        }
        return {
          closed: false,
          renew: dueForRenewal(now(), execution.startedAt),
          sleepSeconds: sleepSeconds(
            { nextFireAt: agenda.nextFireAt, dueNow: false },
            now(),
            execution.startedAt,
          ),
          nextExecutionName,
        };
      }),

    /** A permanent failure: the case is flagged for the centre admin, with the reason in its trail. */
    async markAttention(caseId: string, error: { Error?: string; Cause?: string }) {
      const reason = `${error.Error ?? 'Unknown'}: ${(error.Cause ?? '').slice(0, 500)}`;
      return withRetry(async () => {
        const record = await read(caseId);
        const at = nowIso();
        const raise = [
          alertItem(
            record,
            {
              alertId: `workflow-failed#${shanghaiDate(now())}`,
              kind: 'workflow-failed',
              level: 'red',
              audience: 'admin',
              dueDate: shanghaiDate(now()),
            },
            at,
          ),
        ];
        const known = new Set((await cases.caseAlerts(caseId)).map((a) => a.alertId));
        await changeAs(workflowActor, record, { ...record, attention: { reason, at } }, 'workflow-failed', {
          raiseAlerts: raise.filter((a) => !known.has(a.alertId)),
        });
        return { marked: true };
      });
    },
  };
}
