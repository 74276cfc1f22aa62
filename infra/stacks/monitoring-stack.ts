import { ArnFormat, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import type { IHttpApi, IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { CfnTable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { CfnQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import { alertKinds, alertLevels } from '../../functions/domain/cases/alerts';
import {
  alertMetricName,
  metricNames,
  metricNamespace,
  metricServiceName,
} from '../../functions/shared/metrics';
import type { AppFunction } from '../constructs/app-function';
import { pascalCase, type ResourceNames } from '../constructs/resource-names';
import {
  type AlarmSlug,
  alarmDescription,
  onCallTopicId,
  operationsCheckFunctionId,
  rateSeconds,
} from '../definitions/alarms';

export interface MonitoringStackProps extends StackProps {
  names: ResourceNames;
  /** The stateful stack's key: the on-call topic is encrypted with it (its policy lets CloudWatch use it). */
  dataKey: IKey;
  /** Subscribed to the on-call topic when given (already validated: see parseAlarmEmail). */
  alarmEmail?: string;
  httpApi: IHttpApi;
  apiStage: IHttpStage;
  /** Every function of the app (both function stacks). */
  functions: AppFunction[];
  stateMachines: Record<string, StateMachine>;
  tables: Record<string, Table>;
  /** Every dead-letter queue, with the consumer that fills it. */
  deadLetterQueues: { consumer: string; queue: Queue }[];
}

/** The kinds of alarm, for counting and for the tests. */
export type AlarmCategory =
  | 'api'
  | 'function-errors'
  | 'function-throttles'
  | 'dead-letters'
  | 'state-machine'
  | 'table'
  | 'custom-metric'
  | 'schedule-heartbeat';

export interface BuiltAlarm {
  slug: AlarmSlug;
  category: AlarmCategory;
  /** What it watches: a function, queue, state machine or table id, or nothing for the API's. */
  subject?: string;
  alarm: Alarm;
}

const fiveMinutes = Duration.minutes(5);

/** DynamoDB operations the functions use (and may use: the registry grants them), for the throttle alarm. */
export const throttledTableOperations = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
] as const;

/**
 * A physical name set on a resource's L1 (a literal, not a reference). Metrics are addressed by these names,
 * as the function stacks address the shared resources: no CloudFormation export pins a function, queue or
 * table for the sake of an alarm.
 */
function physicalName<Cfn>(construct: IConstruct, read: (cfn: Cfn) => unknown): string {
  const value = read(construct.node.defaultChild as Cfn);
  if (typeof value !== 'string' || Token.isUnresolved(value)) {
    throw new Error(`${construct.node.path} has no literal physical name for its metrics`);
  }
  return value;
}

const lowerIdentifier = (text: string): string => {
  const pascal = pascalCase(text);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};

/**
 * On-call monitoring of one stage: the encrypted on-call SNS topic (with an e-mail subscription when the
 * `alarmEmail` context is set), an alarm per kind and resource (infra/definitions/alarms.ts has their
 * runbooks), each notifying the topic when it fires and when it clears, and the stage's dashboard. It only
 * reads metrics: every resource is addressed by its name, except the HTTP API (its id is generated).
 */
export class MonitoringStack extends Stack {
  readonly topic: Topic;
  readonly alarms: BuiltAlarm[] = [];
  readonly dashboard: Dashboard;
  private readonly names: ResourceNames;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { names } = props;
    this.names = names;

    this.topic = new Topic(this, 'OnCallTopic', {
      topicName: names.topic(onCallTopicId),
      displayName: `OneWindow ${names.stage} on-call`,
      masterKey: props.dataKey,
      enforceSSL: true,
      signatureVersion: '2',
    });
    // The topic policy replaces SNS's default one, so CloudWatch is let in explicitly: alarms of this stage
    // in this account only.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfTheStage',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': names.alarmsArn() },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);

    const fns = props.functions.map((fn) => ({
      fn,
      id: fn.definition.id,
      name: physicalName(fn.function, (cfn: CfnFunction) => cfn.functionName),
    }));
    const queues = props.deadLetterQueues.map(({ consumer, queue }) => ({
      consumer,
      name: physicalName(queue, (cfn: CfnQueue) => cfn.queueName),
    }));
    const machines = Object.entries(props.stateMachines).map(([machineId, machine]) => ({
      id: machineId,
      arn: this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: physicalName(machine, (cfn: CfnStateMachine) => cfn.stateMachineName),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    }));
    const tables = Object.entries(props.tables).map(([tableId, table]) => ({
      id: tableId,
      name: physicalName(table, (cfn: CfnTable) => cfn.tableName),
    }));

    // --- the API ----------------------------------------------------------------------------------------
    // The stage is `$default`: its metrics are the API's (dimension ApiId); another stage adds Stage.
    const apiDimensions: Record<string, string> =
      props.apiStage.stageName === '$default'
        ? { ApiId: props.httpApi.apiId }
        : { ApiId: props.httpApi.apiId, Stage: props.apiStage.stageName };
    const apiMetric = (metricName: string, statistic: string, label?: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: apiDimensions,
        statistic,
        period: fiveMinutes,
        ...(label ? { label } : {}),
      });
    this.addAlarm({
      slug: 'api-5xx-rate',
      category: 'api',
      watches: 'HTTP API: 100 × 5xx / Count > 1 % in 3 of 3 periods of 5 minutes',
      metric: new MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { errors: apiMetric('5xx', Stats.SUM), requests: apiMetric('Count', Stats.SUM) },
        period: fiveMinutes,
        label: '5xx %',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.addAlarm({
      slug: 'api-latency',
      category: 'api',
      watches: 'HTTP API: Latency p99 > 3,000 ms in 3 of 3 periods of 5 minutes',
      metric: apiMetric('Latency', Stats.p(99)),
      threshold: 3000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // --- functions --------------------------------------------------------------------------------------
    // Alarm metrics go without a label (CloudFormation gets the plain metric); graphs label theirs.
    const lambdaMetric = (
      functionName: string,
      metricName: string,
      statistic: string,
      options: { period?: Duration; label?: string } = {},
    ) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: functionName },
        statistic,
        period: options.period ?? fiveMinutes,
        ...(options.label ? { label: options.label } : {}),
      });
    for (const { fn, id: fnId, name } of fns) {
      // One failed or throttled API request is a blip; two periods out of three is a pattern. A scheduled
      // function runs once an interval: each failed run matters.
      const scheduled = fn.definition.schedule !== undefined;
      const sustained = scheduled
        ? { evaluationPeriods: 1, datapointsToAlarm: 1, text: 'in the last period of 5 minutes' }
        : { evaluationPeriods: 3, datapointsToAlarm: 2, text: 'in 2 of 3 periods of 5 minutes' };
      for (const [slug, metricName, category] of [
        ['function-errors', 'Errors', 'function-errors'],
        ['function-throttles', 'Throttles', 'function-throttles'],
      ] as const) {
        this.addAlarm({
          slug,
          category,
          subject: fnId,
          watches: `Function ${name}: ${metricName} ≥ 1 ${sustained.text}`,
          metric: lambdaMetric(name, metricName, Stats.SUM),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: sustained.evaluationPeriods,
          datapointsToAlarm: sustained.datapointsToAlarm,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      }
    }

    // --- dead-letter queues -----------------------------------------------------------------------------
    const queueMetric = (queueName: string, label?: string) =>
      new Metric({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensionsMap: { QueueName: queueName },
        statistic: Stats.MAXIMUM,
        period: fiveMinutes,
        ...(label ? { label } : {}),
      });
    for (const { consumer, name } of queues) {
      this.addAlarm({
        slug: 'dead-letters',
        category: 'dead-letters',
        subject: consumer,
        watches: `Queue ${name}: ApproximateNumberOfMessagesVisible ≥ 1 (maximum of 5 minutes)`,
        metric: queueMetric(name),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    // --- state machines ---------------------------------------------------------------------------------
    const statesMetric = (arn: string, metricName: string, label?: string) =>
      new Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: arn },
        statistic: Stats.SUM,
        period: fiveMinutes,
        ...(label ? { label } : {}),
      });
    for (const machine of machines) {
      for (const [slug, metricName] of [
        ['workflow-failed', 'ExecutionsFailed'],
        ['workflow-timed-out', 'ExecutionsTimedOut'],
      ] as const) {
        this.addAlarm({
          slug,
          category: 'state-machine',
          subject: machine.id,
          watches: `State machine ${names.stateMachine(machine.id)}: ${metricName} ≥ 1 (sum of 5 minutes)`,
          metric: statesMetric(machine.arn, metricName),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      }
    }

    // --- tables -----------------------------------------------------------------------------------------
    const tableThrottles = (table: { id: string; name: string }) => {
      const prefix = lowerIdentifier(table.id);
      const usingMetrics = Object.fromEntries(
        throttledTableOperations.map((operation) => [
          `${prefix}${operation}`,
          new Metric({
            namespace: 'AWS/DynamoDB',
            metricName: 'ThrottledRequests',
            dimensionsMap: { TableName: table.name, Operation: operation },
            statistic: Stats.SUM,
            period: fiveMinutes,
          }),
        ]),
      );
      return new MathExpression({
        // SUM of the array: one series, the operations with data at each time summed (m1 + m2 would be empty
        // wherever one operation has no data point).
        expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
        usingMetrics,
        period: fiveMinutes,
        label: table.name,
      });
    };
    for (const table of tables) {
      this.addAlarm({
        slug: 'table-throttles',
        category: 'table',
        subject: table.id,
        // The SDK retries a throttled request: one period can be absorbed, two out of three are not.
        watches: `Table ${table.name}: ThrottledRequests of ${throttledTableOperations.join(', ')} ≥ 1 in 2 of 3 periods of 5 minutes`,
        metric: tableThrottles(table),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    // --- the operations check's figures -----------------------------------------------------------------
    const check = fns.find((f) => f.id === operationsCheckFunctionId);
    if (!check?.fn.definition.schedule) {
      throw new Error(
        `the registry has no scheduled ${operationsCheckFunctionId} function for the custom alarms`,
      );
    }
    const checkInterval = Duration.seconds(rateSeconds(check.fn.definition.schedule.expression) ?? 3600);
    // Exactly the dimensions the function emits (functions/shared/metrics.ts): service, stage, and the
    // function's name as Lambda gives it to the function (AWS_LAMBDA_FUNCTION_NAME).
    const checkDimensions = {
      service: metricServiceName,
      stage: names.stage,
      function: names.functionName(operationsCheckFunctionId),
    };
    const gauge = (metricName: string, label?: string) =>
      new Metric({
        namespace: metricNamespace,
        metricName,
        dimensionsMap: checkDimensions,
        statistic: Stats.MAXIMUM,
        period: checkInterval,
        ...(label ? { label } : {}),
      });
    // A gauge is written once a run: between runs there is no data, which says nothing about the figure, so
    // the alarm keeps its state (IGNORE); a check that stops running is the schedule-silent alarm's job.
    for (const [slug, metricName, threshold, comparisonOperator, condition] of [
      [
        'cases-in-attention',
        metricNames.casesInAttention,
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
        '> 0',
      ],
      [
        'alerts-escalated-to-admin',
        metricNames.alertsEscalatedToAdmin,
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
        '> 0',
      ],
      [
        'holiday-schedule-missing',
        metricNames.nextYearScheduleMissing,
        1,
        ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        '≥ 1',
      ],
    ] as const) {
      this.addAlarm({
        slug,
        category: 'custom-metric',
        subject: undefined,
        watches: `${metricNamespace} ${metricName} of ${check.name} (maximum of the run): ${condition}`,
        metric: gauge(metricName),
        threshold,
        comparisonOperator,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: TreatMissingData.IGNORE,
      });
    }

    // --- scheduled functions' heartbeats ----------------------------------------------------------------
    for (const { fn, id: fnId, name } of fns) {
      const seconds = fn.definition.schedule ? rateSeconds(fn.definition.schedule.expression) : undefined;
      if (seconds === undefined) continue;
      this.addAlarm({
        slug: 'schedule-silent',
        category: 'schedule-heartbeat',
        subject: fnId,
        watches: `Function ${name}: Invocations < 1 in 2 of 2 periods of ${seconds / 60} minutes (no data counts)`,
        metric: lambdaMetric(name, 'Invocations', Stats.SUM, { period: Duration.seconds(seconds) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // No invocation means no data point at all: missing data is the very thing this alarm is for.
        treatMissingData: TreatMissingData.BREACHING,
      });
    }

    // --- the dashboard ----------------------------------------------------------------------------------
    const search = (term: string, statistic: string) =>
      `SEARCH('{${metricNamespace},function,service,stage} service="${metricServiceName}" stage="${names.stage}" ${term}', '${statistic}', 300)`;
    const total = (metricName: string, label: string) =>
      new MathExpression({
        expression: `SUM(${search(`MetricName="${metricName}"`, Stats.SUM)})`,
        usingMetrics: {},
        period: fiveMinutes,
        label,
      });
    const alertsOfLevel = (level: (typeof alertLevels)[number]) =>
      new MathExpression({
        expression: search(
          `(${alertKinds.map((kind) => `MetricName="${alertMetricName(kind, level)}"`).join(' OR ')})`,
          Stats.SUM,
        ),
        usingMetrics: {},
        period: fiveMinutes,
        label: level,
      });
    const streamFunctions = fns.filter((f) => f.fn.streamSource !== undefined);
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 8) =>
      new GraphWidget({ title, left, right, width, height: 6 });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: names.dashboard(),
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# OneWindow ${names.stage}\n` +
          `Alarms notify the SNS topic \`${names.topic(onCallTopicId)}\`; each description ends with its runbook section ` +
          '(README.md, "Runbook").',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: this.alarms.map((built) => built.alarm),
        width: 24,
        height: Math.min(12, 2 + Math.ceil(this.alarms.length / 4)),
      }),
    );
    this.dashboard.addWidgets(
      graph('Cases received, accepted, rejected, closed', [
        total(metricNames.casesReceived, 'received'),
        total(metricNames.casesAccepted, 'accepted'),
        total(metricNames.casesRejected, 'rejected'),
        total(metricNames.casesClosed, 'closed'),
      ]),
      graph(
        'Alerts raised (by kind and level)',
        alertLevels.map((level) => alertsOfLevel(level)),
      ),
      new SingleValueWidget({
        title: 'Operations check (last run)',
        metrics: [
          gauge(metricNames.openOverdueCases, 'open overdue cases'),
          gauge(metricNames.casesInAttention, 'cases in attention'),
          gauge(metricNames.alertsEscalatedToAdmin, 'alerts escalated to the admin'),
          gauge(metricNames.nextYearScheduleMissing, "next year's schedule missing"),
        ],
        width: 8,
        height: 6,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'API requests and errors',
        [apiMetric('Count', Stats.SUM, 'requests')],
        [apiMetric('5xx', Stats.SUM, '5xx'), apiMetric('4xx', Stats.SUM, '4xx')],
        12,
      ),
      graph(
        'API latency (ms)',
        [apiMetric('Latency', Stats.p(50), 'p50'), apiMetric('Latency', Stats.p(99), 'p99')],
        [],
        12,
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Lambda errors',
        fns.map(({ id, name }) => lambdaMetric(name, 'Errors', Stats.SUM, { label: id })),
      ),
      graph(
        'Lambda throttles',
        fns.map(({ id, name }) => lambdaMetric(name, 'Throttles', Stats.SUM, { label: id })),
      ),
      graph(
        'Lambda duration p99 (ms)',
        fns.map(({ id, name }) => lambdaMetric(name, 'Duration', Stats.p(99), { label: id })),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Stream consumer lag (ms)',
        streamFunctions.map(({ id, name }) =>
          lambdaMetric(name, 'IteratorAge', Stats.MAXIMUM, { label: `IteratorAge ${id}` }),
        ),
        streamFunctions.map(
          ({ id, name }) =>
            new Metric({
              namespace: metricNamespace,
              metricName: metricNames.streamRecordAge,
              dimensionsMap: { service: metricServiceName, stage: names.stage, function: name },
              statistic: Stats.MAXIMUM,
              period: fiveMinutes,
              label: `${metricNames.streamRecordAge} ${id}`,
            }),
        ),
      ),
      graph(
        'Dead-letter queues (messages)',
        queues.map(({ consumer, name }) => queueMetric(name, consumer)),
      ),
      graph('Workflow failures', [
        total(metricNames.workflowFailures, 'cases flagged for the admin'),
        total(metricNames.workflowStartFailures, 'start failures (retried)'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Step Functions executions',
        machines.flatMap((machine) => [
          statesMetric(machine.arn, 'ExecutionsStarted', `${machine.id} started`),
          statesMetric(machine.arn, 'ExecutionsFailed', `${machine.id} failed`),
          statesMetric(machine.arn, 'ExecutionsTimedOut', `${machine.id} timed out`),
        ]),
      ),
      graph(
        'DynamoDB consumed capacity',
        tables.flatMap(({ name }) =>
          ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits'].map(
            (metricName) =>
              new Metric({
                namespace: 'AWS/DynamoDB',
                metricName,
                dimensionsMap: { TableName: name },
                statistic: Stats.SUM,
                period: fiveMinutes,
                label: `${name} ${metricName.replace('Consumed', '').replace('CapacityUnits', '')}`,
              }),
          ),
        ),
      ),
      graph('DynamoDB throttled requests', tables.map(tableThrottles)),
    );
  }

  private addAlarm(spec: {
    slug: AlarmSlug;
    category: AlarmCategory;
    subject?: string | undefined;
    /** The alarm's condition, in words (second line of the description). */
    watches: string;
    metric: IMetric;
    threshold: number;
    comparisonOperator: ComparisonOperator;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    treatMissingData: TreatMissingData;
  }): Alarm {
    const alarm = new Alarm(this, `${pascalCase(spec.slug)}${pascalCase(spec.subject ?? '')}Alarm`, {
      alarmName: this.names.alarm(spec.slug, spec.subject),
      alarmDescription: alarmDescription(spec.slug, spec.watches),
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push({
      slug: spec.slug,
      category: spec.category,
      ...(spec.subject ? { subject: spec.subject } : {}),
      alarm,
    });
    return alarm;
  }
}
