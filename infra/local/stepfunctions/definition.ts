import { parseReferencePath } from './reference-path';
import { isRfc3339Timestamp, type WaitSpec } from './wait-time';

/**
 * Checks an ASL definition (already substituted) against what the local runner reproduces faithfully and
 * rewrites it for aws-local-stepfunctions: Wait states become Tasks bound to the runner's virtual-clock
 * wait, Task timeouts are taken over by the runner, `states:startExecution` goes to the runner's own
 * StartExecution. Anything the library would run differently from AWS is refused here with the reason, so
 * the same file never silently behaves differently.
 */

export type StateType = 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';

export interface StateInfo {
  name: string;
  /** As written: a Wait stays 'Wait' although the library runs it as a Task. */
  type: StateType;
  resource?: string;
  /** Enclosing Parallel and Map states, outermost first. */
  containers: string[];
  /** Several instances of the state may run at once (one per Map iteration). */
  insideMap: boolean;
}

export interface TaskTimeouts {
  timeoutSeconds?: number;
  /**
   * TimeoutSecondsPath as written. Its value reaches the runner in the Parameters key `timeoutSecondsKey`
   * and becomes the attempt's `timeoutSeconds`.
   */
  timeoutSecondsPath?: string;
  heartbeatSeconds?: number;
}

export type Binding =
  | { kind: 'wait'; wait: WaitSpec }
  | ({ kind: 'lambda-invoke'; waitForTaskToken: boolean } & TaskTimeouts)
  | ({ kind: 'lambda-function'; functionRef: string } & TaskTimeouts)
  /** `arn:aws:states:::states:startExecution`, request-response: the runner's own StartExecution. */
  | ({ kind: 'start-execution' } & TaskTimeouts);

export interface PreparedDefinition {
  /** What the library runs. */
  runnable: Record<string, unknown>;
  states: ReadonlyMap<string, StateInfo>;
  /** The runner's handler for each Task (and former Wait) state, by state name. */
  bindings: ReadonlyMap<string, Binding>;
  /** Top-level TimeoutSeconds, enforced by the runner on the virtual clock. */
  timeoutSeconds: number | undefined;
}

export interface PrepareOptions {
  /** Whether a function name or ARN named by a Task has a local handler. */
  isBound(functionRef: string): boolean;
}

export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
}

/**
 * Node timers overflow past 2^31-1 ms. The library arms one per Task for its TimeoutSeconds (60 s real
 * when absent); this value keeps it below the overflow and out of the way of the runner's own timeouts.
 */
export const libraryTaskTimeoutSeconds = 2_000_000;
const maxLibraryTimerSeconds = (2 ** 31 - 1) / 1000;

/** `$$.Execution` key with the virtual start time: the library overwrites `StartTime` with the real one. */
export const virtualStartTimeKey = 'LocalRunnerVirtualStartTime';

/**
 * AWS reads TimeoutSecondsPath on the state input after InputPath; the library would read it after
 * Parameters. Parameters are evaluated on that same input, so the path is added to them under this key;
 * the runner takes the key out again before the task or its history sees the parameters.
 */
export const timeoutSecondsKey = 'LocalRunnerTimeoutSeconds';
/** The largest TimeoutSeconds AWS accepts. */
export const maxTaskTimeoutSeconds = 99_999_999;

const waitResource = 'arn:aws:states:::local-runner:wait';
const partition = 'aws(?:-cn|-us-gov)?';
const lambdaInvokePattern = new RegExp(`^arn:${partition}:states:::lambda:invoke(\\.waitForTaskToken)?$`);
const startExecutionPattern = new RegExp(
  `^arn:${partition}:states:::states:startExecution(\\.sync(?::2)?|\\.waitForTaskToken)?$`,
);
const lambdaFunctionPattern = new RegExp(
  `^arn:${partition}:lambda:[a-z0-9-]+:\\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?$`,
);
const taskTokenPath = '$$.Task.Token';

const flow = ['Type', 'Comment', 'Next', 'End'];
const io = ['InputPath', 'OutputPath'];
const results = ['ResultSelector', 'ResultPath', 'Retry', 'Catch'];
const allowedFields: Record<StateType, readonly string[]> = {
  Task: [
    ...flow,
    ...io,
    ...results,
    'Resource',
    'Parameters',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
  ],
  Parallel: [...flow, ...io, ...results, 'Branches', 'Parameters'],
  Map: [
    ...flow,
    ...io,
    ...results,
    'ItemProcessor',
    'Iterator',
    'ItemsPath',
    'ItemSelector',
    'Parameters',
    'MaxConcurrency',
    'MaxConcurrencyPath',
  ],
  Pass: [...flow, ...io, 'Result', 'ResultPath', 'Parameters'],
  Wait: [...flow, ...io, 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'],
  Choice: ['Type', 'Comment', ...io, 'Choices', 'Default'],
  Succeed: ['Type', 'Comment', ...io],
  Fail: ['Type', 'Comment', 'Error', 'Cause', 'ErrorPath', 'CausePath'],
};

const fieldRefusals: Record<string, string> = {
  HeartbeatSecondsPath:
    'the library reads HeartbeatSecondsPath from the input after Parameters (AWS reads the state input)',
  Assign: 'the library does not support variables (it ignores Assign)',
  Arguments: 'JSONata fields are not supported by the library',
  Output: 'JSONata fields are not supported by the library',
  Items: 'JSONata fields are not supported by the library',
  Credentials: 'cross-account Task credentials are not supported locally',
  ItemReader: 'distributed Map is not supported locally',
  ItemBatcher: 'distributed Map is not supported locally',
  ResultWriter: 'distributed Map is not supported locally',
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every string value in `value`, skipping `Comment` fields and the keys listed in `skipKeys`. */
function* stringsIn(value: unknown, skipKeys: readonly string[] = []): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key !== 'Comment' && !skipKeys.includes(key)) yield* stringsIn(item);
    }
  }
}

/** Every object key in `value`, at any depth. */
function* keysIn(value: unknown): Generator<string> {
  if (Array.isArray(value)) for (const item of value) yield* keysIn(item);
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* keysIn(item);
    }
  }
}

function maxRetryIntervalSeconds(retrier: Json): number {
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
  const attempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
  const longest = attempts > 0 ? interval * backoff ** (attempts - 1) : 0;
  return typeof retrier.MaxDelaySeconds === 'number' ? Math.min(longest, retrier.MaxDelaySeconds) : longest;
}

const positiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

class Preparer {
  readonly problems: string[] = [];
  readonly states = new Map<string, StateInfo>();
  readonly bindings = new Map<string, Binding>();

  constructor(private readonly options: PrepareOptions) {}

  refuse(where: string, reason: string): void {
    this.problems.push(`${where}: ${reason}`);
  }

  machine(machine: unknown, where: string, containers: string[], insideMap: boolean): Json {
    if (!isObject(machine) || !isObject(machine.States)) {
      this.refuse(where, 'expected an object with States');
      return {};
    }
    const states: Json = {};
    for (const [name, state] of Object.entries(machine.States)) {
      states[name] = this.state(name, state, containers, insideMap);
    }
    return { ...machine, States: states };
  }

  state(name: string, state: unknown, containers: string[], insideMap: boolean): Json {
    const where = `state "${name}"`;
    if (!isObject(state) || typeof state.Type !== 'string' || !(state.Type in allowedFields)) {
      this.refuse(where, 'unknown state type');
      return isObject(state) ? state : {};
    }
    const type = state.Type as StateType;
    if (this.states.has(name)) {
      this.refuse(
        where,
        'state names must be unique across the whole definition (Task handlers are bound by name)',
      );
    }
    const resource = typeof state.Resource === 'string' ? state.Resource : undefined;
    this.states.set(name, { name, type, containers, insideMap, ...(resource ? { resource } : {}) });

    this.checkFields(where, type, state);
    this.checkContextPaths(where, type, state);
    this.checkResultPaths(where, state);
    this.checkRetriers(where, state);

    switch (type) {
      case 'Wait':
        return this.wait(name, where, state);
      case 'Task':
        return this.task(name, where, state);
      case 'Parallel':
        return this.parallel(name, where, state, containers, insideMap);
      case 'Map':
        return this.map(name, where, state, containers);
      case 'Pass':
        // The library tests `if (Result)`, so a falsy Result would pass the input on instead.
        if ('Result' in state && !state.Result) {
          this.refuse(where, 'a falsy Result (0, false, "", null) is replaced by the input in the library');
        }
        return state;
      default:
        return state;
    }
  }

  checkFields(where: string, type: StateType, state: Json): void {
    for (const field of Object.keys(state)) {
      if (allowedFields[type].includes(field)) continue;
      if (field === 'QueryLanguage' && state.QueryLanguage === 'JSONPath') continue;
      if (field === 'QueryLanguage') {
        this.refuse(
          where,
          'JSONata is not supported: the library ignores QueryLanguage and evaluates JSONPath',
        );
      } else {
        this.refuse(
          where,
          `${field} is not supported locally: ${fieldRefusals[field] ?? `not a ${type} field the library runs`}`,
        );
      }
    }
    if (type === 'Choice' && Array.isArray(state.Choices)) {
      const jsonataOnly = [...keysIn(state.Choices)].filter((key) =>
        ['Assign', 'Condition', 'Output'].includes(key),
      );
      if (jsonataOnly.length > 0) {
        this.refuse(
          where,
          `${[...new Set(jsonataOnly)].join(', ')} in Choices is not supported by the library`,
        );
      }
    }
  }

  checkContextPaths(where: string, type: StateType, state: Json): void {
    const callback =
      type === 'Task' && typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken');
    const own = [
      ...stringsIn(state, ['Branches', 'ItemProcessor', 'Iterator', ...(callback ? ['Parameters'] : [])]),
    ];
    const parameters = callback
      ? [...stringsIn(state.Parameters)].map((s) => s.replaceAll(taskTokenPath, ''))
      : [];
    for (const text of [...own, ...parameters]) {
      // `$$.StateMachine` is provided (by the runner's context); `$$.State` is not.
      if (/\$\$\.State(?![A-Za-z])/.test(text))
        this.refuse(where, 'the library provides no $$.State context');
      if (text.includes('$$.Task')) {
        this.refuse(
          where,
          '$$.Task exists only in the Parameters of a .waitForTaskToken Task (as $$.Task.Token)',
        );
      }
    }
  }

  checkResultPaths(where: string, state: Json): void {
    const catchers = Array.isArray(state.Catch) ? state.Catch.filter(isObject) : [];
    const paths = [state.ResultPath, ...catchers.map((catcher) => catcher.ResultPath)];
    if (paths.includes('$')) {
      this.refuse(
        where,
        'ResultPath "$" is taken as a key named "$" by the library; leave ResultPath out (same meaning)',
      );
    }
    for (const catcher of catchers) {
      const extra = Object.keys(catcher).filter(
        (key) => !['ErrorEquals', 'Next', 'ResultPath', 'Comment'].includes(key),
      );
      if (extra.length > 0)
        this.refuse(where, `${extra.join(', ')} in Catch is not supported by the library`);
    }
  }

  checkRetriers(where: string, state: Json): void {
    const retriers = Array.isArray(state.Retry) ? state.Retry.filter(isObject) : [];
    for (const retrier of retriers) {
      const known = [
        'ErrorEquals',
        'IntervalSeconds',
        'MaxAttempts',
        'BackoffRate',
        'MaxDelaySeconds',
        'JitterStrategy',
      ];
      const extra = Object.keys(retrier).filter((key) => key !== 'Comment' && !known.includes(key));
      if (extra.length > 0)
        this.refuse(where, `${extra.join(', ')} in Retry is not supported by the library`);
      // Retry intervals are slept by the library on a real-time Node timer, which would overflow.
      if (maxRetryIntervalSeconds(retrier) > maxLibraryTimerSeconds) {
        this.refuse(
          where,
          'a retry interval above 2^31-1 ms would overflow the library timer; set MaxDelaySeconds',
        );
      }
    }
  }

  wait(name: string, where: string, state: Json): Json {
    let spec: WaitSpec | undefined;
    if (typeof state.Seconds === 'number' && Number.isInteger(state.Seconds) && state.Seconds >= 0) {
      spec = { seconds: state.Seconds };
    } else if (isRfc3339Timestamp(state.Timestamp)) {
      spec = { timestamp: state.Timestamp };
    } else if (typeof state.SecondsPath === 'string' || typeof state.TimestampPath === 'string') {
      const path = (state.SecondsPath ?? state.TimestampPath) as string;
      const segments = parseReferencePath(path);
      if (!segments) this.refuse(where, `${path} is not a reference path on the state input`);
      else
        spec = 'SecondsPath' in state ? { secondsPath: path, segments } : { timestampPath: path, segments };
    } else {
      this.refuse(
        where,
        'a Wait needs one of Seconds (integer >= 0), Timestamp (RFC 3339), SecondsPath, TimestampPath',
      );
    }
    if (spec) this.bindings.set(name, { kind: 'wait', wait: spec });
    const { Seconds, Timestamp, SecondsPath, TimestampPath, ...rest } = state;
    // A Task without Parameters, ResultSelector and ResultPath passes its handler's result on in place of
    // the input: the handler returns the InputPath-processed input, which is exactly what a Wait outputs.
    return { ...rest, Type: 'Task', Resource: waitResource, TimeoutSeconds: libraryTaskTimeoutSeconds };
  }

  task(name: string, where: string, state: Json): Json {
    const timeouts: TaskTimeouts = {};
    if ('TimeoutSeconds' in state) {
      if (positiveInteger(state.TimeoutSeconds)) timeouts.timeoutSeconds = state.TimeoutSeconds;
      else this.refuse(where, 'TimeoutSeconds must be a positive integer');
    }
    if ('TimeoutSecondsPath' in state) {
      const path = this.timeoutSecondsPath(where, state);
      if (path !== undefined) timeouts.timeoutSecondsPath = path;
    }
    if ('HeartbeatSeconds' in state) {
      if (positiveInteger(state.HeartbeatSeconds)) timeouts.heartbeatSeconds = state.HeartbeatSeconds;
      else this.refuse(where, 'HeartbeatSeconds must be a positive integer');
    }
    if (
      timeouts.heartbeatSeconds !== undefined &&
      timeouts.timeoutSeconds !== undefined &&
      timeouts.heartbeatSeconds >= timeouts.timeoutSeconds
    ) {
      this.refuse(where, 'HeartbeatSeconds must be smaller than TimeoutSeconds');
    }
    const binding = this.taskBinding(where, state, timeouts);
    if (binding) this.bindings.set(name, binding);
    const { TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds, ...rest } = state;
    const parameters =
      timeouts.timeoutSecondsPath !== undefined && isObject(state.Parameters)
        ? { Parameters: { ...state.Parameters, [`${timeoutSecondsKey}.$`]: timeouts.timeoutSecondsPath } }
        : {};
    return { ...rest, ...parameters, TimeoutSeconds: libraryTaskTimeoutSeconds };
  }

  /** The TimeoutSecondsPath the runner can carry through the Task's Parameters, or undefined (refused). */
  timeoutSecondsPath(where: string, state: Json): string | undefined {
    const path = state.TimeoutSecondsPath;
    if ('TimeoutSeconds' in state) {
      this.refuse(where, 'TimeoutSeconds and TimeoutSecondsPath exclude each other (AWS refuses both)');
      return undefined;
    }
    if (typeof path !== 'string' || !parseReferencePath(path)) {
      this.refuse(
        where,
        `TimeoutSecondsPath ${JSON.stringify(path)} is not a reference path on the state input`,
      );
      return undefined;
    }
    const parameters = state.Parameters;
    if (!isObject(parameters)) {
      // Adding Parameters would change what the task receives (the whole input otherwise).
      this.refuse(
        where,
        'TimeoutSecondsPath needs Parameters locally: the runner reads its value alongside them (AWS does not need them)',
      );
      return undefined;
    }
    if (timeoutSecondsKey in parameters || `${timeoutSecondsKey}.$` in parameters) {
      this.refuse(where, `the Parameters key ${timeoutSecondsKey} is reserved by the local runner`);
      return undefined;
    }
    return path;
  }

  taskBinding(where: string, state: Json, timeouts: TaskTimeouts): Binding | undefined {
    const resource = state.Resource;
    if (typeof resource !== 'string') {
      this.refuse(where, 'Resource must be a string');
      return undefined;
    }
    const invoke = lambdaInvokePattern.exec(resource);
    if (invoke) {
      const waitForTaskToken = invoke[1] !== undefined;
      return this.lambdaInvokeParameters(where, state.Parameters, waitForTaskToken)
        ? { kind: 'lambda-invoke', waitForTaskToken, ...timeouts }
        : undefined;
    }
    if (lambdaFunctionPattern.test(resource)) {
      if (this.options.isBound(resource))
        return { kind: 'lambda-function', functionRef: resource, ...timeouts };
      this.refuse(where, `no local handler is bound to the function ${resource}`);
      return undefined;
    }
    const start = startExecutionPattern.exec(resource);
    if (start?.[1] !== undefined) {
      this.refuse(
        where,
        `states:startExecution${start[1]} is not supported locally: only the request-response startExecution (AWS would wait for the started execution to end, or for a task token)`,
      );
      return undefined;
    }
    if (start) {
      return this.startExecutionParameters(where, state.Parameters)
        ? { kind: 'start-execution', ...timeouts }
        : undefined;
    }
    this.refuse(
      where,
      `Task resource ${resource} cannot be bound locally (only lambda:invoke, lambda:invoke.waitForTaskToken, states:startExecution and function ARNs)`,
    );
    return undefined;
  }

  /**
   * The parameters of the startExecution integration; the state machine, name and input are checked when
   * the task runs, by the runner's StartExecution, as AWS checks them.
   */
  startExecutionParameters(where: string, parameters: unknown): boolean {
    if (!isObject(parameters)) {
      this.refuse(where, 'states:startExecution needs Parameters with StateMachineArn');
      return false;
    }
    const before = this.problems.length;
    const fields = ['StateMachineArn', 'Name', 'Input'];
    const extra = Object.keys(parameters).filter(
      (key) => !fields.includes(key) && !fields.includes(key.replace(/\.\$$/, '')),
    );
    if (extra.length > 0) {
      this.refuse(where, `states:startExecution Parameters ${extra.join(', ')} are not supported locally`);
    }
    for (const field of fields) {
      if (field in parameters && `${field}.$` in parameters)
        this.refuse(where, `states:startExecution Parameters has both ${field} and ${field}.$`);
      const path = parameters[`${field}.$`];
      if (`${field}.$` in parameters && typeof path !== 'string')
        this.refuse(where, `states:startExecution Parameters ${field}.$ must be a path`);
    }
    for (const field of ['StateMachineArn', 'Name']) {
      if (field in parameters && typeof parameters[field] !== 'string')
        this.refuse(where, `states:startExecution Parameters ${field} must be a string`);
    }
    if (!('StateMachineArn' in parameters) && !('StateMachineArn.$' in parameters))
      this.refuse(where, 'states:startExecution needs Parameters.StateMachineArn');
    return this.problems.length === before;
  }

  lambdaInvokeParameters(where: string, parameters: unknown, waitForTaskToken: boolean): boolean {
    if (!isObject(parameters)) {
      this.refuse(where, 'lambda:invoke needs Parameters with FunctionName');
      return false;
    }
    const before = this.problems.length;
    const known = ['FunctionName', 'FunctionName.$', 'Payload', 'Payload.$', 'InvocationType'];
    const extra = Object.keys(parameters).filter((key) => !known.includes(key));
    if (extra.length > 0)
      this.refuse(where, `lambda:invoke Parameters ${extra.join(', ')} are not supported locally`);
    if ('InvocationType' in parameters && parameters.InvocationType !== 'RequestResponse') {
      this.refuse(where, 'only InvocationType RequestResponse is supported locally');
    }
    const functionName = parameters.FunctionName;
    if (typeof functionName === 'string') {
      if (!this.options.isBound(functionName))
        this.refuse(where, `no local handler is bound to the function ${functionName}`);
    } else if (typeof parameters['FunctionName.$'] !== 'string') {
      this.refuse(where, 'lambda:invoke needs Parameters.FunctionName');
    }
    if (waitForTaskToken && ![...stringsIn(parameters)].some((text) => text.includes(taskTokenPath))) {
      this.refuse(where, `a .waitForTaskToken Task must pass ${taskTokenPath} in its Parameters`);
    }
    return this.problems.length === before;
  }

  parallel(name: string, where: string, state: Json, containers: string[], insideMap: boolean): Json {
    if (!Array.isArray(state.Branches)) {
      this.refuse(where, 'Branches must be an array');
      return state;
    }
    const inner = [...containers, name];
    return {
      ...state,
      Branches: state.Branches.map((branch) => this.machine(branch, where, inner, insideMap)),
    };
  }

  map(name: string, where: string, state: Json, containers: string[]): Json {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(state.ItemProcessor) && isObject(state.ItemProcessor.ProcessorConfig)) {
      if (state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED') {
        this.refuse(where, 'distributed Map is not supported locally');
      }
    }
    const rewritten = this.machine(processor, where, [...containers, name], true);
    return 'ItemProcessor' in state
      ? { ...state, ItemProcessor: rewritten }
      : { ...state, Iterator: rewritten };
  }
}

export function prepareDefinition(
  definition: Record<string, unknown>,
  options: PrepareOptions,
): PreparedDefinition {
  const preparer = new Preparer(options);
  const topLevel = ['StartAt', 'States', 'Comment', 'Version', 'TimeoutSeconds', 'QueryLanguage'];
  for (const field of Object.keys(definition)) {
    if (!topLevel.includes(field))
      preparer.refuse('definition', `top-level ${field} is not supported by the library`);
  }
  if ('QueryLanguage' in definition && definition.QueryLanguage !== 'JSONPath') {
    preparer.refuse(
      'definition',
      'JSONata is not supported: the library ignores QueryLanguage and evaluates JSONPath',
    );
  }
  let timeoutSeconds: number | undefined;
  if ('TimeoutSeconds' in definition) {
    if (positiveInteger(definition.TimeoutSeconds)) timeoutSeconds = definition.TimeoutSeconds;
    else preparer.refuse('definition', 'TimeoutSeconds must be a positive integer');
  }
  const { TimeoutSeconds, QueryLanguage, ...machine } = preparer.machine(definition, 'definition', [], false);
  if (preparer.problems.length > 0) {
    throw new DefinitionError(
      `the definition cannot run locally as it would in AWS:\n${preparer.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  // The library sets $$.Execution.StartTime to the real time; the runner supplies the virtual one.
  const runnable = JSON.parse(
    JSON.stringify(machine).replace(/\$\$\.Execution\.StartTime\b/g, `$$$$.Execution.${virtualStartTimeKey}`),
  ) as Record<string, unknown>;
  return { runnable, states: preparer.states, bindings: preparer.bindings, timeoutSeconds };
}
