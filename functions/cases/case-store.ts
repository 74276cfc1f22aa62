import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AlertAudience, AlertKind, AlertLevel } from '../domain/cases/alerts';
import { isOpenPhase } from '../domain/cases/lifecycle';
import type { CaseRecord, CaseStatus, MaterialContentType } from '../domain/cases/model';
import type { TrailEvent } from '../domain/cases/trail';
import type { Page } from '../shared/pagination';
import { caseKey, openIndexKeys } from '../workflow/case-keys';
import { workflowAttributes } from '../workflow/case-workflow-store';

/**
 * Cases in the cases table. Every change of a case is one transaction: the case at the version the
 * caller read, and its next trail event (which must not exist yet). A crash leaves either the old case
 * or the new one with its event; two deciders of one case: exactly one transaction wins.
 *   CASE#<id> / CASE            the case   gsi1: OWNER#<user> / <createdAt>#<id>   (an applicant's cases)
 *                                          gsi2: WINDOW#<window>#<status> / <due>#<at>#<id> (a window's queue)
 *                                          gsi3: DEPT#<department>#<status> / <due>#<at>#<id> (a department's)
 *   CASE#<id> / TRAIL#<seq>     a trail event
 *   CASENO#<number> / CASENO    makes case numbers unique (no counter item: numbers are random)
 *   CASE#<id> / ALERT#<alertId> a deadline alert; while active it is in the worklists:
 *                                          gsi1: ALERTS#CENTRE#<level>, gsi2: ALERTS#WINDOW#<window>#<level>,
 *                                          gsi3: ALERTS#DEPT#<department>#<level>, each by <dueDate>#<caseId>
 * An accepted case whose workflow runs carries the sparse `open` index keys; they go when it closes.
 * Idempotency records live in the idempotency table, written in the creating transaction.
 */
type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
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

export interface AlertItem {
  alertId: string;
  caseId: string;
  caseNumber?: string;
  matterCode: string;
  matterName: string;
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

const trailSk = (seq: number) => `TRAIL#${String(seq).padStart(6, '0')}`;
const alertSk = (alertId: string) => `ALERT#${alertId}`;

function alertIndexKeys(alert: AlertItem): Record<string, string> {
  const sort = `${alert.dueDate}#${alert.caseId}#${alert.alertId}`;
  return {
    gsi1pk: `ALERTS#CENTRE#${alert.level}`,
    gsi1sk: sort,
    gsi2pk: `ALERTS#WINDOW#${alert.windowId}#${alert.level}`,
    gsi2sk: sort,
    gsi3pk: `ALERTS#DEPT#${alert.departmentId}#${alert.level}`,
    gsi3sk: sort,
  };
}

const alertIndexNames = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

function indexKeys(record: CaseRecord): Record<string, string> {
  const at = record.receivedAt ?? record.createdAt;
  // Worklists are worked by due date: the processing deadline once accepted, the §32 deadline before.
  const due = record.clock?.promisedDueDate ?? record.acceptanceDueDate ?? at.slice(0, 10);
  const sort = `${due}#${at}#${record.caseId}`;
  return {
    ...(record.ownerId
      ? { gsi1pk: `OWNER#${record.ownerId}`, gsi1sk: `${record.createdAt}#${record.caseId}` }
      : {}),
    // An applicant's draft is nobody's work yet: only the counter's own drafts are in the window's lists.
    // (At the enrolment peak every material confirmed on a portal draft would otherwise rewrite one hot key.)
    ...(record.status === 'draft' && record.ownerId
      ? {}
      : { gsi2pk: `WINDOW#${record.matter.windowId}#${record.status}`, gsi2sk: sort }),
    ...(record.status === 'draft'
      ? {}
      : { gsi3pk: `DEPT#${record.matter.departmentId}#${record.status}`, gsi3sk: sort }),
    // The workflow-start stream and the restart of open cases key on these.
    ...(isOpenPhase(record.phase) ? openIndexKeys(record.caseId) : {}),
  };
}

/** The case as the application sees it: no table keys, no workflow bookkeeping (task tokens never leave). */
const stripKeys = (item: Record<string, unknown>) => {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _a,
    gsi1sk: _b,
    gsi2pk: _c,
    gsi2sk: _d,
    gsi3pk: _e,
    gsi3sk: _f,
    ...rest
  } = item;
  const { openPk: _g, openSk: _h, ...record } = rest;
  for (const name of workflowAttributes) delete record[name];
  return record;
};

const stripAlertKeys = (item: Record<string, unknown>): AlertItem => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  for (const name of alertIndexNames) delete rest[name];
  return rest as unknown as AlertItem;
};

const reasons = (error: unknown) =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];

export function dynamoCaseStore(
  client: DynamoDBDocumentClient,
  tables: { cases: string; idempotency: string },
) {
  const caseCreate = (record: CaseRecord) => ({
    Put: {
      TableName: tables.cases,
      Item: { ...caseKey(record.caseId), ...indexKeys(record), ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  /**
   * Sets the case's own attributes only: the workflow stores its task token on the same item, and a
   * change of the case must neither erase it nor write back a token it read before.
   */
  const caseUpdate = (record: CaseRecord, expectedVersion: number) => {
    const attributes = Object.entries({ ...indexKeys(record), ...record }).filter(
      ([name, value]) => value !== undefined && !workflowAttributes.has(name),
    );
    // A closed case leaves the open index: nothing restarts its workflow.
    const closing = record.phase === 'closed';
    return {
      Update: {
        TableName: tables.cases,
        Key: caseKey(record.caseId),
        UpdateExpression: `SET ${attributes.map((_, i) => `#a${i} = :v${i}`).join(', ')}${closing ? ' REMOVE #openPk, #openSk' : ''}`,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: {
          '#version': 'version',
          ...(closing ? { '#openPk': 'openPk', '#openSk': 'openSk' } : {}),
          ...Object.fromEntries(attributes.map(([name], i) => [`#a${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':expected': expectedVersion,
          ...Object.fromEntries(attributes.map(([, value], i) => [`:v${i}`, value])),
        },
      },
    };
  };
  const eventPut = (caseId: string, event: TrailEvent) => ({
    Put: {
      TableName: tables.cases,
      Item: { pk: `CASE#${caseId}`, sk: trailSk(event.seq), caseId, ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  return {
    async getCase(caseId: string): Promise<CaseRecord | undefined> {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.cases, Key: caseKey(caseId), ConsistentRead: true }),
      );
      return Item ? (stripKeys(Item) as unknown as CaseRecord) : undefined;
    },

    async getIdempotency(id: string): Promise<IdempotencyRecord | undefined> {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.idempotency, Key: { id }, ConsistentRead: true }),
      );
      return Item as IdempotencyRecord | undefined;
    },

    /** A new case with its first trail event and, when given, the idempotency record of the request. */
    async createCase(record: CaseRecord, event: TrailEvent, idempotency?: IdempotencyRecord) {
      const items: TransactItems = [caseCreate(record), eventPut(record.caseId, event)];
      if (idempotency) {
        items.push({
          Put: {
            TableName: tables.idempotency,
            Item: idempotency,
            ConditionExpression: 'attribute_not_exists(id)',
          },
        });
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        const codes = reasons(error);
        // Another request with the same key is being or has been written.
        if (idempotency && (codes[2] === 'ConditionalCheckFailed' || codes.includes('TransactionConflict'))) {
          throw new IdempotencyKeyUsed(idempotency.id);
        }
        throw error;
      }
    },

    /**
     * The case moves from `expectedVersion` to `next` with its trail event; `caseNumber` is claimed if new;
     * alerts raised or resolved by the change are written in the same transaction.
     */
    async saveCase(
      next: CaseRecord,
      expectedVersion: number,
      event: TrailEvent,
      claimCaseNumber?: string,
      alerts: {
        raise?: AlertItem[];
        resolve?: { alertId: string; at: string }[];
        /** Items created with the change (a result's registry entry, a notification); each must be new. */
        puts?: Record<string, unknown>[];
      } = {},
    ) {
      const items: TransactItems = [caseUpdate(next, expectedVersion), eventPut(next.caseId, event)];
      if (claimCaseNumber) {
        items.push({
          Put: {
            TableName: tables.cases,
            Item: { pk: `CASENO#${claimCaseNumber}`, sk: 'CASENO', caseId: next.caseId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
      for (const alert of alerts.raise ?? []) {
        items.push({
          Put: {
            TableName: tables.cases,
            Item: {
              pk: `CASE#${alert.caseId}`,
              sk: alertSk(alert.alertId),
              ...alertIndexKeys(alert),
              ...alert,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
      for (const item of alerts.puts ?? []) {
        items.push({
          Put: { TableName: tables.cases, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
        });
      }
      for (const { alertId, at } of alerts.resolve ?? []) {
        items.push({
          Update: {
            TableName: tables.cases,
            Key: { pk: `CASE#${next.caseId}`, sk: alertSk(alertId) },
            UpdateExpression: `SET #status = :resolved, #resolvedAt = :at REMOVE ${alertIndexNames.join(', ')}`,
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status', '#resolvedAt': 'resolvedAt' },
            ExpressionAttributeValues: { ':resolved': 'resolved', ':active': 'active', ':at': at },
          },
        });
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        const codes = reasons(error);
        if (claimCaseNumber && codes[2] === 'ConditionalCheckFailed' && codes[0] === 'None') {
          throw new CaseNumberTaken(claimCaseNumber);
        }
        if (codes.includes('ConditionalCheckFailed') || codes.includes('TransactionConflict')) {
          throw new VersionConflict(next.caseId);
        }
        throw error;
      }
    },

    /** The task token the workflow stored on the case, with the phase it waits in (never shown to clients). */
    async getTaskToken(caseId: string): Promise<{ taskToken: string; phase: string } | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tables.cases,
          Key: caseKey(caseId),
          ProjectionExpression: 'taskToken, taskTokenPhase',
          ConsistentRead: true,
        }),
      );
      return Item?.taskToken
        ? { taskToken: String(Item.taskToken), phase: String(Item.taskTokenPhase) }
        : undefined;
    },

    /** Every alert of a case, active and resolved. */
    async caseAlerts(caseId: string): Promise<AlertItem[]> {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tables.cases,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alert)',
          ExpressionAttributeValues: { ':pk': `CASE#${caseId}`, ':alert': 'ALERT#' },
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map((item) => stripAlertKeys(item));
    },

    /** Active alerts of a scope and level, earliest due date first, optionally due on or before a date. */
    async listAlerts(
      scope: AlertScope,
      level: AlertLevel,
      limit: number,
      startKey?: Record<string, unknown>,
      dueOnOrBefore?: string,
    ): Promise<Page<AlertItem>> {
      const [indexName, keyName, sortName, key] =
        scope.kind === 'centre'
          ? ['gsi1', 'gsi1pk', 'gsi1sk', `ALERTS#CENTRE#${level}`]
          : scope.kind === 'window'
            ? ['gsi2', 'gsi2pk', 'gsi2sk', `ALERTS#WINDOW#${scope.windowId}#${level}`]
            : ['gsi3', 'gsi3pk', 'gsi3sk', `ALERTS#DEPT#${scope.departmentId}#${level}`];
      const result = await client.send(
        new QueryCommand({
          TableName: tables.cases,
          IndexName: indexName,
          KeyConditionExpression: dueOnOrBefore
            ? `${keyName} = :key AND ${sortName} < :before`
            : `${keyName} = :key`,
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
          Item: { pk: `CASE#${caseId}`, sk: `UPLOAD#${upload.uploadId}`, ...upload },
        }),
      );
    },

    async getUpload(caseId: string, uploadId: string): Promise<MaterialUpload | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tables.cases,
          Key: { pk: `CASE#${caseId}`, sk: `UPLOAD#${uploadId}` },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, ...upload } = Item;
      return upload as MaterialUpload;
    },

    async trail(caseId: string): Promise<TrailEvent[]> {
      const events: TrailEvent[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tables.cases,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :trail)',
            ExpressionAttributeValues: { ':pk': `CASE#${caseId}`, ':trail': 'TRAIL#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const { pk: _pk, sk: _sk, caseId: _id, ...event } = item;
          events.push(event as TrailEvent);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return events;
    },

    /**
     * An applicant's cases, newest first; or a window's or department's queue in one status, earliest due
     * date first, optionally only those due before a date (a key condition, not a filter).
     */
    async listCases(
      scope:
        | { kind: 'owner'; ownerId: string }
        | { kind: 'window'; windowId: string; status: CaseStatus }
        | { kind: 'department'; departmentId: string; status: CaseStatus },
      limit: number,
      startKey?: Record<string, unknown>,
      dueBefore?: string,
    ): Promise<Page<CaseRecord>> {
      const [indexName, keyName, sortName, key] =
        scope.kind === 'owner'
          ? ['gsi1', 'gsi1pk', 'gsi1sk', `OWNER#${scope.ownerId}`]
          : scope.kind === 'window'
            ? ['gsi2', 'gsi2pk', 'gsi2sk', `WINDOW#${scope.windowId}#${scope.status}`]
            : ['gsi3', 'gsi3pk', 'gsi3sk', `DEPT#${scope.departmentId}#${scope.status}`];
      const before = dueBefore && scope.kind !== 'owner';
      const result = await client.send(
        new QueryCommand({
          TableName: tables.cases,
          IndexName: indexName,
          KeyConditionExpression: before
            ? `${keyName} = :key AND ${sortName} < :before`
            : `${keyName} = :key`,
          ExpressionAttributeValues: { ':key': key, ...(before ? { ':before': dueBefore } : {}) },
          ScanIndexForward: scope.kind !== 'owner',
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (result.Items ?? []).map((item) => stripKeys(item) as unknown as CaseRecord),
        ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
      };
    },
  };
}

export type CaseStore = ReturnType<typeof dynamoCaseStore>;
