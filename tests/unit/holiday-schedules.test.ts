import chineseDays from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayOfWeek } from '../../functions/domain/calendar/dates';
import {
  chineseDaysSchedule,
  chineseDaysYears,
  knownSchedules,
  normaliseScheduleData,
  projectDataLoader,
  publishedSchedules,
  sameSchedule,
  scheduleFromData,
  scheduleIssues,
} from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import { noticeSchedule2026, sampleSchedule2027 } from '../support/calendar-fixtures';

/** The rules a loaded holiday schedule must satisfy, and which schedule counts for a year. */
const isWeekend = (d: string) => dayOfWeek(d) === 0 || dayOfWeek(d) === 6;
const yearArb = fc.integer({ min: 2004, max: 2100 });
/** A date of `year` (or, sometimes, of the year around it). */
const dateAround = (year: number) =>
  fc.integer({ min: -20, max: 385 }).map((n) => addDays(`${year}-01-01`, n));

const datesBetween = (from: string, to: string): string[] => {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  return dates;
};

describe('schedule validation', () => {
  it('accepts the sample 2027 schedule (a test fixture, not a published schedule)', () => {
    expect(scheduleIssues(2027, sampleSchedule2027)).toEqual([]);
    expect(sampleSchedule2027.source).toContain('示例数据');
  });

  it('names exactly the dates outside the year, the weekday make-up days and the days both off and worked (property)', () => {
    fc.assert(
      fc.property(
        yearArb.chain((year) =>
          fc.tuple(
            fc.constant(year),
            fc.array(dateAround(year), { maxLength: 12 }),
            fc.array(dateAround(year), { maxLength: 6 }),
          ),
        ),
        ([year, holidays, makeupWorkdays]) => {
          const issues = scheduleIssues(year, { holidays, makeupWorkdays });
          const off = new Set(holidays);
          // A weekend day off is not an issue: the notice's ranges include weekends.
          const expected = [
            ...holidays.flatMap((d, i) => (!d.startsWith(`${year}-`) ? [['holidays', i].join('.')] : [])),
            ...makeupWorkdays.flatMap((d, i) =>
              !d.startsWith(`${year}-`) || off.has(d) || !isWeekend(d)
                ? [['makeupWorkdays', i].join('.')]
                : [],
            ),
          ];
          const named = issues.map((issue) => issue.path.join('.'));
          const data = { year, source: 's', publishedOn: `${year - 1}-12-01`, holidays, makeupWorkdays };
          const builds = (() => {
            try {
              scheduleFromData(data);
              return true;
            } catch {
              return false;
            }
          })();
          return (
            JSON.stringify(named) === JSON.stringify(expected) &&
            issues.every((i) => i.message.length > 0) &&
            builds === (issues.length === 0)
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes ranges of days off with their weekends: every day of them is off, the weekends are not listed (property)', () => {
    fc.assert(
      fc.property(
        yearArb.filter((y) => y > 2026),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 355 }), fc.integer({ min: 0, max: 9 })), {
          maxLength: 6,
        }),
        (year, spans) => {
          const ranges = spans.map(([start, length]) => ({
            from: addDays(`${year}-01-01`, start),
            to: addDays(`${year}-01-01`, Math.min(start + length, 364)),
          }));
          const days = new Set(ranges.flatMap((r) => datesBetween(r.from, r.to)));
          const data = {
            year,
            source: 's',
            publishedOn: `${year - 1}-12-01`,
            holidays: ranges,
            makeupWorkdays: [],
          };
          expect(scheduleIssues(year, data)).toEqual([]);
          expect(normaliseScheduleData(data).holidays).toEqual([...days].filter((d) => !isWeekend(d)).sort());
          const calendar = workingDayCalendar(publishedSchedules([data]));
          return [...days].every((d) => calendar.isWorkingDay(d).working === false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('makes every listed holiday a day off and every make-up day a working day, none provisional (property)', () => {
    fc.assert(
      fc.property(
        yearArb.filter((y) => y > 2026),
        fc.array(fc.integer({ min: 0, max: 364 }), { maxLength: 20 }),
        (year, offsets) => {
          const dates = offsets
            .map((n) => addDays(`${year}-01-01`, n))
            .filter((d) => d.startsWith(`${year}-`));
          const data = {
            year,
            source: 's',
            publishedOn: `${year - 1}-12-01`,
            holidays: dates.filter((d) => !isWeekend(d)),
            makeupWorkdays: dates.filter(isWeekend),
          };
          const calendar = workingDayCalendar(publishedSchedules([data]));
          return (
            data.holidays.every((d) => calendar.isWorkingDay(d).working === false) &&
            data.makeupWorkdays.every((d) => calendar.isWorkingDay(d).working === true) &&
            dates.every((d) => calendar.isWorkingDay(d).provisional === false)
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('compares schedules by content, whatever the order or repetition of their dates', () => {
    const shuffled = {
      ...sampleSchedule2027,
      holidays: [...sampleSchedule2027.holidays].reverse().concat(sampleSchedule2027.holidays[0] as string),
    };
    expect(sameSchedule(shuffled, sampleSchedule2027)).toBe(true);
    expect(normaliseScheduleData(shuffled).holidays).toEqual(sampleSchedule2027.holidays);
    expect(sameSchedule({ ...sampleSchedule2027, holidays: ['2027-01-01'] }, sampleSchedule2027)).toBe(false);
    expect(sameSchedule({ ...sampleSchedule2027, source: 'other' }, sampleSchedule2027)).toBe(false);
  });
});

describe('which schedule counts for a year', () => {
  const loaded = (year: number, loadedAt: string, loadedBy = 'admin-1') => ({
    ...sampleSchedule2027,
    year,
    loadedAt,
    loadedBy,
  });

  it('lists chinese-days from 2004 through 2026, then project data, then loaded years, each from its source', () => {
    expect(chineseDaysYears()[0]).toBe(2004);
    expect(chineseDaysYears().at(-1)).toBe(2026);
    const known = knownSchedules(
      [loaded(2027, '2026-12-01T00:00:00Z')],
      [{ ...sampleSchedule2027, year: 2026 }],
    );
    expect(known.map((k) => k.year)).toEqual(Array.from({ length: 24 }, (_, i) => 2004 + i));
    expect(known[0]).toEqual({ year: 2004, source: 'chinese-days' });
    expect(known.at(-2)).toMatchObject({
      year: 2026,
      source: 'project-data',
      notice: sampleSchedule2027.source,
    });
    expect(known.at(-1)).toEqual({
      year: 2027,
      source: 'loaded',
      notice: sampleSchedule2027.source,
      publishedOn: sampleSchedule2027.publishedOn,
      loadedAt: '2026-12-01T00:00:00Z',
      loadedBy: 'admin-1',
    });
  });

  it('shows a stored data file as project data, and no year beyond the last known one', () => {
    const known = knownSchedules([loaded(2027, '2026-12-01T00:00:00Z', projectDataLoader)], []);
    expect(known.at(-1)).toMatchObject({ year: 2027, source: 'project-data', loadedBy: projectDataLoader });
    expect(knownSchedules([], []).at(-1)?.year).toBe(2026);
  });
});

describe("chinese-days' data file", () => {
  it('gives every day of 2004–2026 the same answer as the package itself: working day or not', () => {
    for (const year of chineseDaysYears()) {
      const schedule = chineseDaysSchedule(year);
      if (!schedule) throw new Error(`no schedule for ${year}`);
      const calendar = workingDayCalendar(() => schedule);
      for (let day = `${year}-01-01`; day.startsWith(`${year}-`); day = addDays(day, 1)) {
        expect(calendar.isWorkingDay(day), day).toEqual({
          working: chineseDays.isWorkday(day),
          provisional: false,
        });
      }
    }
  });
});

describe('a schedule in the form of the State Council notice (2026)', () => {
  const fieldsOf = (data: Parameters<typeof scheduleIssues>[1]) =>
    scheduleIssues(2026, data).map((issue) => issue.path.join('.'));

  it('is accepted as published: ranges with their weekends, and the weekend days worked', () => {
    expect(scheduleIssues(2026, noticeSchedule2026)).toEqual([]);
    expect(() => scheduleFromData(noticeSchedule2026)).not.toThrow();
  });

  it('means the same days as the schedule the service already has for 2026 (chinese-days)', () => {
    const known = chineseDaysSchedule(2026);
    const normalised = normaliseScheduleData(noticeSchedule2026);
    expect(normalised.holidays).toEqual([...(known?.holidays ?? [])].sort());
    expect(normalised.makeupWorkdays).toEqual([...(known?.makeupWorkdays ?? [])].sort());
    // 春节: 2月15日(周日)至23日(周一)放假调休,共9天; 2月14日(周六)、2月28日(周六)上班.
    const calendar = workingDayCalendar(publishedSchedules([noticeSchedule2026]));
    for (const d of datesBetween('2026-02-15', '2026-02-23'))
      expect(calendar.isWorkingDay(d).working).toBe(false);
    expect(calendar.isWorkingDay('2026-02-14').working).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28').working).toBe(true);
    expect(calendar.addWorkingDays('2026-02-13', 1)).toEqual({ date: '2026-02-14', provisional: false });
    expect(calendar.addWorkingDays('2026-02-14', 1)).toEqual({ date: '2026-02-24', provisional: false });
  });

  it('is the same schedule whether given as ranges or as the expanded dates, weekends included or not', () => {
    const expanded = {
      ...noticeSchedule2026,
      holidays: noticeSchedule2026.holidays.flatMap((entry) =>
        typeof entry === 'string' ? [entry] : datesBetween(entry.from, entry.to),
      ),
    };
    // 02-15 is a Sunday, 02-21 and 02-22 a weekend: listed as dates they are accepted too.
    expect(expanded.holidays).toEqual(expect.arrayContaining(['2026-02-15', '2026-02-21', '2026-02-22']));
    expect(scheduleIssues(2026, expanded)).toEqual([]);
    expect(sameSchedule(expanded, noticeSchedule2026)).toBe(true);
    expect(sameSchedule(normaliseScheduleData(noticeSchedule2026), noticeSchedule2026)).toBe(true);
  });

  it('still refuses what contradicts itself, naming the field', () => {
    // 2月14日 worked and inside the days off.
    expect(
      fieldsOf({
        holidays: [{ from: '2026-02-14', to: '2026-02-23' }],
        makeupWorkdays: ['2026-02-28', '2026-02-14'],
      }),
    ).toEqual(['makeupWorkdays.1']);
    expect(fieldsOf({ holidays: ['2026-02-16'], makeupWorkdays: ['2026-02-16'] })).toEqual([
      'makeupWorkdays.0',
    ]);
    // A range that ends before it starts, or leaves the year.
    expect(fieldsOf({ holidays: [{ from: '2026-02-23', to: '2026-02-15' }], makeupWorkdays: [] })).toEqual([
      'holidays.0.to',
    ]);
    expect(fieldsOf({ holidays: [{ from: '2026-12-31', to: '2027-01-02' }], makeupWorkdays: [] })).toEqual([
      'holidays.0.to',
    ]);
    // A weekday "make-up workday" is a workday anyway: most likely a typing error.
    expect(fieldsOf({ holidays: [], makeupWorkdays: ['2026-02-13'] })).toEqual(['makeupWorkdays.0']);
    expect(() =>
      scheduleFromData({ ...noticeSchedule2026, makeupWorkdays: ['2026-02-14', '2026-02-15'] }),
    ).toThrow(/makeupWorkdays\.1/);
  });
});
