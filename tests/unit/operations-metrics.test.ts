import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../functions/domain/calendar-date';
import { type AlertKind, alertKinds, alertLevels } from '../../functions/domain/cases/alerts';
import { caseStatuses } from '../../functions/domain/cases/model';
import { operationsFigures } from '../../functions/domain/operations/operations-figures';
import { alertMetricName, caseWriteMetrics, metricNames } from '../../functions/shared/metrics';
import { oldestRecordAgeMs } from '../../functions/workflow/stream-starter';

const alert = (caseId: string, kind: AlertKind) => ({ caseId, kind });

describe('caseWriteMetrics', () => {
  it('counts a counter intake (created past the draft) as received, and an online draft only when submitted', () => {
    const none = { raisedAlerts: [] };
    expect(caseWriteMetrics({ statusBefore: undefined, statusAfter: 'submitted', ...none })).toEqual([
      metricNames.casesReceived,
    ]);
    expect(caseWriteMetrics({ statusBefore: undefined, statusAfter: 'draft', ...none })).toEqual([]);
    expect(caseWriteMetrics({ statusBefore: 'draft', statusAfter: 'submitted', ...none })).toEqual([
      metricNames.casesReceived,
    ]);
  });

  it('does not count a 补正 round trip as a second receipt', () => {
    const none = { raisedAlerts: [] };
    expect(
      caseWriteMetrics({ statusBefore: 'submitted', statusAfter: 'supplement-requested', ...none }),
    ).toEqual([]);
    expect(
      caseWriteMetrics({ statusBefore: 'supplement-requested', statusAfter: 'submitted', ...none }),
    ).toEqual([]);
  });

  it('counts acceptance, rejection and closure once, when the status becomes it', () => {
    const none = { raisedAlerts: [] };
    expect(caseWriteMetrics({ statusBefore: 'submitted', statusAfter: 'accepted', ...none })).toEqual([
      metricNames.casesAccepted,
    ]);
    expect(caseWriteMetrics({ statusBefore: 'submitted', statusAfter: 'rejected', ...none })).toEqual([
      metricNames.casesRejected,
    ]);
    expect(caseWriteMetrics({ statusBefore: 'issuable', statusAfter: 'closed', ...none })).toEqual([
      metricNames.casesClosed,
    ]);
    // A write that leaves the status alone (a material confirmed, a deadline recomputed) counts nothing.
    expect(caseWriteMetrics({ statusBefore: undefined, statusAfter: undefined, ...none })).toEqual([]);
  });

  it('counts each raised alert by kind and level, and a workflow failure by name too', () => {
    expect(
      caseWriteMetrics({
        statusBefore: undefined,
        statusAfter: undefined,
        raisedAlerts: [
          { kind: 'deadline-warning', level: 'yellow' },
          { kind: 'workflow-failed', level: 'red' },
        ],
      }),
    ).toEqual([
      'AlertsRaised.deadline-warning.yellow',
      'AlertsRaised.workflow-failed.red',
      metricNames.workflowFailures,
    ]);
  });

  it('only ever names a fixed set of metrics (no id can make a new metric stream)', () => {
    const fixed = new Set([
      ...Object.values(metricNames),
      ...alertKinds.flatMap((kind) => alertLevels.map((level) => alertMetricName(kind, level))),
    ]);
    const status = fc.option(fc.oneof(fc.constantFrom(...caseStatuses), fc.string()), { nil: undefined });
    fc.assert(
      fc.property(
        status,
        status,
        fc.array(fc.record({ kind: fc.constantFrom(...alertKinds), level: fc.constantFrom(...alertLevels) })),
        (statusBefore, statusAfter, raisedAlerts) => {
          for (const name of caseWriteMetrics({ statusBefore, statusAfter, raisedAlerts }))
            expect(fixed.has(name), name).toBe(true);
        },
      ),
    );
  });
});

describe('operationsFigures', () => {
  const figures = (
    today: string,
    alerts: { caseId?: string; consultationId?: string; kind: AlertKind }[] = [],
    years = [2025, 2026],
  ) => operationsFigures({ activeRedAlerts: alerts, knownScheduleYears: years, today });

  it('counts cases in attention and overdue cases once each, and every escalation to the admin', () => {
    expect(
      figures('2026-06-01', [
        alert('a', 'workflow-failed'),
        alert('b', 'deadline-overdue'),
        alert('b', 'deadline-overdue'),
        alert('c', 'deadline-overdue'),
        alert('c', 'escalated-to-admin'),
        alert('d', 'escalated-to-admin'),
        alert('d', 'receipt-overdue'),
        { consultationId: 'q', kind: 'consultation-escalated-to-admin' },
        { consultationId: 'q', kind: 'consultation-overdue' },
      ]),
    ).toMatchObject({ casesInAttention: 1, openOverdueCases: 2, alertsEscalatedToAdmin: 3 });
  });

  it("misses next year's schedule from 1 December (Shanghai) until it is known", () => {
    expect(figures('2026-11-30')).toMatchObject({ nextYearScheduleMissing: false, nextYear: 2027 });
    expect(figures('2026-12-01')).toMatchObject({ nextYearScheduleMissing: true, nextYear: 2027 });
    expect(figures('2026-12-31', [], [2026, 2027])).toMatchObject({ nextYearScheduleMissing: false });
    expect(figures('2027-01-01')).toMatchObject({ nextYearScheduleMissing: false, nextYear: 2028 });
  });

  it('takes "today" in Shanghai: 16:00 UTC on 30 November is already 1 December', () => {
    expect(figures(shanghaiDate(Date.parse('2026-11-30T15:59:59Z'))).nextYearScheduleMissing).toBe(false);
    expect(figures(shanghaiDate(Date.parse('2026-11-30T16:00:00Z'))).nextYearScheduleMissing).toBe(true);
    expect(figures(shanghaiDate(Date.parse('2026-12-31T16:30:00Z')))).toMatchObject({
      nextYear: 2028,
      nextYearScheduleMissing: false,
    });
  });
});

describe('oldestRecordAgeMs', () => {
  it("is the age of the batch's oldest record, never negative, and absent without creation times", () => {
    const at = (seconds?: number) => ({
      dynamodb: seconds === undefined ? {} : { ApproximateCreationDateTime: seconds },
    });
    expect(oldestRecordAgeMs([at(100), at(90), at(95)], 100_500)).toBe(10_500);
    expect(oldestRecordAgeMs([at(200)], 100_000)).toBe(0);
    expect(oldestRecordAgeMs([at(), at()], 100_000)).toBeUndefined();
    expect(oldestRecordAgeMs([], 100_000)).toBeUndefined();
  });
});
