import chineseDaysData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import * as z from 'zod';
import { addDays, dayOfWeek, isCalendarDate } from './dates';
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

/**
 * A range of days off as the State Council notice publishes it: "春节:2月15日(周日)至23日(周一)放假调休,
 * 共9天". Weekends inside it are days off like the others.
 */
export const dayOffRange = z
  .object({
    name: z.string().trim().min(1).max(50).optional().meta({ description: 'e.g. 春节' }),
    from: date,
    to: date,
  })
  .meta({ id: 'DayOffRange', description: 'From and to (both included), weekends included as published' });
export type DayOffRange = z.infer<typeof dayOffRange>;

const scheduleFields = {
  year: z.number().int().min(2000).max(lastScheduleYear),
  /** Where it was published, e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕x号). */
  source: z.string().trim().min(1).max(300),
  publishedOn: date,
  makeupWorkdays: z.array(date).max(366),
};

/**
 * A year's schedule as the notice publishes it (the body of PUT /calendar/schedules/{year} and the project's
 * data files): days off as dates or ranges, weekends included or not, and the weekend days worked.
 */
export const yearScheduleInput = z.object({
  ...scheduleFields,
  holidays: z.array(z.union([date, dayOffRange])).max(366),
});
export type YearScheduleInput = z.infer<typeof yearScheduleInput>;

/**
 * A year's schedule normalised (what is stored and compared): `holidays` are the weekdays off, sorted and
 * listed once; a weekend is off anyway, so a weekend day inside a range of days off is not listed.
 */
export const yearScheduleData = z.object({ ...scheduleFields, holidays: z.array(date).max(366) });
export type YearScheduleData = z.infer<typeof yearScheduleData>;

type Field = 'holidays' | 'makeupWorkdays';

/** A problem of a schedule, with the path of the offending field (`holidays.3`, `holidays.2.to`). */
export interface ScheduleIssue {
  path: [Field, number] | ['holidays', number, 'from' | 'to'];
  kind: 'other-year' | 'reversed-range' | 'wrong-day-of-week' | 'off-and-workday';
  message: string;
}

const isWeekend = (d: string) => dayOfWeek(d) === 0 || dayOfWeek(d) === 6;

/** Every date of a range, both ends included (none when it is reversed; a year at most, however wrong). */
function datesOf(range: DayOffRange): string[] {
  const dates: string[] = [];
  for (let d = range.from; d <= range.to && dates.length < 366; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/** The days off an entry of `holidays` stands for. */
const daysOff = (entry: string | DayOffRange): string[] =>
  typeof entry === 'string' ? [entry] : datesOf(entry);

/**
 * What is wrong with a schedule for `year`, field by field: every date lies inside the year, a range does
 * not end before it starts, make-up workdays (调休上班) are weekend days, and no day is both off and worked.
 * A weekend day among the days off is not wrong: the notice's ranges include them. Empty when it holds.
 */
export function scheduleIssues(
  year: number,
  data: Pick<YearScheduleInput, 'holidays' | 'makeupWorkdays'>,
): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const inYear = (d: string) => d.startsWith(`${year}-`);
  const otherYear = (path: ScheduleIssue['path'], d: string): ScheduleIssue => ({
    path,
    kind: 'other-year',
    message: `${d} 不在 ${year} 年内`,
  });
  /** Which entry of `holidays` gives each day off (the first one that does). */
  const offBy = new Map<string, number>();
  data.holidays.forEach((entry, index) => {
    if (typeof entry === 'string') {
      if (!inYear(entry)) issues.push(otherYear(['holidays', index], entry));
    } else {
      if (!inYear(entry.from)) issues.push(otherYear(['holidays', index, 'from'], entry.from));
      if (!inYear(entry.to)) issues.push(otherYear(['holidays', index, 'to'], entry.to));
      else if (entry.to < entry.from)
        issues.push({
          path: ['holidays', index, 'to'],
          kind: 'reversed-range',
          message: `放假结束日期 ${entry.to} 早于开始日期 ${entry.from}`,
        });
    }
    for (const d of daysOff(entry)) if (!offBy.has(d)) offBy.set(d, index);
  });
  data.makeupWorkdays.forEach((d, index) => {
    const off = offBy.get(d);
    if (!inYear(d)) issues.push(otherYear(['makeupWorkdays', index], d));
    else if (off !== undefined)
      issues.push({
        path: ['makeupWorkdays', index],
        kind: 'off-and-workday',
        message: `${d} 既是放假日(holidays.${off})又是调休上班日,只能是其中之一`,
      });
    else if (!isWeekend(d))
      issues.push({
        path: ['makeupWorkdays', index],
        kind: 'wrong-day-of-week',
        message: `${d} 不是周末:调休上班日应为周六或周日(工作日本来上班)`,
      });
  });
  return issues;
}

/**
 * The schedule normalised: ranges expanded, weekend days off left out (off anyway), dates sorted and listed
 * once, so equal schedules compare equal whichever form they were given in.
 */
export function normaliseScheduleData(data: YearScheduleInput): YearScheduleData {
  const sorted = (dates: string[]) => [...new Set(dates)].sort();
  return {
    year: data.year,
    source: data.source,
    publishedOn: data.publishedOn,
    holidays: sorted(data.holidays.flatMap(daysOff).filter((d) => !isWeekend(d))),
    makeupWorkdays: sorted(data.makeupWorkdays),
  };
}

/** Same year, text and days (in any order or form). */
export function sameSchedule(a: YearScheduleInput, b: YearScheduleInput): boolean {
  return JSON.stringify(normaliseScheduleData(a)) === JSON.stringify(normaliseScheduleData(b));
}

/**
 * Validates and builds one year's schedule (in the notice's form or normalised); throws, naming the fields,
 * on data that contradicts itself.
 */
export function scheduleFromData(input: unknown): YearSchedule {
  const data = yearScheduleInput.parse(input);
  const issues = scheduleIssues(data.year, data);
  const outside = issues.filter((i) => i.kind === 'other-year');
  const describe = (issue: ScheduleIssue) => `${issue.path.join('.')}: ${issue.message}`;
  if (outside.length > 0)
    throw new Error(`schedule ${data.year} lists dates of another year: ${outside.map(describe).join('; ')}`);
  if (issues.length > 0) {
    throw new Error(
      `schedule ${data.year}: make-up workdays must be weekend days that are not off (${issues.map(describe).join('; ')})`,
    );
  }
  const normalised = normaliseScheduleData(data);
  return {
    year: normalised.year,
    holidays: new Set(normalised.holidays),
    makeupWorkdays: new Set(normalised.makeupWorkdays),
  };
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
  return normaliseScheduleData(yearScheduleInput.parse(data));
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
