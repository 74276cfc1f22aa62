import type { ScheduleStore } from '../calendar/schedule-store';
import type { AlertItem, CaseStore } from '../cases/case-store';
import { knownSchedules } from '../domain/calendar/schedules';
import { shanghaiDate } from '../domain/calendar-date';
import { type OperationsFigures, operationsFigures } from '../domain/operations/operations-figures';
import { countMetric, metricNames } from '../shared/metrics';

export interface OperationsCheckDeps {
  cases: Pick<CaseStore, 'listAlerts'>;
  schedules: Pick<ScheduleStore, 'listSchedules'>;
  now: () => number;
}

/**
 * Reads what the alarms watch: the centre's red alert list (resolved alerts leave the index, so every
 * item is active; a page of 100 per query, red alerts are few) and the holiday schedules known today.
 */
export async function checkOperations(deps: OperationsCheckDeps): Promise<OperationsFigures> {
  const activeRedAlerts: AlertItem[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await deps.cases.listAlerts({ kind: 'centre' }, 'red', 100, cursor);
    activeRedAlerts.push(...page.items.filter((alert) => alert.status === 'active'));
    cursor = page.lastKey;
  } while (cursor);
  const known = knownSchedules(await deps.schedules.listSchedules());
  return operationsFigures({
    activeRedAlerts,
    knownScheduleYears: known.map((schedule) => schedule.year),
    today: shanghaiDate(deps.now()),
  });
}

/** The figures as gauges (every run writes each, zeros included, so an alarm sees it go back to 0). */
export function recordOperationsFigures(figures: OperationsFigures): void {
  countMetric(metricNames.casesInAttention, figures.casesInAttention);
  countMetric(metricNames.openOverdueCases, figures.openOverdueCases);
  countMetric(metricNames.alertsEscalatedToAdmin, figures.alertsEscalatedToAdmin);
  countMetric(metricNames.nextYearScheduleMissing, figures.nextYearScheduleMissing ? 1 : 0);
}
