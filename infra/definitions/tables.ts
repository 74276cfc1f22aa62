/**
 * The one source of the DynamoDB tables' keys, indexes, streams and TTL. The stateful CDK stack builds
 * its tables from these, and the local stack creates the same tables in DynamoDB Local from them.
 * All keys are strings; every list on a request path is a query on a key or one of these indexes.
 */
export interface KeyDefinition {
  partitionKey: string;
  sortKey?: string;
}

/** What an index copies besides its keys: lists read only what they show. */
export type IndexProjection =
  | { type: 'ALL' }
  | { type: 'KEYS_ONLY' }
  | { type: 'INCLUDE'; attributes: readonly string[] };

export interface IndexDefinition extends KeyDefinition {
  indexName: string;
  projection: IndexProjection;
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

/** A case head's worklist line: what `GET /cases` returns for each case (its summary). */
export const caseSummaryAttributes = [
  'caseId',
  'caseNumber',
  'status',
  'phase',
  'channel',
  'matter',
  'applicantName',
  'createdAt',
  'receivedAt',
  'dueDate',
  'attention',
] as const;

/** An alert's attributes that `GET /alerts` returns. */
const alertListAttributes = [
  'alertId',
  'kind',
  'level',
  'audience',
  'raisedAt',
  'materialId',
  'detail',
  'matterCode',
  'matterName',
  'windowId',
  'departmentId',
] as const;

/**
 * What the cases table's list indexes copy: a case head's summary attributes (its worklist line) and an
 * alert's attributes. A change of a case that touches none of these (a material, a notice, the trail
 * head) writes no index row.
 */
export const caseListAttributes = [...caseSummaryAttributes, ...alertListAttributes] as const;

const caseLists: IndexProjection = { type: 'INCLUDE', attributes: caseListAttributes };
const all: IndexProjection = { type: 'ALL' };

export const tableDefinitions: Record<TableId, TableDefinition> = {
  cases: {
    id: 'cases',
    description: 'Cases (办件): heads and their parts, trail events, alerts and workflow positions',
    partitionKey: 'pk',
    sortKey: 'sk',
    // Named for what they project: an index's projection cannot change in place, so the earlier `gsi1`…
    // `open` (projecting ALL) were replaced by these beside them (README, "Deploy to AWS").
    globalSecondaryIndexes: [
      // An applicant's cases by creation; the centre's alerts.
      { indexName: 'gsi1-summary', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: caseLists },
      // A window's queue by status and due date; the window's alerts.
      { indexName: 'gsi2-summary', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: caseLists },
      // A department's queue by status and due date; the department's alerts.
      { indexName: 'gsi3-summary', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: caseLists },
      // Sparse: only cases whose workflow is still running carry `openPk` (sharded, no hot key).
      {
        indexName: 'open-keys',
        partitionKey: 'openPk',
        sortKey: 'openSk',
        projection: { type: 'KEYS_ONLY' },
      },
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
      { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: all },
      { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: all },
      { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: all },
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
