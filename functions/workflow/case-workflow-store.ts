import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { caseKey, openShardKeys } from './case-keys';
import { caseNotFound, phaseMoved } from './errors';

/**
 * The workflow's view of a case item: its phase (where the case stands), its version and the task token
 * of the human step it waits on. Only the workflow writes the token; the business attributes belong to
 * the intake and lifecycle use cases.
 */
/** The attributes of a case item that only the workflow writes. */
export const workflowAttributes: ReadonlySet<string> = new Set([
  'taskToken',
  'taskTokenPhase',
  'taskTokenStoredAt',
]);

export interface CasePosition {
  phase: string;
  version: number;
}

export interface CaseWorkflowStore {
  loadPosition(caseId: string): Promise<CasePosition>;
  /** Stores the token only while the case is still in `phase`; otherwise the case moved on (PhaseMoved). */
  storeTaskToken(caseId: string, phase: string, taskToken: string, storedAt: string): Promise<void>;
  /** Ids of cases whose workflow should be running, one page per shard of the sparse `open` index. */
  listOpenCaseIds(): AsyncGenerator<string>;
}

export function dynamoCaseWorkflowStore(
  client: DynamoDBDocumentClient,
  tableName: string,
): CaseWorkflowStore {
  return {
    async loadPosition(caseId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: caseKey(caseId),
          ProjectionExpression: '#phase, #version',
          ExpressionAttributeNames: { '#phase': 'phase', '#version': 'version' },
          ConsistentRead: true,
        }),
      );
      if (!Item || typeof Item.phase !== 'string') throw caseNotFound(caseId);
      return { phase: Item.phase, version: Number(Item.version ?? 0) };
    },

    async storeTaskToken(caseId, phase, taskToken, storedAt) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: caseKey(caseId),
            UpdateExpression: 'SET #token = :token, #tokenPhase = :phase, #tokenStoredAt = :storedAt',
            ConditionExpression: 'attribute_exists(pk) AND #phase = :phase',
            ExpressionAttributeNames: {
              '#token': 'taskToken',
              '#tokenPhase': 'taskTokenPhase',
              '#tokenStoredAt': 'taskTokenStoredAt',
              '#phase': 'phase',
            },
            ExpressionAttributeValues: { ':token': taskToken, ':phase': phase, ':storedAt': storedAt },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw phaseMoved(caseId, phase);
        throw error;
      }
    },

    async *listOpenCaseIds() {
      for (const shard of openShardKeys()) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'open',
              KeyConditionExpression: 'openPk = :shard',
              ExpressionAttributeValues: { ':shard': shard },
              ProjectionExpression: 'openSk',
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) yield String(item.openSk);
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }
    },
  };
}
