import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { functionDefinitions } from '../../functions/registry';
import { caseKey, openIndexKeys } from '../../functions/workflow/case-keys';
import {
  type ExecutionStarter,
  stepFunctionsExecutionStarter,
} from '../../functions/workflow/execution-starter';
import { type StartLog, startCaseWorkflows } from '../../functions/workflow/stream-starter';
import {
  type DeadLetter,
  type LocalBusEvent,
  type LocalStreams,
  startLocalStreams,
} from '../../infra/local/streams';
import { startTestRunner, type TestRunner } from '../statemachines/support';
import { createTestTables, testDocumentClient, uniqueSuffix } from '../support/aws';

/**
 * The cases table's stream on DynamoDB Local, read by the local stand-ins of the event source mapping
 * (with the registry's filter and retry rules) and of the alerts pipe, starting executions in the local
 * Step Functions runner through the same code the Lambda runs. Only the starter is wrapped, to count the
 * starts and to fail some of them.
 */
const documents = testDocumentClient();
const machine = 'case-lifecycle';
// Stays running for the whole test: a repeated start of it is idempotent, as in AWS.
const holdingMachine = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } };
const definition = functionDefinitions.find((def) => def.id === 'workflow-starter');
const quiet: StartLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

let table: string;
let runner: TestRunner;
let streams: LocalStreams;
let dataDir: string;
const calls = new Map<string, number>();
/** Case ids whose start throws a transient error, and how many more times. */
const failing = new Map<string, number>();
const events: LocalBusEvent[] = [];
const deadLetters: DeadLetter[] = [];

beforeAll(async () => {
  if (!definition) throw new Error('no workflow-starter in the registry');
  table = (await createTestTables()).cases;
  runner = await startTestRunner({ speed: 1, machines: { [machine]: holdingMachine }, handlers: {} });
  const real = stepFunctionsExecutionStarter(runner.client, runner.arnOf(machine));
  const starter: ExecutionStarter = {
    async start(caseId) {
      calls.set(caseId, (calls.get(caseId) ?? 0) + 1);
      const left = failing.get(caseId) ?? 0;
      if (left > 0) {
        failing.set(caseId, left - 1);
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return real.start(caseId);
    },
  };
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-streams-'));
  streams = await startLocalStreams({
    endpoint: inject('dynamoDbEndpoint'),
    region: 'cn-north-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    tableNames: { cases: table, catalogue: `${table}-unused`, idempotency: `${table}-unused` },
    functions: [
      {
        definition,
        functionName: 'workflow-starter',
        handler: (event) => startCaseWorkflows(event.Records, starter, quiet),
      },
    ],
    eventBusName: (id) => `onewindow-test-${id}`,
    dataDir,
    now: () => Date.parse('2030-01-02T03:04:05.678Z'),
    idleMs: 20,
    retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 20 },
    log: () => undefined,
  });
  streams.onEvent((event) => events.push(event));
  streams.onDeadLetter((entry) => deadLetters.push(entry));
});

afterAll(async () => {
  await streams?.stop();
  await runner?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const newCaseId = () => `C-${uniqueSuffix()}`;

const putDraft = (caseId: string) =>
  documents.send(
    new PutCommand({ TableName: table, Item: { ...caseKey(caseId), phase: 'draft', version: 1 } }),
  );

/** Acceptance as the cases code does it: the case item gains the sparse `open` index keys. */
const accept = (caseId: string) =>
  documents.send(
    new UpdateCommand({
      TableName: table,
      Key: caseKey(caseId),
      UpdateExpression: 'SET phase = :phase, openPk = :openPk, openSk = :openSk ADD version :one',
      ExpressionAttributeValues: { ':phase': 'processing', ':one': 1, ...prefixed(openIndexKeys(caseId)) },
    }),
  );

const prefixed = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));

async function executionsNamed(caseId: string): Promise<string[]> {
  const { executions = [] } = await runner.client.send(
    new ListExecutionsCommand({ stateMachineArn: runner.arnOf(machine) }),
  );
  return executions.filter((e) => e.name === caseId).map((e) => e.status as string);
}

/** An accepted case, started: every record written before it on the stream has been handled by then. */
async function barrier(): Promise<void> {
  const caseId = newCaseId();
  await putDraft(caseId);
  await accept(caseId);
  await vi.waitFor(async () => expect(await executionsNamed(caseId)).toEqual(['RUNNING']), {
    timeout: 3_000,
    interval: 20,
  });
}

describe('workflow starts from the cases table stream', () => {
  it('starts one execution, named by the case id, when a case item gains openPk', async () => {
    const caseId = newCaseId();
    await putDraft(caseId);
    await accept(caseId);
    await vi.waitFor(async () => expect(await executionsNamed(caseId)).toEqual(['RUNNING']), {
      timeout: 3_000,
      interval: 20,
    });
    expect(calls.get(caseId)).toBe(1);
  });

  it('starts a case whose head holds empty maps and lists (a dispatched window: no back-office stamps yet)', async () => {
    const caseId = newCaseId();
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: { ...caseKey(caseId), phase: 'draft', version: 1, backOffice: {}, clock: { pauses: [] } },
      }),
    );
    await accept(caseId);
    await vi.waitFor(async () => expect(await executionsNamed(caseId)).toEqual(['RUNNING']), {
      timeout: 3_000,
      interval: 20,
    });
    expect(deadLetters).toEqual([]);
  });

  it('starts nothing for later writes of an open case, nor for other items of its partition', async () => {
    const caseId = newCaseId();
    await putDraft(caseId);
    await accept(caseId);
    await vi.waitFor(() => expect(calls.get(caseId)).toBe(1), { timeout: 3_000, interval: 20 });

    // Written again, still open; a trail event; an upload; a draft elsewhere.
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: caseKey(caseId),
        UpdateExpression: 'SET phase = :phase ADD version :one',
        ExpressionAttributeValues: { ':phase': 'review', ':one': 1 },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `CASE#${caseId}`, sk: 'EVENT#0002', type: 'accepted', ...openIndexKeys(caseId) },
      }),
    );
    await documents.send(
      new PutCommand({ TableName: table, Item: { pk: `CASE#${caseId}`, sk: 'UPLOAD#m-1' } }),
    );
    const draftOnly = newCaseId();
    await putDraft(draftOnly);

    await barrier();
    expect(calls.get(caseId)).toBe(1);
    expect(calls.has(draftOnly)).toBe(false);
    expect(await executionsNamed(caseId)).toEqual(['RUNNING']);
  });

  it('retries a start that failed transiently, and it succeeds the second time', async () => {
    const caseId = newCaseId();
    failing.set(caseId, 1);
    await putDraft(caseId);
    await accept(caseId);
    await vi.waitFor(async () => expect(await executionsNamed(caseId)).toEqual(['RUNNING']), {
      timeout: 3_000,
      interval: 20,
    });
    expect(calls.get(caseId)).toBe(2);
    expect(deadLetters).toEqual([]);
  });

  it('gives a batch up after the retries, records it as a dead letter (keys only), and goes on', async () => {
    const caseId = newCaseId();
    failing.set(caseId, 100);
    await putDraft(caseId);
    await accept(caseId);
    await vi.waitFor(() => expect(deadLetters).toHaveLength(1), { timeout: 3_000, interval: 20 });
    expect(calls.get(caseId)).toBe(3);
    const [entry] = deadLetters;
    expect(entry).toMatchObject({ consumer: 'workflow-starter', attempts: 3, batchSize: 1 });
    expect(entry?.records).toEqual([
      expect.objectContaining({
        eventName: 'MODIFY',
        keys: { pk: { S: `CASE#${caseId}` }, sk: { S: 'CASE' } },
      }),
    ]);
    const file = readFileSync(streams.deadLettersFile, 'utf8').trim().split('\n');
    expect(file.map((line) => JSON.parse(line))).toEqual([entry]);
    expect(file[0]).not.toContain('processing'); // no image data
    failing.delete(caseId);
    await barrier();
  });
});

describe('alerts to the event bus (local stand-in of the pipe)', () => {
  it('records each inserted ALERT# item once, as a CaseAlertRaised event with the record as detail', async () => {
    const caseId = newCaseId();
    const alert = {
      pk: `CASE#${caseId}`,
      sk: 'ALERT#deadline-warning#2030-01-10',
      kind: 'deadline-warning',
      level: 'yellow',
      caseId,
      dueDate: '2030-01-10',
      raisedAt: '2030-01-07T01:00:00.000Z',
      windowId: 'window-2',
      departmentId: 'water',
    };
    await documents.send(new PutCommand({ TableName: table, Item: alert }));
    // Resolving it later is a MODIFY: not a new alert.
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: alert.pk, sk: alert.sk },
        UpdateExpression: 'SET resolvedAt = :at',
        ExpressionAttributeValues: { ':at': '2030-01-08T00:00:00.000Z' },
      }),
    );
    // A later alert of another case: once it is recorded, the pipe has read past the MODIFY.
    const sentinel = { pk: `CASE#${newCaseId()}`, sk: 'ALERT#deadline-overdue#2030-01-10' };
    await documents.send(new PutCommand({ TableName: table, Item: sentinel }));
    const of = (pk: string) => events.filter((e) => e.detail.dynamodb?.Keys?.pk?.S === pk);
    await vi.waitFor(() => expect(of(sentinel.pk)).toHaveLength(1), { timeout: 3_000, interval: 20 });
    const mine = of(alert.pk);
    expect(mine).toHaveLength(1);
    const [event] = mine;
    expect(event).toMatchObject({
      'detail-type': 'CaseAlertRaised',
      source: 'onewindow.cases',
      eventBusName: 'onewindow-test-alerts',
      time: '2030-01-02T03:04:05Z',
      detail: {
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          NewImage: { kind: { S: 'deadline-warning' }, level: { S: 'yellow' }, caseId: { S: caseId } },
        },
      },
    });
    expect(typeof event?.detail.dynamodb?.ApproximateCreationDateTime).toBe('number');
    const recorded = readFileSync(streams.eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LocalBusEvent)
      .filter((e) => e.detail.dynamodb?.Keys?.pk?.S === alert.pk);
    expect(recorded).toEqual([event]);
  });
});
