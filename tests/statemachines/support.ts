import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type Clock, createClock } from '../../functions/shared/clock';
import { substituteAsl } from '../../infra/definitions/asl';
import { localFunctionArn, localStateMachineArn } from '../../infra/local/lambda-context';
import {
  type LocalLambdaHandler,
  type LocalStepFunctions,
  startLocalStepFunctions,
} from '../../infra/local/stepfunctions';

/** Virtual time starts here, years away from the real clock, so a runner reading Date.now() would show. */
export const virtualOrigin = Date.parse('2030-01-01T00:00:00.000Z');
export const day = 24 * 60 * 60 * 1000;

export const notifyFunctionArn = localFunctionArn('notify');
export const echoFunctionArn = localFunctionArn('echo');
export const lookupFunctionArn = localFunctionArn('lookup');
export const fixtureSubstitutions = {
  NotifyFunctionArn: notifyFunctionArn,
  EchoFunctionArn: echoFunctionArn,
  LookupFunctionArn: lookupFunctionArn,
};

export function fixture(file: string): Record<string, unknown> {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  const used = Object.fromEntries(
    Object.entries(fixtureSubstitutions).filter(([name]) => text.includes(`\${${name}}`)),
  );
  return substituteAsl(text, used);
}

export const virtualClock = (speed: number): Clock =>
  createClock({ speed, originRealMs: Date.now(), originVirtualMs: virtualOrigin });

export interface TestRunner {
  sfn: LocalStepFunctions;
  client: SFNClient;
  clock: Clock;
  arnOf(machineName: string): string;
  start(machineName: string, input: unknown, name?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestRunner(options: {
  speed: number;
  machines: Record<string, Record<string, unknown>>;
  handlers: Record<string, LocalLambdaHandler>;
}): Promise<TestRunner> {
  const clock = virtualClock(options.speed);
  const sfn = await startLocalStepFunctions({
    clock,
    stateMachines: Object.entries(options.machines).map(([name, definition]) => ({
      name,
      arn: localStateMachineArn(name),
      definition,
    })),
    lambdaHandlers: options.handlers,
    port: 0,
  });
  const client = new SFNClient({
    endpoint: sfn.endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    sfn,
    client,
    clock,
    arnOf: localStateMachineArn,
    async start(machineName, input, name) {
      const { executionArn } = await client.send(
        new StartExecutionCommand({
          stateMachineArn: localStateMachineArn(machineName),
          input: JSON.stringify(input),
          ...(name ? { name } : {}),
        }),
      );
      return executionArn as string;
    },
    async stop() {
      client.destroy();
      await sfn.stop();
    },
  };
}

export const describe = (client: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> =>
  client.send(new DescribeExecutionCommand({ executionArn }));

/** Polls until the execution has ended; fails after `timeoutMs` of real time. */
export async function waitForEnd(
  client: SFNClient,
  executionArn: string,
  timeoutMs = 5_000,
): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await describe(client, executionArn);
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A callback handler that records the task tokens it is given, by step. */
export function tokenRecorder(): {
  handler: LocalLambdaHandler;
  tokens: Map<string, string>;
  events: unknown[];
} {
  const tokens = new Map<string, string>();
  const events: unknown[] = [];
  return {
    tokens,
    events,
    handler: async (event) => {
      events.push(event);
      const { step, caseId, taskToken } = event as { step: string; caseId?: string; taskToken: string };
      tokens.set(caseId ? `${caseId}:${step}` : step, taskToken);
      return { notified: true };
    },
  };
}
