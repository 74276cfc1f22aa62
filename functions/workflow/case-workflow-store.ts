import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { caseKey, openShardKeys } from './case-keys';
import { caseNotFound, phaseMoved } from './errors';

/**
 * The workflow's view of a case: its phase (where the case stands, on the head), its version, and the
 * task token of the human step it waits on with the instant it wakes by itself (`CASE#<id>` /
 * `WORKFLOW`, written only by the workflow).
 */
export const workflowTokenSk = 'WORKFLOW';

export interface CasePosition {
  phase: string;
  version: number;
}

export interface TokenTiming {
  storedAt: string;
  /** When the task waiting on the token times out (the timer's next wake). */
  wakeAt: string;
  executionStartedAt: string;
}

export interface CaseWorkflowStore {
  loadPosition(caseId: string): Promise<CasePosition>;
  /** Stores the token only while the case is still in `phase`; otherwise the case moved on (PhaseMoved). */
  storeTaskToken(caseId: string, phase: string, taskToken: string, timing: TokenTiming): Promise<void>;
  /** Ids of cases whose workflow should be running, one page per shard of the sparse `open` index. */
  listOpenCaseIds(): AsyncGenerator<string>;
}

export function dynamoCaseWorkflowStore(
  client: DynamoDBDocumentClient,
  tableName: string,
): CaseWorkflowStore {
  const loadPosition = async (caseId: string): Promise<CasePosition> => {
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
  };

  return {
    loadPosition,

    async storeTaskToken(caseId, phase, taskToken, timing) {
      // The token has an item of its own, with no index keys: storing it rewrites neither the head nor
      // any index row. Then the phase is read again: a person's step that moved the case before the token
      // was stored did not see it, so the workflow asks again for the new phase (PhaseMoved). A step after
      // the store reads the token itself and hands it back.
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `CASE#${caseId}`,
            sk: workflowTokenSk,
            taskToken,
            taskTokenPhase: phase,
            taskTokenStoredAt: timing.storedAt,
            wakeAt: timing.wakeAt,
            executionStartedAt: timing.executionStartedAt,
          },
        }),
      );
      const { phase: now } = await loadPosition(caseId);
      if (now !== phase) throw phaseMoved(caseId, phase);
    },

    async *listOpenCaseIds() {
      for (const shard of openShardKeys()) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'open-keys',
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
