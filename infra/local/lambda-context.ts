import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda context for handlers invoked in-process by the local gateway and workflow runner. */
export function createLambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const localAccount = '000000000000';
export const localRegion = 'cn-north-1';

/** The partition of the stack's region: an ARN naming a China region is an `aws-cn` one. */
export const localPartition = localRegion.startsWith('cn-') ? 'aws-cn' : 'aws';

export const localFunctionArn = (functionName: string): string =>
  `arn:${localPartition}:lambda:${localRegion}:${localAccount}:function:${functionName}`;

export const localStateMachineArn = (name: string): string =>
  `arn:${localPartition}:states:${localRegion}:${localAccount}:stateMachine:${name}`;
