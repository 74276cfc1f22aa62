import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  type FunctionDefinition,
  functionDefinitions,
  stateMachineDefinitions,
} from '../../functions/registry';
import { AppFunction } from '../../infra/constructs/app-function';
import { ResourceNames } from '../../infra/constructs/resource-names';
import { bucketEnvName, bucketIds } from '../../infra/definitions/buckets';
import { tableDefinitions, tableEnvName, tableIds } from '../../infra/definitions/tables';
import {
  actionsOn,
  asArray,
  type CfnJson,
  defined,
  logicalIdOf,
  resolved,
  resourcesOfType,
  roleStatements,
  synthesizeApp,
} from './support';

const built = synthesizeApp({
  stage: 'test',
  context: { logLevel: 'DEBUG', allowedOrigins: 'https://portal.example.gov.cn' },
});

const tableRead = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
];
const objectRead = ['s3:GetObject', 's3:GetObjectVersion'];
const taskResponse = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'];
const tableWrite = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

interface Located {
  fn: AppFunction;
  stack: Stack;
  template: Template;
}

function locate(def: FunctionDefinition): Located {
  const inApi = built.api.functions[def.id];
  if (inApi) return { fn: inApi, stack: built.api, template: built.templates.api };
  const inWorkflow = built.workflow.functions[def.id];
  if (inWorkflow) return { fn: inWorkflow, stack: built.workflow, template: built.templates.workflow };
  throw new Error(`function ${def.id} is in no stack`);
}

describe.each(functionDefinitions)('function $id', (def) => {
  const { fn, stack, template } = locate(def);
  const lambda = template.toJSON().Resources[logicalIdOf(fn.function)] as CfnJson;
  const env = lambda.Properties.Environment.Variables as Record<string, unknown>;
  const statements = roleStatements(template, logicalIdOf(fn.role));
  const inStack = (value: string) => resolved(stack, value);

  const inWorkflowStack =
    def.aslPlaceholder !== undefined || def.stream !== undefined || def.schedule !== undefined;

  it('lives in the stack its trigger calls for', () => {
    expect(stack).toBe(inWorkflowStack ? built.workflow : built.api);
  });

  it('is named by stage and id (the `function` dimension of its business metrics)', () => {
    expect(lambda.Properties.FunctionName).toBe(built.names.functionName(def.id));
    expect(lambda.Properties.FunctionName).toBe(`onewindow-test-${def.id}`);
  });

  it('runs bundled ESM on nodejs22.x, arm64, with active tracing and the declared sizes', () => {
    expect(lambda.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      MemorySize: def.memorySize ?? 512,
      Timeout: def.timeoutSeconds ?? (inWorkflowStack ? 30 : 10),
    });
  });

  it('logs to its own encrypted log group with a retention', () => {
    const logGroupId = lambda.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(logGroupId).toBe(logicalIdOf(fn.logGroup));
    const logGroup = template.toJSON().Resources[logGroupId];
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThanOrEqual(180);
    expect(logGroup.Properties.KmsKeyId).toBeDefined();
    expect(actionsOn(statements, { 'Fn::GetAtt': [logGroupId, 'Arn'] })).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('gets the common environment', () => {
    expect(env).toMatchObject({
      STAGE: 'test',
      LOG_LEVEL: 'DEBUG',
      POWERTOOLS_SERVICE_NAME: 'onewindow',
      S3_FORCE_PATH_STYLE: 'false',
    });
  });

  it('gets the names of exactly the tables and buckets it declares', () => {
    for (const id of tableIds) {
      if (def.tables[id]) expect(env[tableEnvName(id)]).toBe(built.names.table(id));
      else expect(env[tableEnvName(id)]).toBeUndefined();
    }
    for (const id of bucketIds) {
      if (def.buckets[id]) expect(env[bucketEnvName(id)]).toEqual(inStack(built.names.bucket(id)));
      else expect(env[bucketEnvName(id)]).toBeUndefined();
    }
  });

  it('gets the state machine ARNs only when it uses the workflow', () => {
    for (const machine of stateMachineDefinitions) {
      if (def.workflow.length > 0) {
        expect(env[machine.arnEnvName]).toEqual(inStack(built.names.stateMachineArn(machine.id)));
      } else {
        expect(env[machine.arnEnvName]).toBeUndefined();
      }
    }
  });

  it('gets the Cognito JWT settings only when it verifies tokens', () => {
    if (def.verifiesTokens) {
      const issuer = inStack(built.api.tokenVerification.issuer);
      expect(env.JWT_ISSUER).toEqual(issuer);
      expect(env.JWT_AUDIENCE).toEqual({
        Ref: logicalIdOf(defined(built.api.userPoolClient, 'user pool client')),
      });
      expect(env.JWT_JWKS_URL).toEqual(inStack(defined(built.api.tokenVerification.jwksUrl, 'JWKS URL')));
      expect(JSON.stringify(env.JWT_JWKS_URL)).toContain('/.well-known/jwks.json');
    } else {
      expect(env.JWT_ISSUER).toBeUndefined();
      expect(env.JWT_AUDIENCE).toBeUndefined();
      expect(env.JWT_JWKS_URL).toBeUndefined();
    }
  });

  it('may use exactly its declared tables and their indexes, read or read-write, never Scan', () => {
    for (const id of tableIds) {
      const access = def.tables[id];
      const arns = [
        built.names.tableArn(id),
        ...tableDefinitions[id].globalSecondaryIndexes.map((i) => built.names.indexArn(id, i.indexName)),
      ];
      for (const arn of arns) {
        const expected =
          access === 'readWrite'
            ? [...tableRead, ...tableWrite].sort()
            : access === 'read'
              ? tableRead
              : access === 'describe' && arn === built.names.tableArn(id)
                ? ['dynamodb:DescribeTable']
                : [];
        expect(actionsOn(statements, inStack(arn)), `${id} ${arn}`).toEqual(expected);
      }
    }
    const actions = statements.flatMap((s) => asArray<string>(s.Action));
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('may use exactly its declared buckets', () => {
    for (const id of bucketIds) {
      const access = def.buckets[id];
      expect(actionsOn(statements, inStack(built.names.bucketArn(id)))).toEqual(
        access ? ['s3:ListBucket'] : [],
      );
      const objectActions = actionsOn(statements, inStack(built.names.bucketObjectsArn(id)));
      if (!access || access === 'list') expect(objectActions).toEqual([]);
      else if (access === 'read') expect(objectActions).toEqual(objectRead);
      else expect(objectActions).toEqual(expect.arrayContaining([...objectRead, 's3:PutObject']));
    }
  });

  it('may use the data key only as far as its tables, buckets and stream need it', () => {
    const keyStatements = statements.filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('kms:')),
    );
    // Describing a table or listing a bucket decrypts nothing: only data access needs the key.
    const dataAccess = (access: string) => access === 'read' || access === 'readWrite';
    const usesData =
      [...Object.values(def.tables), ...Object.values(def.buckets)].some(dataAccess) ||
      def.stream !== undefined;
    expect(keyStatements).toHaveLength(usesData ? 1 : 0);
    if (usesData) {
      expect(JSON.stringify(keyStatements[0].Resource)).toContain('DataKey');
      // A stream consumer writes to its encrypted on-failure queue.
      const writes =
        Object.values(def.tables).includes('readWrite') ||
        Object.values(def.buckets).includes('readWrite') ||
        def.stream !== undefined;
      const actions = asArray<string>(keyStatements[0].Action);
      expect(actions).toContain('kms:Decrypt');
      expect(actions.includes('kms:GenerateDataKey')).toBe(writes);
    }
  });

  it('may call Step Functions exactly as its workflow access says', () => {
    const states = statements
      .flatMap((s) => asArray<string>(s.Action))
      .filter((a) => a.startsWith('states:'));
    const expected = [
      ...(def.workflow.includes('start') ? ['states:StartExecution'] : []),
      ...(def.workflow.includes('describe') ? ['states:DescribeStateMachine'] : []),
      ...(def.workflow.includes('stop') ? ['states:StopExecution'] : []),
      ...(def.workflow.includes('callback') ? taskResponse : []),
    ];
    expect(states.sort()).toEqual(expected.sort());
  });

  it('answers task tokens of its state machines only (as grantTaskResponse does), never on *', () => {
    expect(actionsOn(statements, '*').filter((a) => a.startsWith('states:'))).toEqual([]);
    for (const machine of stateMachineDefinitions) {
      const onMachine = actionsOn(statements, inStack(built.names.stateMachineArn(machine.id)));
      const callbacks = onMachine.filter((a) => taskResponse.includes(a));
      expect(callbacks).toEqual(def.workflow.includes('callback') ? taskResponse : []);
    }
  });

  it('reads a table stream only when it consumes one, through a filtered mapping with partial batch responses', () => {
    const streamActions = statements
      .flatMap((s) => asArray<string>(s.Action))
      .filter((a) => /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(a));
    const mappings = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).filter(
      (m) => m.Properties.FunctionName.Ref === logicalIdOf(fn.function),
    );
    if (!def.stream) {
      expect(streamActions).toEqual([]);
      expect(mappings).toEqual([]);
      return;
    }
    const streamArn = inStack(built.stateful.tableStreamArns[def.stream.table] as string);
    const source = fn.streamSource;
    if (!source) throw new Error(`${def.id} has no stream source`);
    // Data actions on that one stream; ListStreams (no resource type) on *.
    expect(actionsOn(statements, streamArn)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ]);
    expect(actionsOn(statements, '*')).toContain('dynamodb:ListStreams');
    expect(mappings).toHaveLength(1);
    const queueId = logicalIdOf(source.deadLetterQueue);
    expect(mappings[0].Properties).toEqual(
      expect.objectContaining({
        EventSourceArn: streamArn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: def.stream.batchSize,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: def.stream.retryAttempts,
        MaximumRecordAgeInSeconds: def.stream.maxRecordAgeSeconds,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
        FilterCriteria: {
          Filters: def.stream.filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
        },
      }),
    );
    expect(actionsOn(statements, { 'Fn::GetAtt': [queueId, 'Arn'] })).toEqual(['sqs:SendMessage']);
  });

  it('has no wildcard actions and no managed policies', () => {
    const actions = statements.flatMap((s) => asArray<string>(s.Action));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    const role = template.toJSON().Resources[logicalIdOf(fn.role)];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    // IAM refuses a role description outside Latin-1 (the registry's descriptions have Chinese terms).
    expect(role.Properties.Description).toMatch(/^[ -~\u00A1-\u00FF]*$/);
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'lambda.amazonaws.com',
    });
  });
});

describe('the platform function (health, docs, unmatched routes) and the material readers', () => {
  const statementsOf = (id: string) => {
    const def = functionDefinitions.find((d) => d.id === id) as FunctionDefinition;
    const { fn, template } = locate(def);
    return roleStatements(template, logicalIdOf(fn.role));
  };

  it('the platform function may only describe tables, list buckets and describe state machines', () => {
    const actions = new Set(statementsOf('platform').flatMap((s) => asArray<string>(s.Action)));
    expect([...actions].sort()).toEqual([
      'dynamodb:DescribeTable',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:ListBucket',
      'states:DescribeStateMachine',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('the cases function may read pinned versions of material objects (GetObjectVersion)', () => {
    const onMaterials = actionsOn(
      statementsOf('cases'),
      resolved(built.api, built.names.bucketObjectsArn('materials')),
    );
    expect(onMaterials).toEqual(expect.arrayContaining(['s3:GetObject', 's3:GetObjectVersion']));
  });
});

describe('AppFunction grants for access the registry does not use yet', () => {
  // A hypothetical entry with every kind of access: it must get the matching statements, and every
  // wildcard they need must come with its own cdk-nag acknowledgment.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'GrantProbe');
  const names = new ResourceNames('probe');
  const definition: FunctionDefinition = {
    id: 'probe',
    entry: 'functions/workflow/handler.ts',
    description: 'probe',
    routes: [],
    tables: { idempotency: 'readWrite' },
    buckets: { materials: 'readWrite', results: 'read' },
    workflow: ['start', 'callback', 'describe', 'stop'],
    verifiesTokens: false,
    memorySize: 1024,
    timeoutSeconds: 20,
  };
  const fn = new AppFunction(stack, 'Probe', {
    definition,
    names,
    dataKey: new Key(stack, 'Key', { enableKeyRotation: true }),
    logLevel: 'INFO',
    defaultTimeout: Duration.seconds(10),
  });
  const template = Template.fromStack(stack);
  const statements = roleStatements(template, logicalIdOf(fn.role));
  const inStack = (value: string) => resolved(stack, value);
  const machine = stateMachineDefinitions[0]?.id as string;

  it('start and describe on the state machine; stop on its executions', () => {
    expect(
      actionsOn(statements, inStack(names.stateMachineArn(machine))).filter((a) => !taskResponse.includes(a)),
    ).toEqual(['states:DescribeStateMachine', 'states:StartExecution']);
    expect(actionsOn(statements, inStack(names.executionsArn(machine)))).toEqual(['states:StopExecution']);
  });

  it('callback: the SendTask* actions on the state machine, as grantTaskResponse grants them', () => {
    expect(actionsOn(statements, inStack(names.stateMachineArn(machine)))).toEqual(
      expect.arrayContaining(taskResponse),
    );
    expect(actionsOn(statements, '*').filter((a) => a.startsWith('states:'))).toEqual([]);
  });

  it('read-write bucket: object writes; read-only bucket: object reads', () => {
    expect(actionsOn(statements, inStack(names.bucketObjectsArn('materials')))).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
    ]);
    expect(actionsOn(statements, inStack(names.bucketObjectsArn('results')))).toEqual(objectRead);
  });

  it('describe table / list bucket: metadata only, no item, object or key', () => {
    const probe = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const probeStack = new Stack(probe, 'HealthProbe');
    const health = new AppFunction(probeStack, 'Health', {
      definition: {
        ...definition,
        id: 'health',
        tables: { cases: 'describe' },
        buckets: { materials: 'list' },
        workflow: ['describe'],
      },
      names,
      dataKey: new Key(probeStack, 'Key', { enableKeyRotation: true }),
      logLevel: 'INFO',
      defaultTimeout: Duration.seconds(10),
    });
    const healthStatements = roleStatements(Template.fromStack(probeStack), logicalIdOf(health.role));
    const at = (value: string) => resolved(probeStack, value);
    expect(actionsOn(healthStatements, at(names.tableArn('cases')))).toEqual(['dynamodb:DescribeTable']);
    for (const index of tableDefinitions.cases.globalSecondaryIndexes) {
      expect(actionsOn(healthStatements, at(names.indexArn('cases', index.indexName)))).toEqual([]);
    }
    expect(actionsOn(healthStatements, at(names.bucketArn('materials')))).toEqual(['s3:ListBucket']);
    expect(actionsOn(healthStatements, at(names.bucketObjectsArn('materials')))).toEqual([]);
    const actions = healthStatements.flatMap((s) => asArray<string>(s.Action));
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(probeStack).violations).toEqual([]);
  });

  it('read-write table without indexes: the table ARN only', () => {
    expect(actionsOn(statements, inStack(names.tableArn('idempotency')))).toEqual(
      [...tableRead, ...tableWrite].sort(),
    );
  });

  it('takes its memory and timeout from the registry entry', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Timeout: 20 });
  });

  it('leaves no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
