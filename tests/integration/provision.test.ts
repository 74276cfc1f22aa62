import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GetBucketCorsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { tableDefinitions, tableIds } from '../../infra/definitions/tables';
import {
  createTableInput,
  DataLayoutMismatch,
  provisionBuckets,
  provisionTables,
} from '../../infra/local/provision';
import { createTestBuckets, createTestTables, testDynamoDb, testS3, uniqueSuffix } from '../support/aws';

describe('local provisioning from the shared definitions (DynamoDB Local, s3rver)', () => {
  it('creates every table with the keys, indexes, stream and TTL of its definition', async () => {
    const client = testDynamoDb();
    const names = await createTestTables(client);
    for (const id of tableIds) {
      const definition = tableDefinitions[id];
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names[id] }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
        ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
      ]);
      expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
        definition.globalSecondaryIndexes.map((index) => index.indexName).sort(),
      );
      expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(definition.stream);
      if (definition.timeToLiveAttribute) {
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: names[id] }));
        expect(ttl.TimeToLiveDescription?.AttributeName).toBe(definition.timeToLiveAttribute);
      }
    }
    // A second start finds them and creates nothing.
    expect(await provisionTables(client, names)).toEqual([]);
  });

  it('stops on a data folder written by the earlier layout, naming the way out, and changes nothing', async () => {
    const client = testDynamoDb();
    const names = Object.fromEntries(tableIds.map((id) => [id, `old-${id}-${uniqueSuffix()}`])) as Record<
      (typeof tableIds)[number],
      string
    >;
    // The cases table as the earlier layout made it: four indexes projecting every attribute.
    const current = createTableInput(tableDefinitions.cases, names.cases);
    const oldIndex = (name: string, pk: string, sk: string) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: pk, KeyType: 'HASH' as const },
        { AttributeName: sk, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    });
    await client.send(
      new CreateTableCommand({
        ...current,
        GlobalSecondaryIndexes: [
          oldIndex('gsi1', 'gsi1pk', 'gsi1sk'),
          oldIndex('gsi2', 'gsi2pk', 'gsi2sk'),
          oldIndex('gsi3', 'gsi3pk', 'gsi3sk'),
          oldIndex('open', 'openPk', 'openSk'),
        ],
      }),
    );
    const refused = provisionTables(client, names);
    await expect(refused).rejects.toBeInstanceOf(DataLayoutMismatch);
    await expect(provisionTables(client, names)).rejects.toThrow(/npm run reset/);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: names.cases }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort()).toEqual([
      'gsi1',
      'gsi2',
      'gsi3',
      'open',
    ]);
  });

  it('creates the buckets, with CORS for browser uploads, and keeps bodies byte-exact', async () => {
    const s3 = testS3();
    const names = await createTestBuckets(s3);
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: names.materials }));
    expect(cors.CORSRules?.[0]?.AllowedMethods).toEqual(['PUT']);
    const bytes = Buffer.from('%PDF-1.7 测试材料');
    await s3.send(new PutObjectCommand({ Bucket: names.materials, Key: 'a/b.pdf', Body: bytes }));
    const object = await s3.send(new GetObjectCommand({ Bucket: names.materials, Key: 'a/b.pdf' }));
    expect(Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()))).toEqual(bytes);
    expect(await provisionBuckets(s3, names)).toEqual([]);
  });
});
