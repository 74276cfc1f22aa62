import { createHash } from 'node:crypto';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { publishedSchedules } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import { shanghaiDate } from '../../functions/domain/calendar-date';
import { defaultAlertPolicy, nthLastWorkingDay } from '../../functions/domain/cases/alerts';
import { executionRenewalDays } from '../../functions/domain/cases/deadline-timer';
import { endOfShanghaiDay } from '../../functions/domain/cases/processing-clock';
import { verifyChain } from '../../functions/domain/cases/trail';
import type { Principal } from '../../functions/domain/principal';
import {
  type LifecycleHarness,
  principals,
  shanghai,
  startLifecycleHarness,
} from '../support/lifecycle-harness';

/**
 * Every path of statemachines/case-lifecycle.asl.json in the local runner, driven by the real case use
 * cases and workflow tasks over DynamoDB Local, with the clock accelerated: approve, deny, supplement,
 * special procedure, extension, deferrable overdue, warning, overdue, escalation, and a permanent failure.
 * Dates are on the 2026 State Council schedule (Mid-Autumn and National Day, the make-up Saturday 10-10).
 */
const calendar = workingDayCalendar(publishedSchedules());
let harness: LifecycleHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const start = async (origin: string, speed: number) => {
  harness = await startLifecycleHarness({ origin: shanghai(origin), speed });
  return harness;
};

const day = 86_400_000;
const sleepVirtual = (h: LifecycleHarness, virtualMs: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.ceil(virtualMs / h.clock.speed)));

describe('back-office steps', () => {
  it('approves an entrusted case: handover, receipt, review, decision, production, return; no alert in time', async () => {
    const h = await start('2026-09-21T09:00:00', 5_000);
    const accepted = await h.acceptedCase('YJ-0001');
    const dept = accepted.matter.departmentId;
    const reviewer = principals.reviewer(dept);
    expect(accepted).toMatchObject({
      status: 'accepted',
      phase: 'awaiting-receipt',
      backOffice: { handedOverAt: expect.any(String) },
      // 5 working days after Monday 09-21 skips Mid-Autumn (09-25, Friday): Tuesday 09-29.
      clock: { startDate: '2026-09-21', promisedDays: 5, promisedDueDate: '2026-09-29', provisional: false },
    });

    await h.waitingIn(accepted.caseId, 'awaiting-receipt');
    // The window's clerk, and a reviewer of another department, may not take the department's steps.
    await expect(
      h.useCases.backOffice.confirmReceipt(
        principals.clerk(accepted.matter.windowId),
        accepted.caseId,
        accepted.version,
      ),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      h.useCases.backOffice.confirmReceipt(principals.reviewer('water'), accepted.caseId, accepted.version),
    ).rejects.toMatchObject({ status: 404 });
    // Out of order: the decision cannot come before the review.
    await expect(
      h.useCases.backOffice.decide(reviewer, accepted.caseId, {
        version: accepted.version,
        outcome: 'approve',
        reasons: '',
      }),
    ).rejects.toMatchObject({ status: 409, code: 'INVALID_CASE_PHASE' });

    let record = await h.useCases.backOffice.confirmReceipt(reviewer, accepted.caseId, accepted.version);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    record = await h.useCases.backOffice.review(reviewer, accepted.caseId, {
      version: record.version,
      opinion: '材料齐全,符合条件',
      recommendation: 'approve',
    });
    await h.waitingIn(accepted.caseId, 'awaiting-decision');
    record = await h.useCases.backOffice.decide(principals.chief(dept), accepted.caseId, {
      version: record.version,
      outcome: 'approve',
      reasons: '',
    });
    expect(record.status).toBe('decided');
    await h.waitingIn(accepted.caseId, 'awaiting-production');
    record = await h.issuance.produceResult(reviewer, accepted.caseId, {
      version: record.version,
      resultNumber: 'YJ2026-0001',
    });
    await h.waitingIn(accepted.caseId, 'awaiting-return');
    record = await h.useCases.backOffice.returnToWindow(reviewer, accepted.caseId, record.version);
    await h.waitingIn(accepted.caseId, 'awaiting-issuance');
    expect(record).toMatchObject({ status: 'issuable', phase: 'awaiting-issuance' });

    const final = await h.read(accepted.caseId);
    expect(final).toMatchObject({
      phase: 'awaiting-issuance',
      backOffice: {
        receivedBy: { userId: reviewer.userId },
        review: { recommendation: 'approve' },
        decision: { outcome: 'approve', decidedBy: `chief-${dept}` },
        result: { resultNumber: 'YJ2026-0001' },
        returnedBy: reviewer.userId,
      },
    });
    expect(await h.alerts(accepted.caseId)).toEqual([]);
    const trail = await h.useCases.trail(reviewer, accepted.caseId);
    expect(trail.map((e) => e.action)).toEqual([
      'create',
      ...trail.slice(1, -6).map((e) => e.action),
      'accept',
      'confirm-receipt',
      'review',
      'decide',
      'produce-result',
      'return-to-window',
    ]);
    expect(verifyChain(trail)).toMatchObject({ valid: true });
    expect((await h.execution(accepted.caseId)).status).toBe('RUNNING');

    // 出件: the applicant collects at the window with the ID card (the whole number); 办结.
    const clerk = principals.clerk(accepted.matter.windowId);
    const issued = await h.issuance.issue(clerk, accepted.caseId, {
      version: final.version,
      method: 'pickup',
      pickup: { idNumber: '11010519491231002X', collectedBy: '李华' },
    });
    expect(issued).toMatchObject({
      status: 'closed',
      phase: 'closed',
      issuance: { method: 'pickup', delivery: { signedBy: '李华' } },
    });
    expect(await h.ended(accepted.caseId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('skips the handover at a dispatched window and records a denial with reasons and remedies', async () => {
    const h = await start('2026-09-21T09:00:00', 5_000);
    const accepted = await h.acceptedCase('JY-0005');
    expect(accepted.matter.staffingMode).toBe('dispatched');
    expect(accepted.phase).toBe('awaiting-review');
    expect(accepted.backOffice?.handedOverAt).toBeUndefined();
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    let record = await h.useCases.backOffice.review(reviewer, accepted.caseId, {
      version: accepted.version,
      opinion: '不符合设立条件',
      recommendation: 'deny',
    });
    await h.waitingIn(accepted.caseId, 'awaiting-decision');
    record = await h.useCases.backOffice.decide(reviewer, accepted.caseId, {
      version: record.version,
      outcome: 'deny',
      reasons: '办学场地不符合安全标准',
    });
    expect(record.notices.at(-1)).toMatchObject({
      type: 'decision',
      content: {
        title: '不予行政许可决定书',
        reasons: '办学场地不符合安全标准',
        remedies: expect.stringContaining('行政复议'),
      },
    });
    await h.waitingIn(accepted.caseId, 'awaiting-production');
    record = await h.issuance.produceResult(reviewer, accepted.caseId, {
      version: record.version,
    });
    expect(record.backOffice?.result).toMatchObject({ resultName: '不予行政许可决定书' });
  });

  it('a stale or repeated completion of a step changes nothing', async () => {
    const h = await start('2026-09-21T09:00:00', 5_000);
    const accepted = await h.acceptedCase('JY-0005');
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    const record = await h.useCases.backOffice.review(reviewer, accepted.caseId, {
      version: accepted.version,
      opinion: '符合条件',
      recommendation: 'approve',
    });
    // The same review again: the version read is stale.
    await expect(
      h.useCases.backOffice.review(reviewer, accepted.caseId, {
        version: accepted.version,
        opinion: '符合条件',
        recommendation: 'approve',
      }),
    ).rejects.toMatchObject({ status: 409 });
    await h.waitingIn(accepted.caseId, 'awaiting-decision');
    // And at the current version, in the wrong phase.
    await expect(
      h.useCases.backOffice.review(reviewer, accepted.caseId, {
        version: record.version,
        opinion: '符合条件',
        recommendation: 'approve',
      }),
    ).rejects.toMatchObject({ status: 409, code: 'INVALID_CASE_PHASE' });
    expect((await h.read(accepted.caseId)).phase).toBe('awaiting-decision');
  });
});

describe('the processing clock', () => {
  it('stops while the applicant supplements at the department’s request, and moves the deadline by the days paused', async () => {
    const h = await start('2026-09-21T09:00:00', 100_000);
    const accepted = await h.acceptedCase('JY-0005');
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    const clerk = principals.clerk(accepted.matter.windowId);
    const materialId = accepted.matter.materials.find((m) => m.required)?.id as string;
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    const asked = await h.useCases.backOffice.requestSupplement(reviewer, accepted.caseId, {
      version: accepted.version,
      items: [{ materialId, problem: '复印件不清晰' }],
    });
    expect(asked).toMatchObject({
      phase: 'awaiting-supplement',
      clock: { pauses: [{ kind: 'supplement', from: '2026-09-21' }] },
    });
    await h.waitingIn(accepted.caseId, 'awaiting-supplement');
    // Without the material the resubmission is refused, naming it.
    await expect(h.useCases.resubmit(clerk, accepted.caseId, asked.version)).rejects.toMatchObject({
      status: 409,
      code: 'SUPPLEMENT_INCOMPLETE',
    });

    await sleepVirtual(h, 2 * day);
    await replaceMaterial(h, clerk, accepted.caseId, materialId);
    const record = await h.read(accepted.caseId);
    const resumed = await h.useCases.resubmit(clerk, accepted.caseId, record.version);
    const pause = resumed.clock?.pauses[0];
    expect(resumed.phase).toBe('awaiting-review');
    expect(pause?.to).toBeDefined();
    expect(pause?.workingDays).toBeGreaterThanOrEqual(1);
    expect(resumed.clock?.promisedDueDate).toBe(
      calendar.addWorkingDays('2026-09-21', 5 + (pause?.workingDays ?? 0)).date,
    );
    expect(String(resumed.clock?.promisedDueDate) > String(accepted.clock?.promisedDueDate)).toBe(true);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
  });

  it('stops during a special procedure, tells the applicant, and resumes where it stood', async () => {
    const h = await start('2026-09-21T09:00:00', 100_000);
    const accepted = await h.acceptedCase('JY-0005');
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    const started = await h.useCases.backOffice.startSpecialProcedure(reviewer, accepted.caseId, {
      version: accepted.version,
      type: 'inspection',
      reason: '需现场勘验办学场地',
    });
    expect(started.notices.at(-1)).toMatchObject({
      type: 'special-procedure',
      content: { procedure: '现场勘验' },
    });
    await h.waitingIn(accepted.caseId, 'awaiting-special-procedure');
    await sleepVirtual(h, 1.5 * day);
    const ended = await h.useCases.backOffice.endSpecialProcedure(reviewer, accepted.caseId, {
      version: started.version,
      result: '场地符合要求',
    });
    expect(ended.phase).toBe('awaiting-review');
    const pause = ended.clock?.pauses[0];
    expect(pause).toMatchObject({ kind: 'special-procedure', from: '2026-09-21' });
    expect(ended.clock?.promisedDueDate).toBe(
      calendar.addWorkingDays('2026-09-21', 5 + (pause?.workingDays ?? -99)).date,
    );
    expect(ended.backOffice?.specialProcedures[0]).toMatchObject({
      type: 'inspection',
      result: '场地符合要求',
    });
    await h.waitingIn(accepted.caseId, 'awaiting-review');
  });

  it('is extended once, by the chief representative only; the red alert of the old date is resolved', async () => {
    // Accepted Monday 09-28: 5 working days run 09-29, 09-30, 10-08, 10-09 and the make-up Saturday 10-10.
    const h = await start('2026-09-28T09:00:00', 1_000_000);
    const accepted = await h.acceptedCase('JY-0005');
    expect(accepted.clock?.promisedDueDate).toBe('2026-10-10');
    const dept = accepted.matter.departmentId;
    const alerts = await vitestWaitFor(h, accepted.caseId, (list) =>
      list.some((a) => a.kind === 'deadline-overdue'),
    );
    expect(alerts.find((a) => a.kind === 'deadline-overdue')).toMatchObject({
      level: 'red',
      dueDate: '2026-10-10',
      status: 'active',
    });

    let record = await h.read(accepted.caseId);
    await expect(
      h.useCases.backOffice.extend(principals.reviewer(dept), accepted.caseId, {
        version: record.version,
        workingDays: 10,
        reason: '需补充调查',
      }),
    ).rejects.toMatchObject({ status: 403 });
    const extended = await h.useCases.backOffice.extend(principals.chief(dept), accepted.caseId, {
      version: record.version,
      workingDays: 10,
      reason: '需补充调查',
    });
    expect(extended.clock?.extension).toMatchObject({ workingDays: 10, approvedBy: `chief-${dept}` });
    expect(extended.clock?.promisedDueDate).toBe(calendar.addWorkingDays('2026-10-10', 10).date);
    const after = await h.alerts(accepted.caseId);
    expect(after.find((a) => a.kind === 'deadline-overdue' && a.dueDate === '2026-10-10')?.status).toBe(
      'resolved',
    );
    record = await h.read(accepted.caseId);
    await expect(
      h.useCases.backOffice.extend(principals.chief(dept), accepted.caseId, {
        version: record.version,
        workingDays: 1,
        reason: '再次延期',
      }),
    ).rejects.toMatchObject({ status: 409, code: 'ALREADY_EXTENDED' });
    const trail = await h.useCases.trail(principals.chief(dept), accepted.caseId);
    const extension = trail.find((e) => e.action === 'extend');
    expect(extension?.changes).toEqual(
      expect.arrayContaining([
        { field: 'clock.promisedDueDate', old: '2026-10-10', new: extended.clock?.promisedDueDate },
        {
          field: expect.stringMatching(/^alerts\.deadline-overdue#2026-10-10/),
          old: 'active',
          new: 'resolved',
        },
      ]),
    );
  });
});

describe('timed alerts', () => {
  it('warns, turns red, escalates to the chief and the admin on time, and flags the missed receipt', async () => {
    const h = await start('2026-09-28T09:00:00', 150_000);
    const accepted = await h.acceptedCase('YJ-0001');
    expect(accepted.clock?.promisedDueDate).toBe('2026-10-10');
    const alerts = await vitestWaitFor(
      h,
      accepted.caseId,
      (list) => list.some((a) => a.kind === 'escalated-to-admin'),
      30_000,
    );
    const raised = (kind: string) => {
      const alert = alerts.find((a) => a.kind === kind);
      if (!alert) throw new Error(`no ${kind} alert`);
      return Date.parse(alert.raisedAt);
    };
    const expectedAt: Record<string, string> = {
      // Handed over Monday 09-28: receipt due by the end of 09-29.
      'receipt-overdue': '2026-09-30T00:00:00',
      // Three working days left counting the due date: 10-08, 10-09, 10-10.
      'deadline-warning': '2026-10-08T00:00:00',
      'deadline-overdue': '2026-10-11T00:00:00',
      // One and three working days after 10-10: 10-12 and 10-14.
      'escalated-to-chief': '2026-10-13T00:00:00',
      'escalated-to-admin': '2026-10-15T00:00:00',
    };
    for (const [kind, at] of Object.entries(expectedAt)) {
      const when = raised(kind);
      // Never early; and on the day it is due (the clock runs 150 000 times faster than real time).
      expect(when, kind).toBeGreaterThanOrEqual(shanghai(at));
      expect(when - shanghai(at), kind).toBeLessThan(day);
    }
    expect(alerts.find((a) => a.kind === 'deadline-warning')).toMatchObject({
      level: 'yellow',
      audience: 'department',
    });
    expect(alerts.find((a) => a.kind === 'escalated-to-admin')).toMatchObject({
      level: 'red',
      audience: 'admin',
    });

    const admin = { userId: 'admin-1', roles: ['admin' as const] };
    const centre = await h.useCases.listAlerts(admin, { scope: 'centre', level: 'red', limit: 50 });
    const ours = centre.items.filter((a) => a.caseId === accepted.caseId);
    expect(ours.map((a) => a.kind).sort()).toEqual([
      'deadline-overdue',
      'escalated-to-admin',
      'escalated-to-chief',
    ]);
    const dept = await h.useCases.listAlerts(principals.reviewer(accepted.matter.departmentId), {
      scope: 'department',
      level: 'yellow',
      limit: 50,
    });
    expect(dept.items.map((a) => a.kind).sort()).toEqual(['deadline-warning', 'receipt-overdue']);
    await expect(
      h.useCases.listAlerts(principals.reviewer('water'), {
        scope: 'department',
        id: accepted.matter.departmentId,
        level: 'red',
        limit: 5,
      }),
    ).rejects.toMatchObject({ status: 403 });

    // Receipt confirmed late: its alert is resolved at once, the deadline alerts stay.
    const record = await h.read(accepted.caseId);
    await h.useCases.backOffice.confirmReceipt(
      principals.reviewer(accepted.matter.departmentId),
      accepted.caseId,
      record.version,
    );
    const now = await h.alerts(accepted.caseId);
    expect(now.find((a) => a.kind === 'receipt-overdue')?.status).toBe('resolved');
    expect(now.find((a) => a.kind === 'deadline-overdue')?.status).toBe('active');
  });

  it('flags a result left uncollected at the window, and resolves the flag when it is issued', async () => {
    const h = await start('2026-09-21T09:00:00', 200_000);
    const accepted = await h.acceptedCase('JY-0005');
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    let record = await h.useCases.backOffice.review(reviewer, accepted.caseId, {
      version: accepted.version,
      opinion: '符合条件',
      recommendation: 'approve',
    });
    record = await h.useCases.backOffice.decide(reviewer, accepted.caseId, {
      version: record.version,
      outcome: 'approve',
      reasons: '',
    });
    record = await h.issuance.produceResult(reviewer, accepted.caseId, { version: record.version });
    record = await h.useCases.backOffice.returnToWindow(reviewer, accepted.caseId, record.version);
    await h.waitingIn(accepted.caseId, 'awaiting-issuance');
    // Five working days after the return (the Mid-Autumn holiday may fall in between), to the end of that day.
    const returnedOn = shanghaiDate(Date.parse(record.backOffice?.returnedAt as string));
    const due = calendar.addWorkingDays(returnedOn, defaultAlertPolicy.uncollectedWorkingDays).date;
    const alerts = await vitestWaitFor(
      h,
      accepted.caseId,
      (list) => list.some((a) => a.kind === 'result-uncollected'),
      20_000,
    );
    const uncollected = alerts.find((a) => a.kind === 'result-uncollected');
    expect(uncollected).toMatchObject({
      level: 'yellow',
      audience: 'window',
      dueDate: due,
      status: 'active',
    });
    expect(Date.parse(uncollected?.raisedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(endOfShanghaiDay(due)),
    );
    const current = await h.read(accepted.caseId);
    await h.issuance.issue(principals.clerk(accepted.matter.windowId), accepted.caseId, {
      version: current.version,
      method: 'pickup',
      pickup: { pickupCode: current.pickupCode as string, collectedBy: '李华' },
    });
    expect((await h.alerts(accepted.caseId)).find((a) => a.kind === 'result-uncollected')?.status).toBe(
      'resolved',
    );
    expect(await h.ended(accepted.caseId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('ends a case whose deferred material (容缺) is not supplied by its due date', async () => {
    const h = await start('2026-09-21T09:00:00', 400_000);
    const matter = 'CZ-0001';
    const { taoshanSeed } = await import('../../functions/catalogue/seed/taoshan-seed');
    const deferrable = taoshanSeed.matters
      .find((m) => m.code === matter)
      ?.guide.materials.find((m) => m.deferrable && !m.keyMaterial);
    expect(deferrable).toBeDefined();
    const accepted = await h.acceptedCase(matter, {
      deferred: [{ materialId: deferrable?.id as string, dueDate: '2026-09-23' }],
    });
    const done = await h.ended(accepted.caseId, 10_000);
    expect(done.status).toBe('SUCCEEDED');
    const record = await h.read(accepted.caseId);
    expect(record).toMatchObject({
      status: 'terminated',
      phase: 'closed',
      termination: { materialIds: [deferrable?.id] },
    });
    expect(record.notices.at(-1)).toMatchObject({
      type: 'termination',
      content: { title: '终止办理告知书' },
    });
    const alert = (await h.alerts(accepted.caseId)).find((a) => a.kind === 'deferral-overdue');
    expect(Date.parse(alert?.raisedAt as string)).toBeGreaterThanOrEqual(shanghai('2026-09-24T00:00:00'));
    const trail = await h.useCases.trail(principals.clerk(accepted.matter.windowId), accepted.caseId);
    expect(trail.at(-1)).toMatchObject({
      action: 'terminate-deferral-overdue',
      actor: { userId: 'system:case-workflow' },
    });
  });
});

describe('idle cases: the timer sleeps', () => {
  it('left after acceptance, wakes only at its planned alerts, then hands over to a successor before a year', async () => {
    // 350 virtual days in about 6 s; a task's 50 ms are 3 virtual days.
    const h = await start('2026-09-28T09:00:00', 5_000_000);
    const accepted = await h.acceptedCase('YJ-0001');
    await h.waitingIn(accepted.caseId, 'awaiting-receipt');
    const first = await h.ended(accepted.caseId, 30_000);
    expect(first.status).toBe('SUCCEEDED');
    const transitions = h.transitions();
    expect((await h.alerts(accepted.caseId)).map((a) => a.kind).sort()).toEqual([
      'deadline-overdue',
      'deadline-warning',
      'escalated-to-admin',
      'escalated-to-chief',
      'receipt-overdue',
    ]);
    // 3 to start, 3 for each of the 5 planned instants, 4 to hand over, 3 for the successor to wait: a
    // wake a day would have been over a thousand.
    expect(transitions).toBeLessThanOrEqual(30);
    const successor = await h.execution(`${accepted.caseId}-g2`);
    expect(successor.status).toBe('RUNNING');
    // Started within the year, not before the renewal day.
    const handedOverAfter = (successor.startDate?.getTime() ?? 0) - (first.startDate?.getTime() ?? 0);
    expect(handedOverAfter).toBeGreaterThanOrEqual(executionRenewalDays * day);
    expect(handedOverAfter).toBeLessThan(365 * day);
    // The successor waits on the same step: the department's receipt reaches it.
    const record = await h.read(accepted.caseId);
    await h.useCases.backOffice.confirmReceipt(
      principals.reviewer(accepted.matter.departmentId),
      accepted.caseId,
      record.version,
    );
    await h.waitingIn(accepted.caseId, 'awaiting-review');
  });

  it('paused for a supplement, never wakes until the resubmission, which plans the warning of the new deadline', async () => {
    // A day in about 170 ms.
    const h = await start('2026-09-21T09:00:00', 500_000);
    const accepted = await h.acceptedCase('JY-0005');
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    const clerk = principals.clerk(accepted.matter.windowId);
    const materialId = accepted.matter.materials.find((m) => m.required)?.id as string;
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    await h.useCases.backOffice.requestSupplement(reviewer, accepted.caseId, {
      version: accepted.version,
      items: [{ materialId, problem: '复印件不清晰' }],
    });
    await h.waitingIn(accepted.caseId, 'awaiting-supplement');
    const paused = h.transitions();
    await sleepVirtual(h, 20 * day);
    // The clock stands still and nothing else is planned: not one transition in 20 days.
    expect(h.transitions()).toBe(paused);

    await replaceMaterial(h, clerk, accepted.caseId, materialId);
    const record = await h.read(accepted.caseId);
    const resumed = await h.useCases.resubmit(clerk, accepted.caseId, record.version);
    const due = String(resumed.clock?.promisedDueDate);
    const warningFrom = nthLastWorkingDay(
      calendar,
      due,
      Math.min(defaultAlertPolicy.warningWorkingDays, resumed.clock?.promisedDays ?? 1),
    );
    const alerts = await vitestWaitFor(
      h,
      accepted.caseId,
      (list) => list.some((a) => a.kind === 'deadline-warning'),
      20_000,
    );
    const warned = Date.parse(alerts.find((a) => a.kind === 'deadline-warning')?.raisedAt as string);
    // Raised on the day it is due, never early.
    expect(warned).toBeGreaterThanOrEqual(Date.parse(`${warningFrom}T00:00:00+08:00`));
    expect(warned - Date.parse(`${warningFrom}T00:00:00+08:00`)).toBeLessThan(day);
  });
});

describe('failures', () => {
  it('moves a case the workflow cannot route to the attention state, with a red alert for the admin and the reason in the trail', async () => {
    const h = await start('2026-09-21T09:00:00', 5_000);
    const accepted = await h.acceptedCase('JY-0005');
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    // A phase this state machine has no step for (say, written by a newer version of the API).
    const token = await h.corrupt(accepted.caseId, { phase: 'awaiting-archive' });
    await h.sfn.send(
      new SendTaskSuccessCommand({ taskToken: token as string, output: '{"sleepSeconds":1}' }),
    );
    const done = await h.ended(accepted.caseId);
    expect(done).toMatchObject({ status: 'FAILED', error: 'NeedsAttention' });
    const record = await h.read(accepted.caseId);
    expect(record.attention?.reason).toMatch(/^UnknownPhase: .*awaiting-archive/);
    const admin = { userId: 'admin-1', roles: ['admin' as const] };
    const red = await h.useCases.listAlerts(admin, { scope: 'centre', level: 'red', limit: 10 });
    expect(red.items).toEqual([
      expect.objectContaining({ caseId: accepted.caseId, kind: 'workflow-failed', audience: 'admin' }),
    ]);
    const trail = await h.useCases.trail(admin, accepted.caseId);
    expect(trail.at(-1)).toMatchObject({
      action: 'workflow-failed',
      actor: { userId: 'system:case-workflow' },
      changes: expect.arrayContaining([expect.objectContaining({ field: 'attention.reason' })]),
    });
  });

  it('answers a step whose token could not be handed back, and the workflow catches up at its next planned wake', async () => {
    harness = await startLifecycleHarness({
      origin: shanghai('2026-09-21T09:00:00'),
      speed: 100_000,
      handBackFaults: 1,
    });
    const h = harness;
    const accepted = await h.acceptedCase('JY-0005');
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    const reviewed = await h.useCases.backOffice.review(
      principals.reviewer(accepted.matter.departmentId),
      accepted.caseId,
      {
        version: accepted.version,
        opinion: '符合条件',
        recommendation: 'approve',
      },
    );
    expect(reviewed.phase).toBe('awaiting-decision');
    // The review's task times out at the warning (09-24): the timer reads the case and waits on the decision.
    await h.waitingIn(accepted.caseId, 'awaiting-decision', 15_000);
    expect(h.clock.now()).toBeGreaterThanOrEqual(shanghai('2026-09-24T00:00:00'));
  });

  it('fails a started execution for a case that does not exist without touching anything', async () => {
    const h = await start('2026-09-21T09:00:00', 5_000);
    const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    const { localStateMachineArn } = await import('../../infra/local/lambda-context');
    const caseId = '00000000-0000-4000-8000-000000000404';
    await h.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: localStateMachineArn('case-lifecycle'),
        name: caseId,
        input: JSON.stringify({ caseId }),
      }),
    );
    expect(await h.ended(caseId)).toMatchObject({ status: 'FAILED', error: 'CaseNotFound' });
  });
});

async function vitestWaitFor(
  h: LifecycleHarness,
  caseId: string,
  until: (alerts: Awaited<ReturnType<LifecycleHarness['alerts']>>) => boolean,
  timeoutMs = 10_000,
) {
  const { vi } = await import('vitest');
  return vi.waitFor(
    async () => {
      const alerts = await h.alerts(caseId);
      if (!until(alerts)) throw new Error(`alerts so far: ${alerts.map((a) => a.kind).join(', ')}`);
      return alerts;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

/** The window uploads a new file of a material and confirms it (as a supplement asks). */
async function replaceMaterial(h: LifecycleHarness, clerk: Principal, caseId: string, materialId: string) {
  const bytes = Buffer.from('%PDF-1.4\n% again\n%%EOF\n');
  const upload = await h.useCases.requestMaterialUpload(clerk, caseId, materialId, {
    fileName: 'again.pdf',
    contentType: 'application/pdf',
    size: bytes.byteLength,
  });
  await fetch(upload.upload.url, { method: 'PUT', headers: upload.upload.headers, body: bytes });
  const record = await h.read(caseId);
  await h.useCases.confirmMaterial(clerk, caseId, materialId, {
    version: record.version,
    uploadId: upload.uploadId,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
}
