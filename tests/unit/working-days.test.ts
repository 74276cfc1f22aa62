import chineseDays from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, isCalendarDate } from '../../functions/domain/calendar/dates';
import { publishedSchedules, scheduleFromData } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';

const calendar = workingDayCalendar(publishedSchedules());
const coveredDate = fc
  .date({ min: new Date('2004-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-1', '2026-04-31', 'tomorrow', '']) {
      expect(isCalendarDate(bad), bad).toBe(false);
    }
  });

  it('round-trips every date through day arithmetic (property)', () => {
    fc.assert(
      fc.property(
        coveredDate,
        fc.integer({ min: -800, max: 800 }),
        (d, n) => addDays(addDays(d, n), -n) === d,
      ),
    );
  });
});

describe('working days under the published schedules', () => {
  it('agrees with chinese-days on every covered date (property)', () => {
    fc.assert(
      fc.property(coveredDate, (d) => {
        const answer = calendar.isWorkingDay(d);
        return answer.provisional === false && answer.working === chineseDays.isWorkday(d);
      }),
      { numRuns: 500 },
    );
  });

  it('skips the National Day week: the first working day after 2026-09-30 is 2026-10-08', () => {
    expect(calendar.addWorkingDays('2026-09-30', 1)).toEqual({ date: '2026-10-08', provisional: false });
  });

  it('counts a make-up Saturday (调休) as a working day', () => {
    const makeup = chineseDays.getWorkdaysInRange('2026-01-01', '2026-12-31', true).find((d) => {
      const day = new Date(`${d}T00:00:00Z`).getUTCDay();
      return day === 0 || day === 6;
    });
    expect(makeup).toBeDefined();
    expect(calendar.isWorkingDay(makeup as string)).toEqual({ working: true, provisional: false });
    expect(calendar.addWorkingDays(addDays(makeup as string, -1), 1).date).toBe(makeup);
  });

  it('lands on a working day with exactly N working days after the start (property)', () => {
    fc.assert(
      fc.property(
        coveredDate.filter((d) => d < '2026-06-01'),
        fc.integer({ min: 1, max: 60 }),
        (from, days) => {
          const { date } = calendar.addWorkingDays(from, days);
          let counted = 0;
          for (let d = addDays(from, 1); d <= date; d = addDays(d, 1))
            if (chineseDays.isWorkday(d)) counted++;
          return chineseDays.isWorkday(date) && counted === days;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('marks answers that reach a year without a published schedule as provisional', () => {
    const answer = calendar.addWorkingDays('2026-12-20', 30);
    expect(answer.provisional).toBe(true);
    expect(answer.date.startsWith('2027-')).toBe(true);
    expect(calendar.hasSchedule(2027)).toBe(false);
  });

  it('refuses a count outside 1..365', () => {
    expect(() => calendar.addWorkingDays('2026-01-05', 0)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('2026-01-05', 366)).toThrow(RangeError);
  });
});

describe("the project's own schedule data", () => {
  const schedule2027 = {
    year: 2027,
    source: '示例：假设的 2027 年节假日安排 (test fixture)',
    publishedOn: '2026-11-20',
    holidays: ['2027-01-01', '2027-10-01', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07'],
    makeupWorkdays: ['2027-09-26', '2027-10-09'],
  };

  it('makes a year loadable when it is published: no longer provisional, holidays and make-up days honoured', () => {
    const withData = workingDayCalendar(publishedSchedules([schedule2027]));
    expect(withData.addWorkingDays('2026-12-31', 1)).toEqual({ date: '2027-01-04', provisional: false });
    expect(withData.isWorkingDay('2027-10-09')).toEqual({ working: true, provisional: false });
    expect(withData.addWorkingDays('2027-09-30', 1)).toEqual({ date: '2027-10-08', provisional: false });
  });

  it('refuses data that contradicts itself', () => {
    expect(() => scheduleFromData({ ...schedule2027, holidays: ['2028-01-03'] })).toThrow(/another year/);
    expect(() => scheduleFromData({ ...schedule2027, makeupWorkdays: ['2027-10-08'] })).toThrow(/weekend/);
    expect(() => scheduleFromData({ ...schedule2027, makeupWorkdays: ['2027-10-01'] })).toThrow(/not off/);
    expect(() => scheduleFromData({ ...schedule2027, publishedOn: '2026-02-30' })).toThrow();
  });
});
