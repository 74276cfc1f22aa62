import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, expect, it, describe as suite, vi } from 'vitest';
import { caseNotFound, phaseMoved } from '../../functions/workflow/errors';
import { readAsl, substituteAsl } from '../../infra/definitions/asl';
import { localFunctionArn } from '../../infra/local/lambda-context';
import { startTestRunner, type TestRunner, waitForEnd } from './support';

/**
 * The deployed statemachines/case-lifecycle.asl.json, run by the local runner with a fake workflow
 * handler that keeps cases in memory.
 */
const workflowFunctionArn = localFunctionArn('case-workflow');

interface StoredCase {
  phase: string;
  version: number;
}

interface WorkflowEvent {
  action: 'loadCase' | 'awaitStep';
  caseId: string;
  phase?: string;
  version?: number;
  taskToken?: string;
}

let runner: TestRunner;
let cases: Map<string, StoredCase>;
let tokens: Map<string, string>;
let calls: WorkflowEvent[];
/** Runs after a loadCase answered: lets a test move the case on between loadCase and awaitStep. */
let afterLoad: ((caseId: string) => void) | undefined;

async function workflowHandler(event: unknown): Promise<unknown> {
  const input = event as WorkflowEvent;
  calls.push(input);
  const stored = cases.get(input.caseId);
  if (!stored) throw caseNotFound(input.caseId);
  if (input.action === 'loadCase') {
    const position = { ...stored };
    afterLoad?.(input.caseId);
    return position;
  }
  if (stored.phase !== input.phase || stored.version !== input.version) {
    throw phaseMoved(input.caseId, input.phase ?? '');
  }
  tokens.set(input.caseId, input.taskToken ?? '');
  return { stored: true };
}

beforeEach(async () => {
  cases = new Map();
  tokens = new Map();
  calls = [];
  afterLoad = undefined;
  const definition = substituteAsl(readAsl('statemachines/case-lifecycle.asl.json'), {
    CaseWorkflowFunctionArn: workflowFunctionArn,
  });
  runner = await startTestRunner({
    speed: 1,
    machines: { 'case-lifecycle': definition },
    handlers: { [workflowFunctionArn]: workflowHandler },
  });
});

afterEach(async () => {
  await runner.stop();
});

const storedToken = (caseId: string): Promise<string> =>
  vi.waitFor(() => {
    const token = tokens.get(caseId);
    if (!token) throw new Error(`no token stored for ${caseId}`);
    return token;
  });

const executionArnOf = (caseId: string) =>
  `arn:aws:states:cn-north-1:000000000000:execution:case-lifecycle:${caseId}`;

suite('case-lifecycle.asl.json in the local runner', () => {
  it('waits on the stored token of a human step and succeeds once the case is closed', async () => {
    cases.set('c-1', { phase: 'awaiting-receipt', version: 1 });
    const first = await runner.start('case-lifecycle', { caseId: 'c-1' }, 'c-1');
    // As in AWS, starting a running execution again with the same name and input is idempotent.
    expect(await runner.start('case-lifecycle', { caseId: 'c-1' }, 'c-1')).toBe(first);
    expect(first).toBe(executionArnOf('c-1'));

    const token = await storedToken('c-1');
    expect(calls.map((c) => c.action)).toEqual(['loadCase', 'awaitStep']);
    expect(calls[1]).toMatchObject({
      caseId: 'c-1',
      phase: 'awaiting-receipt',
      version: 1,
      taskToken: token,
    });

    cases.set('c-1', { phase: 'closed', version: 2 });
    await runner.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    const done = await waitForEnd(runner.client, executionArnOf('c-1'));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '')).toEqual({ caseId: 'c-1', case: { phase: 'closed', version: 2 } });
  });

  it('loops back to LoadCase when awaitStep finds that the phase moved', async () => {
    cases.set('c-2', { phase: 'awaiting-receipt', version: 1 });
    afterLoad = (caseId) => {
      afterLoad = undefined;
      cases.set(caseId, { phase: 'awaiting-review', version: 2 });
    };
    await runner.start('case-lifecycle', { caseId: 'c-2' }, 'c-2');

    await storedToken('c-2');
    expect(calls.map((c) => [c.action, c.phase, c.version])).toEqual([
      ['loadCase', undefined, undefined],
      ['awaitStep', 'awaiting-receipt', 1],
      ['loadCase', undefined, undefined],
      ['awaitStep', 'awaiting-review', 2],
    ]);
  });

  it('fails with CaseNotFound for a case that does not exist', async () => {
    await runner.start('case-lifecycle', { caseId: 'c-404' }, 'c-404');
    const done = await waitForEnd(runner.client, executionArnOf('c-404'));
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'CaseNotFound',
      cause: 'No case with this id exists.',
    });
  });

  it('fails with UnknownPhase for a phase without a route', async () => {
    cases.set('c-3', { phase: 'archived', version: 7 });
    await runner.start('case-lifecycle', { caseId: 'c-3' }, 'c-3');
    const done = await waitForEnd(runner.client, executionArnOf('c-3'));
    expect(done).toMatchObject({ status: 'FAILED', error: 'UnknownPhase' });
  });
});
