import {
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, expect, it, describe as suite, vi } from 'vitest';
import { localStateMachineArn } from '../../infra/local/lambda-context';
import { startLocalStepFunctions } from '../../infra/local/stepfunctions';
import {
  day,
  describe,
  echoFunctionArn,
  fixture,
  lookupFunctionArn,
  notifyFunctionArn,
  sleep,
  startTestRunner,
  type TestRunner,
  tokenRecorder,
  virtualClock,
  virtualOrigin,
  waitForEnd,
} from './support';

let runner: TestRunner | undefined;

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

const ms = (date: Date | undefined): number => date?.getTime() ?? Number.NaN;
type TaskFailure = { Error?: string; Cause?: string };
const outputOf = (described: { output?: string }): Record<string, unknown> =>
  JSON.parse(described.output ?? 'null');
/** The `{Error, Cause}` a Catch put at `key` of the execution output. */
const failureAt = (described: { output?: string }, key: string): TaskFailure =>
  outputOf(described)[key] as TaskFailure;
const named = (name: string, message = name): Error => Object.assign(new Error(message), { name });

async function tokenFor(tokens: Map<string, string>, key: string): Promise<string> {
  return vi.waitFor(() => {
    const token = tokens.get(key);
    if (!token) throw new Error(`no token for ${key} yet`);
    return token;
  });
}

suite('Wait states run on the virtual clock', () => {
  it('does not end a 30-day Wait at once at speed 1', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { wait: fixture('wait-30-days.asl.json') },
      handlers: {},
    });
    const arn = await runner.start('wait', { caseId: 'c-1' });
    await sleep(300);
    expect((await describe(runner.client, arn)).status).toBe('RUNNING');
  });

  it('ends a 30-day Wait after 30 virtual days under an accelerated clock', async () => {
    runner = await startTestRunner({
      speed: 1e7,
      machines: { wait: fixture('wait-30-days.asl.json') },
      handlers: {},
    });
    const arn = await runner.start('wait', { caseId: 'c-1' });
    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(ms(done.startDate)).toBeGreaterThanOrEqual(virtualOrigin);
    expect(ms(done.stopDate) - ms(done.startDate)).toBeGreaterThanOrEqual(30 * day);
    const output = outputOf(done);
    expect(output.caseId).toBe('c-1');
    // $$.Execution.StartTime is the virtual start, not the real one.
    expect(Math.abs(Date.parse(String(output.startedAt)) - ms(done.startDate))).toBeLessThanOrEqual(1);
  });

  it('waits until a TimestampPath, then for SecondsPath read after InputPath, and applies OutputPath', async () => {
    runner = await startTestRunner({
      speed: 1e7,
      machines: { paths: fixture('wait-paths.asl.json') },
      handlers: {},
    });
    const until = new Date(runner.clock.now() + 10 * day).toISOString();
    const arn = await runner.start('paths', {
      until,
      inner: { seconds: 5 * 86400, keep: { x: 1 } },
      other: true,
    });
    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(outputOf(done)).toEqual({ x: 1 });
    expect(ms(done.stopDate)).toBeGreaterThanOrEqual(Date.parse(until) + 5 * day);
  });

  it('ends a Wait for a past timestamp at once and fails a SecondsPath that points nowhere', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { paths: fixture('wait-paths.asl.json') },
      handlers: {},
    });
    const past = new Date(virtualOrigin - day).toISOString();
    const passed = await runner.start('paths', { until: past, inner: { seconds: 0, keep: 'kept' } });
    expect(outputOf(await waitForEnd(runner.client, passed))).toBe('kept');
    const broken = await runner.start('paths', { until: past, inner: { keep: 'kept' } });
    const failed = await waitForEnd(runner.client, broken);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

suite('.waitForTaskToken tasks', () => {
  async function startCallbackRunner(speed: number, file = 'callback.asl.json') {
    const recorder = tokenRecorder();
    runner = await startTestRunner({
      speed,
      machines: { callback: fixture(file) },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    return { recorder, runner };
  }

  it('gives each task a fresh opaque token and passes the SendTaskSuccess output on', async () => {
    const { recorder, runner } = await startCallbackRunner(1);
    const first = await runner.start('callback', { caseId: 'c-1' });
    await runner.start('callback', { caseId: 'c-2' });
    const token = await tokenFor(recorder.tokens, 'c-1:decision');
    const other = await tokenFor(recorder.tokens, 'c-2:decision');
    expect(token).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(other).not.toBe(token);
    expect(recorder.events[0]).toEqual({ step: 'decision', caseId: 'c-1', taskToken: token });
    expect((await describe(runner.client, first)).status).toBe('RUNNING');

    await runner.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const done = await waitForEnd(runner.client, first);
    expect(done.status).toBe('SUCCEEDED');
    expect(outputOf(done)).toEqual({ caseId: 'c-1', decision: { approved: true } });
  });

  it('routes SendTaskFailure through Catch by error name', async () => {
    const { recorder, runner } = await startCallbackRunner(1);
    const arn = await runner.start('callback', { caseId: 'c-1' });
    const token = await tokenFor(recorder.tokens, 'c-1:decision');
    await runner.client.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'papers missing' }),
    );
    const done = await waitForEnd(runner.client, arn);
    expect(outputOf(done)).toEqual({
      caseId: 'c-1',
      rejection: { Error: 'Rejected', Cause: 'papers missing' },
      outcome: 'rejected',
    });
  });

  it('fails the task with the handler error name when the notified handler throws', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { callback: fixture('callback.asl.json') },
      handlers: {
        [notifyFunctionArn]: async () => {
          throw named('Rejected', 'applicant is not eligible');
        },
      },
    });
    const done = await waitForEnd(runner.client, await runner.start('callback', { caseId: 'c-1' }));
    const rejection = failureAt(done, 'rejection');
    expect(rejection.Error).toBe('Rejected');
    expect(JSON.parse(rejection.Cause ?? '')).toMatchObject({
      errorType: 'Rejected',
      errorMessage: 'applicant is not eligible',
    });
  });

  it('refuses stale, repeated and malformed tokens without touching the execution', async () => {
    const { recorder, runner } = await startCallbackRunner(1);
    const arn = await runner.start('callback', { caseId: 'c-1' });
    const token = await tokenFor(recorder.tokens, 'c-1:decision');
    const { client } = runner;

    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' })),
    ).rejects.toMatchObject({
      name: 'InvalidOutput',
    });
    expect((await describe(client, arn)).status).toBe('RUNNING');
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidToken',
    });

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"first":true}' }));
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"second":true}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await expect(
      client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await expect(client.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    const done = await waitForEnd(client, arn);
    expect(outputOf(done)).toEqual({ caseId: 'c-1', decision: { first: true } });
  });

  it('times a task out with States.Timeout when heartbeats stop, which States.TaskFailed does not catch', async () => {
    // HeartbeatSeconds 1000 at speed 2000: half a real second without a heartbeat.
    const { recorder, runner } = await startCallbackRunner(2000, 'callback-heartbeat.asl.json');
    const arn = await runner.start('callback', { caseId: 'c-1' });
    const token = await tokenFor(recorder.tokens, 'c-1:work');
    for (let beat = 0; beat < 8; beat += 1) {
      await sleep(100);
      await runner.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    expect((await describe(runner.client, arn)).status).toBe('RUNNING');

    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(failureAt(done, 'error').Error).toBe('States.Timeout');
    await expect(
      runner.client.send(new SendTaskHeartbeatCommand({ taskToken: token })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('keeps a task with a 30-day TimeoutSeconds waiting at speed 1', async () => {
    const { recorder, runner } = await startCallbackRunner(1, 'callback-timeout.asl.json');
    const arn = await runner.start('callback', { caseId: 'c-1' });
    await tokenFor(recorder.tokens, 'c-1:signature');
    await sleep(300);
    expect((await describe(runner.client, arn)).status).toBe('RUNNING');
  });

  it('times a task out after its 30-day TimeoutSeconds on an accelerated clock', async () => {
    const { runner } = await startCallbackRunner(1e7, 'callback-timeout.asl.json');
    const done = await waitForEnd(runner.client, await runner.start('callback', { caseId: 'c-1' }));
    expect(done.status).toBe('SUCCEEDED');
    expect(failureAt(done, 'error').Error).toBe('States.Timeout');
    expect(ms(done.stopDate) - ms(done.startDate)).toBeGreaterThanOrEqual(30 * day);
  });
});

suite('TimeoutSecondsPath on Task states', () => {
  /** The case lifecycle's timer: a callback task that sleeps for the seconds its input names. */
  const sleeper = {
    StartAt: 'Sleep',
    States: {
      Sleep: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        InputPath: '$.timer',
        TimeoutSecondsPath: '$.sleepSeconds',
        Parameters: {
          FunctionName: notifyFunctionArn,
          Payload: {
            step: 'sleep',
            'caseId.$': '$.caseId',
            'sleepSeconds.$': '$.sleepSeconds',
            'taskToken.$': '$$.Task.Token',
          },
        },
        ResultPath: '$.woken',
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'CheckDeadlines' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'CheckDeadlines' },
        ],
        Next: 'Await',
      },
      Await: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: notifyFunctionArn,
          Payload: { step: 'await', 'caseId.$': '$.timer.caseId', 'taskToken.$': '$$.Task.Token' },
        },
        ResultPath: '$.awaited',
        End: true,
      },
      CheckDeadlines: { Type: 'Pass', End: true },
    },
  };
  const yearish = 31_000_000;

  async function startSleeper(speed: number) {
    const recorder = tokenRecorder();
    runner = await startTestRunner({
      speed,
      machines: { sleeper },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    return { recorder, runner };
  }

  async function historyOf(arn: string) {
    const { events } = await (runner as TestRunner).client.send(
      new GetExecutionHistoryCommand({ executionArn: arn }),
    );
    return events ?? [];
  }

  it('keeps a task with a TimeoutSecondsPath of about a year waiting at speed 1', async () => {
    const { recorder, runner } = await startSleeper(1);
    const arn = await runner.start('sleeper', { timer: { caseId: 'c-1', sleepSeconds: yearish } });
    await tokenFor(recorder.tokens, 'c-1:sleep');
    await sleep(300);
    expect((await describe(runner.client, arn)).status).toBe('RUNNING');
  });

  it('times the task out after the seconds read after InputPath, not before, hiding the value from the task', async () => {
    const { recorder, runner } = await startSleeper(1e8);
    // A TimeoutSecondsPath read on the raw input would find the 5 s at the top.
    const arn = await runner.start('sleeper', {
      timer: { caseId: 'c-1', sleepSeconds: yearish },
      sleepSeconds: 5,
    });
    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(failureAt(done, 'timedOut').Error).toBe('States.Timeout');
    expect(ms(done.stopDate) - ms(done.startDate)).toBeGreaterThanOrEqual(yearish * 1000);
    expect(ms(done.stopDate) - ms(done.startDate)).toBeLessThan(2 * yearish * 1000);
    expect(recorder.events).toEqual([
      { step: 'sleep', caseId: 'c-1', sleepSeconds: yearish, taskToken: expect.any(String) },
    ]);

    const events = await historyOf(arn);
    const scheduled = events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      timeoutInSeconds: yearish,
    });
    expect(JSON.parse(scheduled?.parameters ?? '')).toEqual({
      FunctionName: notifyFunctionArn,
      Payload: { step: 'sleep', caseId: 'c-1', sleepSeconds: yearish, taskToken: expect.any(String) },
    });
    expect(events.map((e) => e.type)).toContain('TaskTimedOut');
  });

  it('does not time out a callback task that succeeded before its timeout', async () => {
    // 600 s at speed 1000: 0.6 real seconds.
    const { recorder, runner } = await startSleeper(1000);
    const arn = await runner.start('sleeper', { timer: { caseId: 'c-1', sleepSeconds: 600 } });
    const token = await tokenFor(recorder.tokens, 'c-1:sleep');
    await runner.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"woke":true}' }));
    const next = await tokenFor(recorder.tokens, 'c-1:await');
    await sleep(900);
    expect((await describe(runner.client, arn)).status).toBe('RUNNING');
    await runner.client.send(new SendTaskSuccessCommand({ taskToken: next, output: '{"done":true}' }));
    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(outputOf(done)).toEqual({
      timer: { caseId: 'c-1', sleepSeconds: 600 },
      woken: { woke: true },
      awaited: { done: true },
    });
    expect((await historyOf(arn)).map((e) => e.type)).not.toContain('TaskTimedOut');
  });

  it.each([
    ['missing', undefined],
    ['zero', 0],
    ['a fraction', 1.5],
    ['a string', '60'],
    ['above 99999999', 100_000_000],
  ])(
    'fails the execution with States.Runtime, past a States.ALL Catch, when the value is %s',
    async (_, seconds) => {
      const { recorder, runner } = await startSleeper(1);
      const done = await waitForEnd(
        runner.client,
        await runner.start('sleeper', { timer: { caseId: 'c-1', sleepSeconds: seconds } }),
      );
      expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
      expect(done.cause).toContain('$.sleepSeconds');
      expect(recorder.events).toEqual([]);
    },
  );

  it('times out plain lambda:invoke and function tasks, which never see the value', async () => {
    const lookups: unknown[] = [];
    runner = await startTestRunner({
      speed: 1000,
      machines: {
        direct: {
          StartAt: 'Echo',
          States: {
            Echo: {
              Type: 'Task',
              Resource: echoFunctionArn,
              TimeoutSecondsPath: '$.seconds',
              Parameters: { 'caseId.$': '$.caseId' },
              ResultPath: '$.echoed',
              Next: 'Lookup',
            },
            Lookup: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              TimeoutSecondsPath: '$.seconds',
              Parameters: { FunctionName: lookupFunctionArn, 'Payload.$': '$' },
              ResultPath: '$.found',
              Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'TimedOut' }],
              End: true,
            },
            TimedOut: { Type: 'Pass', End: true },
          },
        },
      },
      handlers: {
        [echoFunctionArn]: async (event) => event,
        [lookupFunctionArn]: (event) => {
          lookups.push(event);
          return new Promise<never>(() => undefined);
        },
      },
    });
    const arn = await runner.start('direct', { caseId: 'c-1', seconds: 100 });
    const done = await waitForEnd(runner.client, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(outputOf(done)).toMatchObject({
      echoed: { caseId: 'c-1' },
      timedOut: { Error: 'States.Timeout' },
    });
    expect(outputOf(done).echoed).toEqual({ caseId: 'c-1' });
    expect(lookups).toEqual([{ caseId: 'c-1', seconds: 100, echoed: { caseId: 'c-1' } }]);
    expect(ms(done.stopDate) - ms(done.startDate)).toBeGreaterThanOrEqual(100_000);

    const events = await historyOf(arn);
    expect(
      events.find((e) => e.type === 'LambdaFunctionScheduled')?.lambdaFunctionScheduledEventDetails,
    ).toEqual({ resource: echoFunctionArn, input: '{"caseId":"c-1"}', timeoutInSeconds: 100 });
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resource: 'invoke',
      timeoutInSeconds: 100,
    });
  });
});

suite('the states:startExecution integration', () => {
  /** "Continue as new": an execution starts its successor under the name its input gives. */
  const renew = {
    StartAt: 'Generation',
    States: {
      Generation: {
        Type: 'Choice',
        Choices: [{ Variable: '$.nextName', IsPresent: true, Next: 'Renew' }],
        Default: 'Done',
      },
      Renew: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: {
          'StateMachineArn.$': '$$.StateMachine.Id',
          'Name.$': '$.nextName',
          Input: {
            'caseId.$': '$.caseId',
            'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
          },
        },
        ResultPath: '$.renewed',
        Catch: [
          {
            ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'],
            ResultPath: '$.error',
            Next: 'Renewed',
          },
        ],
        End: true,
      },
      Renewed: { Type: 'Pass', End: true },
      Done: { Type: 'Succeed' },
    },
  };
  const starter = {
    StartAt: 'Start',
    States: {
      Start: {
        Type: 'Task',
        Resource: 'arn:aws-cn:states:::states:startExecution',
        Parameters: { 'StateMachineArn.$': '$.target', 'Name.$': '$.name', 'Input.$': '$.input' },
        End: true,
      },
    },
  };

  it('starts the successor with its input, catches a name already used, and counts both executions', async () => {
    runner = await startTestRunner({ speed: 1, machines: { renew }, handlers: {} });
    const { client } = runner;
    const first = await runner.start('renew', { caseId: 'c-1', nextName: 'c-1-2' }, 'c-1-1');
    const done = await waitForEnd(client, first);
    expect(done.status).toBe('SUCCEEDED');
    const successorArn = 'arn:aws-cn:states:cn-north-1:000000000000:execution:renew:c-1-2';
    const renewed = outputOf(done).renewed as { ExecutionArn: string; StartDate: number };
    expect(renewed).toEqual({ ExecutionArn: successorArn, StartDate: expect.any(Number) });

    const successor = await waitForEnd(client, successorArn);
    expect(successor.status).toBe('SUCCEEDED');
    expect(JSON.parse(successor.input ?? '')).toEqual({
      caseId: 'c-1',
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: first,
    });
    expect(renewed.StartDate).toBe(ms(successor.startDate));
    // Generation and Renew, then the successor's Generation and Done.
    expect(runner.sfn.stateTransitions()).toBe(4);

    const events = await client.send(new GetExecutionHistoryCommand({ executionArn: first }));
    const details = (type: string) => events.events?.find((e) => e.type === type);
    expect(details('TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution',
      region: 'cn-north-1',
    });
    expect(JSON.parse(details('TaskScheduled')?.taskScheduledEventDetails?.parameters ?? '')).toEqual({
      StateMachineArn: runner.arnOf('renew'),
      Name: 'c-1-2',
      Input: { caseId: 'c-1', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: first },
    });
    expect(details('TaskStarted')?.taskStartedEventDetails).toEqual({
      resourceType: 'states',
      resource: 'startExecution',
    });
    expect(JSON.parse(details('TaskSucceeded')?.taskSucceededEventDetails?.output ?? '')).toEqual(renewed);

    // The successor's name is taken by an ended execution: StartExecution refuses it, the Catch takes it.
    const again = await waitForEnd(client, await runner.start('renew', { caseId: 'c-1', nextName: 'c-1-2' }));
    expect(again.status).toBe('SUCCEEDED');
    expect(failureAt(again, 'error').Error).toBe('StepFunctions.ExecutionAlreadyExistsException');
    expect(failureAt(again, 'error').Cause).toContain(`Execution Already Exists: '${successorArn}'`);
    expect(runner.sfn.stateTransitions()).toBe(4 + 3);
  });

  it('passes a string Input as it is and fails with the StepFunctions error names', async () => {
    runner = await startTestRunner({ speed: 1, machines: { renew, starter }, handlers: {} });
    const { client } = runner;
    const target = runner.arnOf('renew');
    const started = await waitForEnd(
      client,
      await runner.start('starter', { target, name: 'from-string', input: '{"caseId": "c-9"}' }),
    );
    expect(started.status).toBe('SUCCEEDED');
    const child = await waitForEnd(client, String(outputOf(started).ExecutionArn));
    expect(child).toMatchObject({ status: 'SUCCEEDED', name: 'from-string', input: '{"caseId": "c-9"}' });

    const failures = [
      [
        { target: runner.arnOf('nothing'), name: 'x', input: '{}' },
        'StepFunctions.StateMachineDoesNotExistException',
      ],
      [{ target, name: 'has space', input: '{}' }, 'StepFunctions.InvalidNameException'],
      [{ target, name: 'bad-input', input: '{not json' }, 'StepFunctions.InvalidExecutionInputException'],
      [{ target: 'not-an-arn', name: 'x', input: '{}' }, 'StepFunctions.InvalidArnException'],
    ] as const;
    for (const [input, error] of failures) {
      const failed = await waitForEnd(client, await runner.start('starter', input));
      expect(failed).toMatchObject({ status: 'FAILED', error });
      expect(failed.cause).toMatch(/\(Service: AWSStepFunctions; Status Code: 400; Error Code: \w+;/);
    }
  });
});

suite('Lambda tasks', () => {
  it('wraps lambda:invoke results in Payload, passes plain function results on, and keeps error names for Retry and Catch', async () => {
    let lookups = 0;
    runner = await startTestRunner({
      speed: 1,
      machines: { lambdas: fixture('lambda-tasks.asl.json') },
      handlers: {
        [echoFunctionArn]: async (event, context) => ({ event, functionName: context.functionName }),
        [lookupFunctionArn]: async (event) => {
          lookups += 1;
          const { caseId } = event as { caseId: string };
          if (lookups === 1) throw named('Flaky');
          if (caseId === 'missing') throw named('CaseNotFound', 'no case missing');
          return { caseId, phase: 'intake' };
        },
      },
    });
    const found = await waitForEnd(runner.client, await runner.start('lambdas', { caseId: 'c-1' }));
    expect(found.status).toBe('SUCCEEDED');
    expect(outputOf(found)).toEqual({
      caseId: 'c-1',
      invoked: {
        ExecutedVersion: '$LATEST',
        Payload: { event: { caseId: 'c-1' }, functionName: 'echo' },
        StatusCode: 200,
      },
      direct: { event: { caseId: 'c-1' }, functionName: 'echo' },
      lookup: { found: { caseId: 'c-1', phase: 'intake' } },
    });
    expect(lookups).toBe(2);

    const missing = await waitForEnd(runner.client, await runner.start('lambdas', { caseId: 'missing' }));
    const error = failureAt(missing, 'error');
    expect(error.Error).toBe('CaseNotFound');
    expect(JSON.parse(error.Cause ?? '')).toMatchObject({
      errorType: 'CaseNotFound',
      errorMessage: 'no case missing',
    });
  });
});

suite('Parallel branches', () => {
  it('stops the 30-day deadline Wait when the decision branch fails into the Parallel Catch', async () => {
    const recorder = tokenRecorder();
    runner = await startTestRunner({
      speed: 1,
      machines: { race: fixture('parallel-decision.asl.json') },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    const arn = await runner.start('race', { caseId: 'c-1' });
    const token = await tokenFor(recorder.tokens, 'c-1:decision');
    await runner.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    const done = await waitForEnd(runner.client, arn, 2_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(failureAt(done, 'race')).toEqual({
      Error: 'DecisionArrived',
      Cause: 'decided before the deadline',
    });
  });

  it('invalidates the task token of a branch the failed Parallel abandoned', async () => {
    const recorder = tokenRecorder();
    // The grace Wait of 50 s takes 50 ms at speed 1000.
    runner = await startTestRunner({
      speed: 1000,
      machines: { withdrawal: fixture('parallel-withdrawal.asl.json') },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    const arn = await runner.start('withdrawal', { caseId: 'c-1' });
    const approval = await tokenFor(recorder.tokens, 'c-1:approval');
    const appeal = await tokenFor(recorder.tokens, 'c-1:appeal');
    await expect(
      runner.client.send(new SendTaskSuccessCommand({ taskToken: approval, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    expect((await describe(runner.client, arn)).status).toBe('RUNNING');
    await runner.client.send(new SendTaskSuccessCommand({ taskToken: appeal, output: '{"upheld":true}' }));
    const done = await waitForEnd(runner.client, arn);
    expect(outputOf(done)).toMatchObject({ race: { Error: 'Withdrawn' }, appeal: { upheld: true } });
  });
});

suite('execution lifecycle', () => {
  it('aborts on StopExecution and refuses the aborted task token', async () => {
    const recorder = tokenRecorder();
    runner = await startTestRunner({
      speed: 1,
      machines: { callback: fixture('callback.asl.json') },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    const arn = await runner.start('callback', { caseId: 'c-1' });
    const token = await tokenFor(recorder.tokens, 'c-1:decision');
    const { stopDate } = await runner.client.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Case.Withdrawn', cause: 'applicant withdrew' }),
    );
    expect(stopDate).toBeInstanceOf(Date);
    expect(await describe(runner.client, arn)).toMatchObject({
      status: 'ABORTED',
      error: 'Case.Withdrawn',
      cause: 'applicant withdrew',
      stopDate,
    });
    await expect(
      runner.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('times the execution out on its TimeoutSeconds on the virtual clock', async () => {
    runner = await startTestRunner({
      speed: 1e7,
      machines: { limited: fixture('execution-timeout.asl.json') },
      handlers: {},
    });
    const done = await waitForEnd(runner.client, await runner.start('limited', {}));
    expect(done.status).toBe('TIMED_OUT');
    expect(ms(done.stopDate) - ms(done.startDate)).toBeGreaterThanOrEqual(30 * day);
    expect(ms(done.stopDate) - ms(done.startDate)).toBeLessThan(60 * day);
  });

  it('starts idempotently for the same name and input while running, and refuses names in use otherwise', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { wait: fixture('wait-30-days.asl.json') },
      handlers: {},
    });
    const { client } = runner;
    const first = await runner.start('wait', { caseId: 'c-1' }, 'c-1');
    expect(first).toBe('arn:aws-cn:states:cn-north-1:000000000000:execution:wait:c-1');
    expect(await runner.start('wait', { caseId: 'c-1' }, 'c-1')).toBe(first);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: runner.arnOf('wait') }));
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([first]);

    await expect(runner.start('wait', { caseId: 'other' }, 'c-1')).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await client.send(new StopExecutionCommand({ executionArn: first }));
    await expect(runner.start('wait', { caseId: 'c-1' }, 'c-1')).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });

    const unnamed = await runner.start('wait', { caseId: 'c-2' });
    expect(unnamed).toMatch(/:execution:wait:[0-9a-f-]{36}$/);
  });

  it('answers bad requests with the AWS error names', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { wait: fixture('wait-30-days.asl.json') },
      handlers: {},
    });
    const { client } = runner;
    const stateMachineArn = runner.arnOf('wait');
    const start = (input: Record<string, unknown>) =>
      client.send(new StartExecutionCommand({ stateMachineArn, ...input }));
    await expect(start({ name: 'has space' })).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(start({ name: 'a:b' })).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(start({ input: '{not json' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: localStateMachineArn('nothing') })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
    await expect(
      describe(client, 'arn:aws-cn:states:cn-north-1:000000000000:execution:wait:nobody'),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });

    const response = await fetch(runner.sfn.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.Bogus' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('describes the state machine and lists executions newest first, filtered and paged', async () => {
    const definition = fixture('wait-30-days.asl.json');
    runner = await startTestRunner({ speed: 1, machines: { wait: definition }, handlers: {} });
    const { client } = runner;
    const stateMachineArn = runner.arnOf('wait');
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(described).toMatchObject({ stateMachineArn, name: 'wait', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '')).toEqual(definition);
    expect(described.roleArn).toMatch(/^arn:aws-cn:iam::000000000000:role\//);
    expect(ms(described.creationDate)).toBeGreaterThanOrEqual(virtualOrigin);

    const arns = [];
    for (const name of ['one', 'two', 'three']) arns.push(await runner.start('wait', { caseId: name }, name));
    await client.send(new StopExecutionCommand({ executionArn: arns[1] }));

    const running = await client.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }),
    );
    expect(running.executions?.map((e) => e.name)).toEqual(['three', 'one']);
    const firstPage = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    expect(firstPage.executions?.map((e) => [e.name, e.status])).toEqual([
      ['three', 'RUNNING'],
      ['two', 'ABORTED'],
    ]);
    expect(firstPage.nextToken).toBeTruthy();
    const secondPage = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: firstPage.nextToken }),
    );
    expect(secondPage.executions?.map((e) => e.name)).toEqual(['one']);
    expect(secondPage.nextToken).toBeUndefined();
  });

  it('records the execution history', async () => {
    runner = await startTestRunner({
      speed: 1e7,
      machines: { wait: fixture('wait-30-days.asl.json') },
      handlers: {},
    });
    const arn = await runner.start('wait', { caseId: 'c-1' });
    await waitForEnd(runner.client, arn);
    const { events } = await runner.client.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events?.[3]?.stateEnteredEventDetails?.name).toBe('WaitThirtyDays');
    expect(ms(events?.at(-1)?.timestamp) - ms(events?.[0]?.timestamp)).toBeGreaterThanOrEqual(30 * day);
  });

  it('counts the states entered inside Parallel and Map, across executions', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { count: fixture('transitions.asl.json') },
      handlers: {},
    });
    expect(runner.sfn.stateTransitions()).toBe(0);
    await waitForEnd(runner.client, await runner.start('count', { items: [1, 2, 3] }));
    expect(runner.sfn.stateTransitions()).toBe(9);
    await waitForEnd(runner.client, await runner.start('count', { items: [1] }));
    expect(runner.sfn.stateTransitions()).toBe(9 + 7);
  });

  it('leaves no timers or sockets behind after stop()', async () => {
    const count = (type: string) =>
      process.getActiveResourcesInfo().filter((resource) => resource === type).length;
    const baseline = {
      timers: count('Timeout'),
      servers: count('TCPServerWrap'),
      sockets: count('TCPSocketWrap'),
    };
    const recorder = tokenRecorder();
    runner = await startTestRunner({
      speed: 1,
      machines: {
        wait: fixture('wait-30-days.asl.json'),
        callback: fixture('callback-timeout.asl.json'),
        race: fixture('parallel-decision.asl.json'),
      },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    await runner.start('wait', { caseId: 'c-0' });
    await runner.start('callback', { caseId: 'c-1' });
    await runner.start('race', { caseId: 'c-2' });
    await tokenFor(recorder.tokens, 'c-1:signature');
    await tokenFor(recorder.tokens, 'c-2:decision');
    expect(count('Timeout')).toBeGreaterThan(baseline.timers);

    await runner.stop();
    runner = undefined;
    await sleep(20);
    expect(count('Timeout')).toBeLessThanOrEqual(baseline.timers);
    expect(count('TCPServerWrap')).toBeLessThanOrEqual(baseline.servers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(baseline.sockets);
  });
});

suite('load-time refusals', () => {
  it.each([
    ['jsonata.asl.json', /JSONata/],
    ['result-path-dollar.asl.json', /ResultPath "\$"/],
    ['unbound-function.asl.json', /no local handler is bound to the function .*:function:nobody/],
    ['unsupported-integration.asl.json', /dynamodb:putItem cannot be bound locally/],
  ])('refuses %s', async (file, message) => {
    const start = startLocalStepFunctions({
      clock: virtualClock(1),
      stateMachines: [
        { name: 'refused', arn: localStateMachineArn('refused'), definition: fixture(`refused/${file}`) },
      ],
      lambdaHandlers: { [notifyFunctionArn]: async () => null },
      port: 0,
    });
    await expect(start).rejects.toThrow(message);
  });
});
