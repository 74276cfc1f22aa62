import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CorsRule,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { pascalCase, type ResourceNames } from '../constructs/resource-names';
import { onCallTopicId } from '../definitions/alarms';
import { type BucketId, bucketDefinitions, bucketIds } from '../definitions/buckets';
import { type TableId, tableDefinitions, tableIds } from '../definitions/tables';

export interface StatefulStackProps extends StackProps {
  names: ResourceNames;
  /** Origins allowed to PUT to presigned upload URLs from a browser. */
  uploadOrigins: string[];
}

/**
 * The data: one customer-managed KMS key, the DynamoDB tables and the S3 buckets, all retained when the
 * stack is deleted. Built from infra/definitions, the same source the local stack creates its tables
 * and buckets from.
 */
/** What every bucket of the application shares: private, owner-enforced, TLS 1.2+, versioned, retained. */
const privateBucketProps = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

export class StatefulStack extends Stack {
  readonly dataKey: Key;
  readonly tables: Record<TableId, Table>;
  /** Of the tables with a stream (`stream: true` in their definition). */
  readonly tableStreamArns: Partial<Record<TableId, string>>;
  readonly buckets: Record<BucketId, Bucket>;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { names } = props;

    this.dataKey = new Key(this, 'DataKey', {
      description: `${names.prefix}: tables, buckets and log groups`,
      alias: `alias/${names.prefix}-data`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts the functions', the API's and the state machine's log groups with this key;
    // the encryption context limits it to log groups of this account and region.
    this.dataKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryption',
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );

    // CloudWatch alarms publish to the on-call topic (monitoring stack), which is encrypted with this key: SNS
    // asks KMS for a data key on the alarm's behalf. The encryption context limits it to that one topic (by
    // name: the topic is in a later stack), so CloudWatch cannot use the key for anything else.
    this.dataKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOnCallTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': names.topicArn(onCallTopicId) },
        },
      }),
    );

    this.tables = Object.fromEntries(
      tableIds.map((tableId) => {
        const def = tableDefinitions[tableId];
        // Table (not TableV2): TableV2 cannot render a customer-managed key in an environment-agnostic stack.
        const table = new Table(this, `${pascalCase(tableId)}Table`, {
          tableName: names.table(tableId),
          partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
          ...(def.sortKey ? { sortKey: { name: def.sortKey, type: AttributeType.STRING } } : {}),
          billingMode: BillingMode.PAY_PER_REQUEST,
          encryption: TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: this.dataKey,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
          removalPolicy: RemovalPolicy.RETAIN,
          ...(def.stream ? { stream: StreamViewType.NEW_AND_OLD_IMAGES } : {}),
          ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
        });
        for (const index of def.globalSecondaryIndexes) {
          table.addGlobalSecondaryIndex({
            indexName: index.indexName,
            partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
            ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
            ...(index.projection.type === 'INCLUDE'
              ? {
                  projectionType: ProjectionType.INCLUDE,
                  nonKeyAttributes: [...index.projection.attributes],
                }
              : {
                  projectionType:
                    index.projection.type === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
                }),
          });
        }
        return [tableId, table];
      }),
    ) as Record<TableId, Table>;
    this.tableStreamArns = Object.fromEntries(
      tableIds.flatMap((tableId) => {
        const streamArn = this.tables[tableId].tableStreamArn;
        return streamArn ? [[tableId, streamArn]] : [];
      }),
    );

    // Target of the data buckets' server access logs (log delivery cannot write to SSE-KMS buckets). cdk-nag's
    // S1 accepts it without logging of its own because the data buckets log into it.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      ...privateBucketProps,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    this.buckets = Object.fromEntries(
      bucketIds.map((bucketId) => {
        const def = bucketDefinitions[bucketId];
        const cors: CorsRule[] | undefined = def.browserUploads
          ? [
              {
                allowedMethods: [HttpMethods.PUT],
                allowedOrigins: props.uploadOrigins,
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag'],
                maxAge: 3600,
              },
            ]
          : undefined;
        const bucket = new Bucket(this, `${pascalCase(bucketId)}Bucket`, {
          bucketName: names.bucket(bucketId),
          encryption: BucketEncryption.KMS,
          encryptionKey: this.dataKey,
          bucketKeyEnabled: true,
          ...privateBucketProps,
          serverAccessLogsBucket: this.accessLogsBucket,
          serverAccessLogsPrefix: `${bucketId}/`,
          ...(cors ? { cors } : {}),
          lifecycleRules: [
            { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
            { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(365) },
          ],
        });
        return [bucketId, bucket];
      }),
    ) as Record<BucketId, Bucket>;

    new CfnOutput(this, 'DataKeyArn', { value: this.dataKey.keyArn });
    for (const tableId of tableIds) {
      new CfnOutput(this, `${pascalCase(tableId)}TableName`, { value: this.tables[tableId].tableName });
    }
    for (const bucketId of bucketIds) {
      new CfnOutput(this, `${pascalCase(bucketId)}BucketName`, { value: this.buckets[bucketId].bucketName });
    }
  }
}
