import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type Projection,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type BucketId, bucketDefinitions, bucketIds } from '../definitions/buckets';
import {
  type KeyDefinition,
  type TableDefinition,
  type TableId,
  tableDefinitions,
  tableIds,
} from '../definitions/tables';

/**
 * Creates the tables and buckets in the local stand-ins from the same definitions the CDK stateful stack
 * uses, when they are missing (data survives restarts; nothing existing is touched).
 */
function keySchema(key: KeyDefinition): KeySchemaElement[] {
  return [
    { AttributeName: key.partitionKey, KeyType: 'HASH' },
    ...(key.sortKey ? [{ AttributeName: key.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
}

export function createTableInput(definition: TableDefinition, tableName: string) {
  const attributes = new Set<string>();
  for (const key of [definition, ...definition.globalSecondaryIndexes]) {
    attributes.add(key.partitionKey);
    if (key.sortKey) attributes.add(key.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...attributes].map((name) => ({
    AttributeName: name,
    AttributeType: 'S',
  }));
  const indexes: GlobalSecondaryIndex[] = definition.globalSecondaryIndexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index),
    Projection:
      index.projection.type === 'INCLUDE'
        ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.attributes] }
        : { ProjectionType: index.projection.type },
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: keySchema(definition),
    AttributeDefinitions: attributeDefinitions,
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const } }
      : {}),
  };
}

/**
 * A data folder written by an earlier layout of the tables (other indexes or projections): it is not read
 * as if it were the current one.
 */
export class DataLayoutMismatch extends Error {
  override readonly name = 'DataLayoutMismatch';
}

async function describeTable(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** The table's indexes as a comparable text: names, keys and projections. */
const indexesOf = (
  indexes: { IndexName?: string; KeySchema?: KeySchemaElement[]; Projection?: Projection }[] | undefined,
) =>
  (indexes ?? [])
    .map(
      (index) =>
        `${index.IndexName}(${(index.KeySchema ?? []).map((k) => k.AttributeName).join(',')}) ${index.Projection?.ProjectionType}[${[...(index.Projection?.NonKeyAttributes ?? [])].sort().join(',')}]`,
    )
    .sort()
    .join('; ');

export async function provisionTables(
  client: DynamoDBClient,
  tableNames: Record<TableId, string>,
): Promise<TableId[]> {
  const created: TableId[] = [];
  for (const id of tableIds) {
    const definition = tableDefinitions[id];
    const tableName = tableNames[id];
    const existing = await describeTable(client, tableName);
    if (existing) {
      const wanted = createTableInput(definition, tableName).GlobalSecondaryIndexes;
      if (indexesOf(existing.GlobalSecondaryIndexes) !== indexesOf(wanted)) {
        throw new DataLayoutMismatch(
          `the ${id} table in the data folder was written by an earlier data layout (indexes ${indexesOf(existing.GlobalSecondaryIndexes) || 'none'}; this version needs ${indexesOf(wanted) || 'none'}). Nothing was changed. Run \`npm run reset\` to delete the local data and start afresh, or set LOCAL_DATA_DIR to another folder.`,
        );
      }
      continue;
    }
    await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
    if (definition.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
    created.push(id);
  }
  return created;
}

export async function provisionBuckets(
  client: S3Client,
  bucketNames: Record<BucketId, string>,
): Promise<BucketId[]> {
  const created: BucketId[] = [];
  for (const id of bucketIds) {
    const bucket = bucketNames[id];
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      continue;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 404) throw error;
    }
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    if (bucketDefinitions[id].browserUploads) {
      await client.send(
        new PutBucketCorsCommand({
          Bucket: bucket,
          CORSConfiguration: {
            CORSRules: [
              { AllowedMethods: ['PUT'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], MaxAgeSeconds: 300 },
            ],
          },
        }),
      );
    }
    created.push(id);
  }
  return created;
}
