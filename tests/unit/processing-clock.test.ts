import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/calendar/dates';
import { publishedSchedules } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import {
  alertAgenda,
  defaultAlertPolicy,
  nthLastWorkingDay,
  plannedAlerts,
} from '../../functions/domain/cases/alerts';
import type { CaseRecord } from '../../functions/domain/cases/model';
import {
  ClockRuleError,
  endOfShanghaiDay,
  extendClock,
  pauseClock,
  recomputeClock,
  resumeClock,
  startClock,
  startOfShanghaiDay,
  workingDaysBetween,
} from '../../functions/domain/cases/processing-clock';

/** The processing clock and the alert plan against the 2026 State Council schedule. */
const calendar = workingDayCalendar(publishedSchedules());
const extension = {
  workingDays: 10,
  reason: '需组织专家评审',
  approvedBy: 'chief-1',
  approvedAt: '2026-10-12T02:00:00Z',
};

describe('processing clock (办理时限)', () => {
  it('counts the make-up Saturday 2026-10-10 and skips the National Day week', () => {
    const clock = startClock(calendar, '2026-09-28', 5, 20);
    // 09-29, 09-30, 10-08, 10-09, 10-10 (调休上班).
    expect(clock).toMatchObject({ promisedDueDate: '2026-10-10', provisional: false });
    // 20 working days: … 10-10, 10-12 … 10-30 with no further holiday.
    expect(clock.statutoryDueDate).toBe(calendar.addWorkingDays('2026-09-28', 20).date);
    expect(startClock(calendar, '2026-09-19', 1, 1).promisedDueDate).toBe('2026-09-20');
  });

  it('moves the deadline by the working days a pause consumed, the same day costing nothing', () => {
    const running = startClock(calendar, '2026-09-21', 5, 10);
    const sameDay = resumeClock(calendar, pauseClock(running, 'supplement', '2026-09-22'), '2026-09-22');
    expect(sameDay.promisedDueDate).toBe(running.promisedDueDate);
    // Paused Tuesday 09-22 to Monday 09-28: 09-23, 09-24 and 09-28 were working days (Mid-Autumn between).
    const paused = resumeClock(
      calendar,
      pauseClock(running, 'special-procedure', '2026-09-22'),
      '2026-09-28',
    );
    expect(paused.pauses).toEqual([
      { kind: 'special-procedure', from: '2026-09-22', to: '2026-09-28', workingDays: 3 },
    ]);
    expect(paused.promisedDueDate).toBe(calendar.addWorkingDays('2026-09-21', 8).date);
  });

  it('refuses a second pause, a resume without a pause and a second extension', () => {
    const running = startClock(calendar, '2026-09-21', 5, 10);
    const paused = pauseClock(running, 'supplement', '2026-09-22');
    expect(() => pauseClock(paused, 'special-procedure', '2026-09-23')).toThrow(ClockRuleError);
    expect(() => resumeClock(calendar, running, '2026-09-23')).toThrow(ClockRuleError);
    const extended = extendClock(calendar, running, extension);
    expect(extended.promisedDueDate).toBe(calendar.addWorkingDays('2026-09-21', 15).date);
    expect(() => extendClock(calendar, extended, extension)).toThrow(/已经延期/);
  });

  it('derives the due dates from the facts only: recomputing under the same calendar changes nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 15 }),
        (offset, days, pauseStart, pauseLength) => {
          const start = addDays('2026-01-05', offset);
          let clock = startClock(calendar, start, days, days * 2);
          clock = pauseClock(clock, 'supplement', addDays(start, pauseStart));
          clock = resumeClock(calendar, clock, addDays(start, pauseStart + pauseLength));
          const paused = clock.pauses[0]?.workingDays ?? -1;
          return (
            recomputeClock(calendar, clock).promisedDueDate === clock.promisedDueDate &&
            paused ===
              workingDaysBetween(
                calendar,
                addDays(start, pauseStart),
                addDays(start, pauseStart + pauseLength),
              ) &&
            clock.promisedDueDate === calendar.addWorkingDays(start, days + paused).date
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('marks a deadline in a year without a published schedule provisional', () => {
    expect(startClock(calendar, '2026-12-21', 20, 20)).toMatchObject({ provisional: true });
  });

  it('ends and starts Shanghai days at 16:00 UTC', () => {
    expect(endOfShanghaiDay('2026-10-10')).toBe('2026-10-10T16:00:00.000Z');
    expect(startOfShanghaiDay('2026-10-10')).toBe('2026-10-09T16:00:00.000Z');
  });
});

describe('alert plan (预警)', () => {
  const accepted = (clock = startClock(calendar, '2026-09-28', 5, 20)) =>
    ({
      phase: 'awaiting-review',
      clock,
      backOffice: { specialProcedures: [] },
      materials: {},
    }) as Pick<CaseRecord, 'phase' | 'clock' | 'backOffice' | 'deferrals' | 'materials'>;

  it('counts back working days for the warning, the make-up day included', () => {
    expect(nthLastWorkingDay(calendar, '2026-10-10', 1)).toBe('2026-10-10');
    expect(nthLastWorkingDay(calendar, '2026-10-10', 3)).toBe('2026-10-08');
    expect(nthLastWorkingDay(calendar, '2026-10-11', 1)).toBe('2026-10-10');
  });

  it('plans yellow, red and both escalations from the promised date', () => {
    const planned = plannedAlerts(accepted(), calendar, defaultAlertPolicy);
    expect(planned.map((p) => [p.kind, p.level, p.fireAt])).toEqual([
      ['deadline-warning', 'yellow', startOfShanghaiDay('2026-10-08')],
      ['deadline-overdue', 'red', endOfShanghaiDay('2026-10-10')],
      ['escalated-to-chief', 'red', endOfShanghaiDay('2026-10-12')],
      ['escalated-to-admin', 'red', endOfShanghaiDay('2026-10-14')],
    ]);
  });

  it('warns short matters too: at the start of their first counted working day, before they turn red', () => {
    for (const days of [1, 2, 3]) {
      const clock = startClock(calendar, '2026-09-28', days, 20);
      const planned = plannedAlerts(accepted(clock), calendar, defaultAlertPolicy);
      const warning = planned.find((p) => p.kind === 'deadline-warning');
      const red = planned.find((p) => p.kind === 'deadline-overdue');
      // The first day counted is the working day after acceptance (Monday 2026-09-28 → Tuesday).
      expect(warning, `${days} days`).toMatchObject({
        level: 'yellow',
        dueDate: clock.promisedDueDate,
        fireAt: startOfShanghaiDay('2026-09-29'),
      });
      expect(Date.parse(warning?.fireAt ?? '')).toBeGreaterThan(Date.parse('2026-09-28T16:00:00Z') - 1);
      expect(Date.parse(warning?.fireAt ?? '')).toBeLessThan(Date.parse(red?.fireAt ?? ''));
    }
    // From the threshold up, three working days before the promised date as before.
    const four = startClock(calendar, '2026-09-28', 4, 20);
    expect(
      plannedAlerts(accepted(four), calendar, defaultAlertPolicy).find((p) => p.kind === 'deadline-warning')
        ?.fireAt,
    ).toBe(startOfShanghaiDay(nthLastWorkingDay(calendar, four.promisedDueDate, 3)));
  });

  it('plans nothing for the deadline while the clock is paused or after the result went back', () => {
    const paused = accepted(
      pauseClock(startClock(calendar, '2026-09-28', 5, 20), 'supplement', '2026-09-29'),
    );
    expect(plannedAlerts(paused, calendar, defaultAlertPolicy)).toEqual([]);
    expect(
      plannedAlerts({ ...accepted(), phase: 'awaiting-issuance' }, calendar, defaultAlertPolicy),
    ).toEqual([]);
  });

  it('plans the receipt alert for the end of the next working day after the handover', () => {
    const handedOver = {
      ...accepted(),
      phase: 'awaiting-receipt' as const,
      backOffice: { handedOverAt: '2026-09-30T03:00:00Z', specialProcedures: [] },
    };
    const receipt = plannedAlerts(handedOver, calendar, defaultAlertPolicy).find(
      (p) => p.kind === 'receipt-overdue',
    );
    expect(receipt).toMatchObject({ dueDate: '2026-10-08', fireAt: endOfShanghaiDay('2026-10-08') });
  });

  it('raises what is due and new, resolves what no longer applies, and sleeps until the next instant', () => {
    const planned = plannedAlerts(accepted(), calendar, defaultAlertPolicy);
    const agenda = alertAgenda(
      planned,
      [
        { alertId: 'deadline-warning#2026-10-10', status: 'active' },
        { alertId: 'deadline-overdue#2026-10-02', status: 'active' },
      ],
      '2026-10-11T01:00:00.000Z',
    );
    expect(agenda).toEqual({
      raise: [expect.objectContaining({ alertId: 'deadline-overdue#2026-10-10' })],
      resolve: ['deadline-overdue#2026-10-02'],
      nextFireAt: endOfShanghaiDay('2026-10-12'),
    });
  });
});
