import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { functionDefinitions, stateMachineDefinitions } from '../../functions/registry';
import type { AppFunction } from '../../infra/constructs/app-function';
import { aslFunctionPlaceholders, readAsl, substituteAsl } from '../../infra/definitions/asl';
import { eventBusIds, eventPipeDefinitions } from '../../infra/definitions/event-pipes';
import {
  actionsOn,
  asArray,
  type CfnJson,
  logicalIdOf,
  resourcesOfType,
  roleStatements,
  synthesizeApp,
} from './support';

const built = synthesizeApp();
const template = built.templates.workflow;
const resources = template.toJSON().Resources as Record<string, CfnJson>;
const taskDefinitions = functionDefinitions.filter((def) => def.aslPlaceholder !== undefined);
const streamDefinitions = functionDefinitions.filter((def) => def.stream !== undefined);
const scheduledDefinitions = functionDefinitions.filter((def) => def.schedule !== undefined);

function taskFunctionFor(placeholder: string): AppFunction {
  const def = taskDefinitions.find((d) => d.aslPlaceholder === placeholder);
  const fn = def ? built.workflow.functions[def.id] : undefined;
  if (!fn) throw new Error(`no task function declares \${${placeholder}}`);
  return fn;
}

const fakeArns = (placeholders: string[]): Record<string, string> =>
  Object.fromEntries(
    placeholders.map((p) => [p, `arn:aws:lambda:cn-north-1:123456789012:function:onewindow-test-${p}`]),
  );

const machineFor = (id: string) => {
  const machine = built.workflow.stateMachines[id];
  if (!machine) throw new Error(`no state machine ${id}`);
  return { construct: machine, resource: resources[logicalIdOf(machine)] as CfnJson };
};

describe('task functions', () => {
  it('the workflow stack holds exactly the registry functions with an ASL placeholder, a stream or a schedule', () => {
    expect(taskDefinitions.length).toBeGreaterThan(0);
    expect(streamDefinitions.length).toBeGreaterThan(0);
    expect(scheduledDefinitions.length).toBeGreaterThan(0);
    const expected = [
      ...new Set([...taskDefinitions, ...streamDefinitions, ...scheduledDefinitions].map((d) => d.id)),
    ].sort();
    expect(Object.keys(built.workflow.functions).sort()).toEqual(expected);
    template.resourceCountIs('AWS::Lambda::Function', expected.length);
  });
});

describe.each(stateMachineDefinitions)('state machine $id', (machineDef) => {
  const { construct, resource } = machineFor(machineDef.id);
  const aslText = readAsl(machineDef.aslFile);
  const placeholders = aslFunctionPlaceholders(aslText);

  it('is a Standard state machine named per stage', () => {
    expect(resource.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(resource.Properties.StateMachineType).toBe('STANDARD');
    expect(resource.Properties.StateMachineName).toBe(built.names.stateMachine(machineDef.id));
  });

  it('logs every event without execution data to an encrypted log group, and traces with X-Ray', () => {
    const logging = resource.Properties.LoggingConfiguration;
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);
    const logGroupId = logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.KmsKeyId).toBeDefined();
    expect(resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    expect(resource.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('is built from the ASL file itself', () => {
    const key = resource.Properties.DefinitionS3Location.Key as string;
    const staged = readFileSync(path.join(built.app.outdir, `asset.${key}`), 'utf8');
    expect(staged).toBe(aslText);
  });

  it('substitutes exactly the placeholders of the ASL file, each with its task function ARN, and the partition', () => {
    expect(placeholders.length).toBeGreaterThan(0);
    const substitutions = resource.Properties.DefinitionSubstitutions as Record<string, CfnJson>;
    expect(Object.keys(substitutions).sort()).toEqual([...placeholders, 'Partition'].sort());
    // The optimized integrations are `arn:${Partition}:states:::…`: aws here, aws-cn in the China regions.
    expect(substitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
    expect(aslText).not.toMatch(/arn:aws[a-z-]*:/);
    for (const placeholder of placeholders) {
      const lambdaId = logicalIdOf(taskFunctionFor(placeholder).function);
      expect(resources[lambdaId].Type).toBe('AWS::Lambda::Function');
      expect(substitutions[placeholder]).toEqual({ 'Fn::GetAtt': [lambdaId, 'Arn'] });
    }
  });

  it('has a valid ASL definition once the placeholders are filled in', () => {
    const definition = substituteAsl(aslText, fakeArns(placeholders));
    expect(JSON.stringify(definition)).not.toContain('${');
    const result = aslValidator(definition);
    expect(result.errorsText(), 'asl-validator errors').toBe('');
    expect(result.isValid).toBe(true);
  });

  it('may invoke exactly its task functions (unqualified ARNs, nothing else)', () => {
    const statements = roleStatements(template, logicalIdOf(construct.role));
    const invoke = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0].Action)).toEqual(['lambda:InvokeFunction']);
    const expected = [...new Set(placeholders.map((p) => logicalIdOf(taskFunctionFor(p).function)))].map(
      (id) => ({
        'Fn::GetAtt': [id, 'Arn'],
      }),
    );
    expect(asArray(invoke[0].Resource)).toEqual(expected);
  });

  it('may start executions of its own state machine only, named without a reference to it', () => {
    expect(aslText).toContain('arn:${Partition}:states:::states:startExecution');
    const statements = roleStatements(template, logicalIdOf(construct.role));
    const start = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('states:')));
    expect(start).toHaveLength(1);
    expect(asArray(start[0].Action)).toEqual(['states:StartExecution']);
    const resource = JSON.stringify(start[0].Resource);
    expect(resource).toContain(`:stateMachine:${built.names.stateMachine(machineDef.id)}`);
    // Pseudo parameters only (partition, region, account): a reference to the machine would be a cycle.
    expect(resource).not.toContain(logicalIdOf(construct));
  });
});

describe('asl-validator itself', () => {
  it('rejects a definition with a dangling transition (so the check above can fail)', () => {
    const aslText = readAsl(stateMachineDefinitions[0]?.aslFile as string);
    const broken = substituteAsl(aslText, fakeArns(aslFunctionPlaceholders(aslText))) as {
      States: Record<string, { Next?: string }>;
    };
    const first = Object.values(broken.States).find((state) => state.Next !== undefined);
    if (!first) throw new Error('the ASL has no state with Next');
    first.Next = 'NoSuchState';
    expect(aslValidator(broken).isValid).toBe(false);
  });
});

describe('state machine resources', () => {
  it('one per registry definition', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'))).toHaveLength(
      stateMachineDefinitions.length,
    );
  });
});

describe('event buses', () => {
  it.each(eventBusIds)('%s: one custom bus named per stage', (id) => {
    const bus = resources[logicalIdOf(built.workflow.eventBuses[id])] as CfnJson;
    expect(bus.Type).toBe('AWS::Events::EventBus');
    expect(bus.Properties.Name).toBe(`onewindow-${built.stage}-${id}`);
  });
});

describe.each(eventPipeDefinitions)('pipe $id', (def) => {
  const { pipe, role } = built.workflow.pipes[def.id] ?? {};
  if (!pipe || !role) throw new Error(`no pipe ${def.id}`);
  const resource = resources[logicalIdOf(pipe)] as CfnJson;
  const statements = roleStatements(template, logicalIdOf(role));
  const streamArn = built.workflow.resolve(built.stateful.tables[def.table].tableStreamArn);
  const busArn = { 'Fn::GetAtt': [logicalIdOf(built.workflow.eventBuses[def.bus]), 'Arn'] };

  it('reads the table stream from TRIM_HORIZON, filtered by the shared definition', () => {
    expect(resource.Type).toBe('AWS::Pipes::Pipe');
    expect(resource.Properties.Name).toBe(built.names.pipe(def.id));
    expect(resource.Properties.Source).toEqual(streamArn);
    expect(resource.Properties.SourceParameters.FilterCriteria).toEqual({
      Filters: [{ Pattern: JSON.stringify(def.filter) }],
    });
    expect(resource.Properties.SourceParameters.DynamoDBStreamParameters).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
    });
    expect(resource.Properties.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn).toBeDefined();
  });

  it("targets its bus with the definition's source and detail type", () => {
    expect(resource.Properties.Target).toEqual(busArn);
    expect(resource.Properties.TargetParameters).toEqual({
      EventBridgeEventBusParameters: { Source: def.source, DetailType: def.detailType },
    });
  });

  it('exposes its on-failure queue (the monitoring stack alarms on it)', () => {
    const queue = built.workflow.pipeDeadLetterQueues[def.id];
    if (!queue) throw new Error(`pipe ${def.id} exposes no queue`);
    expect(resource.Properties.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn).toEqual({
      'Fn::GetAtt': [logicalIdOf(queue), 'Arn'],
    });
    expect(resources[logicalIdOf(queue)].Properties.QueueName).toBe(
      built.names.deadLetterQueue(`${def.id}-pipe`),
    );
  });

  it('has a role only this pipe can assume, with least privilege', () => {
    const roleResource = resources[logicalIdOf(role)] as CfnJson;
    const trust = roleResource.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'pipes.amazonaws.com' });
    expect(trust.Condition.ArnEquals['aws:SourceArn']).toEqual(
      built.workflow.resolve(built.names.pipeArn(def.id)),
    );
    expect(actionsOn(statements, streamArn)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ]);
    expect(actionsOn(statements, '*')).toEqual(['dynamodb:ListStreams']);
    expect(actionsOn(statements, busArn)).toEqual(['events:PutEvents']);
    const dlqArn = resource.Properties.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn;
    expect(actionsOn(statements, dlqArn)).toEqual(['sqs:SendMessage']);
    const actions = statements.flatMap((s) => asArray<string>(s.Action));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('kms:')).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });
});

describe('on-failure queues', () => {
  it('are KMS-encrypted with the data key and refuse requests without TLS', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(
      streamDefinitions.length + eventPipeDefinitions.length + scheduledDefinitions.length,
    );
    const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'));
    for (const [id, queue] of Object.entries(queues)) {
      expect(JSON.stringify(queue.Properties.KmsMasterKeyId)).toContain('DataKey');
      const policy = policies.find((p) => p.Properties.Queues.some((q: CfnJson) => q.Ref === id));
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });
});

describe('scheduled functions', () => {
  it('the operations check runs every hour', () => {
    expect(scheduledDefinitions.map((def) => [def.id, def.schedule?.expression])).toContainEqual([
      'operations-check',
      'rate(1 hour)',
    ]);
  });

  const groups = Object.values(resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup'));
  const groupIds = Object.keys(resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup'));

  it("one schedule group for the stage's schedules", () => {
    expect(groups).toHaveLength(1);
    expect(groups[0].Properties.Name).toBe(built.names.scheduleGroup());
  });

  describe.each(scheduledDefinitions)('$id', (def) => {
    const scheduled = built.workflow.schedules[def.id];
    const fn = built.workflow.functions[def.id];
    if (!scheduled || !fn) throw new Error(`no schedule for ${def.id}`);
    const resource = resources[logicalIdOf(scheduled.schedule)] as CfnJson;
    const functionArn = { 'Fn::GetAtt': [logicalIdOf(fn.function), 'Arn'] };
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(scheduled.deadLetterQueue), 'Arn'] };

    it("invokes the function on the registry's expression in Asia/Shanghai, without a flexible window", () => {
      expect(resource.Type).toBe('AWS::Scheduler::Schedule');
      expect(resource.Properties).toMatchObject({
        Name: built.names.schedule(def.id),
        ScheduleExpression: def.schedule?.expression,
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
      });
      expect(resource.Properties.GroupName).toEqual({ Ref: groupIds[0] });
      expect(resource.Properties.Target.Arn).toEqual(functionArn);
    });

    it('retries a failed delivery, then dead-letters it to an encrypted, TLS-only queue', () => {
      const { RetryPolicy, DeadLetterConfig } = resource.Properties.Target;
      expect(RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
      expect(DeadLetterConfig).toEqual({ Arn: queueArn });
      const queue = resources[logicalIdOf(scheduled.deadLetterQueue)] as CfnJson;
      expect(queue.Properties.QueueName).toBe(built.names.deadLetterQueue(`${def.id}-schedule`));
      expect(JSON.stringify(queue.Properties.KmsMasterKeyId)).toContain('DataKey');
    });

    it("has a role only the stage's schedules can assume, which may invoke this function and fill its queue", () => {
      expect(resource.Properties.Target.RoleArn).toEqual({
        'Fn::GetAtt': [logicalIdOf(scheduled.role), 'Arn'],
      });
      const trust = (resources[logicalIdOf(scheduled.role)] as CfnJson).Properties.AssumeRolePolicyDocument
        .Statement[0];
      expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
      expect(trust.Condition.ArnEquals['aws:SourceArn']).toEqual(
        built.workflow.resolve(built.names.scheduleGroupArn()),
      );
      expect(trust.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      const statements = roleStatements(template, logicalIdOf(scheduled.role));
      expect(actionsOn(statements, functionArn)).toEqual(['lambda:InvokeFunction']);
      expect(actionsOn(statements, queueArn)).toEqual(['sqs:SendMessage']);
      const actions = statements.flatMap((s) => asArray<string>(s.Action)).sort();
      expect(actions).toEqual([
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'lambda:InvokeFunction',
        'sqs:SendMessage',
      ]);
      expect(statements.flatMap((s) => asArray(s.Resource))).not.toContain('*');
    });
  });
});
