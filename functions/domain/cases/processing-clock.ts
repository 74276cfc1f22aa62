import { addDays } from '../calendar/dates';
import { maxWorkingDays, type WorkingDayCalendar } from '../calendar/working-days';

/**
 * The processing clock (办理时限) of an accepted promised case. It starts on the acceptance date; it stops
 * while the department waits for the applicant's supplement (补正) and during a special procedure
 * (特别程序, Administrative Licensing Law §45); one approved extension (延期, §42) adds working days once.
 * The due dates are always derived from these facts, never shifted in place, so a newly published
 * holiday schedule recomputes them exactly (see `recomputeClock`).
 *
 * Convention: a pause from date A to date B consumes the working days after A up to and including B
 * (a pause started and ended on the same day costs nothing).
 */
export type PauseKind = 'supplement' | 'special-procedure';

export interface ClockPause {
  kind: PauseKind;
  /** Shanghai dates. `to` is absent while the pause runs. */
  from: string;
  to?: string;
  /** Working days the pause consumed, set when it ends. */
  workingDays?: number;
}

export interface ClockExtension {
  workingDays: number;
  reason: string;
  approvedBy: string;
  approvedAt: string;
}

export interface ProcessingClock {
  /** Acceptance date (Shanghai). */
  startDate: string;
  promisedDays: number;
  statutoryDays: number;
  pauses: ClockPause[];
  extension?: ClockExtension;
  /** The N-th working day after the start, plus paused and extended days. */
  promisedDueDate: string;
  statutoryDueDate: string;
  /** A due date relied on a year without a published holiday schedule. */
  provisional: boolean;
}

export const maxExtensionWorkingDays = 30;

export class ClockRuleError extends Error {
  override readonly name = 'ClockRuleError';
  constructor(
    readonly code: 'CLOCK_PAUSED' | 'CLOCK_NOT_PAUSED' | 'ALREADY_EXTENDED',
    message: string,
  ) {
    super(message);
  }
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(calendar: WorkingDayCalendar, from: string, to: string): number {
  let count = 0;
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
    if (calendar.isWorkingDay(day).working) count++;
  }
  return count;
}

export const isPaused = (clock: ProcessingClock): boolean => clock.pauses.some((p) => p.to === undefined);

export const pausedWorkingDays = (clock: ProcessingClock): number =>
  clock.pauses.reduce((sum, pause) => sum + (pause.workingDays ?? 0), 0);

/** The due dates the facts give under `calendar`. */
function withDueDates(
  clock: Omit<ProcessingClock, 'promisedDueDate' | 'statutoryDueDate' | 'provisional'>,
  calendar: WorkingDayCalendar,
): ProcessingClock {
  const added = pausedWorkingDays(clock as ProcessingClock) + (clock.extension?.workingDays ?? 0);
  const due = (days: number) =>
    days > 0
      ? calendar.addWorkingDays(clock.startDate, Math.min(days + added, maxWorkingDays))
      : { date: clock.startDate, provisional: false };
  const promised = due(clock.promisedDays);
  const statutory = due(clock.statutoryDays);
  return {
    ...clock,
    promisedDueDate: promised.date,
    statutoryDueDate: statutory.date,
    provisional: promised.provisional || statutory.provisional,
  };
}

export function startClock(
  calendar: WorkingDayCalendar,
  startDate: string,
  promisedDays: number,
  statutoryDays: number,
): ProcessingClock {
  return withDueDates({ startDate, promisedDays, statutoryDays, pauses: [] }, calendar);
}

export function pauseClock(clock: ProcessingClock, kind: PauseKind, date: string): ProcessingClock {
  if (isPaused(clock)) throw new ClockRuleError('CLOCK_PAUSED', '办理时限已在暂停中');
  return { ...clock, pauses: [...clock.pauses, { kind, from: date }] };
}

/** Ends the running pause on `date`; the due dates move by the working days it consumed. */
export function resumeClock(
  calendar: WorkingDayCalendar,
  clock: ProcessingClock,
  date: string,
): ProcessingClock {
  const open = clock.pauses.findIndex((p) => p.to === undefined);
  if (open < 0) throw new ClockRuleError('CLOCK_NOT_PAUSED', '办理时限没有暂停');
  const pauses = clock.pauses.map((pause, i) =>
    i === open ? { ...pause, to: date, workingDays: workingDaysBetween(calendar, pause.from, date) } : pause,
  );
  return withDueDates({ ...clock, pauses }, calendar);
}

/** 延期: once per case, approved by the chief representative. */
export function extendClock(
  calendar: WorkingDayCalendar,
  clock: ProcessingClock,
  extension: ClockExtension,
): ProcessingClock {
  if (clock.extension) throw new ClockRuleError('ALREADY_EXTENDED', '本件已经延期一次,不能再次延期');
  return withDueDates({ ...clock, extension }, calendar);
}

/**
 * The same facts under another calendar (a newly published holiday schedule): the closed pauses are
 * counted again and the due dates derived again.
 */
export function recomputeClock(calendar: WorkingDayCalendar, clock: ProcessingClock): ProcessingClock {
  const pauses = clock.pauses.map((pause) =>
    pause.to === undefined
      ? pause
      : { ...pause, workingDays: workingDaysBetween(calendar, pause.from, pause.to) },
  );
  return withDueDates({ ...clock, pauses }, calendar);
}

/** The instant a date ends in Asia/Shanghai (UTC+8 all year), as an ISO timestamp. */
export const endOfShanghaiDay = (date: string): string =>
  new Date(Date.parse(`${addDays(date, 1)}T00:00:00+08:00`)).toISOString();

/** The instant a date begins in Asia/Shanghai. */
export const startOfShanghaiDay = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00+08:00`)).toISOString();
