import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  echoFunctionArn,
  fixture,
  lookupFunctionArn,
  notifyFunctionArn,
  startTestRunner,
  type TestRunner,
  tokenRecorder,
  waitForEnd,
} from '../statemachines/support';

/**
 * The local Step Functions endpoint as the AWS CLI and SDK see it (found with the CLI against it):
 * DescribeStateMachineForExecution and ListTagsForResource answer; ARNs are written in the region the
 * client signed for, in that region's partition; the history has the Task events AWS writes.
 */
let runner: TestRunner | undefined;
const clients: SFNClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await runner?.stop();
  runner = undefined;
});

const clientFor = (region: string) => {
  const client = new SFNClient({
    endpoint: runner?.sfn.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  clients.push(client);
  return client;
};

const historyOf = async (client: SFNClient, executionArn: string): Promise<HistoryEvent[]> =>
  (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];

/** The events of one state, from its entry to its exit. */
function eventsOfState(events: HistoryEvent[], name: string): HistoryEvent[] {
  const start = events.findIndex((e) => e.stateEnteredEventDetails?.name === name);
  const end = events.findIndex((e, i) => i > start && e.stateExitedEventDetails?.name === name);
  return events.slice(start, end === -1 ? undefined : end + 1);
}

describe('local Step Functions API', () => {
  it('writes ARNs in the region the client signed for, in its partition, for one and the same resource', async () => {
    runner = await startTestRunner({
      speed: 1,
      machines: { wait: fixture('wait-30-days.asl.json') },
      handlers: {},
    });
    const ireland = clientFor('eu-west-1');
    const beijing = clientFor('cn-north-1');

    const listed = await ireland.send(new ListStateMachinesCommand({}));
    const machineArn = listed.stateMachines?.[0]?.stateMachineArn;
    expect(machineArn).toBe('arn:aws:states:eu-west-1:000000000000:stateMachine:wait');
    const started = await ireland.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'c-1', input: '{"caseId":"c-1"}' }),
    );
    expect(started.executionArn).toBe('arn:aws:states:eu-west-1:000000000000:execution:wait:c-1');

    // The same execution, named by a client of a China region.
    const described = await beijing.send(
      new DescribeExecutionCommand({
        executionArn: 'arn:aws-cn:states:cn-north-1:000000000000:execution:wait:c-1',
      }),
    );
    expect(described).toMatchObject({
      executionArn: 'arn:aws-cn:states:cn-north-1:000000000000:execution:wait:c-1',
      stateMachineArn: 'arn:aws-cn:states:cn-north-1:000000000000:stateMachine:wait',
      status: 'RUNNING',
    });
    const executions = await ireland.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(executions.executions?.map((e) => e.executionArn)).toEqual([started.executionArn]);
    // No ARN in any answer pairs the aws partition with a China region.
    const history = await historyOf(ireland, started.executionArn as string);
    expect(JSON.stringify([listed, started, described, executions, history])).not.toMatch(
      /arn:aws:[a-z]+:cn-/,
    );
    // An ARN that cannot exist is refused.
    await expect(
      beijing.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:cn-north-1:000000000000:execution:wait:c-1',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  it('answers DescribeStateMachineForExecution and ListTagsForResource', async () => {
    const definition = fixture('wait-30-days.asl.json');
    runner = await startTestRunner({ speed: 1, machines: { wait: definition }, handlers: {} });
    const client = clientFor('us-east-1');
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:wait';
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));

    const forExecution = await client.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(forExecution).toMatchObject({ stateMachineArn, name: 'wait' });
    expect(JSON.parse(forExecution.definition ?? '')).toEqual(definition);
    expect(forExecution.roleArn).toMatch(/^arn:aws:iam::000000000000:role\//);
    expect(forExecution.updateDate).toBeInstanceOf(Date);
    await expect(
      client.send(
        new DescribeStateMachineForExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:wait:nobody',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });

    const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
    expect(tags.tags).toEqual([]);
    await expect(
      client.send(
        new ListTagsForResourceCommand({
          resourceArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:none',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });

  it('records TaskScheduled, TaskStarted and TaskSucceeded or TaskFailed for each Task attempt', async () => {
    let lookups = 0;
    runner = await startTestRunner({
      speed: 1,
      machines: { lambdas: fixture('lambda-tasks.asl.json') },
      handlers: {
        [echoFunctionArn]: async (event) => ({ event }),
        [lookupFunctionArn]: async () => {
          lookups += 1;
          if (lookups === 1) throw Object.assign(new Error('try again'), { name: 'Flaky' });
          throw Object.assign(new Error('no case missing'), { name: 'CaseNotFound' });
        },
      },
    });
    const client = clientFor('cn-northwest-1');
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws-cn:states:cn-northwest-1:000000000000:stateMachine:lambdas',
        input: '{"caseId":"missing"}',
      }),
    );
    await waitForEnd(client, executionArn as string);
    const events = await historyOf(client, executionArn as string);

    const invoke = eventsOfState(events, 'Invoke');
    expect(invoke.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(invoke[1]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'cn-northwest-1',
    });
    expect(JSON.parse(invoke[1]?.taskScheduledEventDetails?.parameters ?? '{}')).toEqual({
      FunctionName: echoFunctionArn,
      Payload: { caseId: 'missing' },
    });
    expect(JSON.parse(invoke[3]?.taskSucceededEventDetails?.output ?? '{}')).toMatchObject({
      Payload: { event: { caseId: 'missing' } },
      StatusCode: 200,
    });

    // A Lambda ARN as Resource: the LambdaFunction events.
    expect(eventsOfState(events, 'Direct').map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);

    // A failed attempt, its retry, and the failure the Catch takes.
    const lookup = events.filter(
      (e) => e.stateEnteredEventDetails?.name === 'Lookup' || e.type?.startsWith('Task') === true,
    );
    const afterLookup = lookup.slice(lookup.findIndex((e) => e.stateEnteredEventDetails?.name === 'Lookup'));
    expect(afterLookup.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      // The Catch takes the error: the state exits with it.
      'TaskStateExited',
    ]);
    expect(afterLookup[3]?.taskFailedEventDetails).toMatchObject({ resourceType: 'lambda', error: 'Flaky' });
    expect(afterLookup[6]?.taskFailedEventDetails?.error).toBe('CaseNotFound');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    // Ids are consecutive and each event points at the one before.
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  });

  it('records TaskSubmitted for a callback task, then TaskSucceeded once its token is sent back', async () => {
    const recorder = tokenRecorder();
    runner = await startTestRunner({
      speed: 1,
      machines: { callback: fixture('callback.asl.json') },
      handlers: { [notifyFunctionArn]: recorder.handler },
    });
    const client = clientFor('cn-north-1');
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws-cn:states:cn-north-1:000000000000:stateMachine:callback',
        input: '{"caseId":"c-1"}',
      }),
    );
    const token = await vi.waitFor(() => {
      const value = recorder.tokens.get('c-1:decision');
      if (!value) throw new Error('no token yet');
      return value;
    });
    await vi.waitFor(async () =>
      expect((await historyOf(client, executionArn as string)).map((e) => e.type)).toContain('TaskSubmitted'),
    );
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    await waitForEnd(client, executionArn as string);
    const events = eventsOfState(await historyOf(client, executionArn as string), 'AwaitDecision');
    expect(events.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(events[1]?.taskScheduledEventDetails?.resource).toBe('invoke.waitForTaskToken');
    expect(JSON.parse(events[4]?.taskSucceededEventDetails?.output ?? '{}')).toEqual({ approved: true });
  });
});
