import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AlertItem, alertRaise, alertResolution } from '../cases/case-store';
import { conditionFailed, strip } from '../catalogue/catalogue-store';
import type { MaterialContentType } from '../domain/cases/model';
import type { TrailEvent } from '../domain/cases/trail';
import type { Consultation } from '../domain/consultations/consultation';
import { alertMetricName, countMetric } from '../shared/metrics';
import { type Page, queryAllPages, startKeyFor } from '../shared/pagination';

/**
 * Consultations (咨询件) in the cases table, beside the cases whose alert lists they share:
 *   CONSULT#<id> / CONSULT         the consultation   gsi1: CONSULTS#ASKER#<userId>, gsi2: CONSULTS#WINDOW#<id>,
 *                                                     gsi3 (once with the department): CONSULTS#DEPT#<id>,
 *                                                     sorted by `<raisedAt>#<id>`; open-keys while open:
 *                                                     CONSULTS#OPEN / `<nextAlertAt>#<id>` (the timer's list)
 *   CONSULT#<id> / TRAIL#<seq>     its trail, hash-chained like a case's
 *   CONSULT#<id> / ALERT#<alertId> its alerts, with the case alerts' index keys (GET /alerts lists them)
 *   CONSULT#<id> / UPLOAD#<id>     an attachment's requested upload, until it is attached
 * The partitions' `CONSULTS#` prefix keeps them out of every case list, and the open-keys partition is
 * none of the case shards the workflow's resume reads.
 */
export class ConsultationConflict extends Error {
  override readonly name = 'ConsultationConflict';
}

export type ConsultationScope =
  | { kind: 'asker'; userId: string }
  | { kind: 'window'; windowId: string }
  | { kind: 'department'; departmentId: string };

export interface StoredConsultation extends Consultation {
  trailHead: { seq: number; hash: string };
}

export interface ConsultationWrite {
  before?: StoredConsultation;
  after: StoredConsultation;
  event: TrailEvent;
  raiseAlerts?: AlertItem[];
  resolveAlerts?: string[];
  /** An upload the change consumes: it must still exist, and is gone afterwards. */
  consumeUpload?: string;
}

/** A requested upload of an attachment: what the uploader declared, until it is attached. */
export interface ConsultationUpload {
  uploadId: string;
  key: string;
  fileName: string;
  contentType: MaterialContentType;
  size: number;
  requestedBy: string;
}

const pkOf = (id: string) => `CONSULT#${id}`;
const trailSk = (seq: number) => `TRAIL#${String(seq).padStart(6, '0')}`;

function headIndexKeys(c: Consultation): Record<string, string> {
  const sort = `${c.raisedAt}#${c.consultationId}`;
  return {
    gsi1pk: `CONSULTS#ASKER#${c.askedBy.userId}`,
    gsi1sk: sort,
    gsi2pk: `CONSULTS#WINDOW#${c.windowId}`,
    gsi2sk: sort,
    ...(c.addressee === 'department' ? { gsi3pk: `CONSULTS#DEPT#${c.departmentId}`, gsi3sk: sort } : {}),
    ...(c.status === 'open' && c.nextAlertAt
      ? { openPk: 'CONSULTS#OPEN', openSk: `${c.nextAlertAt}#${c.consultationId}` }
      : {}),
  };
}

export function dynamoConsultationStore(client: DynamoDBDocumentClient, tableName: string) {
  const getMany = async (ids: string[]): Promise<StoredConsultation[]> => {
    if (ids.length === 0) return [];
    const found = new Map<string, StoredConsultation>();
    let keys: Record<string, unknown>[] | undefined = ids.map((id) => ({ pk: pkOf(id), sk: 'CONSULT' }));
    for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
      const result: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        const c = strip<StoredConsultation>(item, 'openPk', 'openSk') as StoredConsultation;
        found.set(c.consultationId, c);
      }
      keys = result.UnprocessedKeys?.[tableName]?.Keys;
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  };

  return {
    async get(consultationId: string): Promise<StoredConsultation | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: pkOf(consultationId), sk: 'CONSULT' },
          ConsistentRead: true,
        }),
      );
      return strip<StoredConsultation>(Item, 'openPk', 'openSk');
    },

    /** Writes a change with its trail event (and alerts) in one transaction, from the version read. */
    async write(write: ConsultationWrite): Promise<void> {
      const { before, after, event } = write;
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
        {
          Put: {
            TableName: tableName,
            Item: { pk: pkOf(after.consultationId), sk: 'CONSULT', ...headIndexKeys(after), ...after },
            ...(before
              ? {
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': before.version },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { pk: pkOf(after.consultationId), sk: trailSk(event.seq), ...event },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
      for (const alert of write.raiseAlerts ?? [])
        items.push(alertRaise(tableName, pkOf(after.consultationId), alert));
      for (const alertId of write.resolveAlerts ?? [])
        items.push(alertResolution(tableName, pkOf(after.consultationId), alertId, event.at));
      if (write.consumeUpload) {
        items.push({
          Delete: {
            TableName: tableName,
            Key: { pk: pkOf(after.consultationId), sk: `UPLOAD#${write.consumeUpload}` },
            ConditionExpression: 'attribute_exists(pk)',
          },
        });
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        if (conditionFailed(error)) throw new ConsultationConflict(after.consultationId);
        throw error;
      }
      for (const alert of write.raiseAlerts ?? []) countMetric(alertMetricName(alert.kind, alert.level));
    },

    async putUpload(consultationId: string, upload: ConsultationUpload): Promise<void> {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: pkOf(consultationId), sk: `UPLOAD#${upload.uploadId}`, ...upload },
        }),
      );
    },

    async getUpload(consultationId: string, uploadId: string): Promise<ConsultationUpload | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: pkOf(consultationId), sk: `UPLOAD#${uploadId}` },
          ConsistentRead: true,
        }),
      );
      return strip<ConsultationUpload>(Item);
    },

    /** One page of a list, newest first. */
    async list(
      scope: ConsultationScope,
      limit: number,
      cursor?: Record<string, unknown>,
    ): Promise<Page<StoredConsultation>> {
      const [indexName, keyName, keyValue] =
        scope.kind === 'asker'
          ? ['gsi1-summary', 'gsi1pk', `CONSULTS#ASKER#${scope.userId}`]
          : scope.kind === 'window'
            ? ['gsi2-summary', 'gsi2pk', `CONSULTS#WINDOW#${scope.windowId}`]
            : ['gsi3-summary', 'gsi3pk', `CONSULTS#DEPT#${scope.departmentId}`];
      const startKey = startKeyFor(cursor, {
        partition: { [keyName]: keyValue },
        keys: ['pk', 'sk', keyName, keyName.replace(/pk$/, 'sk')],
      });
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: '#k = :v',
          ExpressionAttributeNames: { '#k': keyName },
          ExpressionAttributeValues: { ':v': keyValue },
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      // The list indexes copy a case's summary, not a consultation: the heads are read by their keys.
      const ids = (result.Items ?? []).map((item) => String(item.pk).slice('CONSULT#'.length));
      return {
        items: await getMany(ids),
        ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
      };
    },

    /** The open consultations with an alert due by `dueBefore` (ISO), every page: the timer's work list. */
    async alertsDueBefore(dueBefore: string): Promise<StoredConsultation[]> {
      const keys = await queryAllPages(client, {
        TableName: tableName,
        IndexName: 'open-keys',
        KeyConditionExpression: 'openPk = :open AND openSk < :before',
        ExpressionAttributeValues: { ':open': 'CONSULTS#OPEN', ':before': `${dueBefore}$` },
      });
      const ids = keys.map((item) => String(item.pk).slice('CONSULT#'.length));
      const heads: StoredConsultation[] = [];
      for (let i = 0; i < ids.length; i += 100) heads.push(...(await getMany(ids.slice(i, i + 100))));
      return heads;
    },

    async trail(consultationId: string): Promise<TrailEvent[]> {
      const items = await queryAllPages(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :trail)',
        ExpressionAttributeValues: { ':pk': pkOf(consultationId), ':trail': 'TRAIL#' },
        ConsistentRead: true,
      });
      return items.map((item) => strip<TrailEvent>(item) as TrailEvent);
    },
  };
}

export type ConsultationStore = ReturnType<typeof dynamoConsultationStore>;
