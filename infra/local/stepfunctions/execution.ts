import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../functions/shared/clock';
import { ApiError } from './api-errors';
import { type ArnScope, executionArn, roleArn, stateMachineArn } from './arns';
import {
  type Binding,
  maxTaskTimeoutSeconds,
  type PreparedDefinition,
  type TaskTimeouts,
  timeoutSecondsKey,
  virtualStartTimeKey,
} from './definition';
import { type HistoryEntry, historyEntryOf } from './history';
import { invokeLocalFunction, type LambdaRegistry, taskError } from './lambda-functions';
import {
  ExecutionAbortedError,
  ExecutionError,
  type LibraryContext,
  type LibraryEvent,
  type LibraryRun,
  type StateMachine,
  type StatesTimeoutErrorFactory,
  type TaskHandlers,
} from './library';
import { withResolvers } from './promise-with-resolvers';
import type { Cancel, Scheduler } from './scheduler';
import { type TaskAttemptEvent, taskHistoryEntry } from './task-events';
import type { TaskTokens } from './task-tokens';
import { StatesRuntimeError, type WaitSpec, waitDueTime } from './wait-time';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface LoadedStateMachine {
  name: string;
  tags: Record<string, string>;
  /** Virtual epoch ms. */
  creationDate: number;
  /** As given (substituted), for DescribeStateMachine. */
  definition: Record<string, unknown>;
  prepared: PreparedDefinition;
  library: StateMachine;
}

/** What every execution of a runner shares. */
export interface ExecutionEnvironment {
  clock: Clock;
  scheduler: Scheduler;
  tokens: TaskTokens;
  lambdas: LambdaRegistry;
  statesTimeoutError: StatesTimeoutErrorFactory;
  /** Stands in for `$$.Task.Token` in the run's context; each callback task swaps in its own token. */
  taskTokenPlaceholder: string;
  countStateEntered(): void;
  /**
   * The runner's StartExecution operation (same checks, same idempotency) in the region of `scope`, for the
   * startExecution integration; throws its ApiError. `startDate` in virtual epoch ms.
   */
  startExecution(
    input: Record<string, unknown>,
    scope: ArnScope,
  ): { executionArn: string; startDate: number };
}

/** A Task (or former Wait) state's handler call that has not settled yet. */
interface PendingTask {
  stateName: string;
  startedRealMs: number;
  /**
   * Settles the promise the library awaits with a harmless value, after cancelling timers and revoking the
   * token. Used once the task's branch or execution is gone: the library then discards the value.
   */
  dismiss(): void;
}

interface Outcome {
  succeed(value: unknown): void;
  fail(error: unknown): void;
  /** A callback task's function has returned; the task now waits for its token. */
  submitted(output: unknown): void;
  onSettle(cleanup: Cancel): void;
}

/**
 * One Task attempt's history events. The library reports the state's entry through an async event log
 * that may lag behind the handler call, so an attempt's events wait until the entry (or the retry) that
 * precedes them is in the history.
 */
interface TaskAttempt {
  released: boolean;
  buffer: HistoryEntry[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Takes the TimeoutSecondsPath value out of the evaluated Parameters (definition.ts put it there) and makes it
 * the attempt's TimeoutSeconds. As in AWS, a value that is missing or not an integer from 1 to 99999999 fails
 * the execution with States.Runtime, which no Retry or Catch handles.
 */
function resolveTimeoutPath(
  binding: Exclude<Binding, { kind: 'wait' }>,
  parameters: unknown,
): { binding: Exclude<Binding, { kind: 'wait' }>; parameters: unknown } {
  const path = binding.timeoutSecondsPath;
  if (path === undefined) return { binding, parameters };
  if (!isObject(parameters) || !Object.hasOwn(parameters, timeoutSecondsKey)) {
    throw new StatesRuntimeError(`Path expression '${path}' does not point to a value`);
  }
  const { [timeoutSecondsKey]: seconds, ...rest } = parameters;
  if (
    typeof seconds !== 'number' ||
    !Number.isInteger(seconds) ||
    seconds < 1 ||
    seconds > maxTaskTimeoutSeconds
  ) {
    throw new StatesRuntimeError(
      `TimeoutSecondsPath '${path}' evaluated to ${JSON.stringify(seconds)}, but expected an integer from 1 to ${maxTaskTimeoutSeconds}`,
    );
  }
  return { binding: { ...binding, timeoutSeconds: seconds }, parameters: rest };
}

/**
 * A StartExecution error as the startExecution integration reports it, so that Retry and Catch match it:
 * `ExecutionAlreadyExists` becomes `StepFunctions.ExecutionAlreadyExistsException`, the cause in the SDK's form.
 */
function startExecutionError(error: ApiError): Error {
  const failure = new Error(
    `${error.message} (Service: AWSStepFunctions; Status Code: 400; Error Code: ${error.code}; Request ID: ${randomUUID()}; Proxy: null)`,
  );
  failure.name = `StepFunctions.${error.code.endsWith('Exception') ? error.code : `${error.code}Exception`}`;
  return failure;
}

function replaceInStrings(value: unknown, search: string, replacement: string): unknown {
  if (typeof value === 'string') return value.replaceAll(search, replacement);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, search, replacement));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceInStrings(v, search, replacement)]),
    );
  }
  return value;
}

/** One execution of a state machine, run by the library with the runner's Task handlers. */
export class Execution {
  status: ExecutionStatus = 'RUNNING';
  /** Virtual epoch ms. */
  readonly startDate: number;
  stopDate: number | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  readonly history: HistoryEntry[] = [];
  /** As the starting request named it (`$$.Execution.Id`). */
  readonly arn: string;
  private readonly stateMachineArn: string;
  private readonly roleArn: string;

  private readonly pending = new Set<PendingTask>();
  /** Per Task state: attempts whose entry is not in the history yet, and entries seen before any attempt. */
  private readonly attempts = new Map<string, { waiting: TaskAttempt[]; entered: number }>();
  private run: LibraryRun | undefined;
  private cancelTimeout: Cancel | undefined;
  private terminalEntry: HistoryEntry | undefined;
  private eventsDrained = false;
  private settledRun: Promise<void> = Promise.resolve();

  constructor(
    /** The region and account of the request that started it: its ARNs and task events name them. */
    readonly scope: ArnScope,
    readonly name: string,
    readonly machine: LoadedStateMachine,
    readonly input: string,
    private readonly env: ExecutionEnvironment,
  ) {
    this.startDate = env.clock.now();
    this.arn = executionArn(scope, machine.name, name);
    this.stateMachineArn = stateMachineArn(scope, machine.name);
    this.roleArn = roleArn(scope, `${machine.name}-role`);
  }

  start(): void {
    this.history.push({
      type: 'ExecutionStarted',
      timestamp: this.startDate,
      details: { executionStartedEventDetails: { input: this.input, roleArn: this.roleArn } },
    });
    const handlers: TaskHandlers = {};
    for (const stateName of this.machine.prepared.bindings.keys()) {
      handlers[stateName] = (input) => this.runTask(stateName, input) as ReturnType<TaskHandlers[string]>;
    }
    const run = this.machine.library.run(JSON.parse(this.input), {
      overrides: { taskResourceLocalHandlers: handlers },
      context: this.context(),
    });
    this.run = run;
    this.settledRun = run.result.then(
      (output) => this.finish('SUCCEEDED', { output: JSON.stringify(output) }),
      (error: unknown) => this.failed(error),
    );
    void this.followEvents(run.eventLogs);
    const timeoutSeconds = this.machine.prepared.timeoutSeconds;
    if (timeoutSeconds !== undefined) {
      this.cancelTimeout = this.env.scheduler.at(this.startDate + timeoutSeconds * 1000, () =>
        this.stop(
          'TIMED_OUT',
          'States.Timeout',
          `The execution exceeded its TimeoutSeconds of ${timeoutSeconds}`,
        ),
      );
    }
  }

  /** StopExecution (ABORTED), the execution's TimeoutSeconds (TIMED_OUT), or the runner stopping. */
  stop(status: 'ABORTED' | 'TIMED_OUT', error?: string, cause?: string): void {
    if (this.status !== 'RUNNING') return;
    this.run?.abort();
    this.finish(status, { error, cause });
  }

  /** Resolves once the library's run has settled. */
  settled(): Promise<void> {
    return this.settledRun;
  }

  private context(): LibraryContext {
    return {
      Execution: {
        Id: this.arn,
        Name: this.name,
        RoleArn: this.roleArn,
        RedriveCount: 0,
        [virtualStartTimeKey]: new Date(this.startDate).toISOString(),
      },
      StateMachine: { Id: this.stateMachineArn, Name: this.machine.name },
      Task: { Token: this.env.taskTokenPlaceholder },
    };
  }

  private failed(error: unknown): void {
    const cause = error instanceof ExecutionError ? error.cause : error;
    if (error instanceof ExecutionAbortedError) this.finish('ABORTED', {});
    else if (cause instanceof Error) this.finish('FAILED', { error: cause.name, cause: cause.message });
    else this.finish('FAILED', { error: 'States.Runtime', cause: String(cause) });
  }

  private finish(
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: Partial<Record<'output' | 'error' | 'cause', string>>,
  ) {
    if (this.status !== 'RUNNING') return;
    this.status = status;
    this.stopDate = this.env.clock.now();
    this.output = fields.output;
    this.error = fields.error;
    this.cause = fields.cause;
    this.cancelTimeout?.();
    for (const task of [...this.pending]) task.dismiss();
    const failure = { error: this.error, cause: this.cause };
    const terminal: Record<typeof status, [string, string, Record<string, unknown>]> = {
      SUCCEEDED: ['ExecutionSucceeded', 'executionSucceededEventDetails', { output: this.output }],
      FAILED: ['ExecutionFailed', 'executionFailedEventDetails', failure],
      ABORTED: ['ExecutionAborted', 'executionAbortedEventDetails', failure],
      TIMED_OUT: ['ExecutionTimedOut', 'executionTimedOutEventDetails', failure],
    };
    const [type, key, details] = terminal[status];
    this.terminalEntry = { type, timestamp: this.stopDate, details: { [key]: details } };
    this.appendTerminalEntry();
  }

  /** The terminal event goes last, after the state events the library may still be delivering. */
  private appendTerminalEntry(): void {
    if (!this.eventsDrained || !this.terminalEntry) return;
    this.history.push(this.terminalEntry);
    this.terminalEntry = undefined;
  }

  private async followEvents(events: AsyncGenerator<LibraryEvent>): Promise<void> {
    const { states, bindings } = this.machine.prepared;
    for await (const event of events) {
      if (event.type === 'StateEntered') this.env.countStateEntered();
      const entry = historyEntryOf(event, states);
      if (entry) this.history.push({ ...entry, timestamp: this.virtualTimeOf(event.timestamp) });
      if (event.type === 'StateFailed') this.dismissInside(event.state.name, event.timestamp);
      const isTask = (name: string) => {
        const binding = bindings.get(name);
        return binding !== undefined && binding.kind !== 'wait';
      };
      if ((event.type === 'StateEntered' || event.type === 'StateRetried') && isTask(event.state.name)) {
        this.releaseAttempt(event.state.name);
      }
    }
    for (const { waiting } of this.attempts.values()) {
      for (const attempt of waiting.splice(0)) this.release(attempt);
    }
    this.eventsDrained = true;
    this.appendTerminalEntry();
  }

  private virtualTimeOf(realMs: number): number {
    const now = this.env.clock.now();
    return Math.min(now, Math.max(this.startDate, now - (Date.now() - realMs) * this.env.clock.speed));
  }

  /**
   * A failed Parallel or Map has aborted its branches; their Waits and Tasks are dismissed so that timers
   * stop and task tokens become invalid (TaskTimedOut), as in AWS. Only tasks started before the failure
   * belong to the aborted instance; with several instances at once (inside a Map) the branch a task
   * belongs to is unknown, so those wait for the end of the execution.
   */
  private dismissInside(containerName: string, failedAtRealMs: number): void {
    const { states } = this.machine.prepared;
    const container = states.get(containerName);
    if (!container || (container.type !== 'Parallel' && container.type !== 'Map') || container.insideMap)
      return;
    for (const task of [...this.pending]) {
      const inside = states.get(task.stateName)?.containers.includes(containerName) ?? false;
      if (inside && task.startedRealMs < failedAtRealMs) task.dismiss();
    }
  }

  private attemptsOf(stateName: string) {
    let state = this.attempts.get(stateName);
    if (!state) {
      state = { waiting: [], entered: 0 };
      this.attempts.set(stateName, state);
    }
    return state;
  }

  private release(attempt: TaskAttempt): void {
    attempt.released = true;
    this.history.push(...attempt.buffer.splice(0));
  }

  /** The state's entry (or retry) is in the history: the oldest attempt waiting for it may follow. */
  private releaseAttempt(stateName: string): void {
    const state = this.attemptsOf(stateName);
    const attempt = state.waiting.shift();
    if (attempt) this.release(attempt);
    else state.entered += 1;
  }

  private openAttempt(stateName: string): TaskAttempt {
    const state = this.attemptsOf(stateName);
    const attempt: TaskAttempt = { released: false, buffer: [] };
    if (state.entered > 0) {
      state.entered -= 1;
      attempt.released = true;
    } else state.waiting.push(attempt);
    return attempt;
  }

  private recordTask(attempt: TaskAttempt, binding: Binding, event: TaskAttemptEvent): void {
    if (binding.kind === 'wait') return;
    const entry = taskHistoryEntry(binding, this.scope.region, event);
    if (!entry) return;
    const timed = { ...entry, timestamp: this.env.clock.now() };
    if (attempt.released) this.history.push(timed);
    else attempt.buffer.push(timed);
  }

  private runTask(stateName: string, evaluated: unknown): Promise<unknown> {
    const prepared = this.machine.prepared.bindings.get(stateName);
    // A branch the library abandoned may still call in (e.g. a retry after the execution ended).
    if (this.status !== 'RUNNING' || !prepared) return Promise.resolve(evaluated);
    let binding: Binding = prepared;
    let input = evaluated;
    if (prepared.kind !== 'wait') {
      try {
        ({ binding, parameters: input } = resolveTimeoutPath(prepared, evaluated));
      } catch (error) {
        // AWS fails the state before scheduling the task: no task events.
        return Promise.reject(error);
      }
    }
    const { promise, resolve, reject } = withResolvers<unknown>();
    const cleanups: Cancel[] = [];
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      this.pending.delete(task);
      for (const cleanup of cleanups) cleanup();
      outcome();
    };
    const task: PendingTask = {
      stateName,
      startedRealMs: Date.now(),
      dismiss: () => settle(() => resolve(input)),
    };
    this.pending.add(task);
    const attempt = binding.kind === 'wait' ? undefined : this.openAttempt(stateName);
    const record = (event: TaskAttemptEvent) => {
      if (attempt) this.recordTask(attempt, binding, event);
    };
    record({ type: 'scheduled', parameters: input });
    record({ type: 'started' });
    const outcome: Outcome = {
      succeed: (value) =>
        settle(() => {
          record({ type: 'succeeded', output: value });
          resolve(value);
        }),
      fail: (error) =>
        settle(() => {
          const name = error instanceof Error ? error.name : 'States.TaskFailed';
          const cause = error instanceof Error ? error.message : String(error);
          record({ type: name === 'States.Timeout' ? 'timedOut' : 'failed', error: name, cause });
          reject(error);
        }),
      submitted: (output) => {
        if (!settled) record({ type: 'submitted', output });
      },
      onSettle: (cleanup) => {
        if (settled) cleanup();
        else cleanups.push(cleanup);
      },
    };
    try {
      this.startTask(binding, input, outcome);
    } catch (error) {
      outcome.fail(error);
    }
    return promise;
  }

  private startTask(binding: Binding, input: unknown, outcome: Outcome): void {
    if (binding.kind === 'wait') {
      this.startWait(binding.wait, input, outcome);
      return;
    }
    const heartbeat = this.enforceTimeouts(binding, outcome);
    if (binding.kind === 'start-execution') {
      this.startExecution(input, outcome);
      return;
    }
    if (binding.kind === 'lambda-function') {
      this.invoke(binding.functionRef, input, outcome, (result) => result);
      return;
    }
    const parameters = isObject(input) ? input : {};
    const functionRef = String(parameters.FunctionName);
    const payload = 'Payload' in parameters ? parameters.Payload : {};
    if (!binding.waitForTaskToken) {
      this.invoke(functionRef, payload, outcome, (result) => ({
        ExecutedVersion: '$LATEST',
        Payload: result,
        StatusCode: 200,
      }));
      return;
    }
    const { tokens, taskTokenPlaceholder } = this.env;
    const token = tokens.issue({
      succeed: outcome.succeed,
      fail: (error, cause) => outcome.fail(taskError(error, cause)),
      heartbeat,
    });
    outcome.onSettle(() => tokens.revoke(token));
    // The handler's own result is not the task's output: the task waits for SendTaskSuccess/Failure.
    this.invoke(functionRef, replaceInStrings(payload, taskTokenPlaceholder, token), outcome, undefined);
  }

  /** Calls the function's handler; `toOutput` maps its result to the task output (none for callbacks). */
  private invoke(
    functionRef: string,
    event: unknown,
    outcome: Outcome,
    toOutput: ((result: unknown) => unknown) | undefined,
  ): void {
    const fn = this.env.lambdas.resolve(functionRef);
    if (!fn) {
      outcome.fail(taskError('Lambda.ResourceNotFoundException', `Function not found: ${functionRef}`));
      return;
    }
    invokeLocalFunction(fn, event).then((result) => {
      if (toOutput) outcome.succeed(toOutput(result));
      else outcome.submitted({ ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 });
    }, outcome.fail);
  }

  /**
   * The request-response startExecution integration: the runner's StartExecution, in this execution's
   * region. The output is the integration's (capitalised keys, StartDate in epoch milliseconds).
   */
  private startExecution(parameters: unknown, outcome: Outcome): void {
    const { StateMachineArn, Name, Input } = isObject(parameters) ? parameters : {};
    // As AWS: an Input that is not a string is sent as its JSON text, no Input as `{}`.
    const input =
      Input === undefined || Input === null
        ? '{}'
        : typeof Input === 'string'
          ? Input
          : JSON.stringify(Input);
    let started: { executionArn: string; startDate: number };
    try {
      started = this.env.startExecution({ stateMachineArn: StateMachineArn, name: Name, input }, this.scope);
    } catch (error) {
      outcome.fail(error instanceof ApiError ? startExecutionError(error) : error);
      return;
    }
    outcome.succeed({ ExecutionArn: started.executionArn, StartDate: started.startDate });
  }

  private startWait(spec: WaitSpec, input: unknown, outcome: Outcome): void {
    const due = waitDueTime(spec, input, this.env.clock.now());
    outcome.onSettle(this.env.scheduler.at(due, () => outcome.succeed(input)));
  }

  /**
   * The ASL TimeoutSeconds and HeartbeatSeconds on the virtual clock (the library's own timer is kept out of
   * the way); returns the heartbeat that SendTaskHeartbeat gives.
   */
  private enforceTimeouts(timeouts: TaskTimeouts, outcome: Outcome): () => void {
    const { clock, scheduler, statesTimeoutError } = this.env;
    if (timeouts.timeoutSeconds !== undefined) {
      const due = clock.now() + timeouts.timeoutSeconds * 1000;
      outcome.onSettle(scheduler.at(due, () => outcome.fail(statesTimeoutError())));
    }
    const { heartbeatSeconds } = timeouts;
    if (heartbeatSeconds === undefined) return () => undefined;
    let cancelHeartbeat: Cancel = () => undefined;
    const heartbeat = (): void => {
      cancelHeartbeat();
      const due = clock.now() + heartbeatSeconds * 1000;
      cancelHeartbeat = scheduler.at(due, () => outcome.fail(statesTimeoutError()));
    };
    heartbeat();
    outcome.onSettle(() => cancelHeartbeat());
    return heartbeat;
  }
}
