import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { tableEnvName } from '../../infra/definitions/tables';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { eventually } from '../support/http';

/**
 * The local stream consumers keep their position in the data folder: a record written while they could
 * not read it (paused, then the stack stopped, as by a crash) is delivered after the restart, and what was
 * delivered before is not delivered again. Observed on the alerts pipe (`events.jsonl`).
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-streams-e2e-'));
let ports = { port: 0, dynamoDbPort: 0, s3Port: 0, stepFunctionsPort: 0 };
let stack: LocalStack | undefined;
const portOf = (url: string | undefined) => Number(new URL(String(url)).port);

async function start(): Promise<LocalStack> {
  const started = await startLocalStack({
    ...ports,
    dataDir,
    persistent: true,
    clockSpeed: 1,
    stage: 'resume',
  });
  // Handlers keep the endpoints of their first import: a restart in this process reuses the ports.
  ports = {
    port: portOf(started.url),
    dynamoDbPort: portOf(started.env.AWS_ENDPOINT_URL_DYNAMODB),
    s3Port: portOf(started.env.AWS_ENDPOINT_URL_S3),
    stepFunctionsPort: portOf(started.env.AWS_ENDPOINT_URL_SFN),
  };
  stack = started;
  return started;
}

async function stop(): Promise<void> {
  await stack?.stop();
  stack = undefined;
}

/** Inserts an alert item (what the workflow writes when a deadline nears), which the alerts pipe forwards. */
async function raiseAlert(running: LocalStack, alertId: string): Promise<void> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: running.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
  );
  await documents.send(
    new PutCommand({
      TableName: running.env[tableEnvName('cases')],
      Item: { pk: 'CASE#stream-resume', sk: `ALERT#${alertId}`, kind: 'deadline-near' },
    }),
  );
  documents.destroy();
}

/** How often each alert reached the alerts bus, from the events file. */
function deliveries(): Map<string, number> {
  const file = path.join(dataDir, 'events.jsonl');
  const counts = new Map<string, number>();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { detail: { dynamodb: { Keys: { sk: { S: string } } } } };
    const sk = event.detail.dynamodb.Keys.sk.S;
    counts.set(sk, (counts.get(sk) ?? 0) + 1);
  }
  return counts;
}

const delivered = (alertId: string) =>
  eventually(async () => (deliveries().get(`ALERT#${alertId}`) ? true : undefined), { timeoutMs: 20_000 });

afterAll(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('stream consumers across restarts', () => {
  it('deliver records written before a stop once the stack is up again, and not twice', async () => {
    // A new data folder; the record is written before any consumer read anything.
    const first = await start();
    await first.pauseStreams();
    await raiseAlert(first, 'before-any-read');
    await stop();

    // The consumers read this stream before: a shard without a saved position is read from its start.
    const second = await start();
    await delivered('before-any-read');
    await raiseAlert(second, 'while-running');
    await delivered('while-running');
    await second.pauseStreams();
    await raiseAlert(second, 'while-paused');
    await stop();

    // Resumed after the last record processed: the paused write arrives, the earlier ones are not repeated.
    await start();
    await delivered('while-paused');
    const counts = deliveries();
    expect(counts.get('ALERT#before-any-read')).toBe(1);
    expect(counts.get('ALERT#while-running')).toBe(1);
    expect(counts.get('ALERT#while-paused')).toBe(1);
    const positions = JSON.parse(readFileSync(path.join(dataDir, 'stream-positions.json'), 'utf8'));
    expect(Object.keys(positions)).toEqual(expect.arrayContaining(['pipe:case-alerts']));
  });
});
