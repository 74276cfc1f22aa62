import { describe, expect, it } from 'vitest';
import {
  DefinitionError,
  libraryTaskTimeoutSeconds,
  type PreparedDefinition,
  prepareDefinition,
  timeoutSecondsKey,
  virtualStartTimeKey,
} from '../../infra/local/stepfunctions/definition';
import { createLambdaRegistry } from '../../infra/local/stepfunctions/lambda-functions';
import { parseReferencePath } from '../../infra/local/stepfunctions/reference-path';
import { StatesRuntimeError, waitDueTime } from '../../infra/local/stepfunctions/wait-time';

const boundArn = 'arn:aws:lambda:cn-north-1:000000000000:function:bound';
const options = { isBound: (ref: string) => ref === boundArn };
const prepare = (definition: Record<string, unknown>): PreparedDefinition =>
  prepareDefinition(definition, options);

const machine = (states: Record<string, unknown>, startAt = Object.keys(states)[0]) => ({
  StartAt: startAt,
  States: states,
});
const invoke = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: boundArn, 'Payload.$': '$' },
  End: true,
  ...extra,
});
const callback = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: boundArn, Payload: { 'token.$': '$$.Task.Token' } },
  End: true,
  ...extra,
});

const startExecution = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::states:startExecution',
  Parameters: {
    'StateMachineArn.$': '$$.StateMachine.Id',
    'Name.$': '$.name',
    Input: { 'caseId.$': '$.caseId' },
  },
  End: true,
  ...extra,
});

function refusal(definition: Record<string, unknown>): string {
  try {
    prepare(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as Error).message;
  }
  throw new Error('the definition was accepted');
}

describe('prepareDefinition rewriting', () => {
  it('turns a Wait into a Task bound to the runner, keeping InputPath, OutputPath and Next', () => {
    const prepared = prepare(
      machine({
        Hold: {
          Type: 'Wait',
          SecondsPath: '$.seconds',
          InputPath: '$.inner',
          OutputPath: '$.keep',
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      }),
    );
    expect((prepared.runnable.States as Record<string, unknown>).Hold).toEqual({
      Type: 'Task',
      Resource: expect.any(String),
      InputPath: '$.inner',
      OutputPath: '$.keep',
      Next: 'Done',
      TimeoutSeconds: libraryTaskTimeoutSeconds,
    });
    expect(prepared.bindings.get('Hold')).toEqual({
      kind: 'wait',
      wait: { secondsPath: '$.seconds', segments: ['seconds'] },
    });
    expect(prepared.states.get('Hold')?.type).toBe('Wait');
  });

  it('rewrites Waits inside Parallel branches and Map processors and records their containers', () => {
    const prepared = prepare(
      machine({
        Fork: {
          Type: 'Parallel',
          Branches: [
            machine({ Deadline: { Type: 'Wait', Seconds: 2592000, End: true } }),
            machine({
              Each: {
                Type: 'Map',
                ItemProcessor: machine({
                  Pause: { Type: 'Wait', Timestamp: '2030-02-01T00:00:00Z', End: true },
                }),
                End: true,
              },
            }),
          ],
          End: true,
        },
      }),
    );
    expect(prepared.runnable).toMatchObject({
      States: {
        Fork: {
          Branches: [
            { States: { Deadline: { Type: 'Task' } } },
            { States: { Each: { ItemProcessor: { States: { Pause: { Type: 'Task' } } } } } },
          ],
        },
      },
    });
    expect(prepared.bindings.get('Deadline')).toEqual({ kind: 'wait', wait: { seconds: 2592000 } });
    expect(prepared.bindings.get('Pause')).toEqual({
      kind: 'wait',
      wait: { timestamp: '2030-02-01T00:00:00Z' },
    });
    expect(prepared.states.get('Deadline')).toMatchObject({ containers: ['Fork'], insideMap: false });
    expect(prepared.states.get('Pause')).toMatchObject({ containers: ['Fork', 'Each'], insideMap: true });
  });

  it('takes over Task and execution timeouts, leaving the library a timer below the overflow', () => {
    const prepared = prepare({
      ...machine({ Await: callback({ TimeoutSeconds: 2592000, HeartbeatSeconds: 3600 }) }),
      TimeoutSeconds: 5184000,
    });
    expect(prepared.timeoutSeconds).toBe(5184000);
    expect(prepared.runnable.TimeoutSeconds).toBeUndefined();
    const task = (prepared.runnable.States as Record<string, Record<string, unknown>>).Await;
    expect(task?.TimeoutSeconds).toBe(libraryTaskTimeoutSeconds);
    expect(task?.HeartbeatSeconds).toBeUndefined();
    expect(libraryTaskTimeoutSeconds * 1000).toBeLessThan(2 ** 31 - 1);
    expect(prepared.bindings.get('Await')).toEqual({
      kind: 'lambda-invoke',
      waitForTaskToken: true,
      timeoutSeconds: 2592000,
      heartbeatSeconds: 3600,
    });
  });

  it('binds plain function ARNs and lambda:invoke', () => {
    const prepared = prepare(
      machine({ Direct: { Type: 'Task', Resource: boundArn, Next: 'Invoke' }, Invoke: invoke() }),
    );
    expect(prepared.bindings.get('Direct')).toEqual({ kind: 'lambda-function', functionRef: boundArn });
    expect(prepared.bindings.get('Invoke')).toEqual({ kind: 'lambda-invoke', waitForTaskToken: false });
  });

  it('carries a TimeoutSecondsPath through Parameters, evaluated on the same input after InputPath', () => {
    const prepared = prepare(
      machine({
        Sleep: callback({ InputPath: '$.timer', TimeoutSecondsPath: '$.sleepSeconds', HeartbeatSeconds: 60 }),
      }),
    );
    const task = (prepared.runnable.States as Record<string, Record<string, unknown>>).Sleep;
    expect(task).toMatchObject({ InputPath: '$.timer', TimeoutSeconds: libraryTaskTimeoutSeconds });
    expect(task?.TimeoutSecondsPath).toBeUndefined();
    expect(task?.Parameters).toEqual({
      FunctionName: boundArn,
      Payload: { 'token.$': '$$.Task.Token' },
      [`${timeoutSecondsKey}.$`]: '$.sleepSeconds',
    });
    expect(prepared.bindings.get('Sleep')).toEqual({
      kind: 'lambda-invoke',
      waitForTaskToken: true,
      timeoutSecondsPath: '$.sleepSeconds',
      heartbeatSeconds: 60,
    });
  });

  it('binds the request-response startExecution integration in every partition', () => {
    const prepared = prepare(
      machine({
        Renew: startExecution({ Next: 'InChina', TimeoutSeconds: 60 }),
        InChina: startExecution({
          Resource: 'arn:aws-cn:states:::states:startExecution',
          Next: 'InGovCloud',
        }),
        InGovCloud: startExecution({ Resource: 'arn:aws-us-gov:states:::states:startExecution' }),
      }),
    );
    expect(prepared.bindings.get('Renew')).toEqual({ kind: 'start-execution', timeoutSeconds: 60 });
    expect(prepared.bindings.get('InChina')).toEqual({ kind: 'start-execution' });
    expect(prepared.bindings.get('InGovCloud')).toEqual({ kind: 'start-execution' });
  });

  it('points $$.Execution.StartTime at the virtual start time the runner supplies', () => {
    const prepared = prepare(
      machine({ Stamp: { Type: 'Pass', Parameters: { 'at.$': '$$.Execution.StartTime' }, End: true } }),
    );
    const stamp = (prepared.runnable.States as Record<string, { Parameters: unknown }>).Stamp;
    expect(stamp?.Parameters).toEqual({ 'at.$': `$$.Execution.${virtualStartTimeKey}` });
  });
});

describe('prepareDefinition refusals', () => {
  it.each([
    [
      'JSONata at the top level',
      { ...machine({ A: { Type: 'Pass', End: true } }), QueryLanguage: 'JSONata' },
      /JSONata/,
    ],
    ['JSONata on a state', machine({ A: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } }), /JSONata/],
    [
      'both TimeoutSeconds and TimeoutSecondsPath',
      machine({ A: callback({ TimeoutSeconds: 60, TimeoutSecondsPath: '$.t' }) }),
      /TimeoutSeconds and TimeoutSecondsPath exclude each other/,
    ],
    [
      'TimeoutSecondsPath without Parameters',
      machine({ A: { Type: 'Task', Resource: boundArn, TimeoutSecondsPath: '$.t', End: true } }),
      /TimeoutSecondsPath needs Parameters/,
    ],
    [
      'a TimeoutSecondsPath that is not a reference path',
      machine({ A: callback({ TimeoutSecondsPath: '$$.Execution.Input.t' }) }),
      /TimeoutSecondsPath "\$\$\.Execution\.Input\.t" is not a reference path/,
    ],
    [
      "the runner's own Parameters key",
      machine({
        A: {
          Type: 'Task',
          Resource: boundArn,
          Parameters: { [timeoutSecondsKey]: 1 },
          TimeoutSecondsPath: '$.t',
          End: true,
        },
      }),
      /LocalRunnerTimeoutSeconds is reserved/,
    ],
    [
      'startExecution.sync',
      machine({ A: startExecution({ Resource: 'arn:aws:states:::states:startExecution.sync' }) }),
      /states:startExecution\.sync is not supported locally/,
    ],
    [
      'startExecution.sync:2',
      machine({ A: startExecution({ Resource: 'arn:aws:states:::states:startExecution.sync:2' }) }),
      /states:startExecution\.sync:2 is not supported locally/,
    ],
    [
      'startExecution.waitForTaskToken',
      machine({
        A: startExecution({
          Resource: 'arn:aws:states:::states:startExecution.waitForTaskToken',
          Parameters: { StateMachineArn: 'arn', Input: { 'token.$': '$$.Task.Token' } },
        }),
      }),
      /states:startExecution\.waitForTaskToken is not supported locally/,
    ],
    [
      'unknown startExecution Parameters',
      machine({
        A: startExecution({ Parameters: { StateMachineArn: 'arn', TraceHeader: 'x', 'Other.$': '$.o' } }),
      }),
      /states:startExecution Parameters TraceHeader, Other\.\$ are not supported locally/,
    ],
    [
      'startExecution without a StateMachineArn',
      machine({ A: startExecution({ Parameters: { Name: 'n' } }) }),
      /needs Parameters\.StateMachineArn/,
    ],
    [
      'HeartbeatSecondsPath',
      machine({ A: callback({ HeartbeatSecondsPath: '$.t' }) }),
      /HeartbeatSecondsPath/,
    ],
    ['ResultPath "$" on a state', machine({ A: invoke({ ResultPath: '$' }) }), /ResultPath "\$"/],
    [
      'ResultPath "$" in a Catch',
      machine({
        A: invoke({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$', Next: 'B' }] }),
        B: { Type: 'Succeed' },
      }),
      /ResultPath "\$"/,
    ],
    [
      'an unbound function ARN as Resource',
      machine({
        A: { Type: 'Task', Resource: 'arn:aws:lambda:cn-north-1:000000000000:function:other', End: true },
      }),
      /no local handler is bound to the function arn:aws:lambda:cn-north-1:000000000000:function:other/,
    ],
    [
      'an unbound lambda:invoke FunctionName',
      machine({ A: invoke({ Parameters: { FunctionName: 'other', 'Payload.$': '$' } }) }),
      /no local handler is bound to the function other/,
    ],
    [
      'a service integration the runner cannot bind',
      machine({
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      }),
      /sqs:sendMessage\.waitForTaskToken cannot be bound locally/,
    ],
    [
      'a .waitForTaskToken Task that does not pass its token',
      machine({ A: callback({ Parameters: { FunctionName: boundArn, 'Payload.$': '$' } }) }),
      /must pass \$\$\.Task\.Token/,
    ],
    [
      'a state name used in two branches',
      machine({
        Fork: {
          Type: 'Parallel',
          Branches: [
            machine({ Hold: { Type: 'Wait', Seconds: 1, End: true } }),
            machine({ Hold: { Type: 'Wait', Seconds: 2, End: true } }),
          ],
          End: true,
        },
      }),
      /"Hold".*unique/,
    ],
    [
      '$$.State',
      machine({ A: { Type: 'Pass', Parameters: { 'n.$': '$$.State.Name' }, End: true } }),
      /\$\$\.State/,
    ],
    [
      '$$.Task outside a callback',
      machine({ A: invoke({ Parameters: { FunctionName: boundArn, Payload: { 't.$': '$$.Task.Token' } } }) }),
      /\$\$\.Task/,
    ],
    ['a falsy Pass Result', machine({ A: { Type: 'Pass', Result: 0, End: true } }), /falsy Result/],
    ['variables', machine({ A: { Type: 'Pass', Assign: { x: 1 }, End: true } }), /Assign/],
    [
      'a distributed Map',
      machine({
        M: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            ...machine({ I: { Type: 'Pass', End: true } }),
          },
          End: true,
        },
      }),
      /distributed Map/,
    ],
    [
      'a SecondsPath that is not a reference path',
      machine({ W: { Type: 'Wait', SecondsPath: '$..seconds', End: true } }),
      /reference path/,
    ],
    [
      'a retry interval beyond the timer limit',
      machine({ A: invoke({ Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 3_000_000, MaxAttempts: 1 }] }) }),
      /retry interval/,
    ],
  ])('refuses %s', (_, definition, message) => {
    expect(refusal(definition as Record<string, unknown>)).toMatch(message);
  });

  it('lists every problem at once', () => {
    const message = refusal(
      machine({
        A: invoke({ ResultPath: '$', Next: 'B', End: undefined }),
        B: callback({ HeartbeatSecondsPath: '$.t' }),
      }),
    );
    expect(message).toMatch(/state "A": ResultPath/);
    expect(message).toMatch(/state "B": HeartbeatSecondsPath/);
  });
});

describe('reference paths and wait due times', () => {
  it('parses reference paths and nothing else', () => {
    expect(parseReferencePath('$')).toEqual([]);
    expect(parseReferencePath("$.a.b[0]['c d']")).toEqual(['a', 'b', 0, 'c d']);
    expect(parseReferencePath('$..a')).toBeUndefined();
    expect(parseReferencePath('$.a[*]')).toBeUndefined();
    expect(parseReferencePath('$$.Execution.Input')).toBeUndefined();
  });

  const now = Date.parse('2030-01-01T00:00:00Z');

  it('computes the due time from Seconds, Timestamp and their paths', () => {
    expect(waitDueTime({ seconds: 60 }, {}, now)).toBe(now + 60_000);
    expect(waitDueTime({ timestamp: '2030-01-02T00:00:00+08:00' }, {}, now)).toBe(
      Date.parse('2030-01-01T16:00:00Z'),
    );
    expect(waitDueTime({ secondsPath: '$.s', segments: ['s'] }, { s: 0 }, now)).toBe(now);
    expect(
      waitDueTime(
        { timestampPath: '$.at[1]', segments: ['at', 1] },
        { at: ['x', '2030-03-01T00:00:00.500Z'] },
        now,
      ),
    ).toBe(Date.parse('2030-03-01T00:00:00.500Z'));
  });

  it.each([
    [{ s: -1 }, 'seconds'],
    [{ s: 1.5 }, 'seconds'],
    [{}, 'seconds'],
    [{ t: '2030-01-01 00:00:00' }, 'timestamp'],
  ])('fails %j with an uncatchable States.Runtime', (input, kind) => {
    const spec =
      kind === 'seconds'
        ? { secondsPath: '$.s', segments: ['s'] }
        : { timestampPath: '$.t', segments: ['t'] };
    const attempt = () => waitDueTime(spec, input, now);
    expect(attempt).toThrow(StatesRuntimeError);
    expect(attempt).toThrow(
      expect.objectContaining({ name: 'States.Runtime', isCatchable: false, isRetryable: false }),
    );
  });
});

describe('createLambdaRegistry', () => {
  const handler = async () => null;
  const registry = createLambdaRegistry({ [boundArn]: handler });

  it('resolves a function by ARN, by ARN with $LATEST, and by unique name', () => {
    expect(registry.resolve(boundArn)?.functionName).toBe('bound');
    expect(registry.resolve(`${boundArn}:$LATEST`)?.arn).toBe(boundArn);
    expect(registry.resolve('bound')?.arn).toBe(boundArn);
  });

  it('does not resolve other functions, versions or aliases', () => {
    expect(registry.resolve('arn:aws:lambda:cn-north-1:000000000000:function:other')).toBeUndefined();
    expect(registry.resolve(`${boundArn}:live`)).toBeUndefined();
  });
});
