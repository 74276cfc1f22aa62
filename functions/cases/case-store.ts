import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { caseSummaryAttributes } from '../../infra/definitions/tables';
import type { AlertAudience, AlertKind, AlertLevel } from '../domain/cases/alerts';
import type { CaseRecord, CaseStatus, CaseSummary, MaterialContentType } from '../domain/cases/model';
import type { TrailEvent } from '../domain/cases/trail';
import { caseWriteMetrics, countMetric } from '../shared/metrics';
import { type Page, startKeyFor } from '../shared/pagination';
import { caseKey } from '../workflow/case-keys';
import { workflowTokenSk } from '../workflow/case-workflow-store';
import { assembleCase, type CaseDelta, type CasePart, caseDelta, headSk, partPrefix } from './case-layout';
import type { MatterDetailsSource } from './matter-details';

/**
 * Cases in the cases table (layout in case-layout.ts). Every change of a case is one transaction: the
 * head attributes that changed (at the trail head the change was computed from), the parts it adds or
 * changes, and its trail event (which must not exist yet). A crash leaves either the old case or the new
 * one with its event; of two writers of one case exactly one wins, the other reads again.
 *   CASE#<id> / CASE, CASE#…    the head and its parts
 *      head's index keys        gsi1: OWNER#<user> / <createdAt>#<id>   (an applicant's cases)
 *                               gsi2: WINDOW#<window>#<status> / <due>#<at>#<id> (a window's queue)
 *                               gsi3: DEPT#<department>#<status> / <due>#<at>#<id> (a department's)
 *   CASE#<id> / TRAIL#<seq>     a trail event
 *   CASE#<id> / WORKFLOW        the task token the workflow waits on (no index keys: storing it writes
 *                               one small item and no index row)
 *   CASE#<id> / UPLOAD#<id>     a requested upload, until it is confirmed
 *   CASE#<id> / ALERT#<alertId> a deadline alert; while active it is in the worklists:
 *                               gsi1: ALERTS#CENTRE#<level>, gsi2: ALERTS#WINDOW#<window>#<level>,
 *                               gsi3: ALERTS#DEPT#<department>#<level>, each by <dueDate>#<caseId>
 *   CASENO#<number> / CASENO    makes case numbers unique (no counter item: numbers are random)
 * Idempotency records live in the idempotency table, written in the creating transaction.
 */
type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** The case changed since it was read (by a person or by the system): read it again. */
export class StaleCase extends Error {
  override readonly name = 'StaleCase';
}

export class IdempotencyKeyUsed extends Error {
  override readonly name = 'IdempotencyKeyUsed';
}

export class CaseNumberTaken extends Error {
  override readonly name = 'CaseNumberTaken';
}

export interface MaterialUpload {
  uploadId: string;
  materialId: string;
  key: string;
  fileName: string;
  contentType: MaterialContentType;
  size: number;
}

export interface IdempotencyRecord {
  id: string;
  caseId: string;
  requestHash: string;
  expiration: number;
}

/** The human step the case's workflow waits on (`WORKFLOW` item), and when it wakes by itself. */
export interface WaitingStep {
  taskToken: string;
  phase: string;
  /** When the waiting task times out and the workflow reads the case again (absent: stored before). */
  wakeAt?: string;
  /** When the waiting execution started: it hands over to a successor before it is a year old. */
  executionStartedAt?: string;
}

export interface AlertItem {
  alertId: string;
  /** The case it is about; a consultation's alert has it only when the consultation is about a case. */
  caseId?: string;
  /** A consultation's alert (咨询件): which one. */
  consultationId?: string;
  /** A staff member's alert (their qualification is ending): whose. */
  userId?: string;
  caseNumber?: string;
  /** The matter (absent on a staff member's alert). */
  matterCode?: string;
  matterName?: string;
  windowId: string;
  departmentId: string;
  kind: AlertKind;
  level: AlertLevel;
  audience: AlertAudience;
  dueDate: string;
  raisedAt: string;
  status: 'active' | 'resolved';
  resolvedAt?: string;
  materialId?: string;
  detail?: string;
}

export type AlertScope =
  | { kind: 'centre' }
  | { kind: 'window'; windowId: string }
  | { kind: 'department'; departmentId: string };

export type CaseListScope =
  | { kind: 'owner'; ownerId: string }
  | { kind: 'window'; windowId: string; status: CaseStatus }
  | { kind: 'department'; departmentId: string; status: CaseStatus };

/** One write of a case: the delta from the case as read, its trail event, and what goes with it. */
export interface CaseWrite {
  caseId: string;
  delta: CaseDelta;
  event: TrailEvent;
  /** The trail head the change was computed from; absent for a new case. */
  expectedTrailSeq?: number;
  claimCaseNumber?: string;
  idempotency?: IdempotencyRecord;
  raiseAlerts?: AlertItem[];
  resolveAlerts?: { alertId: string; at: string }[];
  /** Items created with the change (a result's registry entry, a notification); each must be new. */
  puts?: Record<string, unknown>[];
  /** An upload the change consumes: it must still exist, and is gone afterwards. */
  consumeUpload?: string;
}

/** The write of a new case: every head attribute and part, and its first trail event. */
export const caseCreation = (
  record: CaseRecord,
  event: TrailEvent,
  extra: Pick<CaseWrite, 'claimCaseNumber' | 'idempotency'> = {},
): CaseWrite => ({ caseId: record.caseId, delta: caseDelta(undefined, record), event, ...extra });

/** Counts a committed write in the business metrics (written at the end of the invocation). */
function countCaseWrite(write: CaseWrite): void {
  const status = write.delta.changes.find((change) => change.field === 'status');
  const names = caseWriteMetrics({
    statusBefore: status?.old,
    statusAfter: status?.new,
    raisedAlerts: write.raiseAlerts ?? [],
  });
  for (const name of names) countMetric(name);
}

/** DynamoDB's limit of items in one transaction. */
export const maxTransactItems = 100;

const trailSk = (seq: number) => `TRAIL#${String(seq).padStart(6, '0')}`;
const alertSk = (alertId: string) => `ALERT#${alertId}`;
const uploadSk = (uploadId: string) => `UPLOAD#${uploadId}`;

function alertIndexKeys(alert: AlertItem): Record<string, string> {
  const sort = `${alert.dueDate}#${alert.caseId ?? alert.consultationId ?? alert.userId}#${alert.alertId}`;
  return {
    gsi1pk: `ALERTS#CENTRE#${alert.level}`,
    gsi1sk: sort,
    gsi2pk: `ALERTS#WINDOW#${alert.windowId}#${alert.level}`,
    gsi2sk: sort,
    gsi3pk: `ALERTS#DEPT#${alert.departmentId}#${alert.level}`,
    gsi3sk: sort,
  };
}

const listIndexes = {
  1: { indexName: 'gsi1-summary', keyName: 'gsi1pk', sortName: 'gsi1sk' },
  2: { indexName: 'gsi2-summary', keyName: 'gsi2pk', sortName: 'gsi2sk' },
  3: { indexName: 'gsi3-summary', keyName: 'gsi3pk', sortName: 'gsi3sk' },
} as const;

const alertIndexNames = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

/**
 * The transaction item that raises an alert under `pk` (a case, a consultation, a staff member): the one
 * layout the alert lists read. What the key says (`consultationId`, `userId`) is not stored again.
 */
export function alertRaise(tableName: string, pk: string, alert: AlertItem) {
  const { consultationId: _consultation, userId: _user, ...stored } = alert;
  return {
    Put: {
      TableName: tableName,
      Item: { pk, sk: alertSk(alert.alertId), ...alertIndexKeys(alert), ...stored },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The transaction item that resolves an active alert: it leaves every list (its index keys go). */
export function alertResolution(tableName: string, pk: string, alertId: string, at: string) {
  return {
    Update: {
      TableName: tableName,
      Key: { pk, sk: alertSk(alertId) },
      UpdateExpression: `SET #status = :resolved, #resolvedAt = :at REMOVE ${alertIndexNames.join(', ')}`,
      ConditionExpression: '#status = :active',
      ExpressionAttributeNames: { '#status': 'status', '#resolvedAt': 'resolvedAt' },
      ExpressionAttributeValues: { ':resolved': 'resolved', ':active': 'active', ':at': at },
    },
  };
}

const consultationPk = 'CONSULT#';
const staffPk = 'STAFF#';
const stripAlertKeys = (item: Record<string, unknown>): AlertItem => {
  const { pk, sk: _sk, ...rest } = item;
  for (const name of alertIndexNames) delete rest[name];
  // The index copies the item's key, not `consultationId` or `userId`: the alert of a consultation or of
  // a staff member is told by it.
  if (typeof pk === 'string' && pk.startsWith(consultationPk))
    rest.consultationId = pk.slice(consultationPk.length);
  if (typeof pk === 'string' && pk.startsWith(staffPk)) rest.userId = pk.slice(staffPk.length);
  return rest as unknown as AlertItem;
};

/** A worklist line: exactly what the list indexes project of a case head. */
const summaryOf = (item: Record<string, unknown>): CaseSummary => {
  const summary: Record<string, unknown> = {};
  for (const name of caseSummaryAttributes) {
    if (item[name] !== undefined) summary[name] = item[name];
  }
  return summary as unknown as CaseSummary;
};

const reasons = (error: unknown) =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];

export function dynamoCaseStore(
  client: DynamoDBDocumentClient,
  tables: { cases: string; idempotency: string },
  matterDetails: MatterDetailsSource,
) {
  const partItem = (caseId: string, part: CasePart) => ({
    Put: { TableName: tables.cases, Item: { pk: `CASE#${caseId}`, ...part } },
  });

  /** The head's update: only what changed, at the trail head it was computed from. */
  const headUpdate = (write: CaseWrite) => {
    const set = Object.entries(write.delta.set);
    const remove = write.delta.remove;
    const expressions = [
      set.length > 0 ? `SET ${set.map((_, i) => `#s${i} = :s${i}`).join(', ')}` : '',
      remove.length > 0 ? `REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : '',
    ].filter(Boolean);
    return {
      Update: {
        TableName: tables.cases,
        Key: caseKey(write.caseId),
        UpdateExpression: expressions.join(' '),
        ConditionExpression: '#trailHead.#seq = :expectedSeq',
        ExpressionAttributeNames: {
          '#trailHead': 'trailHead',
          '#seq': 'seq',
          ...Object.fromEntries(set.map(([name], i) => [`#s${i}`, name])),
          ...Object.fromEntries(remove.map((name, i) => [`#r${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':expectedSeq': write.expectedTrailSeq,
          ...Object.fromEntries(set.map(([, value], i) => [`:s${i}`, value])),
        },
      },
    };
  };

  /** Every item of a case's partition whose sort key begins with `prefix`, in key order (consistent). */
  const itemsOf = async (caseId: string, prefix: string) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tables.cases,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `CASE#${caseId}`, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  const readHead = async (caseId: string, attributes?: string[]) => {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tables.cases,
        Key: caseKey(caseId),
        ConsistentRead: true,
        ...(attributes
          ? {
              ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
            }
          : {}),
      }),
    );
    return Item;
  };

  return {
    /** The whole case: one Query of its head and parts (paged only for a case of extreme size). */
    async getCase(caseId: string): Promise<CaseRecord | undefined> {
      let head: Record<string, unknown> | undefined;
      const parts: CasePart[] = [];
      for (const item of await itemsOf(caseId, headSk)) {
        if (item.sk === headSk) head = item;
        else if (String(item.sk).startsWith(partPrefix))
          parts.push({ sk: String(item.sk), part: item.part, body: item.body } as CasePart);
      }
      if (!head) return undefined;
      const matter = head.matter as { code: string; version: number };
      return assembleCase(head, parts, await matterDetails(matter.code, matter.version));
    },

    /**
     * The case's head alone, as a case with no parts (no materials, notices or back-office steps read):
     * enough for a change of head attributes only, such as a recomputed deadline, whose delta then writes
     * no part. One GetItem instead of the partition's Query.
     */
    async getCaseHead(caseId: string): Promise<CaseRecord | undefined> {
      const head = await readHead(caseId);
      return head ? assembleCase(head, [], { reviewPoints: [], materials: [] }) : undefined;
    },

    /** The head's human version only (to tell a person's change from the system's). */
    async getVersion(caseId: string): Promise<number | undefined> {
      const item = await readHead(caseId, ['version']);
      return item ? Number(item.version) : undefined;
    },

    async getIdempotency(id: string): Promise<IdempotencyRecord | undefined> {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.idempotency, Key: { id }, ConsistentRead: true }),
      );
      return Item as IdempotencyRecord | undefined;
    },

    /**
     * Writes a change of a case (a new one when `expectedTrailSeq` is absent) in one transaction. Throws
     * StaleCase when the case moved on since it was read, IdempotencyKeyUsed and CaseNumberTaken when
     * those claims fail.
     */
    async write(write: CaseWrite) {
      const creating = write.expectedTrailSeq === undefined;
      const items: TransactItems = [
        creating
          ? {
              Put: {
                TableName: tables.cases,
                Item: { ...caseKey(write.caseId), ...write.delta.set },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            }
          : headUpdate(write),
        {
          Put: {
            TableName: tables.cases,
            Item: {
              pk: `CASE#${write.caseId}`,
              sk: trailSk(write.event.seq),
              caseId: write.caseId,
              ...write.event,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
      const claimAt = write.claimCaseNumber ? items.length : -1;
      if (write.claimCaseNumber) {
        items.push({
          Put: {
            TableName: tables.cases,
            Item: { pk: `CASENO#${write.claimCaseNumber}`, sk: 'CASENO', caseId: write.caseId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
      const idempotencyAt = write.idempotency ? items.length : -1;
      if (write.idempotency) {
        items.push({
          Put: {
            TableName: tables.idempotency,
            Item: write.idempotency,
            ConditionExpression: 'attribute_not_exists(id)',
          },
        });
      }
      for (const part of write.delta.parts) items.push(partItem(write.caseId, part));
      for (const alert of write.raiseAlerts ?? [])
        items.push(alertRaise(tables.cases, `CASE#${alert.caseId}`, alert));
      for (const { alertId, at } of write.resolveAlerts ?? [])
        items.push(alertResolution(tables.cases, `CASE#${write.caseId}`, alertId, at));
      for (const item of write.puts ?? []) {
        items.push({
          Put: { TableName: tables.cases, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
        });
      }
      if (write.consumeUpload) {
        items.push({
          Delete: {
            TableName: tables.cases,
            Key: { pk: `CASE#${write.caseId}`, sk: uploadSk(write.consumeUpload) },
            ConditionExpression: 'attribute_exists(pk)',
          },
        });
      }
      // A step writes a handful of items; a department's 补正 of every material (≤ 50) is the most.
      if (items.length > maxTransactItems)
        throw new Error(`a case change of ${items.length} items exceeds one transaction`);
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        const codes = reasons(error);
        if (codes.length === 0) throw error;
        if (idempotencyAt >= 0 && codes[idempotencyAt] === 'ConditionalCheckFailed')
          throw new IdempotencyKeyUsed(write.idempotency?.id);
        if (claimAt >= 0 && codes[claimAt] === 'ConditionalCheckFailed' && codes[0] === 'None')
          throw new CaseNumberTaken(write.claimCaseNumber);
        if (codes.includes('ConditionalCheckFailed') || codes.includes('TransactionConflict'))
          throw new StaleCase(write.caseId);
        throw error;
      }
      countCaseWrite(write);
    },

    /** The task token the workflow stored for the case, with the phase it waits in (never shown to clients). */
    async getTaskToken(caseId: string): Promise<WaitingStep | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tables.cases,
          Key: { pk: `CASE#${caseId}`, sk: workflowTokenSk },
          ConsistentRead: true,
        }),
      );
      if (!Item?.taskToken) return undefined;
      return {
        taskToken: String(Item.taskToken),
        phase: String(Item.taskTokenPhase),
        ...(typeof Item.wakeAt === 'string' ? { wakeAt: Item.wakeAt } : {}),
        ...(typeof Item.executionStartedAt === 'string'
          ? { executionStartedAt: Item.executionStartedAt }
          : {}),
      };
    },

    /** Every alert of a case, active and resolved. */
    async caseAlerts(caseId: string): Promise<AlertItem[]> {
      return (await itemsOf(caseId, 'ALERT#')).map((item) => stripAlertKeys(item));
    },

    /** Active alerts of a scope and level, earliest due date first, optionally due on or before a date. */
    async listAlerts(
      scope: AlertScope,
      level: AlertLevel,
      limit: number,
      cursor?: Record<string, unknown>,
      dueOnOrBefore?: string,
    ): Promise<Page<AlertItem>> {
      const [index, key] =
        scope.kind === 'centre'
          ? [listIndexes[1], `ALERTS#CENTRE#${level}`]
          : scope.kind === 'window'
            ? [listIndexes[2], `ALERTS#WINDOW#${scope.windowId}#${level}`]
            : [listIndexes[3], `ALERTS#DEPT#${scope.departmentId}#${level}`];
      const startKey = startKeyFor(cursor, {
        partition: { [index.keyName]: key },
        keys: ['pk', 'sk', index.sortName],
      });
      const result = await client.send(
        new QueryCommand({
          TableName: tables.cases,
          IndexName: index.indexName,
          KeyConditionExpression: dueOnOrBefore
            ? `${index.keyName} = :key AND ${index.sortName} < :before`
            : `${index.keyName} = :key`,
          ExpressionAttributeValues: {
            ':key': key,
            // Sort keys are `<dueDate>#…`: everything due on the date sorts below `<date>$`.
            ...(dueOnOrBefore ? { ':before': `${dueOnOrBefore}$` } : {}),
          },
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (result.Items ?? []).map((item) => stripAlertKeys(item)),
        ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
      };
    },

    /** A requested upload of a material: what the uploader declared, until it is confirmed. */
    async putUpload(caseId: string, upload: MaterialUpload) {
      await client.send(
        new PutCommand({
          TableName: tables.cases,
          Item: { pk: `CASE#${caseId}`, sk: uploadSk(upload.uploadId), ...upload },
        }),
      );
    },

    async getUpload(caseId: string, uploadId: string): Promise<MaterialUpload | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tables.cases,
          Key: { pk: `CASE#${caseId}`, sk: uploadSk(uploadId) },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, ...upload } = Item;
      return upload as MaterialUpload;
    },

    async trail(caseId: string): Promise<TrailEvent[]> {
      return (await itemsOf(caseId, 'TRAIL#')).map(
        ({ pk: _pk, sk: _sk, caseId: _id, ...event }) => event as unknown as TrailEvent,
      );
    },

    /**
     * An applicant's cases, newest first; or a window's or department's queue in one status, earliest due
     * date first, optionally only those due before a date (a key condition, not a filter). The summary
     * the index projects, not the case.
     */
    async listCases(
      scope: CaseListScope,
      limit: number,
      cursor?: Record<string, unknown>,
      dueBefore?: string,
    ): Promise<Page<CaseSummary>> {
      const [index, key] =
        scope.kind === 'owner'
          ? [listIndexes[1], `OWNER#${scope.ownerId}`]
          : scope.kind === 'window'
            ? [listIndexes[2], `WINDOW#${scope.windowId}#${scope.status}`]
            : [listIndexes[3], `DEPT#${scope.departmentId}#${scope.status}`];
      const startKey = startKeyFor(cursor, {
        partition: { [index.keyName]: key },
        keys: ['pk', 'sk', index.sortName],
      });
      const before = dueBefore && scope.kind !== 'owner';
      const result = await client.send(
        new QueryCommand({
          TableName: tables.cases,
          IndexName: index.indexName,
          KeyConditionExpression: before
            ? `${index.keyName} = :key AND ${index.sortName} < :before`
            : `${index.keyName} = :key`,
          ExpressionAttributeValues: { ':key': key, ...(before ? { ':before': dueBefore } : {}) },
          ScanIndexForward: scope.kind !== 'owner',
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (result.Items ?? []).map(summaryOf),
        ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
      };
    },
  };
}

export type CaseStore = ReturnType<typeof dynamoCaseStore>;
