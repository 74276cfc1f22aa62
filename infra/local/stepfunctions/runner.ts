import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../functions/shared/clock';
import { ApiError, validationError } from './api-errors';
import {
  type ApiInput,
  epochSeconds,
  isValidExecutionName,
  optionalString,
  page,
  requireString,
} from './api-input';
import { type ArnScope, executionArn, type ParsedArn, parseArn, roleArn, stateMachineArn } from './arns';
import { prepareDefinition } from './definition';
import {
  Execution,
  type ExecutionEnvironment,
  type ExecutionStatus,
  type LoadedStateMachine,
} from './execution';
import { createLambdaRegistry, type LambdaRegistry, type LocalLambdaHandler } from './lambda-functions';
import { libraryStateMachine, loadStatesTimeoutError } from './library';
import { createScheduler, type Scheduler } from './scheduler';
import { TaskTokens } from './task-tokens';

export interface LocalStateMachine {
  /** Its ARN in the stack's region: the region of unsigned requests and the account of every ARN. */
  arn: string;
  name: string;
  /** Already substituted (see substituteAsl). */
  definition: Record<string, unknown>;
  /** Its tags, as deployed (ListTagsForResource). */
  tags?: Record<string, string>;
}

export interface RunnerOptions {
  clock: Clock;
  stateMachines: LocalStateMachine[];
  lambdaHandlers: Record<string, LocalLambdaHandler>;
}

/** What an operation knows of its request: the region it was signed for (or the stack's). */
export interface RequestScope {
  region: string;
}

export type Operation = (input: ApiInput, request: RequestScope) => unknown;
const statuses: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];
/** The runner's state: its state machines and their executions, and the API operations over them. */
export class Runner {
  /** By name: one resource whatever region an ARN names. */
  private readonly machines = new Map<string, LoadedStateMachine>();
  /** By `<machine name>:<execution name>`. */
  private readonly executions = new Map<string, Execution>();
  /** The stack's region and account, from the state machines' ARNs. */
  region = 'us-east-1';
  private account = '000000000000';
  private transitions = 0;
  private stopped = false;

  private constructor(
    private readonly env: ExecutionEnvironment,
    private readonly scheduler: Scheduler,
  ) {}

  static async create(options: RunnerOptions): Promise<Runner> {
    const scheduler = createScheduler(options.clock);
    const lambdas = createLambdaRegistry(options.lambdaHandlers);
    let runner: Runner | undefined;
    const env: ExecutionEnvironment = {
      clock: options.clock,
      scheduler,
      tokens: new TaskTokens(),
      lambdas,
      statesTimeoutError: await loadStatesTimeoutError(),
      taskTokenPlaceholder: `local-task-token-placeholder-${randomUUID()}`,
      countStateEntered: () => {
        if (runner) runner.transitions += 1;
      },
      startExecution: (input, scope) => {
        if (!runner) throw new ApiError('ServiceUnavailable', 'The local runner is starting');
        const { arn, startDate } = runner.startExecution(input, { region: scope.region });
        return { executionArn: arn, startDate };
      },
    };
    runner = new Runner(env, scheduler);
    for (const machine of options.stateMachines) runner.load(machine, lambdas);
    return runner;
  }

  private load(machine: LocalStateMachine, lambdas: LambdaRegistry): void {
    let parsed: ParsedArn | undefined;
    try {
      parsed = parseArn(machine.arn);
    } catch {
      parsed = undefined;
    }
    if (parsed?.kind !== 'stateMachine' || parsed.machineName !== machine.name) {
      throw new Error(
        `state machine ${machine.name}: ARN ${machine.arn} is not a state machine ARN with that name`,
      );
    }
    if (this.machines.size > 0 && (parsed.region !== this.region || parsed.account !== this.account)) {
      throw new Error(`state machine ${machine.name}: ARN ${machine.arn} is in another region or account`);
    }
    this.region = parsed.region;
    this.account = parsed.account;
    if (this.machines.has(machine.name)) throw new Error(`state machine ${machine.arn} is defined twice`);
    try {
      const prepared = prepareDefinition(machine.definition, {
        isBound: (ref) => lambdas.resolve(ref) !== undefined,
      });
      // The library's own validation (asl-validator) of the definition as deployed.
      libraryStateMachine(machine.definition, true);
      this.machines.set(machine.name, {
        name: machine.name,
        tags: machine.tags ?? {},
        creationDate: this.env.clock.now(),
        definition: machine.definition,
        prepared,
        library: libraryStateMachine(prepared.runnable, false),
      });
    } catch (error) {
      throw new Error(
        `state machine ${machine.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  stateTransitions(): number {
    return this.transitions;
  }

  /** Aborts every running execution and cancels every timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    const executions = [...this.executions.values()];
    for (const execution of executions)
      execution.stop('ABORTED', 'Runner.Stopped', 'The local runner was stopped');
    await Promise.all(executions.map((execution) => execution.settled()));
    this.scheduler.cancelAll();
    this.env.tokens.clear();
  }

  private scope(request: RequestScope): ArnScope {
    return { region: request.region, account: this.account };
  }

  private machine(arn: string): LoadedStateMachine {
    const parsed = parseArn(arn);
    if (parsed.kind !== 'stateMachine') throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = parsed.account === this.account ? this.machines.get(parsed.machineName) : undefined;
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): Execution {
    const parsed = parseArn(arn);
    if (parsed.kind !== 'execution') throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution =
      parsed.account === this.account
        ? this.executions.get(`${parsed.machineName}:${parsed.executionName}`)
        : undefined;
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private describeMachine(machine: LoadedStateMachine, scope: ArnScope) {
    return {
      stateMachineArn: stateMachineArn(scope, machine.name),
      name: machine.name,
      status: 'ACTIVE',
      definition: JSON.stringify(machine.definition, null, 2),
      roleArn: roleArn(scope, `${machine.name}-role`),
      type: 'STANDARD',
      creationDate: epochSeconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  /** StartExecution, for the API and for the startExecution integration; `startDate` in virtual epoch ms. */
  private startExecution(input: ApiInput, request: RequestScope): { arn: string; startDate: number } {
    const machine = this.machine(requireString(input, 'stateMachineArn'));
    const name = optionalString(input, 'name') ?? randomUUID();
    if (!isValidExecutionName(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
    const executionInput = optionalString(input, 'input') ?? '{}';
    try {
      JSON.parse(executionInput);
    } catch {
      throw new ApiError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${executionInput}'`,
      );
    }
    if (this.stopped) throw new ApiError('ServiceUnavailable', 'The local runner is stopping');
    const scope = this.scope(request);
    const arn = executionArn(scope, machine.name, name);
    const key = `${machine.name}:${name}`;
    const existing = this.executions.get(key);
    if (existing) {
      // AWS answers a repeated start of a running execution with the same input idempotently.
      if (existing.status === 'RUNNING' && existing.input === executionInput) {
        return { arn, startDate: existing.startDate };
      }
      throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution = new Execution(scope, name, machine, executionInput, this.env);
    this.executions.set(key, execution);
    execution.start();
    return { arn, startDate: execution.startDate };
  }

  readonly operations: Record<string, Operation> = {
    StartExecution: (input, request) => {
      const { arn, startDate } = this.startExecution(input, request);
      return { executionArn: arn, startDate: epochSeconds(startDate) };
    },

    DescribeExecution: (input, request) => {
      const execution = this.execution(requireString(input, 'executionArn'));
      const scope = this.scope(request);
      return {
        executionArn: executionArn(scope, execution.machine.name, execution.name),
        stateMachineArn: stateMachineArn(scope, execution.machine.name),
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        stopDate: epochSeconds(execution.stopDate),
        input: execution.input,
        inputDetails: { included: true },
        output: execution.output,
        ...(execution.output === undefined ? {} : { outputDetails: { included: true } }),
        error: execution.error,
        cause: execution.cause,
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },

    StopExecution: (input) => {
      const execution = this.execution(requireString(input, 'executionArn'));
      execution.stop('ABORTED', optionalString(input, 'error'), optionalString(input, 'cause'));
      return { stopDate: epochSeconds(execution.stopDate) };
    },

    ListExecutions: (input, request) => {
      const machine = this.machine(requireString(input, 'stateMachineArn'));
      const statusFilter = optionalString(input, 'statusFilter');
      if (statusFilter !== undefined && !statuses.includes(statusFilter as ExecutionStatus)) {
        throw validationError(`Invalid statusFilter: '${statusFilter}'`);
      }
      const matching = [...this.executions.values()]
        .filter((e) => e.machine === machine && (statusFilter === undefined || e.status === statusFilter))
        .reverse();
      const { items, nextToken } = page(matching, input);
      return {
        executions: items.map((e) => ({
          executionArn: executionArn(this.scope(request), machine.name, e.name),
          stateMachineArn: stateMachineArn(this.scope(request), machine.name),
          name: e.name,
          status: e.status,
          startDate: epochSeconds(e.startDate),
          stopDate: epochSeconds(e.stopDate),
        })),
        nextToken,
      };
    },

    GetExecutionHistory: (input) => {
      const execution = this.execution(requireString(input, 'executionArn'));
      const includeData = input.includeExecutionData !== false;
      const numbered = execution.history.map((entry, index) => {
        const details = includeData
          ? entry.details
          : Object.fromEntries(
              Object.entries(entry.details ?? {}).map(([key, value]) => {
                const { input: _input, output: _output, ...rest } = value;
                return [key, rest];
              }),
            );
        return {
          id: index + 1,
          previousEventId: index,
          timestamp: epochSeconds(entry.timestamp),
          type: entry.type,
          ...details,
        };
      });
      const { items, nextToken } = page(input.reverseOrder === true ? numbered.reverse() : numbered, input);
      return { events: items, nextToken };
    },

    SendTaskSuccess: (input) => {
      const token = requireString(input, 'taskToken');
      const output = requireString(input, 'output');
      this.env.tokens.peek(token);
      let value: unknown;
      try {
        value = JSON.parse(output);
      } catch {
        throw new ApiError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
      }
      this.env.tokens.take(token).succeed(value);
      return {};
    },

    SendTaskFailure: (input) => {
      const token = requireString(input, 'taskToken');
      const error = optionalString(input, 'error') ?? '';
      const cause = optionalString(input, 'cause') ?? '';
      this.env.tokens.take(token).fail(error, cause);
      return {};
    },

    SendTaskHeartbeat: (input) => {
      this.env.tokens.peek(requireString(input, 'taskToken')).heartbeat();
      return {};
    },

    DescribeStateMachine: (input, request) =>
      this.describeMachine(this.machine(requireString(input, 'stateMachineArn')), this.scope(request)),

    DescribeStateMachineForExecution: (input, request) => {
      const execution = this.execution(requireString(input, 'executionArn'));
      const {
        status: _status,
        creationDate: _creationDate,
        ...described
      } = this.describeMachine(execution.machine, this.scope(request));
      // The state machine as the execution runs it; AWS adds when that version was last changed.
      return { ...described, updateDate: epochSeconds(execution.machine.creationDate) };
    },

    ListTagsForResource: (input) => {
      const arn = requireString(input, 'resourceArn');
      let machine: LoadedStateMachine | undefined;
      try {
        machine = this.machine(arn);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'InvalidArn') throw error;
      }
      if (!machine) throw new ApiError('ResourceNotFound', `Resource not found: '${arn}'`);
      return { tags: Object.entries(machine.tags).map(([key, value]) => ({ key, value })) };
    },

    ListStateMachines: (input, request) => {
      const { items, nextToken } = page([...this.machines.values()], input);
      return {
        stateMachines: items.map((machine) => ({
          stateMachineArn: stateMachineArn(this.scope(request), machine.name),
          name: machine.name,
          type: 'STANDARD',
          creationDate: epochSeconds(machine.creationDate),
        })),
        nextToken,
      };
    },
  };
}
