import type { AlertKind } from '../cases/alerts';

/**
 * What the on-call alarms watch, counted from the centre's red alert list and the known holiday
 * schedules. Pure: the hourly check and the operator command `check` read the data and print or emit this.
 */
export interface OperationsFigures {
  /** Open cases the workflow gave up on (active `workflow-failed` alerts). */
  casesInAttention: number;
  /** Distinct cases past their promised date (active `deadline-overdue` alerts). */
  openOverdueCases: number;
  /** Active escalations to the centre admin (of cases and of consultations). */
  alertsEscalatedToAdmin: number;
  /** From 1 December (Shanghai) of a year, whether the next year's holiday schedule is still unknown. */
  nextYearScheduleMissing: boolean;
  /** The year that check is about. */
  nextYear: number;
}

/** From 1 December the next year's schedule is due (the State Council publishes it in autumn). */
export const scheduleDueFromMonthDay = '12-01';

export function operationsFigures(input: {
  activeRedAlerts: readonly { caseId?: string; consultationId?: string; kind: AlertKind }[];
  knownScheduleYears: readonly number[];
  /** Today in Asia/Shanghai, `YYYY-MM-DD`. */
  today: string;
}): OperationsFigures {
  const casesWith = (kind: AlertKind) =>
    new Set(input.activeRedAlerts.filter((alert) => alert.kind === kind && alert.caseId).map((a) => a.caseId))
      .size;
  const escalations = new Set<AlertKind>(['escalated-to-admin', 'consultation-escalated-to-admin']);
  const nextYear = Number(input.today.slice(0, 4)) + 1;
  const due = input.today.slice(5) >= scheduleDueFromMonthDay;
  return {
    casesInAttention: casesWith('workflow-failed'),
    openOverdueCases: casesWith('deadline-overdue'),
    alertsEscalatedToAdmin: input.activeRedAlerts.filter((alert) => escalations.has(alert.kind)).length,
    nextYearScheduleMissing: due && !input.knownScheduleYears.includes(nextYear),
    nextYear,
  };
}
