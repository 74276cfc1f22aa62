import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { tableEnvName } from '../../infra/definitions/tables';
import { isAlive } from '../../infra/local/data-lock';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { eventually, getJson } from '../support/http';

/**
 * The stack watches its DynamoDB Local: killed once, it is started again on the same data and the stack
 * keeps serving; killed again, the stack stops itself and says why (npm start then exits 1).
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-ddb-watch-'));
const lines: string[] = [];
const fatal: Error[] = [];
let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB Local watch', () => {
  it('restarts a killed DynamoDB Local once on the same data, then stops the stack when it dies again', async () => {
    stack = await startLocalStack({
      port: 0,
      dynamoDbPort: 0,
      s3Port: 0,
      stepFunctionsPort: 0,
      dataDir,
      persistent: true,
      clockSpeed: 1,
      stage: 'watch',
      onReady: (service, detail) => lines.push(`${service} ${detail}`),
      onFatal: (error) => fatal.push(error),
    });
    const running = stack;
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: running.env.AWS_ENDPOINT_URL_DYNAMODB,
        region: 'cn-north-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
    );
    const key = { pk: 'CASE#watch', sk: 'NOTE#1' };
    const TableName = running.env[tableEnvName('cases')];
    await documents.send(new PutCommand({ TableName, Item: { ...key, text: 'written before the kill' } }));

    const first = running.dynamoDbPid();
    process.kill(first, 'SIGKILL');
    const second = await eventually(
      async () => {
        const pid = running.dynamoDbPid();
        return pid !== first && lines.some((line) => line.includes('restarted')) ? pid : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(lines.join('\n')).toContain(`DynamoDB Local (pid ${first}) exited unexpectedly`);
    const health = await getJson<{ status: string }>(`${running.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const kept = await documents.send(new GetCommand({ TableName, Key: key }));
    expect(kept.Item?.text).toBe('written before the kill');
    expect(fatal).toEqual([]);

    process.kill(second, 'SIGKILL');
    const error = await eventually(async () => fatal[0], { timeoutMs: 30_000 });
    expect(error.message).toContain(`DynamoDB Local (pid ${second}) exited unexpectedly`);
    expect(error.message).toContain('stopping the stack');
    expect(fatal).toHaveLength(1);
    // The stack has stopped: the gateway no longer answers.
    await expect(fetch(`${running.url}/health`)).rejects.toThrow();
    expect(isAlive(second)).toBe(false);
    documents.destroy();
    stack = undefined;
  });
});
