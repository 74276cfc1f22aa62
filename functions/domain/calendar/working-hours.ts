import { shanghaiDate } from '../calendar-date';
import { addDays } from './dates';
import type { WorkingDayCalendar } from './working-days';

/**
 * Office hours (办公时间): the periods of a working day when the centre's windows are open, in Asia/Shanghai
 * local time. A consultation's response limit counts only this time: "4 working hours" raised at 11:30
 * on a Friday ends at 15:00 the same day (lunch 12:00–13:30 not counted), raised at 16:30 it ends at
 * 11:00 on the next working day, a make-up Saturday (调休上班) counting as a working day.
 */
export interface OfficePeriod {
  /** `HH:MM`, local time. */
  start: string;
  end: string;
}

export type OfficeHours = readonly OfficePeriod[];

export const defaultOfficeHours: OfficeHours = [
  { start: '08:30', end: '12:00' },
  { start: '13:30', end: '17:00' },
];

/** At most a year of office hours (about 1,750) may be added at once. */
export const maxWorkingHours = 2_000;

const hourMs = 3_600_000;
const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Office periods as `08:30-12:00,13:30-17:00`: valid times, each period non-empty, in order, not overlapping. */
export function parseOfficeHours(text: string): OfficeHours {
  const periods = text.split(',').map((part) => {
    const [start = '', end = '', ...rest] = part.trim().split('-');
    if (rest.length > 0 || !clockTime.test(start) || !clockTime.test(end))
      throw new RangeError(`office period "${part.trim()}" is not HH:MM-HH:MM`);
    if (minutesOf(start) >= minutesOf(end))
      throw new RangeError(`office period ${start}-${end} ends before it starts`);
    return { start, end };
  });
  periods.forEach((period, i) => {
    const previous = periods[i - 1];
    if (previous && minutesOf(period.start) < minutesOf(previous.end))
      throw new RangeError(
        `office period ${period.start}-${period.end} overlaps or precedes ${previous.start}-${previous.end}`,
      );
  });
  return periods;
}

export interface WorkingHoursAnswer {
  /** Epoch ms. */
  at: number;
  /** Some day counted lies in a year whose holiday schedule is not known yet. */
  provisional: boolean;
}

export function workingHoursClock(calendar: WorkingDayCalendar, hours: OfficeHours = defaultOfficeHours) {
  /** The office periods of a date as epoch-ms intervals (none on a day off). */
  const periodsOf = (date: string): { intervals: [number, number][]; provisional: boolean } => {
    const day = calendar.isWorkingDay(date);
    const intervals: [number, number][] = day.working
      ? hours.map((p) => [Date.parse(`${date}T${p.start}:00+08:00`), Date.parse(`${date}T${p.end}:00+08:00`)])
      : [];
    return { intervals, provisional: day.provisional };
  };
  // Long enough for maxWorkingHours even around the Spring Festival: about two and a half years of dates.
  const maxDays = 900;

  return {
    /**
     * The instant `hoursToAdd` office hours after `fromMs` (0 < hours ≤ 2,000, to the minute): time outside
     * the office periods of working days is not counted; an answer that lands on the end of a period is
     * that end, not the next opening.
     */
    addWorkingHours(fromMs: number, hoursToAdd: number): WorkingHoursAnswer {
      if (!Number.isFinite(hoursToAdd) || hoursToAdd <= 0 || hoursToAdd > maxWorkingHours)
        throw new RangeError(`hours must be more than 0 and at most ${maxWorkingHours}`);
      let remaining = Math.round(hoursToAdd * 60) * 60_000;
      if (remaining === 0) throw new RangeError('hours must be at least one minute');
      let provisional = false;
      let date = shanghaiDate(fromMs);
      for (let day = 0; day < maxDays; day++, date = addDays(date, 1)) {
        const periods = periodsOf(date);
        provisional ||= periods.provisional;
        for (const [start, end] of periods.intervals) {
          const from = Math.max(start, fromMs);
          if (from >= end) continue;
          if (remaining <= end - from) return { at: from + remaining, provisional };
          remaining -= end - from;
        }
      }
      throw new RangeError('no office hours within the reach of the calendar');
    },

    /** Office hours between two instants (0 when `toMs` is not after `fromMs`), to the millisecond. */
    workingHoursBetween(fromMs: number, toMs: number): { hours: number; provisional: boolean } {
      let counted = 0;
      let provisional = false;
      if (toMs <= fromMs) return { hours: 0, provisional };
      const last = shanghaiDate(toMs);
      for (
        let date = shanghaiDate(fromMs), day = 0;
        date <= last && day < maxDays;
        date = addDays(date, 1), day++
      ) {
        const periods = periodsOf(date);
        provisional ||= periods.provisional;
        for (const [start, end] of periods.intervals)
          counted += Math.max(0, Math.min(end, toMs) - Math.max(start, fromMs));
      }
      return { hours: counted / hourMs, provisional };
    },
  };
}

export type WorkingHoursClock = ReturnType<typeof workingHoursClock>;
