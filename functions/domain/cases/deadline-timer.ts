/**
 * When a case's workflow wakes by itself (期限计时). The execution sleeps in the task of the human step
 * it waits on, with a timeout at the next planned alert instant; a step that plans an earlier instant
 * wakes it by completing that task with the new sleep. With nothing planned (a paused clock, every alert
 * raised) it sleeps until its successor must take over, because a Standard execution lives at most one
 * year: an abandoned or paused case costs a handful of transitions a year, not one wake a day.
 */

const dayMs = 86_400_000;

/** A Standard execution ends after 365 days; the successor starts well before, with room for retries. */
export const executionRenewalDays = 350;

/** The longest a task may wait in AWS (TimeoutSeconds 1..99999999); the renewal comes long before. */
const maxSleepSeconds = 99_999_999;

/** When the execution started at `executionStartedAt` hands the case over to its successor (epoch ms). */
export const renewalAt = (executionStartedAt: string): number =>
  Date.parse(executionStartedAt) + executionRenewalDays * dayMs;

/** Whether the execution must hand over now (a timeout lands at the instant, never before it). */
export const dueForRenewal = (nowMs: number, executionStartedAt: string): boolean =>
  nowMs >= renewalAt(executionStartedAt);

export interface TimerPlan {
  /** The next instant an alert is planned, after now (ISO). */
  nextFireAt?: string | undefined;
  /** Some alert is due already and not raised yet: the timer must run at once. */
  dueNow: boolean;
}

/**
 * Seconds to sleep from `nowMs`: to the next planned instant or to the renewal, whichever comes first;
 * at least 1 (TimeoutSeconds is a positive integer), rounded up so the timer never wakes early.
 */
export function sleepSeconds(plan: TimerPlan, nowMs: number, executionStartedAt: string): number {
  if (plan.dueNow) return 1;
  const planned = plan.nextFireAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(plan.nextFireAt);
  const until = Math.min(planned, renewalAt(executionStartedAt));
  return Math.min(maxSleepSeconds, Math.max(1, Math.ceil((until - nowMs) / 1000)));
}

/**
 * Executions are named by the case: the first by its id, each successor `<id>-g<n>` (a Standard
 * execution's name cannot be reused for 90 days, so every generation needs its own).
 */
export function successorExecutionName(caseId: string, executionName: string): string {
  const generation = executionName.startsWith(`${caseId}-g`)
    ? Number(executionName.slice(caseId.length + 2))
    : 1;
  return `${caseId}-g${Number.isSafeInteger(generation) && generation >= 1 ? generation + 1 : 2}`;
}
