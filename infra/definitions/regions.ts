/**
 * Where a stage deploys, and what follows from it. `-c region=cn-north-1` (or `"region": { "<stage>":
 * "cn-northwest-1" }` in cdk.json, or the CLI's CDK_DEFAULT_REGION) pins every stack of the stage to one
 * region: its tables, buckets, log groups, key and event buses stay there (data residency), and the partition
 * is known (`aws-cn` for `cn-*`). Without a region the stacks stay environment-agnostic and target the
 * standard partition's features. ARNs are built from `AWS::Partition` either way, so the templates are
 * partition-neutral; what differs in China is the set of features (see chinaAvailability).
 */
export type Partition = 'aws' | 'aws-cn';

/** The AWS China regions: Beijing (operated by Sinnet) and Ningxia (operated by NWCD). */
export const chinaRegions = ['cn-north-1', 'cn-northwest-1'] as const;

export const isChinaRegion = (region: string | undefined): boolean => region?.startsWith('cn-') === true;

export const partitionOf = (region: string): Partition => (isChinaRegion(region) ? 'aws-cn' : 'aws');

const regionPattern = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export type LambdaArchitecture = 'arm64' | 'x86_64';

/** What the stacks build differently by region. */
export interface DeploymentTarget {
  /** Undefined: environment-agnostic (the standard partition's features). */
  region?: string;
  partition: Partition;
  china: boolean;
  /** Instruction set of every function. */
  lambdaArchitecture: LambdaArchitecture;
  /** X-Ray active tracing of the functions (not offered for Lambda in the China regions). */
  lambdaTracing: boolean;
  /**
   * Resource types that get no stage tags: AWS::CloudWatch::Dashboard has no Tags property in cn-north-1's
   * CloudFormation registry (cn-northwest-1 has one), so China stages tag no dashboard.
   */
  untaggedResourceTypes: readonly string[];
}

function forStage(setting: unknown, stage: string): unknown {
  return setting !== null && typeof setting === 'object' && !Array.isArray(setting)
    ? (setting as Record<string, unknown>)[stage]
    : setting;
}

/**
 * The `region` context (a region, or an object of regions by stage), else the CLI's region; the
 * `lambdaArchitecture` context overrides the default instruction set (arm64, but x86_64 in the China regions,
 * where the China documentation does not confirm Graviton functions; the bundles are plain JavaScript, so
 * either runs them).
 */
export function resolveDeploymentTarget(
  stage: string,
  settings: { region?: unknown; lambdaArchitecture?: unknown },
  cliRegion: string | undefined,
): DeploymentTarget {
  const chosen = forStage(settings.region, stage);
  if (chosen !== undefined && chosen !== null && chosen !== '' && typeof chosen !== 'string') {
    throw new Error(`context region must be a region name such as cn-north-1, stage ${stage}`);
  }
  const region =
    (typeof chosen === 'string' && chosen.trim() !== '' ? chosen.trim() : cliRegion) || undefined;
  if (region !== undefined && !regionPattern.test(region)) {
    throw new Error(
      `context region: "${region}" is not an AWS region name (such as cn-north-1), stage ${stage}`,
    );
  }
  const china = isChinaRegion(region);
  const architecture = forStage(settings.lambdaArchitecture, stage) ?? (china ? 'x86_64' : 'arm64');
  if (architecture !== 'arm64' && architecture !== 'x86_64') {
    throw new Error(
      `context lambdaArchitecture must be arm64 or x86_64 (got ${JSON.stringify(architecture)})`,
    );
  }
  return {
    ...(region ? { region } : {}),
    partition: region ? partitionOf(region) : 'aws',
    china,
    lambdaArchitecture: architecture,
    lambdaTracing: !china,
    untaggedResourceTypes: china ? ['AWS::CloudWatch::Dashboard'] : [],
  };
}

/**
 * Every service and feature the stacks use, checked against the China documentation (docs.amazonaws.cn,
 * "Getting Started with Amazon Web Services in China": each service's "Feature Availability and
 * Implementation Differences"), and the CloudFormation resource types each needs. The tests derive the
 * resource types a China template may contain from the rows available in both China regions; the README's
 * table is rendered from these rows (renderChinaAvailability).
 */
export interface ChinaAvailabilityRow {
  feature: string;
  /** `yes`, `no`, or `unverified` (the docs are silent or the page was not found: see `note`). */
  cnNorth1: 'yes' | 'no' | 'unverified';
  cnNorthwest1: 'yes' | 'no' | 'unverified';
  /** What a China stage uses. */
  inChina: string;
  /** Resource types of this feature that a China template may contain (none for a replaced feature). */
  resourceTypes: readonly string[];
  sources: readonly string[];
  note?: string;
}

const gettingStarted = (service: string) =>
  `https://docs.amazonaws.cn/en_us/aws/latest/userguide/${service}.html`;
/** AWS's CloudFormation registry schemas by region, as cfn-lint 1.51 ships them (`providers/cn_north_1.py`). */
const cfnRegistry =
  'CloudFormation registry types by region (cfn-lint 1.51 data/schemas/providers/cn_north_1.py, cn_northwest_1.py)';
/** botocore 1.43 data/endpoints.json, partition aws-cn. */
const sdkEndpoints = 'SDK endpoint list (botocore 1.43 endpoints.json, partition aws-cn)';

export const chinaAvailability: readonly ChinaAvailabilityRow[] = [
  {
    feature: 'Amazon Cognito user pools (user pool, groups, app client, threat protection)',
    cnNorth1: 'no',
    cnNorthwest1: 'no',
    inChina:
      "the province's OpenID Connect provider (`identity` / `oidcIssuer` context) behind the HTTP API's JWT authorizer; roles from our staff records",
    resourceTypes: [],
    sources: [gettingStarted('cognito'), cfnRegistry, sdkEndpoints],
    note: 'Cognito in China is identity pools only, in Beijing only; AWS::Cognito::UserPool* is not registered in either China region.',
  },
  {
    feature:
      'API Gateway HTTP API: routes, Lambda proxy integrations, $default stage, access logs, throttling, CORS',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: [
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Stage',
      'AWS::ApiGatewayV2::Route',
      'AWS::ApiGatewayV2::Integration',
      'AWS::Lambda::Permission',
    ],
    sources: [gettingStarted('api-gateway'), cfnRegistry],
    note: 'Unauthenticated requests (our public routes: health, docs, catalogue, result verification) are served only when the account has an ICP filing (ICP 备案); a custom domain needs one too.',
  },
  {
    feature: 'API Gateway HTTP API JWT authorizer',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: "the same, with the OIDC provider's issuer and audience",
    resourceTypes: ['AWS::ApiGatewayV2::Authorizer'],
    sources: [gettingStarted('api-gateway'), cfnRegistry],
    note: 'The China page lists "Amazon Cognito authorizers" (REST APIs) as unsupported and says nothing of JWT authorizers; the resource type is registered in both regions. API Gateway reads `<issuer>/.well-known/openid-configuration` itself: the issuer must be reachable from the region.',
  },
  {
    feature: 'AWS Lambda (nodejs22.x, named functions, own log groups, environment)',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::Lambda::Function'],
    sources: [gettingStarted('lambda'), cfnRegistry],
  },
  {
    feature: 'Lambda X-Ray active tracing',
    cnNorth1: 'no',
    cnNorthwest1: 'no',
    inChina:
      'no tracing on the functions (TracingConfig left out, POWERTOOLS_TRACE_ENABLED=false); logs and metrics unchanged',
    resourceTypes: [],
    sources: [gettingStarted('lambda')],
    note: '"Amazon X-Ray integration with Lambda functions is not available in the China Regions."',
  },
  {
    feature: 'Lambda arm64 (Graviton) functions',
    cnNorth1: 'unverified',
    cnNorthwest1: 'unverified',
    inChina: 'x86_64 (`-c lambdaArchitecture=arm64` opts in once confirmed)',
    resourceTypes: [],
    sources: [gettingStarted('lambda')],
    note: 'The China Lambda page does not list arm64 among its differences, and no China page confirming it was found; the bundles are plain JavaScript, so x86_64 changes only the price.',
  },
  {
    feature:
      'Lambda DynamoDB stream event source mapping (filters, partial batch responses, bisect, SQS on-failure destination)',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::Lambda::EventSourceMapping'],
    sources: [gettingStarted('lambda'), cfnRegistry],
    note: 'Not in China: event source mapping metrics, tags, provisioned mode and LoggingConfig, S3 as an on-failure destination (none used).',
  },
  {
    feature: 'AWS Step Functions Standard: lambda:invoke, .waitForTaskToken, states:startExecution, logging',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same; ASL resources `arn:${Partition}:states:::…` filled with AWS::Partition',
    resourceTypes: ['AWS::StepFunctions::StateMachine'],
    sources: [gettingStarted('step-functions'), cfnRegistry],
    note: 'Only HTTPS API tasks are unavailable in China (not used).',
  },
  {
    feature: 'Step Functions X-Ray tracing',
    cnNorth1: 'unverified',
    cnNorthwest1: 'unverified',
    inChina: 'kept (TracingConfiguration on the state machine)',
    resourceTypes: [],
    sources: [gettingStarted('step-functions'), sdkEndpoints],
    note: 'The Step Functions China page lists no tracing difference and X-Ray has endpoints in both China regions, but no X-Ray China page was found.',
  },
  {
    feature:
      'Amazon DynamoDB: on-demand tables, GSIs, streams, TTL, customer-managed KMS key, PITR, deletion protection',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::DynamoDB::Table'],
    sources: [gettingStarted('dynamodb'), cfnRegistry],
    note: 'Only multi-Region strong consistency of global tables is unavailable (not used).',
  },
  {
    feature:
      'Amazon S3: SSE-KMS with bucket keys, versioning, lifecycle, CORS, server access logs, Object Ownership (bucket owner enforced), TLS-only policy',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy'],
    sources: [cfnRegistry],
    note: 'No S3 page of the China getting-started guide was found; the AWS::S3::Bucket schema (OwnershipControls included) is the same in both China regions as in us-east-1.',
  },
  {
    feature: 'AWS KMS customer-managed key with rotation, alias, key policy',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::KMS::Key', 'AWS::KMS::Alias'],
    sources: [cfnRegistry, sdkEndpoints],
    note: 'No KMS page of the China getting-started guide was found (KMS is used by the China pages of SQS, DynamoDB and CloudWatch Logs).',
  },
  {
    feature: 'Amazon SQS queues with SSE-KMS (on-failure destinations)',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy'],
    sources: [gettingStarted('sqs'), cfnRegistry],
    note: '"Server-side encryption (SSE) for Amazon SQS is now available in the Beijing and Ningxia Regions"; the console\'s DLQ redrive is not (the ops `redrive` command re-delivers stream batches itself).',
  },
  {
    feature: 'Amazon EventBridge custom event buses',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::Events::EventBus'],
    sources: [
      'https://docs.amazonaws.cn/en_us/eventbridge/latest/userguide/feature-availability.html',
      cfnRegistry,
    ],
  },
  {
    feature: 'Amazon EventBridge Pipes (DynamoDB stream → event bus, filtered)',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::Pipes::Pipe'],
    sources: [
      'https://docs.amazonaws.cn/en_us/eventbridge/latest/userguide/dual-stack.html',
      cfnRegistry,
      sdkEndpoints,
    ],
    note: 'The China EventBridge guide lists Pipes endpoints for the China regions (pipes.<region>.amazonaws.com.cn); AWS::Pipes::Pipe is registered in both.',
  },
  {
    feature: 'Amazon EventBridge Scheduler (schedule group, schedules in Asia/Shanghai, retry policy, DLQ)',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::Scheduler::ScheduleGroup', 'AWS::Scheduler::Schedule'],
    sources: [
      'https://docs.amazonaws.cn/en_us/eventbridge/latest/userguide/using-eventbridge-scheduler.html',
      'https://docs.amazonaws.cn/en_us/eventbridge/latest/userguide/dual-stack.html',
      cfnRegistry,
      sdkEndpoints,
    ],
  },
  {
    feature: 'Amazon CloudWatch Logs: log groups encrypted with the KMS key, retention',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same; the key policy names `logs.<region>.amazonaws.com.cn` through AWS::URLSuffix',
    resourceTypes: ['AWS::Logs::LogGroup'],
    sources: [
      'https://docs.amazonaws.cn/en_us/config/latest/developerguide/cloudwatch-log-group-encrypted.html',
      cfnRegistry,
    ],
  },
  {
    feature: 'Amazon CloudWatch alarms (metric math) and dashboard',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same; no tags on the dashboard',
    resourceTypes: ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard'],
    sources: [cfnRegistry, sdkEndpoints],
    note: 'No CloudWatch page of the China getting-started guide was found. AWS::CloudWatch::Dashboard has no Tags property in cn-north-1 (it has in cn-northwest-1): China stages put no tags on the dashboard.',
  },
  {
    feature: 'Amazon SNS topic with KMS, e-mail subscription',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina: 'the same',
    resourceTypes: ['AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription'],
    sources: [gettingStarted('sns'), cfnRegistry],
    note: 'Not in China: SMS, mobile push, message data protection (none used).',
  },
  {
    feature: 'IAM roles and policies; service principals',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina:
      'the same: `<service>.amazonaws.com` from CDK ServicePrincipal (CDK writes it so in every partition), `logs.<region>.<URLSuffix>` for CloudWatch Logs',
    resourceTypes: ['AWS::IAM::Role', 'AWS::IAM::Policy'],
    sources: [
      'https://github.com/aws/aws-cdk/issues/2198',
      'https://github.com/terraform-aws-modules/terraform-aws-ecs/issues/124',
      cfnRegistry,
    ],
    note: 'IAM in China refuses `lambda.amazonaws.com.cn` as a principal; `lambda.amazonaws.com` is right there. CloudWatch Logs is the exception (`logs.<region>.amazonaws.com.cn`).',
  },
  {
    feature: 'CDK metadata and bootstrap (assets bucket, deploy roles)',
    cnNorth1: 'yes',
    cnNorthwest1: 'yes',
    inChina:
      'the same (bootstrap the China account and region with `cdk bootstrap aws://<account>/<region>`)',
    resourceTypes: ['AWS::CDK::Metadata'],
    sources: [cfnRegistry],
  },
];

/** Resource types a China template may contain: those of the rows available in both China regions. */
export const chinaResourceTypes: ReadonlySet<string> = new Set(
  chinaAvailability
    .filter((row) => row.cnNorth1 === 'yes' && row.cnNorthwest1 === 'yes')
    .flatMap((row) => row.resourceTypes),
);

/** The availability table in Markdown (README, "Deploy to the AWS China regions"). */
export function renderChinaAvailability(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| service / feature | cn-north-1 | cn-northwest-1 | what a China stage uses | sources |',
    '|---|---|---|---|---|',
    ...chinaAvailability.map(
      (row) =>
        `| ${cell(row.feature)} | ${row.cnNorth1} | ${row.cnNorthwest1} | ${cell(row.inChina)}${row.note ? ` — ${cell(row.note)}` : ''} | ${row.sources.map(cell).join('; ')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
