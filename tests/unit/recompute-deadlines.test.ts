import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/calendar/dates';
import {
  recomputeCaseDeadlines,
  recomputeDeadlinesAction,
} from '../../functions/domain/calendar/recompute-deadlines';
import {
  type ProcessingClock,
  pauseClock,
  resumeClock,
  startClock,
} from '../../functions/domain/cases/processing-clock';
import { changesBetween, verifyChain } from '../../functions/domain/cases/trail';
import { calendarWith2027, calendarWithout2027, openCase } from '../support/calendar-fixtures';

/** The pure part of a schedule load: does an open case's clock move, and what are its next record and event. */
const admin = { userId: 'admin-1', role: 'admin' };
const at = '2026-12-21T08:00:00.000Z';

describe('recomputing the deadlines of one case under a new schedule', () => {
  it('moves due dates that fell in an unpublished year, with one chained trail event of old and new values', () => {
    const clock = startClock(calendarWithout2027, '2026-12-20', 20, 60);
    expect(clock.provisional).toBe(true);
    const { record, event: first } = openCase('C-1', clock);

    const result = recomputeCaseDeadlines(calendarWith2027, record, admin, at);

    expect(result).toBeDefined();
    const { next, event } = result as NonNullable<typeof result>;
    expect(next.clock).toEqual(startClock(calendarWith2027, '2026-12-20', 20, 60));
    expect(next.clock?.provisional).toBe(false);
    // 2027-01-01 is a holiday in the sample: the promised date moves by one working day.
    expect(next.clock?.promisedDueDate).toBe(calendarWith2027.addWorkingDays('2026-12-20', 20).date);
    expect(next.clock?.promisedDueDate).not.toBe(clock.promisedDueDate);
    // A system write: the version people edit against does not move.
    expect(next.version).toBe(record.version);
    expect(next.trailHead).toEqual({ seq: 2, hash: event.hash });
    expect({ ...next, clock: record.clock, trailHead: record.trailHead }).toEqual(record);

    expect(event).toMatchObject({
      seq: 2,
      at,
      actor: admin,
      channel: 'centre',
      action: recomputeDeadlinesAction,
    });
    expect(event.prevHash).toBe(record.trailHead.hash);
    expect(event.changes).toEqual(
      expect.arrayContaining([
        { field: 'clock.promisedDueDate', old: clock.promisedDueDate, new: next.clock?.promisedDueDate },
        { field: 'clock.statutoryDueDate', old: clock.statutoryDueDate, new: next.clock?.statutoryDueDate },
        { field: 'clock.provisional', old: true, new: false },
      ]),
    );
    expect(verifyChain([first, event])).toEqual({ valid: true, events: 2, head: event.hash });
  });

  it('leaves a case alone when nothing of its clock moves, or when it has no clock', () => {
    const inside2026 = openCase('C-2', startClock(calendarWithout2027, '2026-03-02', 10, 20)).record;
    expect(recomputeCaseDeadlines(calendarWith2027, inside2026, admin, at)).toBeUndefined();
    expect(
      recomputeCaseDeadlines(calendarWith2027, openCase('C-3', undefined).record, admin, at),
    ).toBeUndefined();
  });

  it('changes nothing the second time (loading the same schedule again)', () => {
    const { record } = openCase('C-4', startClock(calendarWithout2027, '2026-12-20', 20, 60));
    const once = recomputeCaseDeadlines(calendarWith2027, record, admin, at);
    expect(once).toBeDefined();
    expect(recomputeCaseDeadlines(calendarWith2027, once?.next ?? record, admin, at)).toBeUndefined();
  });

  it('counts a closed pause again: a pause over a new holiday consumed one working day less', () => {
    let clock = startClock(calendarWithout2027, '2026-12-28', 20, 60);
    clock = pauseClock(clock, 'supplement', '2026-12-30');
    clock = resumeClock(calendarWithout2027, clock, '2027-01-05');
    const { record } = openCase('C-5', clock);
    const result = recomputeCaseDeadlines(calendarWith2027, record, admin, at);
    expect(clock.pauses[0]?.workingDays).toBe(4); // 12-31, 01-01, 01-04, 01-05
    expect(result?.next.clock?.pauses[0]?.workingDays).toBe(3); // 01-01 is a holiday in the sample
    expect(result?.event.changes).toContainEqual({ field: 'clock.pauses.0.workingDays', old: 4, new: 3 });
  });

  it('gives the clock the facts give under the new calendar, and records exactly the difference (property)', () => {
    const startDate = fc.integer({ min: 0, max: 700 }).map((n) => addDays('2026-01-01', n));
    fc.assert(
      fc.property(
        startDate,
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 40 }),
        (start, promised, more) => {
          const statutory = promised + more;
          const before = startClock(calendarWithout2027, start, promised, statutory);
          const expected = startClock(calendarWith2027, start, promised, statutory);
          const result = recomputeCaseDeadlines(calendarWith2027, openCase('C-p', before).record, admin, at);
          const changes = changesBetween({ clock: before }, { clock: expected });
          if (changes.length === 0) return result === undefined;
          return (
            result !== undefined &&
            JSON.stringify(result.next.clock) === JSON.stringify(expected satisfies ProcessingClock) &&
            JSON.stringify(result.event.changes) === JSON.stringify(changes) &&
            recomputeCaseDeadlines(calendarWith2027, result.next, admin, at) === undefined
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
