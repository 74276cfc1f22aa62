import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { bucketDefinitions, bucketIds } from '../../infra/definitions/buckets';
import { tableDefinitions, tableIds } from '../../infra/definitions/tables';
import { type CfnJson, logicalIdOf, resolved, resourcesOfType, synthesizeApp } from './support';

const built = synthesizeApp({ context: { allowedOrigins: 'https://portal.example.gov.cn' } });
const template = built.templates.stateful;
const keyId = logicalIdOf(built.stateful.dataKey);
const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

function tableNamed(name: string): CfnJson {
  const match = Object.values(resourcesOfType(template, 'AWS::DynamoDB::Table')).find(
    (table) => table.Properties.TableName === name,
  );
  if (!match) throw new Error(`no table named ${name}`);
  return match;
}

function bucketResource(id: keyof typeof bucketDefinitions): CfnJson {
  return template.toJSON().Resources[logicalIdOf(built.stateful.buckets[id])];
}

describe('KMS key', () => {
  it('is one customer-managed key with rotation, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('lets CloudWatch Logs use it only for log groups of this account and region', () => {
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as CfnJson[];
    const logs = statements.find((s) => s.Sid === 'CloudWatchLogsEncryption');
    expect(logs).toBeDefined();
    expect(JSON.stringify(logs.Principal.Service)).toContain('logs.');
    expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBeDefined();
  });

  it('lets CloudWatch alarms use it only for the on-call topic (SNS encryption context)', () => {
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as CfnJson[];
    const alarms = statements.find((s) => s.Sid === 'CloudWatchAlarmsOnCallTopic');
    expect(alarms).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    expect(alarms.Condition).toEqual({
      StringEquals: {
        'kms:EncryptionContext:aws:sns:topicArn': built.stateful.resolve(built.names.topicArn('on-call')),
      },
    });
  });
});

describe('DynamoDB tables', () => {
  it('has exactly the defined tables', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', tableIds.length);
  });

  it('projects into the case lists only what a worklist shows, and into the open index only keys', () => {
    const indexes = tableNamed(built.names.table('cases')).Properties.GlobalSecondaryIndexes as CfnJson[];
    const projection = (name: string) => indexes.find((i) => i.IndexName === name)?.Projection;
    for (const name of ['gsi1-summary', 'gsi2-summary', 'gsi3-summary']) {
      expect(projection(name).ProjectionType).toBe('INCLUDE');
      for (const heavy of ['applicant', 'materials', 'notices', 'taskToken', 'pickupCode', 'backOffice'])
        expect(projection(name).NonKeyAttributes).not.toContain(heavy);
    }
    expect(projection('open-keys')).toEqual({ ProjectionType: 'KEYS_ONLY' });
  });

  it.each(tableIds)('%s: keys, indexes, stream and TTL as defined', (id) => {
    const def = tableDefinitions[id];
    const table = tableNamed(built.names.table(id));
    const props = table.Properties;

    expect(props.KeySchema).toEqual([
      { AttributeName: def.partitionKey, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : []),
    ]);
    const keyAttributes = new Set([
      def.partitionKey,
      ...(def.sortKey ? [def.sortKey] : []),
      ...def.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, ...(i.sortKey ? [i.sortKey] : [])]),
    ]);
    expect(props.AttributeDefinitions).toHaveLength(keyAttributes.size);
    for (const attribute of keyAttributes) {
      expect(props.AttributeDefinitions).toContainEqual({ AttributeName: attribute, AttributeType: 'S' });
    }

    const indexes = (props.GlobalSecondaryIndexes ?? []) as CfnJson[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(
      def.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
    for (const index of def.globalSecondaryIndexes) {
      const actual = indexes.find((i) => i.IndexName === index.indexName);
      expect(actual.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
      ]);
      expect(actual.Projection).toEqual(
        index.projection.type === 'INCLUDE'
          ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
          : { ProjectionType: index.projection.type },
      );
    }

    if (def.stream) expect(props.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    else expect(props.StreamSpecification).toBeUndefined();

    if (def.timeToLiveAttribute) {
      expect(props.TimeToLiveSpecification).toEqual({
        AttributeName: def.timeToLiveAttribute,
        Enabled: true,
      });
    } else {
      expect(props.TimeToLiveSpecification).toBeUndefined();
    }
  });

  it.each(tableIds)('%s: on demand, PITR, deletion protection, retained, encrypted with the key', (id) => {
    const table = tableNamed(built.names.table(id));
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
  });
});

describe('S3 buckets', () => {
  it('has the defined buckets plus one access-log bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', bucketIds.length + 1);
  });

  it.each(bucketIds)('%s: named per stage, KMS-encrypted, private, versioned, retained, logged', (id) => {
    const bucket = bucketResource(id);
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketName).toEqual(resolved(built.stateful, built.names.bucket(id)));
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
      },
    ]);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalIdOf(built.stateful.accessLogsBucket) },
      LogFilePrefix: `${id}/`,
    });
  });

  it.each(bucketIds)('%s: CORS allows browser PUT only where uploads are declared', (id) => {
    const cors = bucketResource(id).Properties.CorsConfiguration;
    if (bucketDefinitions[id].browserUploads) {
      expect(cors.CorsRules).toEqual([
        expect.objectContaining({
          AllowedMethods: ['PUT'],
          AllowedOrigins: ['https://portal.example.gov.cn'],
        }),
      ]);
    } else {
      expect(cors).toBeUndefined();
    }
  });

  it.each([...bucketIds, 'access logs'])('%s: the bucket policy denies requests without TLS', (id) => {
    const bucket =
      id === 'access logs'
        ? built.stateful.accessLogsBucket
        : built.stateful.buckets[id as keyof typeof bucketDefinitions];
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('access-log bucket: S3-managed encryption (log delivery cannot use KMS), private, written by log delivery', () => {
    const id = logicalIdOf(built.stateful.accessLogsBucket);
    const bucket = template.toJSON().Resources[id];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });
});
