import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { alertKinds, alertLevels } from '../../functions/domain/cases/alerts';
import { functionDefinitions, stateMachineDefinitions } from '../../functions/registry';
import {
  alertMetricName,
  metricNames,
  metricNamespace,
  metricServiceName,
} from '../../functions/shared/metrics';
import { buildApp } from '../../infra/app';
import {
  alarmRunbook,
  alarmSlugs,
  parseAlarmEmail,
  rateSeconds,
  renderRunbook,
  runbookAnchor,
} from '../../infra/definitions/alarms';
import { repoRoot } from '../../infra/definitions/asl';
import { eventPipeDefinitions } from '../../infra/definitions/event-pipes';
import { tableIds } from '../../infra/definitions/tables';
import { throttledTableOperations } from '../../infra/stacks/monitoring-stack';
import { type CfnJson, logicalIdOf, resourcesOfType, synthesizeApp } from './support';

const email = 'oncall@example.gov.cn';
const built = synthesizeApp({ context: { alarmEmail: email } });
const { names } = built;
const template = built.templates.monitoring;
const resources = template.toJSON().Resources as Record<string, CfnJson>;
const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
const topicRef = { Ref: logicalIdOf(built.monitoring.topic) };

const streamDefinitions = functionDefinitions.filter((def) => def.stream !== undefined);
const scheduledDefinitions = functionDefinitions.filter((def) => def.schedule !== undefined);

type Dimensions = Record<string, unknown>;
const dimensionsOf = (metric: CfnJson): Dimensions =>
  Object.fromEntries((metric.Dimensions ?? []).map((d: CfnJson) => [d.Name, d.Value]));

/** The metrics an alarm reads: its single metric, or the metrics of its math expression. */
function metricsOf(alarm: CfnJson): CfnJson[] {
  const p = alarm.Properties;
  if (p.MetricName) {
    return [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }];
  }
  return (p.Metrics as CfnJson[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
}

const alarmsOn = (namespace: string, metricName: string) =>
  alarms.filter((alarm) =>
    metricsOf(alarm).some((m) => m.Namespace === namespace && m.MetricName === metricName),
  );

/** The physical names a template gives a resource type (e.g. the functions' FunctionName). */
const physicalNames = (t: Template, type: string, property: string): string[] =>
  Object.values(resourcesOfType(t, type)).map((r) => r.Properties[property] as string);

const functionNames = [
  ...physicalNames(built.templates.api, 'AWS::Lambda::Function', 'FunctionName'),
  ...physicalNames(built.templates.workflow, 'AWS::Lambda::Function', 'FunctionName'),
].sort();
const queueNames = physicalNames(built.templates.workflow, 'AWS::SQS::Queue', 'QueueName').sort();
const tableNames = physicalNames(built.templates.stateful, 'AWS::DynamoDB::Table', 'TableName').sort();

describe('the on-call topic', () => {
  const topics = resourcesOfType(template, 'AWS::SNS::Topic');
  const topic = resources[logicalIdOf(built.monitoring.topic)] as CfnJson;
  const policies = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy')).filter((p) =>
    (p.Properties.Topics as CfnJson[]).some((t) => JSON.stringify(t) === JSON.stringify(topicRef)),
  );
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as CfnJson[]);

  it('is one topic named per stage, encrypted with the data key', () => {
    expect(Object.keys(topics)).toHaveLength(1);
    expect(topic.Properties.TopicName).toBe(`onewindow-${built.stage}-on-call`);
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toMatch(/Fn::ImportValue.*DataKey/);
  });

  it('refuses requests without TLS', () => {
    expect(policies).toHaveLength(1);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it("lets CloudWatch publish for this stage's alarms in this account only", () => {
    const allow = statements.find(
      (s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(allow).toMatchObject({ Action: 'sns:Publish', Resource: topicRef });
    expect(allow.Condition.ArnLike['aws:SourceArn']).toEqual(built.monitoring.resolve(names.alarmsArn()));
    expect(allow.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    for (const alarm of alarms) expect(alarm.Properties.AlarmName).toMatch(new RegExp(`^${names.prefix}-`));
  });

  it('has the key policy statement that lets CloudWatch encrypt for exactly this topic', () => {
    const keyPolicy = (
      built.templates.stateful.toJSON().Resources[logicalIdOf(built.stateful.dataKey)] as CfnJson
    ).Properties.KeyPolicy.Statement as CfnJson[];
    const statement = keyPolicy.find((s) => s.Sid === 'CloudWatchAlarmsOnCallTopic');
    expect(statement.Condition.StringEquals['kms:EncryptionContext:aws:sns:topicArn']).toEqual(
      built.stateful.resolve(names.topicArn('on-call')),
    );
    expect(names.topic('on-call')).toBe(topic.Properties.TopicName);
  });

  it('has an e-mail subscription when the alarmEmail context is set', () => {
    const subscriptions = Object.values(resourcesOfType(template, 'AWS::SNS::Subscription'));
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: email,
      TopicArn: topicRef,
    });
  });

  it('has no subscription without the context', () => {
    const plain = buildApp({ bundle: false });
    Template.fromStack(plain.monitoring).resourceCountIs('AWS::SNS::Subscription', 0);
  }, 120_000);

  it('refuses an alarmEmail that is not one e-mail address', () => {
    for (const bad of ['oncall', 'oncall@', '@example.gov.cn', 'a@b.cn,c@d.cn', 'on call@example.cn', 42]) {
      expect(() => buildApp({ bundle: false, context: { alarmEmail: bad } }), String(bad)).toThrow(
        /alarmEmail/,
      );
    }
    expect(parseAlarmEmail(undefined)).toBeUndefined();
    expect(parseAlarmEmail(' oncall@example.gov.cn ')).toBe('oncall@example.gov.cn');
  });
});

describe('every alarm', () => {
  it('notifies the on-call topic when it fires and when it clears', () => {
    expect(alarms.length).toBe(built.monitoring.alarms.length);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmName).toEqual([topicRef]);
      expect(alarm.Properties.OKActions, alarm.Properties.AlarmName).toEqual([topicRef]);
      expect(alarm.Properties.TreatMissingData, alarm.Properties.AlarmName).toBeDefined();
    }
  });

  it('has a unique name', () => {
    const alarmNames = alarms.map((alarm) => alarm.Properties.AlarmName);
    expect(new Set(alarmNames).size).toBe(alarmNames.length);
  });

  it('is described by its meaning first and its runbook section last', () => {
    for (const alarm of alarms) {
      const lines = (alarm.Properties.AlarmDescription as string).split('\n');
      const slug = /^Runbook: README\.md#runbook-([a-z0-9-]+)$/.exec(lines.at(-1) ?? '')?.[1];
      expect(alarmSlugs, alarm.Properties.AlarmName).toContain(slug);
      expect(lines[0]).toBe(alarmRunbook(slug as (typeof alarmSlugs)[number]).meaning);
      expect(alarm.Properties.AlarmName).toMatch(new RegExp(`^${names.prefix}-${slug}`));
    }
  });

  it('every runbook section has an alarm, and the runbook renders an anchor and a heading for each', () => {
    const used = new Set(alarms.map((a) => /runbook-([a-z0-9-]+)$/.exec(a.Properties.AlarmDescription)?.[1]));
    expect([...used].sort()).toEqual([...alarmSlugs].sort());
    const markdown = renderRunbook();
    expect(markdown.startsWith('### Runbook\n')).toBe(true);
    for (const slug of alarmSlugs) {
      expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(markdown).toContain(`<a id="${runbookAnchor(slug)}"></a>\n\n#### ${alarmRunbook(slug).title}\n`);
    }
  });

  it('is in the README exactly as rendered (the alarms link to it)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(renderRunbook().trim());
  });
});

describe('API alarms', () => {
  // The stage is $default: API Gateway's metrics of the API itself (dimension ApiId only).
  const apiDimensions = (metric: CfnJson) => {
    const dims = dimensionsOf(metric);
    expect(Object.keys(dims)).toEqual(['ApiId']);
    expect(JSON.stringify(dims.ApiId)).toContain(logicalIdOf(built.api.httpApi));
  };

  it('5xx rate: 100 × 5xx / Count above 1 % in 3 of 3 periods of 5 minutes', () => {
    const [alarm] = alarmsOn('AWS/ApiGateway', '5xx');
    expect(alarmsOn('AWS/ApiGateway', '5xx')).toHaveLength(1);
    expect(built.api.stage.stageName).toBe('$default');
    const p = alarm.Properties;
    expect(p).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
    const metrics = p.Metrics as CfnJson[];
    const expression = metrics.find((m) => m.Expression);
    expect(expression.ReturnData).toBe(true);
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
    expect(expression.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    expect(byId.errors).toMatchObject({ Metric: { MetricName: '5xx' }, Stat: 'Sum', Period: 300 });
    expect(byId.requests).toMatchObject({ Metric: { MetricName: 'Count' }, Stat: 'Sum', Period: 300 });
    apiDimensions(byId.errors.Metric);
    apiDimensions(byId.requests.Metric);
  });

  it('latency: p99 above 3,000 ms in 3 of 3 periods of 5 minutes', () => {
    const latency = alarmsOn('AWS/ApiGateway', 'Latency');
    expect(latency).toHaveLength(1);
    const p = latency[0].Properties;
    expect(p).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 3000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
    apiDimensions(p);
  });
});

describe('function alarms', () => {
  it('every function is named as the monitoring stack expects', () => {
    expect(functionNames).toEqual(functionDefinitions.map((def) => names.functionName(def.id)).sort());
  });

  describe.each(['Errors', 'Throttles'])('%s', (metricName) => {
    const found = alarmsOn('AWS/Lambda', metricName);

    it('one alarm per function of the registry', () => {
      expect(found).toHaveLength(functionDefinitions.length);
      expect(found.map((a) => dimensionsOf(a.Properties).FunctionName).sort()).toEqual(functionNames);
    });

    it.each(functionDefinitions)(
      '$id: sum ≥ 1, in 2 of 3 periods of 5 minutes (1 of 1 when scheduled)',
      (def) => {
        const alarm = found.find(
          (a) => dimensionsOf(a.Properties).FunctionName === names.functionName(def.id),
        );
        const scheduled = def.schedule !== undefined;
        expect(alarm?.Properties).toMatchObject({
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: scheduled ? 1 : 3,
          DatapointsToAlarm: scheduled ? 1 : 2,
          TreatMissingData: 'notBreaching',
        });
      },
    );
  });
});

describe('dead-letter queue alarms', () => {
  const found = alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible');

  it('one per queue: the stream consumers, the pipes and the schedules', () => {
    const expected = streamDefinitions.length + eventPipeDefinitions.length + scheduledDefinitions.length;
    expect(found).toHaveLength(expected);
    expect(queueNames).toHaveLength(expected);
    expect(found.map((a) => dimensionsOf(a.Properties).QueueName).sort()).toEqual(queueNames);
  });

  it('a single visible message fires it (maximum of 5 minutes, 1 of 1)', () => {
    for (const alarm of found) {
      expect(alarm.Properties).toMatchObject({
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });
});

describe('state machine alarms', () => {
  it.each(['ExecutionsFailed', 'ExecutionsTimedOut'])('%s ≥ 1: one per state machine', (metricName) => {
    const found = alarmsOn('AWS/States', metricName);
    expect(found).toHaveLength(stateMachineDefinitions.length);
    expect(found.map((a) => JSON.stringify(dimensionsOf(a.Properties).StateMachineArn)).sort()).toEqual(
      stateMachineDefinitions
        .map((m) => JSON.stringify(built.monitoring.resolve(names.stateMachineArn(m.id))))
        .sort(),
    );
    for (const alarm of found) {
      expect(alarm.Properties).toMatchObject({
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });
});

describe('table alarms', () => {
  const found = alarmsOn('AWS/DynamoDB', 'ThrottledRequests');

  it('one per table', () => {
    expect(found).toHaveLength(tableIds.length);
    expect(tableNames).toHaveLength(tableIds.length);
  });

  it('the throttled requests of every operation the app uses, summed: ≥ 1 in 2 of 3 periods', () => {
    const watched = found.map((alarm) => {
      const metrics = alarm.Properties.Metrics as CfnJson[];
      const stats = metrics.filter((m) => m.MetricStat);
      const tables = new Set(stats.map((m) => dimensionsOf(m.MetricStat.Metric).TableName));
      expect(tables.size).toBe(1);
      expect(stats.map((m) => dimensionsOf(m.MetricStat.Metric).Operation).sort()).toEqual(
        [...throttledTableOperations].sort(),
      );
      for (const m of stats) expect(m.MetricStat).toMatchObject({ Stat: 'Sum', Period: 300 });
      const expression = metrics.find((m) => m.Expression);
      expect(expression.Expression).toBe(`SUM([${stats.map((m) => m.Id).join(', ')}])`);
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      });
      return [...tables][0];
    });
    expect(watched.sort()).toEqual(tableNames);
  });

  it('covers the operations the registry grants (no write or read the functions may make goes unwatched)', () => {
    for (const op of ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem']) {
      expect(throttledTableOperations).toContain(op);
    }
  });
});

describe('alarms on the operations check figures', () => {
  const checkName = names.functionName('operations-check');
  const expectedDimensions = { function: checkName, service: metricServiceName, stage: built.stage };

  it('the function dimension is the deployed function name (AWS_LAMBDA_FUNCTION_NAME)', () => {
    const lambda = Object.values(resourcesOfType(built.templates.workflow, 'AWS::Lambda::Function')).find(
      (f) => f.Properties.FunctionName === checkName,
    );
    expect(lambda).toBeDefined();
    expect(checkName).toBe(`onewindow-${built.stage}-operations-check`);
  });

  it.each([
    [metricNames.casesInAttention, 0, 'GreaterThanThreshold'],
    [metricNames.alertsEscalatedToAdmin, 0, 'GreaterThanThreshold'],
    [metricNames.nextYearScheduleMissing, 1, 'GreaterThanOrEqualToThreshold'],
  ])('%s: maximum of the hourly run, threshold %d (%s)', (metricName, threshold, operator) => {
    const found = alarmsOn(metricNamespace, metricName);
    expect(found).toHaveLength(1);
    const p = found[0].Properties;
    expect(p.Namespace).toBe('OneWindow');
    expect(dimensionsOf(p)).toEqual(expectedDimensions);
    expect(p.Dimensions).toHaveLength(3);
    expect(p).toMatchObject({
      Statistic: 'Maximum',
      Period: rateSeconds('rate(1 hour)'),
      Threshold: threshold,
      ComparisonOperator: operator,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      // Written once a run: no data between runs says nothing (a silent check has its own alarm).
      TreatMissingData: 'ignore',
    });
  });

  it.each(scheduledDefinitions)(
    '$id not invoked for two intervals: the heartbeat fires on missing data',
    (def) => {
      const found = alarmsOn('AWS/Lambda', 'Invocations').filter(
        (a) => dimensionsOf(a.Properties).FunctionName === names.functionName(def.id),
      );
      expect(found).toHaveLength(1);
      expect(found[0].Properties).toMatchObject({
        Statistic: 'Sum',
        Period: rateSeconds(def.schedule?.expression as string),
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
      });
    },
  );
});

describe('alarm counts', () => {
  it('by category, from the registry and the definitions', () => {
    const counts: Record<string, number> = {};
    for (const { category } of built.monitoring.alarms) counts[category] = (counts[category] ?? 0) + 1;
    expect(counts).toEqual({
      api: 2,
      'function-errors': functionDefinitions.length,
      'function-throttles': functionDefinitions.length,
      'dead-letters': streamDefinitions.length + eventPipeDefinitions.length + scheduledDefinitions.length,
      'state-machine': 2 * stateMachineDefinitions.length,
      table: tableIds.length,
      'custom-metric': 3,
      'schedule-heartbeat': scheduledDefinitions.length,
    });
  });
});

/** The dashboard body as JSON, each intrinsic replaced by a readable string (`GetAtt:<id>.Arn`, …). */
function dashboardBody(dashboard: CfnJson): CfnJson {
  const body = dashboard.Properties.DashboardBody;
  const parts: unknown[] = body['Fn::Join'] ? body['Fn::Join'][1] : [body];
  const text = parts
    .map((part: CfnJson) => {
      if (typeof part === 'string') return part;
      if (part.Ref) return `Ref:${part.Ref}`;
      if (part['Fn::GetAtt']) return `GetAtt:${part['Fn::GetAtt'].join('.')}`;
      if (part['Fn::ImportValue']) return `ImportValue:${part['Fn::ImportValue']}`;
      throw new Error(`unexpected intrinsic in the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text);
}

describe('the dashboard', () => {
  const dashboards = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));
  const body = dashboardBody(dashboards[0]);
  const widgets = body.widgets as CfnJson[];
  const metricRows = widgets.flatMap((w) => (w.properties.metrics ?? []) as CfnJson[][]);
  // A metric row is [namespace, name, dimension, value, …, options] or [{ expression, … }].
  const plainMetrics = metricRows
    .filter((row) => typeof row[0] === 'string')
    .map((row) => {
      const options = typeof row.at(-1) === 'object' ? row.at(-1) : {};
      const fields = row.filter((f) => typeof f === 'string') as string[];
      const [namespace, metricName, ...dims] = fields;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < dims.length; i += 2) dimensions[dims[i] as string] = dims[i + 1] as string;
      return { namespace, metricName, dimensions, options };
    });
  const expressions = metricRows
    .filter((row) => typeof row[0] === 'object')
    .map((row) => row[0].expression as string);
  const plainNames = new Set(plainMetrics.map((m) => m.metricName));

  it('is one dashboard named per stage', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0].Properties.DashboardName).toBe(`onewindow-${built.stage}-operations`);
  });

  it('shows every business metric, by exact dimensions or by a search on this stage', () => {
    const searched = (metricName: string) =>
      expressions.some(
        (e) =>
          e.includes(`SEARCH('{${metricNamespace},function,service,stage}`) &&
          e.includes(`stage="${built.stage}"`) &&
          e.includes(`MetricName="${metricName}"`),
      );
    for (const metricName of Object.values(metricNames)) {
      expect(plainNames.has(metricName) || searched(metricName), metricName).toBe(true);
    }
    for (const kind of alertKinds) {
      for (const level of alertLevels) expect(searched(alertMetricName(kind, level))).toBe(true);
    }
    for (const metric of plainMetrics.filter((m) => m.namespace === metricNamespace)) {
      expect(Object.keys(metric.dimensions).sort()).toEqual(['function', 'service', 'stage']);
      expect(metric.dimensions.stage).toBe(built.stage);
      expect(functionNames).toContain(metric.dimensions.function);
    }
  });

  it('shows the API, Lambda per function, stream lag, queues, Step Functions and DynamoDB', () => {
    for (const metricName of [
      'Count',
      '5xx',
      'Latency',
      'Errors',
      'Throttles',
      'Duration',
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
      'ExecutionsStarted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ConsumedReadCapacityUnits',
      'ConsumedWriteCapacityUnits',
      'ThrottledRequests',
    ]) {
      expect(plainNames.has(metricName), metricName).toBe(true);
    }
    const dimensionValues = (metricName: string, dimension: string) =>
      plainMetrics.filter((m) => m.metricName === metricName).map((m) => m.dimensions[dimension]);
    for (const metricName of ['Errors', 'Throttles', 'Duration']) {
      expect(dimensionValues(metricName, 'FunctionName').sort()).toEqual(functionNames);
    }
    expect(dimensionValues('IteratorAge', 'FunctionName').sort()).toEqual(
      streamDefinitions.map((def) => names.functionName(def.id)).sort(),
    );
    expect(dimensionValues('ApproximateNumberOfMessagesVisible', 'QueueName').sort()).toEqual(queueNames);
    expect([...new Set(dimensionValues('ConsumedReadCapacityUnits', 'TableName'))].sort()).toEqual(
      tableNames,
    );
  });

  it('lists every alarm in its alarm status widget', () => {
    const alarmWidgets = widgets.filter((w) => w.type === 'alarm');
    expect(alarmWidgets).toHaveLength(1);
    expect([...alarmWidgets[0].properties.alarms].sort()).toEqual(
      built.monitoring.alarms.map(({ alarm }) => `GetAtt:${logicalIdOf(alarm)}.Arn`).sort(),
    );
  });
});
