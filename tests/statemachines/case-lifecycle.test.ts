import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, expect, it, describe as suite, vi } from 'vitest';
import {
  dueForRenewal,
  executionRenewalDays,
  successorExecutionName,
} from '../../functions/domain/cases/deadline-timer';
import { caseClosed, caseNotFound, phaseMoved, WorkflowTaskError } from '../../functions/workflow/errors';
import { readAsl, substituteAsl } from '../../infra/definitions/asl';
import { localFunctionArn } from '../../infra/local/lambda-context';
import {
  day,
  describe as describeExecution,
  startTestRunner,
  type TestRunner,
  virtualOrigin,
  waitForEnd,
} from './support';

/**
 * The deployed statemachines/case-lifecycle.asl.json, run by the local runner with a fake task handler
 * that keeps cases in memory: the shape of the flow (a token per step with a timeout at the next planned
 * instant, the timer on timeout, closure, the successor before the one-year limit, failures) without
 * DynamoDB. The real handler's paths are in case-lifecycle-paths.test.ts.
 */
const workflowFunctionArn = localFunctionArn('case-workflow');

interface StoredCase {
  phase: string;
  /** The next planned alert instant, in virtual ms from the tick; undefined: nothing planned. */
  nextAlertIn?: number;
  /** The tick closes the case (容缺 overdue). */
  closeOnTick?: boolean;
  failTick?: string;
}

interface TaskEvent {
  action: 'awaitStep' | 'tick' | 'markAttention';
  caseId: string;
  taskToken?: string;
  sleepSeconds?: number;
  executionStartedAt?: string;
  execution?: { name: string; startedAt: string };
  error?: { Error?: string; Cause?: string };
}

let runner: TestRunner | undefined;
let cases: Map<string, StoredCase>;
let tokens: Map<string, string>;
let calls: (TaskEvent & { at: number })[];
let beforeStore: ((caseId: string) => void) | undefined;

const now = () => (runner as TestRunner).clock.now();

async function taskHandler(event: unknown): Promise<unknown> {
  const input = event as TaskEvent;
  calls.push({ ...input, at: now() });
  const stored = cases.get(input.caseId);
  if (!stored) throw caseNotFound(input.caseId);
  switch (input.action) {
    case 'awaitStep': {
      if (stored.phase === 'closed') throw caseClosed(input.caseId);
      const phase = stored.phase;
      beforeStore?.(input.caseId);
      if (cases.get(input.caseId)?.phase !== phase) throw phaseMoved(input.caseId, phase);
      tokens.set(input.caseId, input.taskToken ?? '');
      return { stored: true, phase };
    }
    case 'tick': {
      const execution = input.execution as { name: string; startedAt: string };
      const nextExecutionName = successorExecutionName(input.caseId, execution.name);
      if (stored.failTick) throw new WorkflowTaskError(stored.failTick, 'the tick cannot go on');
      if (stored.closeOnTick) {
        stored.phase = 'closed';
        return { closed: true, renew: false, sleepSeconds: 1, nextExecutionName };
      }
      const renewIn = Date.parse(execution.startedAt) + executionRenewalDays * day - now();
      const sleepMs = Math.min(stored.nextAlertIn ?? Number.POSITIVE_INFINITY, renewIn);
      return {
        closed: false,
        renew: dueForRenewal(now(), execution.startedAt),
        sleepSeconds: Math.max(1, Math.ceil(sleepMs / 1000)),
        nextExecutionName,
      };
    }
    case 'markAttention':
      return { marked: true };
  }
}

async function start(speed = 400_000) {
  cases = new Map();
  tokens = new Map();
  calls = [];
  beforeStore = undefined;
  const definition = substituteAsl(readAsl('statemachines/case-lifecycle.asl.json'), {
    CaseWorkflowFunctionArn: workflowFunctionArn,
  });
  runner = await startTestRunner({
    speed,
    machines: { 'case-lifecycle': definition },
    handlers: { [workflowFunctionArn]: taskHandler },
  });
  return runner;
}

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

const storedToken = (caseId: string, notToken?: string): Promise<string> =>
  vi.waitFor(() => {
    const token = tokens.get(caseId);
    if (!token || token === notToken) throw new Error(`no new token stored for ${caseId}`);
    return token;
  });

const executionArnOf = (name: string) =>
  `arn:aws-cn:states:cn-north-1:000000000000:execution:case-lifecycle:${name}`;

const sendBack = (r: TestRunner, taskToken: string, output: unknown) =>
  r.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));

const callsOf = (action: TaskEvent['action']) => calls.filter((c) => c.action === action);

suite('case-lifecycle.asl.json in the local runner', () => {
  it('runs the timer once, then waits on a fresh token per human step with the sleep the step sends', async () => {
    const r = await start();
    // Far enough (65 s of real time) that no task times out while the test sends its tokens, under load.
    cases.set('c-1', { phase: 'awaiting-receipt', nextAlertIn: 300 * day });
    const first = await r.start('case-lifecycle', { caseId: 'c-1' }, 'c-1');
    // As in AWS, starting a running execution again with the same name and input is idempotent.
    expect(await r.start('case-lifecycle', { caseId: 'c-1' }, 'c-1')).toBe(first);
    expect(first).toBe(executionArnOf('c-1'));

    const receipt = await storedToken('c-1');
    // The task waits as long as the tick planned, in whole seconds.
    expect(callsOf('awaitStep')[0]).toMatchObject({ sleepSeconds: 300 * 86_400 });
    (cases.get('c-1') as StoredCase).phase = 'awaiting-review';
    await sendBack(r, receipt, { phase: 'awaiting-review', closed: false, sleepSeconds: 200 * 86_400 });
    const review = await storedToken('c-1', receipt);
    // The step's sleep goes straight to the next wait: no tick in between.
    expect(callsOf('tick')).toHaveLength(1);
    expect(callsOf('awaitStep')[1]).toMatchObject({ sleepSeconds: 200 * 86_400 });
    // The token of a step already done is refused and changes nothing.
    await expect(sendBack(r, receipt, { sleepSeconds: 1 })).rejects.toMatchObject({
      name: expect.stringMatching(/^(TaskTimedOut|TaskDoesNotExist)$/),
    });

    (cases.get('c-1') as StoredCase).phase = 'closed';
    // The step that closed the case ends the execution at once (as stepFunctionsWorkflowSteps does).
    await r.client.send(new SendTaskFailureCommand({ taskToken: review, error: 'CaseClosed' }));
    const done = await waitForEnd(r.client, first);
    expect(done.status).toBe('SUCCEEDED');
    expect(callsOf('awaitStep')).toHaveLength(2);
    expect(callsOf('tick')).toHaveLength(1);
  });

  it('wakes the timer through a one-second sleep (a recomputed deadline), and fails for good on an answer without one', async () => {
    const r = await start();
    cases.set('c-7', { phase: 'awaiting-review', nextAlertIn: 200 * day });
    const arn = await r.start('case-lifecycle', { caseId: 'c-7' }, 'c-7');
    const token = await storedToken('c-7');
    await sendBack(r, token, { sleepSeconds: 1 });
    // The one-second wait times out, the timer plans again (200 days), the step waits on a third token.
    await vi.waitFor(() => expect(callsOf('awaitStep')).toHaveLength(3));
    expect(callsOf('tick')).toHaveLength(2);
    expect(callsOf('awaitStep').map((c) => c.sleepSeconds)).toEqual([200 * 86_400, 1, 200 * 86_400]);
    const again = tokens.get('c-7') as string;
    // The senders always give a sleep: without one the task's TimeoutSecondsPath has nothing to read,
    // which AWS fails with States.Runtime, beyond any Catch (workflowSteps.complete refuses to send it).
    await sendBack(r, again, { phase: 'awaiting-review' });
    expect(await waitForEnd(r.client, arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('reads the case again when it moved on while the token was being stored', async () => {
    const r = await start();
    cases.set('c-2', { phase: 'awaiting-receipt' });
    beforeStore = (caseId) => {
      beforeStore = undefined;
      (cases.get(caseId) as StoredCase).phase = 'awaiting-review';
    };
    await r.start('case-lifecycle', { caseId: 'c-2' }, 'c-2');
    await storedToken('c-2');
    expect(callsOf('awaitStep')).toHaveLength(2);
    expect(callsOf('tick')).toHaveLength(2);
  });

  it('wakes the timer when the step task times out at the planned instant, on the virtual clock', async () => {
    const r = await start();
    cases.set('c-3', { phase: 'awaiting-review', nextAlertIn: day });
    await r.start('case-lifecycle', { caseId: 'c-3' }, 'c-3');
    await vi.waitFor(() => expect(callsOf('tick').length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    const ticks = callsOf('tick').map((c) => c.at);
    for (let i = 1; i < ticks.length; i++) {
      // Never early; and not much late (400 000× faster than real time).
      expect((ticks[i] as number) - (ticks[i - 1] as number)).toBeGreaterThanOrEqual(day);
      expect((ticks[i] as number) - (ticks[i - 1] as number)).toBeLessThan(1.5 * day);
    }
    expect(ticks[0]).toBeGreaterThanOrEqual(virtualOrigin);
    // Each wake stores a fresh token for the same step.
    expect(callsOf('awaitStep').length).toBeGreaterThanOrEqual(3);
  });

  it('sleeps with nothing planned, then hands the case to a successor before the one-year limit', async () => {
    // 350 virtual days in 1.5 s of real time.
    const r = await start(20_000_000);
    cases.set('c-8', { phase: 'awaiting-supplement' });
    const first = await r.start('case-lifecycle', { caseId: 'c-8' }, 'c-8');
    const token = await storedToken('c-8');
    const done = await waitForEnd(r.client, first, 10_000);
    expect(done.status).toBe('SUCCEEDED');
    // One wake in the year: the renewal, not a wake a day.
    const ticksOfFirst = callsOf('tick').filter((c) => c.execution?.name === 'c-8');
    expect(ticksOfFirst).toHaveLength(2);
    const [, renewal] = ticksOfFirst;
    const startedAt = Date.parse(ticksOfFirst[0]?.execution?.startedAt as string);
    expect((renewal?.at as number) - startedAt).toBeGreaterThanOrEqual(executionRenewalDays * day);
    expect((renewal?.at as number) - startedAt).toBeLessThan(365 * day);
    // The successor runs, waits on the same step, and the first one's token is void.
    expect((await describeExecution(r.client, executionArnOf('c-8-g2'))).status).toBe('RUNNING');
    await storedToken('c-8', token);
    await expect(sendBack(r, token, { sleepSeconds: 1 })).rejects.toMatchObject({
      name: expect.stringMatching(/^(TaskTimedOut|TaskDoesNotExist)$/),
    });
    expect(callsOf('tick').filter((c) => c.execution?.name === 'c-8-g2').length).toBeGreaterThanOrEqual(1);
  });

  it('ends the execution when the timer closes the case', async () => {
    const r = await start();
    cases.set('c-4', { phase: 'awaiting-review', closeOnTick: true });
    const arn = await r.start('case-lifecycle', { caseId: 'c-4' }, 'c-4');
    const done = await waitForEnd(r.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(callsOf('awaitStep')).toHaveLength(0);
  });

  it('ends the execution when the step finds the case closed', async () => {
    const r = await start();
    cases.set('c-5', { phase: 'awaiting-issuance' });
    const arn = await r.start('case-lifecycle', { caseId: 'c-5' }, 'c-5');
    const token = await storedToken('c-5');
    (cases.get('c-5') as StoredCase).phase = 'closed';
    // The task stores no token for a closed case: the execution ends.
    await sendBack(r, token, { sleepSeconds: 1 });
    expect((await waitForEnd(r.client, arn)).status).toBe('SUCCEEDED');
  });

  it('turns a permanent task failure into the attention state instead of a silent end', async () => {
    const r = await start();
    cases.set('c-6', { phase: 'awaiting-review', failTick: 'InvalidTaskInput' });
    const arn = await r.start('case-lifecycle', { caseId: 'c-6' }, 'c-6');
    const done = await waitForEnd(r.client, arn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'NeedsAttention' });
    const marked = calls.find((c) => c.action === 'markAttention');
    expect(marked?.error).toMatchObject({ Error: 'InvalidTaskInput' });
  });

  it('fails with CaseNotFound for a case that does not exist', async () => {
    const r = await start();
    const arn = await r.start('case-lifecycle', { caseId: 'c-404' }, 'c-404');
    const done = await waitForEnd(r.client, arn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'CaseNotFound' });
    expect(calls.some((c) => c.action === 'markAttention')).toBe(false);
  });
});
