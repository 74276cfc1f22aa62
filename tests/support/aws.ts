import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { BucketId } from '../../infra/definitions/buckets';
import { bucketIds } from '../../infra/definitions/buckets';
import { type TableId, tableIds } from '../../infra/definitions/tables';
import { provisionBuckets, provisionTables } from '../../infra/local/provision';

/** Clients for the stand-ins started by global-setup.ts, and uniquely named resources per test file. */
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'cn-north-1';

export const testDynamoDb = () =>
  new DynamoDBClient({ endpoint: inject('dynamoDbEndpoint'), region, credentials });

export const testDocumentClient = (client = testDynamoDb()) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const testS3 = () =>
  new S3Client({
    endpoint: inject('s3Endpoint'),
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** Creates every table of the application under fresh names, as the local stack does. */
export async function createTestTables(client = testDynamoDb()): Promise<Record<TableId, string>> {
  const suffix = uniqueSuffix();
  const names = Object.fromEntries(tableIds.map((id) => [id, `test-${suffix}-${id}`])) as Record<
    TableId,
    string
  >;
  await provisionTables(client, names);
  return names;
}

export async function createTestBuckets(client = testS3()): Promise<Record<BucketId, string>> {
  const suffix = uniqueSuffix();
  const names = Object.fromEntries(bucketIds.map((id) => [id, `test-${suffix}-${id}`])) as Record<
    BucketId,
    string
  >;
  await provisionBuckets(client, names);
  return names;
}
