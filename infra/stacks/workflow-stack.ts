import path from 'node:path';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  type FunctionDefinition,
  functionDefinitions,
  stateMachineDefinitions,
} from '../../functions/registry';
import { AppFunction, type AppFunctionProps, type FunctionPlatform } from '../constructs/app-function';
import { streamDeadLetterQueue } from '../constructs/dead-letter-queue';
import { acknowledgeNag } from '../constructs/nag';
import { pascalCase, type ResourceNames } from '../constructs/resource-names';
import { aslFunctionPlaceholders, readAsl, repoRoot } from '../definitions/asl';
import { type EventBusId, eventBusIds, eventPipeDefinitions } from '../definitions/event-pipes';
import type { TableId } from '../definitions/tables';

export interface WorkflowStackProps extends StackProps {
  names: ResourceNames;
  dataKey: IKey;
  logLevel: string;
  /** Stream ARNs of the stateful stack's tables that have a stream (they cannot be derived from names). */
  tableStreamArns: Partial<Record<TableId, string>>;
  /** Architecture and tracing of the functions (by region). */
  functionPlatform?: FunctionPlatform;
}

/**
 * Whether the ASL starts executions itself (the optimized `states:startExecution` integration), in any
 * partition: the files name it `arn:${Partition}:states:::states:startExecution`.
 */
export const aslStartsExecutions = (aslText: string): boolean =>
  /"arn:(?:\$\{Partition\}|aws(?:-[a-z-]+)?):states:::states:startExecution"/.test(aslText);

/** The registry's task functions: those whose ARN an ASL placeholder takes. */
export const taskFunctionDefinitions = (): FunctionDefinition[] =>
  functionDefinitions.filter((def) => def.aslPlaceholder !== undefined);

/** The registry's stream consumers: functions invoked with the records of a table's stream. */
export const streamFunctionDefinitions = (): FunctionDefinition[] =>
  functionDefinitions.filter((def) => def.stream !== undefined && def.aslPlaceholder === undefined);

/** The registry's scheduled functions: invoked by an EventBridge Scheduler schedule, nothing else. */
export const scheduledFunctionDefinitions = (): FunctionDefinition[] =>
  functionDefinitions.filter(
    (def) => def.schedule !== undefined && def.aslPlaceholder === undefined && def.stream === undefined,
  );

/** Time zone of every schedule: the centre's (its office hours and working days are Shanghai's). */
export const scheduleTimeZone = 'Asia/Shanghai';

/**
 * Delivery retries of a schedule. Scheduler invokes the function asynchronously, so these cover a failed
 * delivery (throttling, a missing permission) only; Lambda retries a failed run itself (twice). A run that
 * could not be delivered within half an hour is dead-lettered rather than overlap the next one.
 */
export const scheduleRetryPolicy = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 30 * 60 };

/**
 * The case workflow: the task functions and the Standard state machines built from the ASL files in
 * statemachines/, each placeholder substituted with its function's ARN; the stream consumers that start
 * executions; the scheduled functions and their schedules; the event buses and the pipes that forward
 * table stream records to them. The API stack depends on this one (its functions start, describe and call
 * back executions).
 */
export class WorkflowStack extends Stack {
  readonly functions: Record<string, AppFunction> = {};
  readonly stateMachines: Record<string, StateMachine> = {};
  readonly eventBuses = {} as Record<EventBusId, EventBus>;
  readonly pipes: Record<string, { pipe: CfnPipe; role: Role }> = {};
  /** The on-failure queue of each pipe, by pipe id. */
  readonly pipeDeadLetterQueues: Record<string, Queue> = {};
  /** Each scheduled function's schedule, its role and the queue of invocations it could not deliver. */
  readonly schedules: Record<string, { schedule: CfnSchedule; role: Role; deadLetterQueue: Queue }> = {};

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    const { names } = props;

    const byPlaceholder = new Map<string, AppFunction>();
    for (const def of taskFunctionDefinitions()) {
      if (def.routes.length > 0 || def.defaultRoute) {
        throw new Error(`function ${def.id} has both an ASL placeholder and HTTP routes: split it in two`);
      }
      const placeholder = def.aslPlaceholder as string;
      if (byPlaceholder.has(placeholder)) throw new Error(`ASL placeholder ${placeholder} is declared twice`);
      byPlaceholder.set(placeholder, this.addFunction(def, props));
    }

    for (const def of streamFunctionDefinitions()) {
      if (def.routes.length > 0 || def.defaultRoute) {
        throw new Error(`function ${def.id} has both a stream and HTTP routes: split it in two`);
      }
      this.addFunction(def, props, { tableStreamArns: props.tableStreamArns });
    }

    this.buildSchedules(props);
    this.buildEventPipes(props);

    const usedPlaceholders = new Set<string>();
    for (const machineDef of stateMachineDefinitions) {
      // Function placeholders only: `${Partition}` is filled below, from the stack's AWS::Partition.
      const placeholders = aslFunctionPlaceholders(readAsl(machineDef.aslFile));
      const tasks = placeholders.map((placeholder) => {
        const fn = byPlaceholder.get(placeholder);
        if (!fn) {
          throw new Error(
            `${machineDef.aslFile} uses \${${placeholder}} but no registry function declares it`,
          );
        }
        usedPlaceholders.add(placeholder);
        return [placeholder, fn] as const;
      });

      const logGroup = new LogGroup(this, `${pascalCase(machineDef.id)}Logs`, {
        logGroupName: `/aws/vendedlogs/states/${names.stateMachine(machineDef.id)}`,
        retention: RetentionDays.ONE_YEAR,
        encryptionKey: props.dataKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const machine = new StateMachine(this, `${pascalCase(machineDef.id)}StateMachine`, {
        stateMachineName: names.stateMachine(machineDef.id),
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(path.join(repoRoot, machineDef.aslFile)),
        definitionSubstitutions: {
          // The optimized integrations' ARNs (`arn:${Partition}:states:::lambda:invoke`): aws, or aws-cn in China.
          Partition: Aws.PARTITION,
          ...Object.fromEntries(tasks.map(([placeholder, fn]) => [placeholder, fn.function.functionArn])),
        },
        tracingEnabled: true,
        // Executions carry personal data (applicants, ID numbers): log every event, never its data.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      });
      // Exactly the functions' unqualified ARNs, which the ASL invokes (no `:*` for versions or aliases).
      machine.addToRolePolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [...new Set(tasks.map(([, fn]) => fn.function.functionArn))],
        }),
      );
      // An execution near its one-year limit starts its successor (states:startExecution, request and
      // response): on this state machine only, by its name, so the role does not depend on the machine.
      if (aslStartsExecutions(readAsl(machineDef.aslFile))) {
        machine.addToRolePolicy(
          new PolicyStatement({
            actions: ['states:StartExecution'],
            resources: [names.stateMachineArn(machineDef.id)],
          }),
        );
      }
      acknowledgeNag(
        machine.role,
        'IAM5[Resource::*]',
        'Added by CDK for logging and tracing, whose APIs have no resource type: logs:CreateLogDelivery and the other ' +
          'vended-log delivery actions, and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets.',
      );
      this.stateMachines[machineDef.id] = machine;
      new CfnOutput(this, `${pascalCase(machineDef.id)}StateMachineArn`, { value: machine.stateMachineArn });
    }

    for (const [placeholder, fn] of byPlaceholder) {
      if (!usedPlaceholders.has(placeholder)) {
        throw new Error(`function ${fn.definition.id} declares \${${placeholder}} but no ASL file uses it`);
      }
    }
  }

  /**
   * The scheduled functions, each with its EventBridge Scheduler schedule in the stage's group: the registry's
   * expression in Asia/Shanghai, no flexible window (the check runs when it says), delivery retries, and an
   * encrypted dead-letter queue for invocations it could not deliver. The schedule's role may invoke that one
   * function and write to that one queue, and only schedules of the stage's group may assume it.
   */
  /** A function of this stack, built the same way whatever triggers it (an ASL task, a stream, a schedule). */
  private addFunction(
    def: FunctionDefinition,
    props: WorkflowStackProps,
    extra: Pick<AppFunctionProps, 'tableStreamArns'> = {},
  ): AppFunction {
    const fn = new AppFunction(this, `${pascalCase(def.id)}Function`, {
      definition: def,
      names: props.names,
      dataKey: props.dataKey,
      logLevel: props.logLevel,
      defaultTimeout: Duration.seconds(30),
      ...extra,
      ...(props.functionPlatform ? { platform: props.functionPlatform } : {}),
    });
    this.functions[def.id] = fn;
    return fn;
  }

  private buildSchedules(props: WorkflowStackProps): void {
    const { names } = props;
    const definitions = scheduledFunctionDefinitions();
    for (const def of functionDefinitions) {
      if (def.schedule && !definitions.includes(def)) {
        throw new Error(`function ${def.id} has a schedule and another trigger: split it in two`);
      }
    }
    if (definitions.length === 0) return;
    const group = new CfnScheduleGroup(this, 'ScheduleGroup', { name: names.scheduleGroup() });
    for (const def of definitions) {
      const schedule = def.schedule as NonNullable<FunctionDefinition['schedule']>;
      if (def.routes.length > 0 || def.defaultRoute) {
        throw new Error(`function ${def.id} has both a schedule and HTTP routes: split it in two`);
      }
      const construct = pascalCase(def.id);
      const fn = this.addFunction(def, props);

      const deadLetterQueue = streamDeadLetterQueue(this, `${construct}ScheduleDeadLetters`, {
        queueName: names.deadLetterQueue(`${def.id}-schedule`),
        dataKey: props.dataKey,
        consumer: `the ${def.id} schedule`,
        consumerKind: 'an EventBridge Scheduler target',
      });
      const role = new Role(this, `${construct}ScheduleRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnEquals: { 'aws:SourceArn': names.scheduleGroupArn() },
          },
        }),
        description: `${names.prefix} ${def.id} schedule: invokes the function, dead-letters what it cannot deliver`,
      });
      // The unqualified ARN the schedule targets, nothing else (no versions or aliases).
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.function.functionArn] }),
      );
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
      );
      // Messages to the SSE-KMS queue need a data key.
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.dataKey.keyArn],
        }),
      );

      const cfnSchedule = new CfnSchedule(this, `${construct}Schedule`, {
        name: names.schedule(def.id),
        groupName: group.ref,
        description: schedule.description,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: scheduleTimeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: fn.function.functionArn,
          roleArn: role.roleArn,
          retryPolicy: scheduleRetryPolicy,
          deadLetterConfig: { arn: deadLetterQueue.queueArn },
        },
      });
      // Scheduler checks that it may assume the role when the schedule is created.
      cfnSchedule.node.addDependency(role);
      this.schedules[def.id] = { schedule: cfnSchedule, role, deadLetterQueue };
    }
  }

  /**
   * Each event bus, and each pipe from a table stream to a bus (filtered, without code). A pipe starts at
   * TRIM_HORIZON for the same reason as the stream functions: nothing raised while it is being created is
   * lost; a replacement may deliver an alert of the last 24 hours again, and consumers tell alerts apart by
   * `detail.dynamodb.Keys` (an alert item is written once).
   */
  private buildEventPipes(props: WorkflowStackProps): void {
    const { names } = props;
    for (const id of eventBusIds) {
      this.eventBuses[id] = new EventBus(this, `${pascalCase(id)}EventBus`, {
        eventBusName: names.eventBus(id),
        description: `${names.prefix}: ${id} (events recorded from the tables' streams)`,
      });
    }
    for (const def of eventPipeDefinitions) {
      const streamArn = props.tableStreamArns[def.table];
      if (!streamArn)
        throw new Error(`pipe ${def.id} reads the ${def.table} table's stream, which has no ARN`);
      const construct = pascalCase(def.id);
      const bus = this.eventBuses[def.bus];
      const deadLetterQueue = streamDeadLetterQueue(this, `${construct}PipeDeadLetters`, {
        queueName: names.deadLetterQueue(`${def.id}-pipe`),
        dataKey: props.dataKey,
        consumer: `the ${def.id} pipe`,
      });
      const logGroup = new LogGroup(this, `${construct}PipeLogs`, {
        retention: RetentionDays.SIX_MONTHS,
        encryptionKey: props.dataKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // Only this pipe may assume the role (no confused deputy through another account's or pipe's request).
      const role = new Role(this, `${construct}PipeRole`, {
        assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnEquals: { 'aws:SourceArn': names.pipeArn(def.id) },
          },
        }),
        // IAM descriptions take Latin-1 only, so not the definition's description (it has Chinese terms).
        description: `${names.prefix} ${def.id} pipe: the ${def.table} table's stream to the ${def.bus} bus`,
      });
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [streamArn],
        }),
      );
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
      );
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
      );
      // Stream records are encrypted with the table's key; messages to the SSE-KMS queue need a data key.
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.dataKey.keyArn],
        }),
      );
      logGroup.grantWrite(role);
      acknowledgeNag(
        role,
        'IAM5[Resource::*]',
        'dynamodb:ListStreams, which a pipe with a DynamoDB stream source requires, has no resource type and ' +
          'reveals stream ARNs only; the stream data actions are limited to the one stream.',
      );

      const pipe = new CfnPipe(this, `${construct}Pipe`, {
        name: names.pipe(def.id),
        description: def.description,
        roleArn: role.roleArn,
        source: streamArn,
        sourceParameters: {
          dynamoDbStreamParameters: {
            startingPosition: 'TRIM_HORIZON',
            batchSize: 10,
            maximumRetryAttempts: 10,
            maximumRecordAgeInSeconds: 6 * 60 * 60,
            onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
            deadLetterConfig: { arn: deadLetterQueue.queueArn },
          },
          filterCriteria: { filters: [{ pattern: JSON.stringify(def.filter) }] },
        },
        target: bus.eventBusArn,
        targetParameters: {
          eventBridgeEventBusParameters: { source: def.source, detailType: def.detailType },
        },
        // Failures only, and never the records (alert items name cases, not people, but stay lean anyway).
        logConfiguration: {
          level: 'ERROR',
          cloudwatchLogsLogDestination: { logGroupArn: logGroup.logGroupArn },
        },
      });
      // The pipe validates its role's permissions when it is created.
      pipe.node.addDependency(role);
      this.pipes[def.id] = { pipe, role };
      this.pipeDeadLetterQueues[def.id] = deadLetterQueue;
    }
  }
}
