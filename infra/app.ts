import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { functionDefinitions } from '../functions/registry';
import type { AppFunction } from './constructs/app-function';
import { ResourceNames } from './constructs/resource-names';
import { parseAlarmEmail } from './definitions/alarms';
import { resolveAllowedOrigins } from './definitions/cors';
import { type IdentityConfig, resolveIdentity } from './definitions/identity';
import { type DeploymentTarget, resolveDeploymentTarget } from './definitions/regions';
import { defaultApiThrottle } from './definitions/throttle';
import { ApiStack } from './stacks/api-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { StatefulStack } from './stacks/stateful-stack';
import { WorkflowStack } from './stacks/workflow-stack';

/**
 * The CDK app: `npx cdk synth` (cdk.json runs this file with tsx) or `buildApp()` from tests.
 *
 *   StatefulStack   KMS key, DynamoDB tables, S3 buckets          (no dependencies)
 *   WorkflowStack   task functions, Standard state machines,       → Stateful
 *                   stream consumers, scheduled functions and
 *                   their schedules, event buses and pipes
 *   ApiStack        Cognito (or none: an external OIDC provider),  → Stateful, Workflow
 *                   HTTP API + JWT authorizer, functions
 *   MonitoringStack on-call SNS topic, alarms, dashboard           → Stateful, Workflow, Api
 *
 * Context: `-c stage=dev` (default dev), `-c logLevel=INFO`, `-c allowedOrigins=https://a,https://b`
 * (CORS of the API and of browser uploads, or `"allowedOrigins": { "<stage>": [...] }` in cdk.json: required
 * outside dev, `*` only in dev, see resolveAllowedOrigins), `-c apiRateLimit=500 -c apiBurstLimit=1000`,
 * `-c alarmEmail=oncall@example.gov.cn` (one address subscribed to the on-call topic, which the alarms
 * notify; without it the topic has no subscription, see parseAlarmEmail),
 * `-c region=cn-north-1` (or `"region": { "<stage>": "cn-northwest-1" }`: every stack of the stage in that
 * region and its partition; China regions get their features, see infra/definitions/regions.ts),
 * `-c oidcIssuer=https://… -c oidcAudience=… [-c oidcJwksUrl=…]` (or `"identity": { "<stage>": {…} }`: an
 * OpenID Connect provider instead of Cognito, required in the China regions, see infra/definitions/identity.ts),
 * `-c lambdaArchitecture=arm64|x86_64`.
 * The stacks are environment-agnostic unless a region is given (context, or CDK_DEFAULT_REGION) or
 * CDK_DEFAULT_ACCOUNT is set; synth needs no credentials either way. cdk-nag's AwsSolutions pack runs as a
 * policy-validation plugin: any unacknowledged finding fails synthesis.
 */

/** Feature flags this app relies on (cdk.json context, where set, takes precedence). */
export const featureFlags: Record<string, unknown> = {
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-dynamodb:resourcePolicyPerReplica': true,
  '@aws-cdk/aws-dynamodb:retainTableReplica': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  // The KMS key ARN, the table stream ARNs and the HTTP API's id (for the monitoring stack's API metrics) are
  // the only values another stack imports (everything else is addressed by name). The key is retained and
  // never replaced; a stream ARN carries a creation label, and its export keeps the stream from being
  // switched off or replaced under its consumers; the API's id is generated and the API is never replaced.
  // A plain export (which pins the value while in use) is the right coupling for all three.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

export interface BuildAppOptions {
  /** Overrides the `stage` context. */
  stage?: string;
  /** Extra context (as `-c key=value` would give). */
  context?: Record<string, unknown>;
  /** Cloud assembly directory (default: CDK_OUTDIR, or a temporary directory). */
  outdir?: string;
  /** false: skip esbuild bundling of every function (fast, for template assertions). Default true. */
  bundle?: boolean;
  /**
   * Overrides the `region` context and CDK_DEFAULT_ACCOUNT/CDK_DEFAULT_REGION. Default: the `region` context,
   * else CDK_DEFAULT_REGION, with CDK_DEFAULT_ACCOUNT; environment-agnostic when none is set.
   */
  env?: Environment;
}

export interface OneWindowApp {
  app: App;
  stage: string;
  names: ResourceNames;
  stateful: StatefulStack;
  workflow: WorkflowStack;
  api: ApiStack;
  monitoring: MonitoringStack;
  /** Region, partition and the features that follow from them. */
  target: DeploymentTarget;
  identity: IdentityConfig;
}

function numberContext(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`context ${name} must be a positive number`);
  return parsed;
}

export function buildApp(options: BuildAppOptions = {}): OneWindowApp {
  const app = new App({
    context: {
      ...featureFlags,
      ...options.context,
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const ctx = (key: string): unknown => app.node.tryGetContext(key);
  const stage = options.stage ?? (ctx('stage') as string | undefined) ?? 'dev';
  const names = new ResourceNames(stage);
  const target = resolveDeploymentTarget(
    stage,
    { region: options.env?.region ?? ctx('region'), lambdaArchitecture: ctx('lambdaArchitecture') },
    process.env.CDK_DEFAULT_REGION,
  );
  const account = options.env?.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const env: Environment | undefined =
    target.region || account
      ? { ...(account ? { account } : {}), ...(target.region ? { region: target.region } : {}) }
      : undefined;
  const identity = resolveIdentity(
    stage,
    {
      identity: ctx('identity'),
      oidcIssuer: ctx('oidcIssuer'),
      oidcAudience: ctx('oidcAudience'),
      oidcJwksUrl: ctx('oidcJwksUrl'),
    },
    target.region,
  );
  const functionPlatform = { architecture: target.lambdaArchitecture, tracing: target.lambdaTracing };
  const logLevel = String(ctx('logLevel') ?? 'INFO');
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) throw new Error(`invalid logLevel ${logLevel}`);
  const allowedOrigins = resolveAllowedOrigins(stage, ctx('allowedOrigins'));
  const common = { ...(env ? { env } : {}), terminationProtection: stage === 'prod' };

  const stateful = new StatefulStack(app, names.stackName('Stateful'), {
    ...common,
    stackName: names.stackName('Stateful'),
    description: `OneWindow ${stage}: KMS key, DynamoDB tables and S3 buckets`,
    names,
    uploadOrigins: allowedOrigins,
  });
  const workflow = new WorkflowStack(app, names.stackName('Workflow'), {
    ...common,
    stackName: names.stackName('Workflow'),
    description: `OneWindow ${stage}: case lifecycle state machine and its task functions`,
    names,
    dataKey: stateful.dataKey,
    logLevel,
    tableStreamArns: stateful.tableStreamArns,
    functionPlatform,
  });
  workflow.addStackDependency(stateful);
  const api = new ApiStack(app, names.stackName('Api'), {
    ...common,
    stackName: names.stackName('Api'),
    description: `OneWindow ${stage}: ${identity.kind === 'cognito' ? 'Cognito, ' : ''}HTTP API and its functions`,
    names,
    dataKey: stateful.dataKey,
    logLevel,
    stateMachines: Object.values(workflow.stateMachines),
    allowedOrigins,
    throttle: {
      rateLimit: numberContext(ctx('apiRateLimit'), defaultApiThrottle.rateLimit, 'apiRateLimit'),
      burstLimit: numberContext(ctx('apiBurstLimit'), defaultApiThrottle.burstLimit, 'apiBurstLimit'),
    },
    identity,
    functionPlatform,
  });
  api.addStackDependency(stateful);
  // Each function is built by the stack of its trigger (routes: Api; ASL placeholder, stream or schedule:
  // Workflow); one with no trigger would silently not be deployed.
  for (const def of functionDefinitions) {
    const homes = [api.functions[def.id], workflow.functions[def.id]].filter(Boolean);
    if (homes.length !== 1) {
      throw new Error(
        `function ${def.id} is built by ${homes.length} stacks: give it routes, an ASL placeholder, a stream or a schedule`,
      );
    }
  }

  // In registry order; the check above found each one in exactly one stack.
  const allFunctions = functionDefinitions.map(
    (def) => (api.functions[def.id] ?? workflow.functions[def.id]) as AppFunction,
  );
  const monitoring = new MonitoringStack(app, names.stackName('Monitoring'), {
    ...common,
    stackName: names.stackName('Monitoring'),
    description: `OneWindow ${stage}: on-call topic, alarms and dashboard`,
    names,
    dataKey: stateful.dataKey,
    alarmEmail: parseAlarmEmail(ctx('alarmEmail')),
    httpApi: api.httpApi,
    apiStage: api.stage,
    functions: allFunctions,
    stateMachines: workflow.stateMachines,
    tables: stateful.tables,
    deadLetterQueues: [
      ...allFunctions.flatMap((fn) =>
        fn.streamSource ? [{ consumer: fn.definition.id, queue: fn.streamSource.deadLetterQueue }] : [],
      ),
      ...Object.entries(workflow.pipeDeadLetterQueues).map(([pipeId, queue]) => ({
        consumer: `${pipeId}-pipe`,
        queue,
      })),
      ...Object.entries(workflow.schedules).map(([fnId, { deadLetterQueue }]) => ({
        consumer: `${fnId}-schedule`,
        queue: deadLetterQueue,
      })),
    ],
  });
  monitoring.addStackDependency(stateful);
  monitoring.addStackDependency(workflow);
  monitoring.addStackDependency(api);

  const tagging = { excludeResourceTypes: [...target.untaggedResourceTypes] };
  Tags.of(app).add('project', 'onewindow', tagging);
  Tags.of(app).add('stage', stage, tagging);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

  return { app, stage, names, stateful, workflow, api, monitoring, target, identity };
}

const invokedDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  buildApp().app.synth();
}
