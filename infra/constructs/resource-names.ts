import { Aws } from 'aws-cdk-lib';
import type { BucketId } from '../definitions/buckets';
import type { EventBusId } from '../definitions/event-pipes';
import type { TableId } from '../definitions/tables';

/**
 * Physical names and ARNs of the shared resources, derived from the stage alone. The stateful and
 * workflow stacks create the resources under these names; the function stacks address them by the
 * same names instead of by CloudFormation exports, so no stack is pinned by another's exports and the
 * IAM policies (and their cdk-nag findings) read the same in every stack.
 *
 * Account and region are pseudo parameters (`AWS::AccountId`, `AWS::Region`): each stack resolves
 * them to its own environment, and all stacks of one stage deploy to the same one.
 */
export const appName = 'onewindow';

/** Lower-case letters, digits and hyphens, starting with a letter: it becomes part of S3 bucket names. */
const stagePattern = /^[a-z][a-z0-9-]{0,11}$/;

export function assertValidStage(stage: string): string {
  if (!stagePattern.test(stage) || stage.endsWith('-')) {
    throw new Error(
      `invalid stage "${stage}": use 1-12 lower-case letters, digits or hyphens, starting with a letter`,
    );
  }
  return stage;
}

export class ResourceNames {
  readonly prefix: string;

  constructor(readonly stage: string) {
    this.prefix = `${appName}-${assertValidStage(stage)}`;
  }

  /** CloudFormation stack name of one concern (`OneWindow-dev-Api`). */
  stackName(concern: string): string {
    return `OneWindow-${this.stage}-${concern}`;
  }

  table(id: TableId): string {
    return `${this.prefix}-${id}`;
  }

  tableArn(id: TableId): string {
    return `arn:${Aws.PARTITION}:dynamodb:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${this.table(id)}`;
  }

  indexArn(id: TableId, indexName: string): string {
    return `${this.tableArn(id)}/index/${indexName}`;
  }

  /** Globally unique: S3 bucket names are shared by all accounts. */
  bucket(id: BucketId): string {
    return `${this.prefix}-${id}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
  }

  bucketArn(id: BucketId): string {
    return `arn:${Aws.PARTITION}:s3:::${this.bucket(id)}`;
  }

  /** Every object of the bucket (object keys are created at run time). */
  bucketObjectsArn(id: BucketId): string {
    return `${this.bucketArn(id)}/*`;
  }

  stateMachine(id: string): string {
    return `${this.prefix}-${id}`;
  }

  stateMachineArn(id: string): string {
    return `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:stateMachine:${this.stateMachine(id)}`;
  }

  /** Every execution of the state machine (executions are named by case ids at run time). */
  executionsArn(id: string): string {
    return `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${this.stateMachine(id)}:*`;
  }

  eventBus(id: EventBusId): string {
    return `${this.prefix}-${id}`;
  }

  eventBusArn(id: EventBusId): string {
    return `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${this.eventBus(id)}`;
  }

  pipe(id: string): string {
    return `${this.prefix}-${id}`;
  }

  pipeArn(id: string): string {
    return `arn:${Aws.PARTITION}:pipes:${Aws.REGION}:${Aws.ACCOUNT_ID}:pipe/${this.pipe(id)}`;
  }

  /** The queue that keeps what a consumer (stream function, pipe or schedule) gave up on. */
  deadLetterQueue(consumerId: string): string {
    return `${this.prefix}-${consumerId}-dlq`;
  }

  /**
   * The Lambda function of a registry entry. The functions see it as AWS_LAMBDA_FUNCTION_NAME, which is the
   * `function` dimension of their business metrics (functions/shared/metrics.ts), so the alarms on those
   * metrics are built from this name too.
   */
  functionName(id: string): string {
    const name = `${this.prefix}-${id}`;
    if (name.length > 64) throw new Error(`function name ${name} is longer than Lambda's 64 characters`);
    return name;
  }

  /** The stage's EventBridge Scheduler schedule group: the schedules' roles trust only schedules of it. */
  scheduleGroup(): string {
    return this.prefix;
  }

  scheduleGroupArn(): string {
    return `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule-group/${this.scheduleGroup()}`;
  }

  /** An EventBridge Scheduler schedule (in the stage's group). */
  schedule(id: string): string {
    return `${this.prefix}-${id}`;
  }

  scheduleArn(id: string): string {
    return `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${this.scheduleGroup()}/${this.schedule(id)}`;
  }

  topic(id: string): string {
    return `${this.prefix}-${id}`;
  }

  topicArn(id: string): string {
    return `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${this.topic(id)}`;
  }

  /** A CloudWatch alarm: every alarm of the stage starts with the prefix (the on-call topic trusts those). */
  alarm(slug: string, subject?: string): string {
    return subject ? `${this.prefix}-${slug}-${subject}` : `${this.prefix}-${slug}`;
  }

  /** Every alarm of the stage (for the on-call topic's policy). */
  alarmsArn(): string {
    return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${this.prefix}-*`;
  }

  dashboard(): string {
    return `${this.prefix}-operations`;
  }
}

/** `case-lifecycle` → `CaseLifecycle`, for construct ids. */
export const pascalCase = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
