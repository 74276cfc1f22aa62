import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, expect, it, describe as suite, vi } from 'vitest';
import { caseClosed, caseNotFound, phaseMoved, WorkflowTaskError } from '../../functions/workflow/errors';
import { readAsl, substituteAsl } from '../../infra/definitions/asl';
import { localFunctionArn } from '../../infra/local/lambda-context';
import { day, startTestRunner, type TestRunner, virtualOrigin, waitForEnd } from './support';

/**
 * The deployed statemachines/case-lifecycle.asl.json, run by the local runner with a fake task handler
 * that keeps cases in memory: the shape of the flow (token per step, the timer loop, closure from either
 * branch, failures) without DynamoDB. The real handler's paths are in case-lifecycle-paths.test.ts.
 */
const workflowFunctionArn = localFunctionArn('case-workflow');

interface StoredCase {
  phase: string;
  /** What the timer answers, in virtual ms from now; undefined: not watching. */
  nextAlertIn?: number;
  /** The tick closes the case (容缺 overdue). */
  closeOnTick?: boolean;
  failTick?: string;
}

interface TaskEvent {
  action: 'awaitStep' | 'tick' | 'markAttention';
  caseId: string;
  taskToken?: string;
  error?: { Error?: string; Cause?: string };
}

let runner: TestRunner;
let cases: Map<string, StoredCase>;
let tokens: Map<string, string>;
let calls: (TaskEvent & { at: number })[];
let beforeStore: ((caseId: string) => void) | undefined;

async function taskHandler(event: unknown): Promise<unknown> {
  const input = event as TaskEvent;
  calls.push({ ...input, at: runner.clock.now() });
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
      if (stored.failTick) throw new WorkflowTaskError(stored.failTick, 'the tick cannot go on');
      if (stored.closeOnTick) {
        stored.phase = 'closed';
        return { closed: true, watching: false, wakeAt: new Date(runner.clock.now()).toISOString() };
      }
      const now = runner.clock.now();
      return stored.nextAlertIn === undefined
        ? { closed: false, watching: false, wakeAt: new Date(now).toISOString() }
        : { closed: false, watching: true, wakeAt: new Date(now + stored.nextAlertIn).toISOString() };
    }
    case 'markAttention':
      return { marked: true };
  }
}

beforeEach(async () => {
  cases = new Map();
  tokens = new Map();
  calls = [];
  beforeStore = undefined;
  const definition = substituteAsl(readAsl('statemachines/case-lifecycle.asl.json'), {
    CaseWorkflowFunctionArn: workflowFunctionArn,
  });
  runner = await startTestRunner({
    speed: 400_000,
    machines: { 'case-lifecycle': definition },
    handlers: { [workflowFunctionArn]: taskHandler },
  });
});

afterEach(async () => {
  await runner.stop();
});

const storedToken = (caseId: string, notToken?: string): Promise<string> =>
  vi.waitFor(() => {
    const token = tokens.get(caseId);
    if (!token || token === notToken) throw new Error(`no new token stored for ${caseId}`);
    return token;
  });

const executionArnOf = (caseId: string) =>
  `arn:aws-cn:states:cn-north-1:000000000000:execution:case-lifecycle:${caseId}`;

const sendBack = (taskToken: string) =>
  runner.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));

suite('case-lifecycle.asl.json in the local runner', () => {
  it('waits on a fresh token per human step and succeeds once the case is closed', async () => {
    cases.set('c-1', { phase: 'awaiting-receipt' });
    const first = await runner.start('case-lifecycle', { caseId: 'c-1' }, 'c-1');
    // As in AWS, starting a running execution again with the same name and input is idempotent.
    expect(await runner.start('case-lifecycle', { caseId: 'c-1' }, 'c-1')).toBe(first);
    expect(first).toBe(executionArnOf('c-1'));

    const receipt = await storedToken('c-1');
    (cases.get('c-1') as StoredCase).phase = 'awaiting-review';
    await sendBack(receipt);
    const review = await storedToken('c-1', receipt);
    // The token of a step already done is refused and changes nothing.
    await expect(sendBack(receipt)).rejects.toMatchObject({
      name: expect.stringMatching(/^(TaskTimedOut|TaskDoesNotExist)$/),
    });

    (cases.get('c-1') as StoredCase).phase = 'closed';
    await sendBack(review);
    const done = await waitForEnd(runner.client, first);
    expect(done.status).toBe('SUCCEEDED');
    expect(calls.filter((c) => c.action === 'awaitStep')).toHaveLength(3);
  });

  it('stores the token again when the case moved on while it was being stored', async () => {
    cases.set('c-2', { phase: 'awaiting-receipt' });
    beforeStore = (caseId) => {
      beforeStore = undefined;
      (cases.get(caseId) as StoredCase).phase = 'awaiting-review';
    };
    await runner.start('case-lifecycle', { caseId: 'c-2' }, 'c-2');
    await storedToken('c-2');
    expect(calls.filter((c) => c.action === 'awaitStep')).toHaveLength(2);
  });

  it('wakes the timer at the instant the tick asks for, on the virtual clock, again and again', async () => {
    cases.set('c-3', { phase: 'awaiting-review', nextAlertIn: day });
    await runner.start('case-lifecycle', { caseId: 'c-3' }, 'c-3');
    await vi.waitFor(
      () => expect(calls.filter((c) => c.action === 'tick').length).toBeGreaterThanOrEqual(3),
      {
        timeout: 10_000,
      },
    );
    const ticks = calls.filter((c) => c.action === 'tick').map((c) => c.at);
    for (let i = 1; i < ticks.length; i++) {
      // Never early; and not much late (400 000× faster than real time).
      expect((ticks[i] as number) - (ticks[i - 1] as number)).toBeGreaterThanOrEqual(day);
      expect((ticks[i] as number) - (ticks[i - 1] as number)).toBeLessThan(1.5 * day);
    }
    expect(ticks[0]).toBeGreaterThanOrEqual(virtualOrigin);
  });

  it('ends the execution when the timer closes the case, cancelling the step it waited on', async () => {
    cases.set('c-4', { phase: 'awaiting-review', closeOnTick: true });
    const arn = await runner.start('case-lifecycle', { caseId: 'c-4' }, 'c-4');
    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    const token = await storedToken('c-4');
    await expect(sendBack(token)).rejects.toMatchObject({
      name: expect.stringMatching(/^(TaskTimedOut|TaskDoesNotExist)$/),
    });
  });

  it('keeps waiting on the human step after the timer has nothing left to watch', async () => {
    cases.set('c-5', { phase: 'awaiting-issuance' });
    const arn = await runner.start('case-lifecycle', { caseId: 'c-5' }, 'c-5');
    const token = await storedToken('c-5');
    await vi.waitFor(() => expect(calls.some((c) => c.action === 'tick')).toBe(true));
    (cases.get('c-5') as StoredCase).phase = 'closed';
    await sendBack(token);
    expect((await waitForEnd(runner.client, arn)).status).toBe('SUCCEEDED');
  });

  it('turns a permanent task failure into the attention state instead of a silent end', async () => {
    cases.set('c-6', { phase: 'awaiting-review', failTick: 'InvalidTaskInput' });
    const arn = await runner.start('case-lifecycle', { caseId: 'c-6' }, 'c-6');
    const done = await waitForEnd(runner.client, arn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'NeedsAttention' });
    const marked = calls.find((c) => c.action === 'markAttention');
    expect(marked?.error).toMatchObject({ Error: 'InvalidTaskInput' });
  });

  it('fails with CaseNotFound for a case that does not exist', async () => {
    const arn = await runner.start('case-lifecycle', { caseId: 'c-404' }, 'c-404');
    const done = await waitForEnd(runner.client, arn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'CaseNotFound' });
    expect(calls.some((c) => c.action === 'markAttention')).toBe(false);
  });
});
