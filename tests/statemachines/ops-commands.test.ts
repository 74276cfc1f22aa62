import { SendTaskSuccessCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { casesInAttention } from '../../infra/ops/attention';
import { carryOutResume, describePlan, planResume } from '../../infra/ops/resume-case';
import {
  type LifecycleHarness,
  principals,
  shanghai,
  startLifecycleHarness,
} from '../support/lifecycle-harness';

/**
 * The operator commands over the real case lifecycle (local runner, DynamoDB Local): resuming a case
 * whose execution was stopped, and listing the cases the workflow flagged for the admin.
 */
let harness: LifecycleHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const opsOf = (h: LifecycleHarness) => ({
  sfn: h.sfn,
  stateMachineArn: h.stateMachineArn,
  workflow: h.stores.workflow,
});

describe('operator command: resume', () => {
  it('starts the next generation for an open case whose execution ended, and nothing for a running or closed one', async () => {
    harness = await startLifecycleHarness({ origin: shanghai('2026-09-21T09:00:00'), speed: 1_000 });
    const h = harness;
    const accepted = await h.acceptedCase('JY-0005');
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    const ops = opsOf(h);
    expect(await planResume(ops, accepted.caseId)).toEqual({
      caseId: accepted.caseId,
      action: 'nothing',
      reason: `its execution ${accepted.caseId} is running`,
    });

    const first = await h.execution(accepted.caseId);
    await h.sfn.send(
      new StopExecutionCommand({ executionArn: first.executionArn, cause: 'stopped by hand' }),
    );
    await h.ended(accepted.caseId);
    const plan = await planResume(ops, accepted.caseId);
    expect(plan).toEqual({
      caseId: accepted.caseId,
      action: 'start',
      phase: 'awaiting-review',
      executionName: `${accepted.caseId}-g2`,
      previous: accepted.caseId,
    });
    expect(describePlan(plan)).toMatch(/start execution .*-g2 \(the last, .* has ended\)/);
    if (plan.action !== 'start') throw new Error('unreachable');
    await carryOutResume(ops, plan);
    expect((await h.execution(`${accepted.caseId}-g2`)).status).toBe('RUNNING');

    // The new execution waits on the case's step: the department's review reaches it.
    const reviewer = principals.reviewer(accepted.matter.departmentId);
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    const reviewed = await h.useCases.backOffice.review(reviewer, accepted.caseId, {
      version: accepted.version,
      opinion: '符合条件',
      recommendation: 'approve',
    });
    expect(reviewed.phase).toBe('awaiting-decision');
    await h.waitingIn(accepted.caseId, 'awaiting-decision');
    expect((await planResume(ops, accepted.caseId)).action).toBe('nothing');
    expect(await planResume(ops, '00000000-0000-4000-8000-000000000404')).toMatchObject({
      action: 'nothing',
      reason: 'no such case',
    });
    await h.corrupt(accepted.caseId, { phase: 'closed' });
    expect(await planResume(ops, accepted.caseId)).toMatchObject({
      action: 'nothing',
      reason: 'the case is closed (办结)',
    });
  });
});

describe('operator command: attention', () => {
  it('lists the cases the workflow flagged, with the reason on the case', async () => {
    harness = await startLifecycleHarness({ origin: shanghai('2026-09-21T09:00:00'), speed: 1_000 });
    const h = harness;
    const accepted = await h.acceptedCase('JY-0005');
    await h.waitingIn(accepted.caseId, 'awaiting-review');
    expect(await casesInAttention(h.stores.cases)).toEqual([]);
    const token = await h.corrupt(accepted.caseId, { phase: 'awaiting-archive' });
    await h.sfn.send(
      new SendTaskSuccessCommand({ taskToken: token as string, output: '{"sleepSeconds":1}' }),
    );
    await h.ended(accepted.caseId);
    const found = await casesInAttention(h.stores.cases);
    expect(found).toEqual([
      expect.objectContaining({
        caseId: accepted.caseId,
        matterCode: 'JY-0005',
        reason: expect.stringMatching(/^UnknownPhase: .*awaiting-archive/),
      }),
    ]);
  });
});
