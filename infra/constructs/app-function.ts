import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  type EventSourceMapping,
  FilterCriteria,
  type IEventSourceDlq,
  Runtime,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import {
  Charset,
  LogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BucketAccess, FunctionDefinition, TableAccess, WorkflowAccess } from '../../functions/registry';
import { stateMachineDefinitions } from '../../functions/registry';
import { repoRoot } from '../definitions/asl';
import { type BucketId, bucketEnvName } from '../definitions/buckets';
import { esmRequireBanner, lambdaBundleTarget, lambdaMainFields } from '../definitions/bundling';
import { type TableId, tableDefinitions, tableEnvName } from '../definitions/tables';
import { streamDeadLetterQueue } from './dead-letter-queue';
import { acknowledgeNag, wildcardResourceFinding } from './nag';
import { appName, pascalCase, type ResourceNames } from './resource-names';

/** The JWT settings of the functions that verify tokens (the same ones the HTTP API's authorizer uses). */
export interface TokenVerification {
  issuer: string;
  audience: string;
  /** The key set; without it the functions read `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /**
   * IDENTITY_ROLES: `staff-records` reads each caller's role from the staff records (catalogue table, `STAFF#`
   * items), which the function may then read; unset: the functions' default (roles from the token's claims).
   */
  roles?: 'staff-records' | 'token';
  /** IDENTITY_PERSON_CLAIMS: which claims carry the person's name, ID number and real-name level. */
  personClaims?: { name?: string; idNumber?: string; realNameLevel?: string };
}

/** How the stage's region shapes every function (see DeploymentTarget). */
export interface FunctionPlatform {
  architecture: 'arm64' | 'x86_64';
  /** X-Ray active tracing (not offered for Lambda in the China regions). */
  tracing: boolean;
}

/** The standard regions' platform: Graviton, traced. */
export const defaultFunctionPlatform: FunctionPlatform = { architecture: 'arm64', tracing: true };

export interface AppFunctionProps {
  definition: FunctionDefinition;
  names: ResourceNames;
  /** The customer-managed key of the tables, buckets and log groups. */
  dataKey: IKey;
  logLevel: string;
  /** Used when the registry entry has no `timeoutSeconds`. */
  defaultTimeout: Duration;
  auth?: TokenVerification;
  /** Default: defaultFunctionPlatform. */
  platform?: FunctionPlatform;
  logRetention?: RetentionDays;
  /**
   * Stream ARNs of the tables whose streams functions consume. They carry a creation label, so they cannot
   * be derived from the table name like the other ARNs: the stateful stack exports them.
   */
  tableStreamArns?: Partial<Record<TableId, string>>;
}

export const lambdaRuntime = Runtime.NODEJS_22_X;

const tableReadActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const tableWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** A health probe's: the table's metadata, none of its items. */
const tableDescribeActions = ['dynamodb:DescribeTable'];
const streamReadActions = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
// GetObjectVersion: the buckets are versioned and material objects are read and presigned pinned to the
// version that was checked (VersionId on GetObject/HeadObject and the presigned GET), which GetObject alone
// does not allow.
const objectReadActions = ['s3:GetObject', 's3:GetObjectVersion'];
/** What `StateMachine.grantTaskResponse` grants, on the state machine's ARN as CDK does. */
const taskResponseActions = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];
const objectWriteActions = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

/**
 * IAM takes printable Latin-1 only in a role's description (CloudFormation refuses the stack otherwise): the
 * registry's descriptions name Chinese terms in parentheses, which are left out here.
 */
export const latin1 = (text: string): string =>
  text.replace(/\s*[(（][^)）]*[^ -\u00ff][^)）]*[)）]/gu, '').replace(/[^ -\u00ff]/gu, '');

/**
 * Copies files the registry ships with a function (a font installed by the setup scripts) into its asset
 * after esbuild; a missing file fails the synth with its path rather than the function at run time.
 */
function copyFilesHooks(files: NonNullable<FunctionDefinition['files']>) {
  for (const file of files) {
    if (!existsSync(file.from)) {
      throw new Error(
        `${file.from} is missing: install it (see scripts/ensure-system-packages.sh) before synth`,
      );
    }
  }
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) =>
      files.map(
        (file) =>
          `mkdir -p "${path.posix.join(output, path.posix.dirname(file.to))}" && cp "${file.from}" "${path.posix.join(output, file.to)}"`,
      ),
  };
}

/**
 * One Lambda function of the registry: a NodejsFunction bundled locally by esbuild (ESM, minified, with
 * source maps), on Node 22 / arm64 with X-Ray (x86_64 without X-Ray in the China regions: see
 * FunctionPlatform), its own encrypted log group, its own role, and exactly the permissions and
 * environment its registry entry declares. Both function stacks build every
 * function through this construct, so a new function is one registry entry.
 */
export class AppFunction extends Construct {
  readonly definition: FunctionDefinition;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Stream consumers only: the mapping from the table's stream and its on-failure queue. */
  readonly streamSource?: { mapping: EventSourceMapping; deadLetterQueue: Queue; streamArn: string };

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { definition: def, names, dataKey } = props;
    const platform = props.platform ?? defaultFunctionPlatform;
    this.definition = def;
    if (def.verifiesTokens && !props.auth) {
      throw new Error(`function ${def.id} verifies tokens but its stack provides no JWT issuer`);
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.SIX_MONTHS,
      encryptionKey: dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An own role instead of the default one: no AWS managed policy (AWSLambdaBasicExecutionRole would
    // allow writing to every log group), only this function's log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: latin1(`${appName} ${names.stage} ${def.id}: ${def.description}`).slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      // Named, not generated: the name is the `function` dimension of the business metrics the alarms watch.
      functionName: names.functionName(def.id),
      description: def.description,
      entry: path.join(repoRoot, def.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      runtime: lambdaRuntime,
      architecture: platform.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: def.memorySize ?? 512,
      timeout: def.timeoutSeconds === undefined ? props.defaultTimeout : Duration.seconds(def.timeoutSeconds),
      tracing: platform.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      role: this.role,
      logGroup: this.logGroup,
      environment: this.environment(props),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: lambdaBundleTarget,
        mainFields: lambdaMainFields,
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        charset: Charset.UTF8,
        // Bundle everything, the AWS SDK included: the function runs the SDK versions the tests ran,
        // not whichever the Lambda runtime happens to ship.
        externalModules: [],
        logLevel: LogLevel.WARNING,
        ...(def.files?.length ? { commandHooks: copyFilesHooks(def.files) } : {}),
      },
    });

    if (def.stream) this.streamSource = this.consumeStream(props, def.stream);
    this.grantDeclaredAccess(props);

    acknowledgeNag(
      this.function,
      'L1',
      `${lambdaRuntime.name} on purpose: the project runs and tests on Node 20-22 (package.json engines <23) and ` +
        'bundles for node22; move to the next LTS runtime together with the engines range.',
    );
  }

  /**
   * The event source mapping from the table's stream. TRIM_HORIZON, not LATEST: a mapping starts reading
   * a moment after it is created (first deploy, or a replacement), and LATEST would skip the acceptances
   * written in between, leaving accepted cases without a workflow. From the oldest record kept (24 hours)
   * some starts are repeated instead, which is harmless: an execution is named by its case id, so a start
   * of a running one changes nothing and one of an ended one is only logged.
   */
  private consumeStream(
    props: AppFunctionProps,
    stream: NonNullable<FunctionDefinition['stream']>,
  ): NonNullable<AppFunction['streamSource']> {
    const { definition: def, names } = props;
    const streamArn = props.tableStreamArns?.[stream.table];
    if (!streamArn) {
      throw new Error(
        `function ${def.id} consumes the ${stream.table} table's stream but its stack has no ARN for it`,
      );
    }
    const deadLetterQueue = streamDeadLetterQueue(this, 'DeadLetters', {
      queueName: names.deadLetterQueue(def.id),
      dataKey: props.dataKey,
      consumer: `the ${def.id} function's ${stream.table} stream mapping`,
    });
    // Only the queue's ARN: the grants are this construct's own (SqsDlq would add wildcard KMS actions).
    const onFailure: IEventSourceDlq = { bind: () => ({ destination: deadLetterQueue.queueArn }) };
    const mapping = this.function.addEventSourceMapping(`${pascalCase(stream.table)}Stream`, {
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: stream.batchSize,
      // Up to two batches of one shard at once (records of one item stay in order): enrolment peaks
      // write faster than one sequential consumer per shard starts executions.
      parallelizationFactor: 2,
      // A crash or timeout (no partial response) splits the batch, so one bad record cannot hold the others.
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: stream.retryAttempts,
      maxRecordAge: Duration.seconds(stream.maxRecordAgeSeconds),
      onFailure,
      filters: stream.filters.map((pattern) => FilterCriteria.filter(pattern)),
    });
    return { mapping, deadLetterQueue, streamArn };
  }

  private environment(props: AppFunctionProps): Record<string, string> {
    const { definition: def, names } = props;
    const env: Record<string, string> = {
      // Files shipped next to the bundle are under /var/task, where Lambda unpacks the asset.
      ...Object.fromEntries((def.files ?? []).map((file) => [file.env, `/var/task/${file.to}`])),
      STAGE: names.stage,
      LOG_LEVEL: props.logLevel,
      POWERTOOLS_SERVICE_NAME: appName,
      NODE_OPTIONS: '--enable-source-maps',
      S3_FORCE_PATH_STYLE: 'false',
      // Without active tracing (China regions) the Powertools tracer would only log missing trace context.
      ...((props.platform ?? defaultFunctionPlatform).tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
    };
    for (const id of Object.keys(def.tables) as TableId[]) env[tableEnvName(id)] = names.table(id);
    for (const id of Object.keys(def.buckets) as BucketId[]) env[bucketEnvName(id)] = names.bucket(id);
    if (def.workflow.length > 0) {
      for (const machine of stateMachineDefinitions)
        env[machine.arnEnvName] = names.stateMachineArn(machine.id);
    }
    if (def.verifiesTokens && props.auth) {
      const { auth } = props;
      env.JWT_ISSUER = auth.issuer;
      env.JWT_AUDIENCE = auth.audience;
      if (auth.jwksUrl) env.JWT_JWKS_URL = auth.jwksUrl;
      if (auth.roles) env.IDENTITY_ROLES = auth.roles;
      if (auth.roles === 'staff-records') env[tableEnvName('catalogue')] = names.table('catalogue');
      if (auth.personClaims) env.IDENTITY_PERSON_CLAIMS = JSON.stringify(auth.personClaims);
    }
    return env;
  }

  /** Least privilege from the registry entry: named tables and indexes, buckets, state machines. */
  private grantDeclaredAccess(props: AppFunctionProps): void {
    const { definition: def, names } = props;
    const keyActions = new Set<string>();
    const wildcardReasons = (props.platform ?? defaultFunctionPlatform).tracing
      ? ['xray:PutTraceSegments/PutTelemetryRecords (active tracing) have no resource type']
      : [];

    for (const [id, access] of Object.entries(def.tables) as [TableId, TableAccess][]) {
      if (access === 'describe') {
        // Metadata only: no item, so no index and no key (DescribeTable does not decrypt anything).
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: tableDescribeActions, resources: [names.tableArn(id)] }),
        );
        continue;
      }
      const write = access === 'readWrite';
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: write ? [...tableReadActions, ...tableWriteActions] : tableReadActions,
          resources: [
            names.tableArn(id),
            ...tableDefinitions[id].globalSecondaryIndexes.map((index) =>
              names.indexArn(id, index.indexName),
            ),
          ],
        }),
      );
      for (const action of ['kms:Decrypt', 'kms:DescribeKey']) keyActions.add(action);
      if (write) {
        for (const action of ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']) {
          keyActions.add(action);
        }
      }
    }

    for (const [id, access] of Object.entries(def.buckets) as [BucketId, BucketAccess][]) {
      // HeadBucket is authorised by s3:ListBucket; every access level includes it.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [names.bucketArn(id)] }),
      );
      if (access === 'list') continue;
      const write = access === 'readWrite';
      const objectActions = write ? [...objectReadActions, ...objectWriteActions] : objectReadActions;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: objectActions, resources: [names.bucketObjectsArn(id)] }),
      );
      keyActions.add('kms:Decrypt');
      if (write) keyActions.add('kms:GenerateDataKey');
      acknowledgeNag(
        this.role,
        wildcardResourceFinding(this, names.bucketObjectsArn(id)),
        `${objectActions.join(', ')} on the objects of the ${id} bucket only: object keys are created per case at ` +
          'run time, so they cannot be listed in the policy; the bucket is private, SSL-only and KMS-encrypted.',
      );
    }

    if (this.streamSource) {
      const { streamArn, deadLetterQueue } = this.streamSource;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: streamReadActions, resources: [streamArn] }),
      );
      // The event source mapping checks for it when it is created; it lists stream ARNs, no data.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }),
      );
      wildcardReasons.push(
        'dynamodb:ListStreams (required by the stream event source mapping) has no resource type and reveals ARNs only',
      );
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
      );
      // Stream records are encrypted with the table's key; messages to the SSE-KMS queue need a data key.
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) keyActions.add(action);
    }

    if (def.verifiesTokens && props.auth?.roles === 'staff-records') {
      // The caller's role and scope come from their staff record: one GetItem of a `STAFF#<subject>` item.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem'],
          resources: [names.tableArn('catalogue')],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STAFF#*'] } },
        }),
      );
      keyActions.add('kms:Decrypt');
    }

    if (keyActions.size > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...keyActions].sort(), resources: [props.dataKey.keyArn] }),
      );
    }

    const access = new Set<WorkflowAccess>(def.workflow);
    for (const machine of stateMachineDefinitions) {
      const machineArn = names.stateMachineArn(machine.id);
      const executionsArn = names.executionsArn(machine.id);
      if (access.has('start')) {
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }),
        );
      }
      if (access.has('describe')) {
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['states:DescribeStateMachine'], resources: [machineArn] }),
        );
      }
      if (access.has('callback')) {
        // The task token is the credential, but IAM still checks the state machine the token belongs to:
        // a leaked role cannot answer tokens of any other state machine in the account.
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: taskResponseActions, resources: [machineArn] }),
        );
      }
      const executionActions = access.has('stop') ? ['states:StopExecution'] : [];
      if (executionActions.length > 0) {
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: executionActions, resources: [executionsArn] }),
        );
        acknowledgeNag(
          this.role,
          wildcardResourceFinding(this, executionsArn),
          `${executionActions.join(', ')} on executions of the ${machine.id} state machine only: executions are ` +
            'named by case ids at run time.',
        );
      }
    }
    if (wildcardReasons.length > 0) {
      acknowledgeNag(
        this.role,
        'IAM5[Resource::*]',
        `Resource "*" only where IAM offers nothing narrower: ${wildcardReasons.join('; ')}.`,
      );
    }
  }
}
