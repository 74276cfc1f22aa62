import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseKey, openIndexKeys, openShardCount } from '../../functions/workflow/case-keys';
import {
  type CaseWorkflowStore,
  dynamoCaseWorkflowStore,
} from '../../functions/workflow/case-workflow-store';
import { createTestTables, testDocumentClient } from '../support/aws';

let store: CaseWorkflowStore;
let table: string;
const documents = testDocumentClient();

const putCase = (caseId: string, phase: string, open = true) =>
  documents.send(
    new PutCommand({
      TableName: table,
      Item: { ...caseKey(caseId), phase, version: 3, ...(open ? openIndexKeys(caseId) : {}) },
    }),
  );

beforeAll(async () => {
  table = (await createTestTables()).cases;
  store = dynamoCaseWorkflowStore(documents, table);
});

describe('case workflow store (DynamoDB Local)', () => {
  it('reads the stored phase and version of a case', async () => {
    await putCase('C-load', 'awaiting-receipt');
    expect(await store.loadPosition('C-load')).toEqual({ phase: 'awaiting-receipt', version: 3 });
  });

  it('throws CaseNotFound for a case that does not exist', async () => {
    await expect(store.loadPosition('C-missing')).rejects.toMatchObject({ name: 'CaseNotFound' });
  });

  it('stores a task token on an item of its own, and says when the case already left the phase', async () => {
    await putCase('C-token', 'awaiting-review');
    const timing = {
      storedAt: '2026-11-25T00:00:00.000Z',
      wakeAt: '2026-11-30T16:00:00.000Z',
      executionStartedAt: '2026-11-24T08:00:00.000Z',
    };
    await store.storeTaskToken('C-token', 'awaiting-review', 'tok-1', timing);
    const stored = await documents.send(
      new GetCommand({ TableName: table, Key: { pk: 'CASE#C-token', sk: 'WORKFLOW' }, ConsistentRead: true }),
    );
    // No index keys: storing a token writes no index row and leaves the head (and its version) alone.
    expect(stored.Item).toEqual({
      pk: 'CASE#C-token',
      sk: 'WORKFLOW',
      taskToken: 'tok-1',
      taskTokenPhase: 'awaiting-review',
      taskTokenStoredAt: '2026-11-25T00:00:00.000Z',
      wakeAt: '2026-11-30T16:00:00.000Z',
      executionStartedAt: '2026-11-24T08:00:00.000Z',
    });
    expect(await store.loadPosition('C-token')).toEqual({ phase: 'awaiting-review', version: 3 });
    // The case moved on before the token was stored: the workflow must ask again for the new phase.
    await expect(store.storeTaskToken('C-token', 'awaiting-receipt', 'tok-2', timing)).rejects.toMatchObject({
      name: 'PhaseMoved',
    });
    await expect(store.storeTaskToken('C-nobody', 'awaiting-receipt', 'tok-3', timing)).rejects.toMatchObject(
      {
        name: 'CaseNotFound',
      },
    );
  });

  it('lists every open case across all shards of the sparse index, and no closed one', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `C-open-${i}`);
    await Promise.all(ids.map((id) => putCase(id, 'awaiting-receipt')));
    await putCase('C-closed', 'closed', false);
    const shards = new Set(ids.map((id) => openIndexKeys(id).openPk));
    expect(shards.size).toBeGreaterThan(openShardCount / 2);
    const listed: string[] = [];
    for await (const id of store.listOpenCaseIds()) listed.push(id);
    expect(listed).toEqual(expect.arrayContaining(ids));
    expect(listed).not.toContain('C-closed');
  });
});
