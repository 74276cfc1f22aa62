import type { WorkingDayCalendar } from '../calendar/working-days';
import { shanghaiDate } from '../calendar-date';
import { deadlinePhases } from './lifecycle';
import type { CaseRecord } from './model';
import { endOfShanghaiDay, isPaused, startOfShanghaiDay } from './processing-clock';

/**
 * Deadline alerts (电子监察预警) of a case, planned from what the case says now: the workflow's timer
 * wakes at the next planned instant, reads the case again and raises what is due. Nothing here is
 * stored as a timer, so a suspension, an extension or a new holiday schedule moves the alerts with the
 * deadline. Each alert has an id made of its kind and the date it is about: raising is idempotent,
 * and an alert whose date moved is a new alert (the old one is resolved).
 */
export const alertKinds = [
  'deadline-warning',
  'deadline-overdue',
  'escalated-to-chief',
  'escalated-to-admin',
  'receipt-overdue',
  'deferral-overdue',
  'result-uncollected',
  'workflow-failed',
  // Consultations (咨询件), in the same lists: not answered within half the limit, the limit, twice it.
  'consultation-warning',
  'consultation-overdue',
  'consultation-escalated-to-admin',
  // A clerk's qualification (上岗资格): ending within 30 days, ended without renewal.
  'qualification-expiring',
  'qualification-expired',
] as const;
export type AlertKind = (typeof alertKinds)[number];

export const alertLevels = ['yellow', 'red'] as const;
export type AlertLevel = (typeof alertLevels)[number];

/** Who must act: the department handling it, its chief representative (首席代表), the centre admin, the window. */
export type AlertAudience = 'department' | 'chief' | 'admin' | 'window';

export const alertLabels: Record<AlertKind, string> = {
  'deadline-warning': '临近承诺时限(黄牌预警)',
  'deadline-overdue': '超过承诺时限(红牌)',
  'escalated-to-chief': '超期未办结,已上报首席代表',
  'escalated-to-admin': '超期未办结,已上报中心管理员',
  'receipt-overdue': '流转后超过1个工作日未接件',
  'deferral-overdue': '容缺材料逾期未补齐,按承诺终止办理',
  'result-uncollected': '办理结果回送窗口后逾期未领取',
  'workflow-failed': '流程异常,需要中心管理员处理',
  'consultation-warning': '咨询件答复时限已过半',
  'consultation-overdue': '咨询件超时未答复,已上报首席代表',
  'consultation-escalated-to-admin': '咨询件超时未答复,已上报中心管理员',
  'qualification-expiring': '窗口人员上岗资格30日内到期,请安排复核考核',
  'qualification-expired': '窗口人员上岗资格已到期,不能再受理该部门事项',
};

export interface AlertPolicy {
  /** Yellow when this many working days remain, the due date counted. */
  warningWorkingDays: number;
  /** Escalate to the chief representative this many working days after the promised date. */
  escalateToChiefAfterWorkingDays: number;
  /** Then to the centre admin. */
  escalateToAdminAfterWorkingDays: number;
  /** The department confirms receipt within this many working days of the handover. */
  receiptWorkingDays: number;
  /** A result back at the window and not issued after this many working days is a stage alert. */
  uncollectedWorkingDays: number;
}

export const defaultAlertPolicy: AlertPolicy = {
  warningWorkingDays: 3,
  escalateToChiefAfterWorkingDays: 1,
  escalateToAdminAfterWorkingDays: 3,
  receiptWorkingDays: 1,
  uncollectedWorkingDays: 5,
};

export interface PlannedAlert {
  alertId: string;
  kind: AlertKind;
  level: AlertLevel;
  audience: AlertAudience;
  /** The date the alert is about (the promised date, the receipt or deferral due date). */
  dueDate: string;
  /** When it is raised (ISO instant). */
  fireAt: string;
  materialId?: string;
}

const alert = (
  kind: AlertKind,
  level: AlertLevel,
  audience: AlertAudience,
  dueDate: string,
  fireAt: string,
  materialId?: string,
): PlannedAlert => ({
  alertId: [kind, dueDate, ...(materialId ? [materialId] : [])].join('#'),
  kind,
  level,
  audience,
  dueDate,
  fireAt,
  ...(materialId ? { materialId } : {}),
});

/** The working day `n - 1` working days before `date` (n = 1: the date itself, if it is a working day). */
export function nthLastWorkingDay(calendar: WorkingDayCalendar, date: string, n: number): string {
  let day = date;
  let counted = calendar.isWorkingDay(day).working ? 1 : 0;
  while (counted < n) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    if (calendar.isWorkingDay(day).working) counted++;
  }
  return day;
}

/** Every alert the case should have, due or not, given its state now. */
export function plannedAlerts(
  record: Pick<CaseRecord, 'phase' | 'clock' | 'backOffice' | 'deferrals' | 'materials'>,
  calendar: WorkingDayCalendar,
  policy: AlertPolicy,
): PlannedAlert[] {
  const planned: PlannedAlert[] = [];
  const { phase, clock } = record;
  if (!phase || phase === 'closed') return planned;

  if (clock && deadlinePhases.has(phase) && !isPaused(clock) && clock.promisedDays > 0) {
    const due = clock.promisedDueDate;
    // Yellow at the start of the last `warningWorkingDays` working days; a matter promised in fewer
    // working days is warned at the start of its first counted day, so every deadline is warned before
    // it turns red (a 1-day matter in the morning of its only day).
    const from = nthLastWorkingDay(calendar, due, Math.min(policy.warningWorkingDays, clock.promisedDays));
    planned.push(alert('deadline-warning', 'yellow', 'department', due, startOfShanghaiDay(from)));
    planned.push(alert('deadline-overdue', 'red', 'department', due, endOfShanghaiDay(due)));
    const chiefDate = calendar.addWorkingDays(due, policy.escalateToChiefAfterWorkingDays).date;
    planned.push(alert('escalated-to-chief', 'red', 'chief', due, endOfShanghaiDay(chiefDate)));
    const adminDate = calendar.addWorkingDays(due, policy.escalateToAdminAfterWorkingDays).date;
    planned.push(alert('escalated-to-admin', 'red', 'admin', due, endOfShanghaiDay(adminDate)));
  }

  const handedOverAt = record.backOffice?.handedOverAt;
  if (phase === 'awaiting-receipt' && handedOverAt) {
    const receiptDue = calendar.addWorkingDays(
      shanghaiDate(Date.parse(handedOverAt)),
      policy.receiptWorkingDays,
    ).date;
    planned.push(alert('receipt-overdue', 'yellow', 'department', receiptDue, endOfShanghaiDay(receiptDue)));
  }

  const returnedAt = record.backOffice?.returnedAt;
  if (phase === 'awaiting-issuance' && returnedAt) {
    const due = calendar.addWorkingDays(
      shanghaiDate(Date.parse(returnedAt)),
      policy.uncollectedWorkingDays,
    ).date;
    planned.push(alert('result-uncollected', 'yellow', 'window', due, endOfShanghaiDay(due)));
  }

  for (const item of missingDeferrals(record)) {
    planned.push(
      alert(
        'deferral-overdue',
        'red',
        'window',
        item.dueDate,
        endOfShanghaiDay(item.dueDate),
        item.materialId,
      ),
    );
  }
  return planned;
}

/** 容缺 materials still not provided. */
export const missingDeferrals = (record: Pick<CaseRecord, 'deferrals' | 'materials'>) =>
  (record.deferrals?.items ?? []).filter((item) => record.materials[item.materialId]?.status !== 'provided');

export interface AlertAgenda {
  /** Due now and not raised before. */
  raise: PlannedAlert[];
  /** Active alerts that no longer apply (the deadline moved, the step was done). */
  resolve: string[];
  /** The next instant something is planned, if any. */
  nextFireAt?: string;
}

/**
 * What the timer does when it wakes at `nowIso`: raise what is due and new, resolve what is active and no
 * longer planned, and sleep until the next planned instant.
 */
export function alertAgenda(
  planned: PlannedAlert[],
  known: { alertId: string; status: 'active' | 'resolved' }[],
  nowIso: string,
): AlertAgenda {
  const knownIds = new Set(known.map((k) => k.alertId));
  const due = planned.filter((p) => p.fireAt <= nowIso);
  const dueIds = new Set(due.map((p) => p.alertId));
  const future = planned
    .filter((p) => p.fireAt > nowIso)
    .map((p) => p.fireAt)
    .sort();
  return {
    raise: due.filter((p) => !knownIds.has(p.alertId)),
    resolve: known.filter((k) => k.status === 'active' && !dueIds.has(k.alertId)).map((k) => k.alertId),
    ...(future[0] ? { nextFireAt: future[0] } : {}),
  };
}
