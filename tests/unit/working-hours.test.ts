import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publishedSchedules } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import {
  defaultOfficeHours,
  parseOfficeHours,
  workingHoursClock,
} from '../../functions/domain/calendar/working-hours';
import { shanghaiDate } from '../../functions/domain/calendar-date';

/** Office hours 08:30–12:00 and 13:30–17:00 on the 2026 State Council schedule. */
const calendar = workingDayCalendar(publishedSchedules());
const clock = workingHoursClock(calendar);
const at = (local: string) => Date.parse(`${local}+08:00`);
const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('working hours after an instant', () => {
  it('skips the lunch break', () => {
    // Wednesday 2026-12-02, 11:30 + 4 h: 30 min before lunch, 3 h 30 after it.
    expect(local(clock.addWorkingHours(at('2026-12-02T11:30:00'), 4).at)).toBe('2026-12-02 17:00');
    expect(local(clock.addWorkingHours(at('2026-12-02T11:30:00'), 1).at)).toBe('2026-12-02 14:00');
  });

  it('starts at the next opening when raised outside office hours', () => {
    expect(local(clock.addWorkingHours(at('2026-12-02T07:00:00'), 1).at)).toBe('2026-12-02 09:30');
    expect(local(clock.addWorkingHours(at('2026-12-02T12:45:00'), 0.5).at)).toBe('2026-12-02 14:00');
    expect(local(clock.addWorkingHours(at('2026-12-02T19:00:00'), 1).at)).toBe('2026-12-03 09:30');
  });

  it('skips the weekend and ends on a period end rather than the next opening', () => {
    // Friday 2026-12-04, 16:30 + 4 h: 30 min on Friday, then 3 h 30 on Monday 12-07 from 08:30, to the
    // lunch break exactly; 4 h 30 go on after lunch.
    expect(local(clock.addWorkingHours(at('2026-12-04T16:30:00'), 4).at)).toBe('2026-12-07 12:00');
    expect(local(clock.addWorkingHours(at('2026-12-04T16:30:00'), 4.5).at)).toBe('2026-12-07 14:00');
    expect(local(clock.addWorkingHours(at('2026-12-04T16:00:00'), 1).at)).toBe('2026-12-04 17:00');
  });

  it('counts a make-up workday and skips a holiday', () => {
    // 2026: National Day holiday 10-01..10-07 (Thursday 10-01 to Wednesday), make-up Saturday 10-10.
    expect(calendar.isWorkingDay('2026-10-10').working).toBe(true);
    expect(local(clock.addWorkingHours(at('2026-09-30T16:00:00'), 2).at)).toBe('2026-10-08 09:30');
    expect(local(clock.addWorkingHours(at('2026-10-09T16:30:00'), 1).at)).toBe('2026-10-10 09:00');
  });

  it('marks an answer that counts days of a year without a schedule as provisional', () => {
    const far = clock.addWorkingHours(at('2031-03-03T09:00:00'), 1);
    expect(far.provisional).toBe(true);
    expect(clock.addWorkingHours(at('2026-12-02T09:00:00'), 1).provisional).toBe(false);
  });

  it('refuses hours it cannot count', () => {
    for (const hours of [0, -1, Number.NaN, 2_001, 0.001]) {
      expect(() => clock.addWorkingHours(at('2026-12-02T09:00:00'), hours)).toThrow(RangeError);
    }
  });
});

describe('working hours between two instants, the inverse', () => {
  it('counts only office time', () => {
    expect(clock.workingHoursBetween(at('2026-12-02T11:30:00'), at('2026-12-02T17:00:00')).hours).toBe(4);
    expect(clock.workingHoursBetween(at('2026-12-04T16:30:00'), at('2026-12-07T14:00:00')).hours).toBe(4.5);
    expect(clock.workingHoursBetween(at('2026-12-05T09:00:00'), at('2026-12-05T18:00:00')).hours).toBe(0);
    expect(clock.workingHoursBetween(at('2026-12-03T09:00:00'), at('2026-12-02T09:00:00')).hours).toBe(0);
  });

  const instant = fc
    .integer({ min: at('2026-01-01T00:00:00'), max: at('2026-12-31T00:00:00') })
    .map((ms) => Math.floor(ms / 60_000) * 60_000);
  const hours = fc.integer({ min: 1, max: 200 * 4 }).map((quarters) => quarters / 4);

  it('undoes the addition, lands inside an office period of a working day, and never goes back', () => {
    fc.assert(
      fc.property(instant, hours, (from, h) => {
        const due = clock.addWorkingHours(from, h).at;
        expect(due).toBeGreaterThan(from);
        expect(clock.workingHoursBetween(from, due).hours).toBeCloseTo(h, 9);
        const date = shanghaiDate(due);
        expect(calendar.isWorkingDay(date).working).toBe(true);
        const time = local(due).slice(11);
        const inside = defaultOfficeHours.some((p) => time > p.start && time <= p.end);
        expect(inside, `${local(due)}`).toBe(true);
      }),
    );
  });

  it('is additive: h1 then h2 is h1 + h2', () => {
    fc.assert(
      fc.property(instant, hours, hours, (from, h1, h2) => {
        const once = clock.addWorkingHours(from, h1 + h2).at;
        const twice = clock.addWorkingHours(clock.addWorkingHours(from, h1).at, h2).at;
        // Equal, except that stopping on a period end and going on from there may be the next opening.
        expect(clock.workingHoursBetween(once, twice).hours).toBe(0);
        expect(twice).toBeGreaterThanOrEqual(once);
      }),
    );
  });
});

describe('office hours from configuration', () => {
  it('reads periods in order and refuses what is not a period', () => {
    expect(parseOfficeHours('08:30-12:00,13:30-17:00')).toEqual(defaultOfficeHours);
    expect(parseOfficeHours(' 09:00-17:30 ')).toEqual([{ start: '09:00', end: '17:30' }]);
    for (const text of [
      '',
      '8:30-12:00',
      '12:00-08:30',
      '08:30-12:00,11:00-17:00',
      '08:30-12:00-13:00',
      '24:00-25:00',
    ])
      expect(() => parseOfficeHours(text)).toThrow(RangeError);
  });

  it('property: any valid single period is read back as written', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 22 * 60 }), fc.integer({ min: 1, max: 60 }), (start, length) => {
        const end = Math.min(start + length, 23 * 60 + 59);
        const hhmm = (m: number) =>
          `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        expect(parseOfficeHours(`${hhmm(start)}-${hhmm(end)}`)).toEqual([
          { start: hhmm(start), end: hhmm(end) },
        ]);
      }),
    );
  });
});
