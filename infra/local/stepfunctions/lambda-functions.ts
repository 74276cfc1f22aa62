import type { Context } from 'aws-lambda';
import { createLambdaContext } from '../lambda-context';

export type LocalLambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunction {
  arn: string;
  functionName: string;
  handler: LocalLambdaHandler;
}

export interface LambdaRegistry {
  /** The handler a Task's function name or ARN (optionally `:$LATEST`) refers to. */
  resolve(functionRef: string): LocalFunction | undefined;
}

const functionNameOf = (arn: string): string => arn.split(':')[6] ?? arn;

export function createLambdaRegistry(handlers: Record<string, LocalLambdaHandler>): LambdaRegistry {
  const byArn = new Map<string, LocalFunction>();
  const byName = new Map<string, LocalFunction[]>();
  for (const [arn, handler] of Object.entries(handlers)) {
    const fn = { arn, functionName: functionNameOf(arn), handler };
    byArn.set(arn, fn);
    byName.set(fn.functionName, [...(byName.get(fn.functionName) ?? []), fn]);
  }
  return {
    resolve(functionRef) {
      const unqualified = functionRef.endsWith(':$LATEST')
        ? functionRef.slice(0, -':$LATEST'.length)
        : functionRef;
      const exact = byArn.get(unqualified);
      if (exact) return exact;
      // A bare function name resolves only when one handler has that name.
      const named = unqualified.includes(':') ? undefined : byName.get(unqualified);
      return named?.length === 1 ? named[0] : undefined;
    },
  };
}

/** An error that Retry and Catch match by `name`; `message` becomes the Cause. */
export function taskError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/**
 * A handler's exception as Step Functions reports a Lambda failure: Error is the runtime's errorType (the
 * exception's name), Cause the JSON error response the Node.js runtime sends.
 */
export function lambdaFailure(thrown: unknown): Error {
  const response =
    thrown instanceof Error
      ? { errorType: thrown.name, errorMessage: thrown.message, trace: (thrown.stack ?? '').split('\n') }
      : { errorType: typeof thrown, errorMessage: String(thrown), trace: [] as string[] };
  return taskError(response.errorType, JSON.stringify(response));
}

const asLambdaJson = (value: unknown): unknown =>
  value === undefined ? null : JSON.parse(JSON.stringify(value));

/** Calls the handler as Lambda would: JSON in, JSON out, a thrown error as a Lambda failure. */
export async function invokeLocalFunction(fn: LocalFunction, event: unknown): Promise<unknown> {
  try {
    const result = await fn.handler(asLambdaJson(event), createLambdaContext(fn.functionName));
    return asLambdaJson(result);
  } catch (thrown) {
    throw lambdaFailure(thrown);
  }
}
