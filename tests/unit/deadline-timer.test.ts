import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dueForRenewal,
  executionRenewalDays,
  renewalAt,
  sleepSeconds,
  successorExecutionName,
} from '../../functions/domain/cases/deadline-timer';

const day = 86_400_000;
const started = '2026-12-01T16:30:00.000Z';
const startedMs = Date.parse(started);

describe('the deadline timer sleep', () => {
  it('sleeps to the next planned instant, rounded up to whole seconds', () => {
    const now = startedMs + 1_500;
    expect(sleepSeconds({ nextFireAt: '2026-12-02T16:00:00.000Z', dueNow: false }, now, started)).toBe(
      Math.ceil((Date.parse('2026-12-02T16:00:00.000Z') - now) / 1000),
    );
  });

  it('runs at once when an alert is due and not raised, and never sleeps less than a second', () => {
    expect(sleepSeconds({ nextFireAt: '2027-01-01T00:00:00.000Z', dueNow: true }, startedMs, started)).toBe(
      1,
    );
    expect(sleepSeconds({ nextFireAt: started, dueNow: false }, startedMs + 5_000, started)).toBe(1);
  });

  it('sleeps until the renewal when nothing is planned (a paused clock, every alert raised)', () => {
    expect(sleepSeconds({ dueNow: false }, startedMs, started)).toBe(executionRenewalDays * 86_400);
    expect(renewalAt(started) - startedMs).toBe(executionRenewalDays * day);
    // Well inside the one-year limit of a Standard execution.
    expect(executionRenewalDays).toBeLessThan(365);
  });

  it('never sleeps past the renewal, however far the next planned instant is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: executionRenewalDays * day }),
        fc.option(fc.integer({ min: 0, max: 3 * 365 * day })),
        (elapsed, planned) => {
          const now = startedMs + elapsed;
          const nextFireAt = planned === null ? undefined : new Date(startedMs + planned).toISOString();
          const seconds = sleepSeconds({ nextFireAt, dueNow: false }, now, started);
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(1);
          const wake = now + seconds * 1000;
          // Never early for the planned instant, never late for the renewal (beyond the rounding).
          if (nextFireAt && Date.parse(nextFireAt) <= renewalAt(started))
            expect(wake).toBeGreaterThanOrEqual(Math.min(Date.parse(nextFireAt), now + 1000));
          expect(wake).toBeLessThan(Math.max(renewalAt(started), now) + 1000 + 1);
        },
      ),
    );
  });

  it('is due for renewal from the renewal instant on, not before', () => {
    expect(dueForRenewal(renewalAt(started) - 1, started)).toBe(false);
    expect(dueForRenewal(renewalAt(started), started)).toBe(true);
  });
});

describe('execution generations', () => {
  const caseId = '0b6f6d3e-3c1a-4f7e-9a51-6f3e2b1c9d10';

  it('names the successor of the first execution g2, and each later one by the next number', () => {
    expect(successorExecutionName(caseId, caseId)).toBe(`${caseId}-g2`);
    expect(successorExecutionName(caseId, `${caseId}-g2`)).toBe(`${caseId}-g3`);
    expect(successorExecutionName(caseId, `${caseId}-g41`)).toBe(`${caseId}-g42`);
  });

  it('starts again at g2 from a name it does not recognise, and stays within 80 characters', () => {
    expect(successorExecutionName(caseId, 'resumed-by-operator')).toBe(`${caseId}-g2`);
    expect(successorExecutionName(caseId, `${caseId}-gx`)).toBe(`${caseId}-g2`);
    expect(successorExecutionName(caseId, `${caseId}-g99999`).length).toBeLessThanOrEqual(80);
  });
});
