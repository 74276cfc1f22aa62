/**
 * The one source of the DynamoDB tables' keys, indexes, streams and TTL. The stateful CDK stack builds
 * its tables from these, and the local stack creates the same tables in DynamoDB Local from them.
 * All keys are strings; every list on a request path is a query on a key or one of these indexes.
 */
export interface KeyDefinition {
  partitionKey: string;
  sortKey?: string;
}

export interface IndexDefinition extends KeyDefinition {
  indexName: string;
}

export interface TableDefinition extends KeyDefinition {
  /** Logical id: also the suffix of the physical name and the key of its env variable. */
  id: TableId;
  description: string;
  globalSecondaryIndexes: IndexDefinition[];
  /** Change stream (new and old images): it decouples workflow starts from intake. */
  stream: boolean;
  timeToLiveAttribute?: string;
}

export type TableId = 'cases' | 'catalogue' | 'idempotency';

export const tableDefinitions: Record<TableId, TableDefinition> = {
  cases: {
    id: 'cases',
    description: 'Cases (办件), their trail events, notices and workflow positions',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [
      { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
      // Sparse: only cases whose workflow is still running carry `openPk` (sharded, no hot key).
      { indexName: 'open', partitionKey: 'openPk', sortKey: 'openSk' },
    ],
    stream: true,
  },
  catalogue: {
    id: 'catalogue',
    description: 'Windows, departments, matters (事项) and their published versions',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [
      // gsi1: kind lists (all windows, all departments, all matters); gsi2: matters by department;
      // gsi3: matters by window.
      { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    ],
    stream: false,
  },
  idempotency: {
    id: 'idempotency',
    description: 'Idempotency records of retried submissions (Powertools idempotency layout)',
    partitionKey: 'id',
    globalSecondaryIndexes: [],
    stream: false,
    timeToLiveAttribute: 'expiration',
  },
};

/** The env variable that carries a table's physical name to the functions. */
export const tableEnvName = (id: TableId): string => `${id.toUpperCase()}_TABLE`;

export const tableIds = Object.keys(tableDefinitions) as TableId[];
