import chineseDays from 'chinese-days';
import * as z from 'zod';
import { addDays, dayOfWeek, isCalendarDate } from './dates';
import { projectScheduleData } from './schedules/index';
import type { ScheduleSource, YearSchedule } from './working-days';

/**
 * The holiday schedules the service knows: the project's own data files (for years the `chinese-days`
 * package does not cover yet, e.g. 2027 once the State Council publishes it, or corrections), then
 * `chinese-days` for the years it covers. A new year is one JSON file in ./schedules and one import line.
 */
const date = z.string().refine(isCalendarDate, '应为 YYYY-MM-DD 日期');

export const yearScheduleData = z.object({
  year: z.number().int().min(2000).max(2100),
  /** Where it was published, e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕x号). */
  source: z.string().min(1),
  publishedOn: date,
  holidays: z.array(date),
  makeupWorkdays: z.array(date),
});
export type YearScheduleData = z.infer<typeof yearScheduleData>;

export function scheduleFromData(input: unknown): YearSchedule {
  const data = yearScheduleData.parse(input);
  const outside = [...data.holidays, ...data.makeupWorkdays].filter((d) => !d.startsWith(`${data.year}-`));
  if (outside.length > 0)
    throw new Error(`schedule ${data.year} lists dates of another year: ${outside.join(', ')}`);
  const weekendHoliday = data.holidays.filter((d) => dayOfWeek(d) === 0 || dayOfWeek(d) === 6);
  const weekdayMakeup = data.makeupWorkdays.filter((d) => dayOfWeek(d) !== 0 && dayOfWeek(d) !== 6);
  if (weekendHoliday.length > 0 || weekdayMakeup.length > 0) {
    throw new Error(
      `schedule ${data.year}: holidays must be weekdays and make-up workdays weekend days (${[...weekendHoliday, ...weekdayMakeup].join(', ')})`,
    );
  }
  return { year: data.year, holidays: new Set(data.holidays), makeupWorkdays: new Set(data.makeupWorkdays) };
}

/** A year `chinese-days` has holiday data for, read off the package. */
export function chineseDaysSchedule(year: number): YearSchedule | undefined {
  const holidays = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false);
  if (holidays.length === 0) return undefined;
  const makeupWorkdays = new Set<string>();
  for (let day = `${year}-01-01`; day.startsWith(`${year}-`); day = addDays(day, 1)) {
    if ((dayOfWeek(day) === 0 || dayOfWeek(day) === 6) && chineseDays.isWorkday(day)) makeupWorkdays.add(day);
  }
  return {
    year,
    holidays: new Set(holidays.filter((d) => dayOfWeek(d) !== 0 && dayOfWeek(d) !== 6)),
    makeupWorkdays,
  };
}

/** Project data first (newer years, corrections), then `chinese-days`. */
export function publishedSchedules(extra: unknown[] = []): ScheduleSource {
  const own = new Map(
    [...projectScheduleData, ...extra].map((data) => {
      const schedule = scheduleFromData(data);
      return [schedule.year, schedule] as const;
    }),
  );
  return (year) => own.get(year) ?? chineseDaysSchedule(year);
}
