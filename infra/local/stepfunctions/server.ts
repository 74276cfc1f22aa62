import type { Clock } from '../../../functions/shared/clock';
import { ApiError } from './api-errors';
import { startHttpApi } from './http-api';
import type { LocalLambdaHandler } from './lambda-functions';
import { type LocalStateMachine, Runner } from './runner';

export interface LocalStepFunctionsOptions {
  /** Virtual clock (functions/shared/clock.ts): Waits and task timeouts run on it. */
  clock: Clock;
  stateMachines: LocalStateMachine[];
  /** Keyed by function ARN. */
  lambdaHandlers: Record<string, LocalLambdaHandler>;
  /** 0 picks a free port. */
  port: number;
  /** Loopback only; default 127.0.0.1. */
  host?: string;
}

export interface LocalStepFunctions {
  /** http://127.0.0.1:PORT, for SFNClient's `endpoint`. */
  endpoint: string;
  port: number;
  /** Number of state transitions (states entered) across all executions, for cost measurement later. */
  stateTransitions(): number;
  /** Aborts running executions, cancels timers, closes the server. */
  stop(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Starts the local Step Functions stand-in: the deployed ASL files run on aws-local-stepfunctions with
 * Task states bound to in-process Lambda handlers, behind the Step Functions HTTP API. A definition the
 * runner cannot reproduce faithfully makes this throw (see definition.ts).
 */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const host = options.host ?? '127.0.0.1';
  if (!loopbackHosts.has(host))
    throw new Error(`the local Step Functions runner binds to loopback only, not ${host}`);
  const runner = await Runner.create(options);
  const api = await startHttpApi(
    (operation, input, request) => {
      const run = Object.hasOwn(runner.operations, operation) ? runner.operations[operation] : undefined;
      if (!run) throw new ApiError('UnknownOperationException', `Unknown operation: ${operation}`);
      return run(input, { region: request.region ?? runner.region });
    },
    host,
    options.port,
  );
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${api.port}`,
    port: api.port,
    stateTransitions: () => runner.stateTransitions(),
    stop: () => {
      stopping ??= runner.stop().then(() => api.close());
      return stopping;
    },
  };
}
