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
  arn: string;
  name: string;
  /** Already substituted (see substituteAsl). */
  definition: Record<string, unknown>;
}

export interface RunnerOptions {
  clock: Clock;
  stateMachines: LocalStateMachine[];
  lambdaHandlers: Record<string, LocalLambdaHandler>;
}

export type Operation = (input: ApiInput) => unknown;

const stateMachineArnPattern = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([A-Za-z0-9_-]{1,80})$/;
const executionArnPattern = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;
const statuses: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];
/** The runner's state: its state machines and their executions, and the API operations over them. */
export class Runner {
  private readonly machines = new Map<string, LoadedStateMachine>();
  private readonly executions = new Map<string, Execution>();
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
    };
    runner = new Runner(env, scheduler);
    for (const machine of options.stateMachines) runner.load(machine, lambdas);
    return runner;
  }

  private load(machine: LocalStateMachine, lambdas: LambdaRegistry): void {
    const match = stateMachineArnPattern.exec(machine.arn);
    if (!match || match[1] !== machine.name) {
      throw new Error(
        `state machine ${machine.name}: ARN ${machine.arn} is not a state machine ARN with that name`,
      );
    }
    if (this.machines.has(machine.arn)) throw new Error(`state machine ${machine.arn} is defined twice`);
    try {
      const prepared = prepareDefinition(machine.definition, {
        isBound: (ref) => lambdas.resolve(ref) !== undefined,
      });
      // The library's own validation (asl-validator) of the definition as deployed.
      libraryStateMachine(machine.definition, true);
      this.machines.set(machine.arn, {
        arn: machine.arn,
        name: machine.name,
        roleArn: machine.arn.replace(
          /:states:[^:]+:(\d{12}):stateMachine:.*$/,
          `:iam::$1:role/${machine.name}-role`,
        ),
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

  private machine(arn: string): LoadedStateMachine {
    if (!stateMachineArnPattern.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): Execution {
    if (!executionArnPattern.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = this.executions.get(arn);
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  readonly operations: Record<string, Operation> = {
    StartExecution: (input) => {
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
      const arn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
      const existing = this.executions.get(arn);
      if (existing) {
        // AWS answers a repeated start of a running execution with the same input idempotently.
        if (existing.status === 'RUNNING' && existing.input === executionInput) {
          return { executionArn: arn, startDate: epochSeconds(existing.startDate) };
        }
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      }
      const execution = new Execution(arn, name, machine, executionInput, this.env);
      this.executions.set(arn, execution);
      execution.start();
      return { executionArn: arn, startDate: epochSeconds(execution.startDate) };
    },

    DescribeExecution: (input) => {
      const execution = this.execution(requireString(input, 'executionArn'));
      return {
        executionArn: execution.arn,
        stateMachineArn: execution.machine.arn,
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

    ListExecutions: (input) => {
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
          executionArn: e.arn,
          stateMachineArn: machine.arn,
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

    DescribeStateMachine: (input) => {
      const machine = this.machine(requireString(input, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.definition, null, 2),
        roleArn: machine.roleArn,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },

    ListStateMachines: (input) => {
      const { items, nextToken } = page([...this.machines.values()], input);
      return {
        stateMachines: items.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: 'STANDARD',
          creationDate: epochSeconds(machine.creationDate),
        })),
        nextToken,
      };
    },
  };
}
