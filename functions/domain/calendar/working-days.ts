import { addDays, dayOfWeek, yearOf } from './dates';

/**
 * Working days (工作日) under the State Council's holiday schedule, with make-up workdays (调休). A year
 * whose schedule is not known is counted by weekends alone, and every answer that relied on such a
 * year is marked provisional, so the portal and the deadlines say so instead of pretending.
 */
export interface YearSchedule {
  year: number;
  /** Weekday dates that are days off. */
  holidays: ReadonlySet<string>;
  /** Weekend dates that are working days (调休上班). */
  makeupWorkdays: ReadonlySet<string>;
}

/** Where schedules come from: published data for a year, or nothing yet. */
export type ScheduleSource = (year: number) => YearSchedule | undefined;

export interface WorkingDayAnswer {
  date: string;
  provisional: boolean;
}

export const maxWorkingDays = 365;

export function workingDayCalendar(source: ScheduleSource) {
  const cache = new Map<number, YearSchedule | undefined>();
  const scheduleOf = (year: number) => {
    if (!cache.has(year)) cache.set(year, source(year));
    return cache.get(year);
  };

  const isWorkingDay = (date: string): { working: boolean; provisional: boolean } => {
    const schedule = scheduleOf(yearOf(date));
    const weekend = dayOfWeek(date) === 0 || dayOfWeek(date) === 6;
    if (!schedule) return { working: !weekend, provisional: true };
    if (weekend) return { working: schedule.makeupWorkdays.has(date), provisional: false };
    return { working: !schedule.holidays.has(date), provisional: false };
  };

  return {
    isWorkingDay,

    hasSchedule: (year: number): boolean => scheduleOf(year) !== undefined,

    /** The `days`-th working day after `from` (not counting `from` itself), 1 ≤ days ≤ 365. */
    addWorkingDays(from: string, days: number): WorkingDayAnswer {
      if (!Number.isInteger(days) || days < 1 || days > maxWorkingDays) {
        throw new RangeError(`days must be an integer from 1 to ${maxWorkingDays}`);
      }
      let date = from;
      let counted = 0;
      let provisional = false;
      while (counted < days) {
        date = addDays(date, 1);
        const day = isWorkingDay(date);
        provisional ||= day.provisional;
        if (day.working) counted++;
      }
      return { date, provisional };
    },
  };
}

export type WorkingDayCalendar = ReturnType<typeof workingDayCalendar>;
