import chineseDaysData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import * as z from 'zod';
import { dayOfWeek, isCalendarDate } from './dates';
import { projectScheduleData } from './schedules/index';
import type { ScheduleSource, YearSchedule } from './working-days';

/**
 * The holiday schedules the service knows, in order of precedence: schedules loaded at run time (the
 * admin API, stored in the catalogue table; passed in as `extra`), the project's own data files (for
 * years the `chinese-days` package does not cover yet, e.g. 2027 once the State Council publishes it, or
 * corrections), then `chinese-days` for the years it covers. A new year is one JSON file in ./schedules
 * and one import line, or one PUT /calendar/schedules/{year}.
 */
const date = z.string().refine(isCalendarDate, '应为 YYYY-MM-DD 日期');

export const firstScheduleYear = 2004;
export const lastScheduleYear = 2100;

export const yearScheduleData = z.object({
  year: z.number().int().min(2000).max(lastScheduleYear),
  /** Where it was published, e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕x号). */
  source: z.string().trim().min(1).max(300),
  publishedOn: date,
  holidays: z.array(date).max(366),
  makeupWorkdays: z.array(date).max(366),
});
export type YearScheduleData = z.infer<typeof yearScheduleData>;

/** A problem of a schedule, with the path of the offending field (`holidays.3`). */
export interface ScheduleIssue {
  path: ['holidays' | 'makeupWorkdays', number];
  kind: 'other-year' | 'wrong-day-of-week';
  message: string;
}

const isWeekend = (d: string) => dayOfWeek(d) === 0 || dayOfWeek(d) === 6;

/**
 * What is wrong with a schedule for `year`, field by field: every date lies inside the year, holidays
 * are weekdays (a weekend is off anyway) and make-up workdays (调休上班) are weekend days. Empty when it holds.
 */
export function scheduleIssues(
  year: number,
  data: Pick<YearScheduleData, 'holidays' | 'makeupWorkdays'>,
): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const check = (field: 'holidays' | 'makeupWorkdays', dates: string[], weekendWanted: boolean) => {
    dates.forEach((d, index) => {
      if (!d.startsWith(`${year}-`))
        issues.push({ path: [field, index], kind: 'other-year', message: `${d} 不在 ${year} 年内` });
      else if (isWeekend(d) !== weekendWanted)
        issues.push({
          path: [field, index],
          kind: 'wrong-day-of-week',
          message: weekendWanted
            ? `${d} 不是周末:调休上班日应为周六或周日`
            : `${d} 是周末:放假日期只列工作日(周末本来休息)`,
        });
    });
  };
  check('holidays', data.holidays, false);
  check('makeupWorkdays', data.makeupWorkdays, true);
  return issues;
}

/** The same schedule with its dates sorted and listed once, so equal schedules compare equal. */
export function normaliseScheduleData(data: YearScheduleData): YearScheduleData {
  const sorted = (dates: string[]) => [...new Set(dates)].sort();
  return {
    year: data.year,
    source: data.source,
    publishedOn: data.publishedOn,
    holidays: sorted(data.holidays),
    makeupWorkdays: sorted(data.makeupWorkdays),
  };
}

/** Same year, text and dates (in any order). */
export function sameSchedule(a: YearScheduleData, b: YearScheduleData): boolean {
  return JSON.stringify(normaliseScheduleData(a)) === JSON.stringify(normaliseScheduleData(b));
}

/** Validates and builds one year's schedule; throws (naming the dates) on data that contradicts itself. */
export function scheduleFromData(input: unknown): YearSchedule {
  const data = yearScheduleData.parse(input);
  const issues = scheduleIssues(data.year, data);
  const outside = issues.filter((i) => i.kind === 'other-year');
  const dateOf = ({ path: [field, index] }: ScheduleIssue) => data[field][index];
  if (outside.length > 0)
    throw new Error(`schedule ${data.year} lists dates of another year: ${outside.map(dateOf).join(', ')}`);
  if (issues.length > 0) {
    throw new Error(
      `schedule ${data.year}: holidays must be weekdays and make-up workdays weekend days (${issues.map(dateOf).join(', ')})`,
    );
  }
  return { year: data.year, holidays: new Set(data.holidays), makeupWorkdays: new Set(data.makeupWorkdays) };
}

/**
 * Every holiday and make-up workday `chinese-days` knows, by date, from the data file the package ships.
 * Read as data rather than through the package's functions: its module builds lunar-calendar tables on
 * import, about 10 ms of the cold start of every function that computes a deadline.
 */
const packageDays = {
  holidays: Object.keys(chineseDaysData.holidays),
  workdays: Object.keys(chineseDaysData.workdays),
};

/** A year `chinese-days` has holiday data for, read off the package. */
export function chineseDaysSchedule(year: number): YearSchedule | undefined {
  const inYear = (dates: string[]) => dates.filter((d) => d.startsWith(`${year}-`));
  const holidays = inYear(packageDays.holidays);
  if (holidays.length === 0) return undefined;
  return {
    year,
    // A weekend inside a holiday is off anyway; only the weekend days worked make up for it.
    holidays: new Set(holidays.filter((d) => !isWeekend(d))),
    makeupWorkdays: new Set(inYear(packageDays.workdays).filter(isWeekend)),
  };
}

let coveredByPackage: number[] | undefined;
/** The years `chinese-days` covers (from 2004 on, without gaps), read off the package once. */
export function chineseDaysYears(): number[] {
  if (!coveredByPackage) {
    const years: number[] = [];
    for (let year = firstScheduleYear; year <= lastScheduleYear; year++) {
      if (!packageDays.holidays.some((d) => d.startsWith(`${year}-`))) break;
      years.push(year);
    }
    coveredByPackage = years;
  }
  return coveredByPackage;
}

/** The project's data files, validated (a bad file fails at import, with its year and dates). */
export const projectSchedules: YearScheduleData[] = projectScheduleData.map((data) => {
  scheduleFromData(data);
  return normaliseScheduleData(yearScheduleData.parse(data));
});

/** Loaded schedules (`extra`, later entries win) first, then project data, then `chinese-days`. */
export function publishedSchedules(extra: unknown[] = []): ScheduleSource {
  const own = new Map(
    [...projectScheduleData, ...extra].map((data) => {
      const schedule = scheduleFromData(data);
      return [schedule.year, schedule] as const;
    }),
  );
  return (year) => own.get(year) ?? chineseDaysSchedule(year);
}

export const scheduleOrigins = ['chinese-days', 'project-data', 'loaded'] as const;
export type ScheduleOrigin = (typeof scheduleOrigins)[number];

/** `loadedBy` of a schedule stored from a project data file (see loadProjectSchedules). */
export const projectDataLoader = 'project-data';

export interface KnownSchedule {
  year: number;
  source: ScheduleOrigin;
  /** The publication (the State Council notice), when known. */
  notice?: string;
  publishedOn?: string;
  loadedAt?: string;
  loadedBy?: string;
}

/**
 * Which schedule counts for each known year, and where it comes from: a loaded one over a data file
 * over `chinese-days` (a data file once applied is stored too, and still shown as project data). Years
 * from 2004 to the last year any of them covers; a year none covers is absent (its dates are provisional).
 */
export function knownSchedules(
  loaded: (YearScheduleData & { loadedAt: string; loadedBy: string })[],
  project: YearScheduleData[] = projectSchedules,
  packageYears: number[] = chineseDaysYears(),
): KnownSchedule[] {
  const byYear = new Map<number, KnownSchedule>();
  for (const year of packageYears) byYear.set(year, { year, source: 'chinese-days' });
  for (const data of project)
    byYear.set(data.year, {
      year: data.year,
      source: 'project-data',
      notice: data.source,
      publishedOn: data.publishedOn,
    });
  for (const data of [...loaded].sort((a, b) => a.loadedAt.localeCompare(b.loadedAt)))
    byYear.set(data.year, {
      year: data.year,
      source: data.loadedBy === projectDataLoader ? 'project-data' : 'loaded',
      notice: data.source,
      publishedOn: data.publishedOn,
      loadedAt: data.loadedAt,
      loadedBy: data.loadedBy,
    });
  return [...byYear.values()].filter((s) => s.year >= firstScheduleYear).sort((a, b) => a.year - b.year);
}
