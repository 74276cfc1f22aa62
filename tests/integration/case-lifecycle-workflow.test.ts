import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasePhase } from '../../functions/domain/cases/lifecycle';
import { startClock } from '../../functions/domain/cases/processing-clock';
import { stateMachineDefinitions } from '../../functions/registry';
import { createClock } from '../../functions/shared/clock';
import { caseKey } from '../../functions/workflow/case-keys';
import { stepFunctionsExecutionStarter } from '../../functions/workflow/execution-starter';
import { readAsl, substituteAsl } from '../../infra/definitions/asl';
import { localFunctionArn, localStateMachineArn } from '../../infra/local/lambda-context';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../infra/local/stepfunctions';
import { createTestTables, testDocumentClient } from '../support/aws';
import { calendarWithout2027, openCase } from '../support/calendar-fixtures';
import { eventually } from '../support/http';
import { storeCase } from '../support/stored-cases';

/**
 * The deployed case-lifecycle ASL, run by the local runner, with the real workflow task handler against
 * DynamoDB Local: it routes by the stored phase, stores a token per human step, and fails loudly for
 * what it cannot route.
 */
const documents = testDocumentClient();
const lifecycle = stateMachineDefinitions.find((sm) => sm.id === 'case-lifecycle');
const machineArn = localStateMachineArn('case-lifecycle');
let table: string;
let tables: Awaited<ReturnType<typeof createTestTables>>;
let runner: LocalStepFunctions;
let sfn: SFNClient;

beforeAll(async () => {
  tables = await createTestTables();
  table = tables.cases;
  process.env.CASES_TABLE = table;
  // The timer reads the holiday schedules loaded at run time from the catalogue table.
  process.env.CATALOGUE_TABLE = tables.catalogue;
  const { handler } = await import('../../functions/workflow/handler');
  const functionArn = localFunctionArn('case-workflow');
  runner = await startLocalStepFunctions({
    clock: createClock({ speed: 1, originRealMs: 0, originVirtualMs: 0 }),
    port: 0,
    lambdaHandlers: { [functionArn]: (event) => handler(event) },
    stateMachines: [
      {
        name: 'case-lifecycle',
        arn: machineArn,
        definition: substituteAsl(readAsl(String(lifecycle?.aslFile)), {
          CaseWorkflowFunctionArn: functionArn,
        }),
      },
    ],
  });
  sfn = new SFNClient({
    endpoint: runner.endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});

afterAll(async () => runner?.stop());

/** An accepted case in `phase`, stored as the case store stores it (in the sparse open index). */
const putCase = (caseId: string, phase: string) => {
  const { record, event } = openCase(caseId, startClock(calendarWithout2027, '2026-03-02', 5, 10));
  return storeCase(documents, tables, { ...record, phase: phase as CasePhase }, event);
};

/** The token the workflow stored for the case: an item of its own beside the head. */
const readToken = async (caseId: string) =>
  (
    await documents.send(
      new GetCommand({
        TableName: table,
        Key: { pk: `CASE#${caseId}`, sk: 'WORKFLOW' },
        ConsistentRead: true,
      }),
    )
  ).Item;

const setPhase = (caseId: string, phase: string) =>
  documents.send(
    new UpdateCommand({
      TableName: table,
      Key: caseKey(caseId),
      UpdateExpression: 'SET phase = :phase ADD version :one',
      ExpressionAttributeValues: { ':phase': phase, ':one': 1 },
    }),
  );

const start = async (caseId: string) =>
  (
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: caseId,
        input: JSON.stringify({ caseId }),
      }),
    )
  ).executionArn as string;

const finished = (executionArn: string) =>
  eventually(async () => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });

const tokenFor = (caseId: string, phase: string, notToken?: string) =>
  eventually(async () => {
    const item = await readToken(caseId);
    return item?.taskTokenPhase === phase && item.taskToken !== notToken
      ? (item.taskToken as string)
      : undefined;
  });

describe('case lifecycle state machine with the real task handler', () => {
  it('waits on each human step with a token stored on the case, and ends when the case is closed', async () => {
    await putCase('C-flow', 'awaiting-receipt');
    const executionArn = await start('C-flow');
    const receiptToken = await tokenFor('C-flow', 'awaiting-receipt');

    await setPhase('C-flow', 'awaiting-review');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: receiptToken, output: '{"sleepSeconds":60}' }));
    const reviewToken = await tokenFor('C-flow', 'awaiting-review', receiptToken);
    expect(reviewToken).not.toBe(receiptToken);

    // A repeated completion of the step already done is refused and changes nothing.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: receiptToken, output: '{"sleepSeconds":60}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    expect((await readToken('C-flow'))?.taskToken).toBe(reviewToken);

    await setPhase('C-flow', 'closed');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: reviewToken, output: '{"sleepSeconds":60}' }));
    expect((await finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('starts once per case: a second start of a running case returns the same execution', async () => {
    await putCase('C-once', 'awaiting-receipt');
    const first = await start('C-once');
    expect(await start('C-once')).toBe(first);
    const starter = stepFunctionsExecutionStarter(sfn, machineArn);
    expect(await starter.start('C-once')).toBe('running');
    await tokenFor('C-once', 'awaiting-receipt');
  });

  it('reports a case whose execution name is used by an ended execution as name-taken', async () => {
    await finished(await start('C-ended'));
    expect(await stepFunctionsExecutionStarter(sfn, machineArn).start('C-ended')).toBe('name-taken');
  });

  it('fails with CaseNotFound for a case that does not exist', async () => {
    const execution = await finished(await start('C-ghost'));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'CaseNotFound' });
  });

  it('fails for the attention of the admin rather than looping on a phase it has no step for', async () => {
    await putCase('C-odd', 'archived-somewhere');
    const execution = await finished(await start('C-odd'));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'NeedsAttention' });
  });

  it('refuses a malformed task input with InvalidTaskInput instead of acting on it', async () => {
    const { handler } = await import('../../functions/workflow/handler');
    await expect(
      handler({ action: 'awaitStep', caseId: 'C-x', phase: 'awaiting-receipt' }),
    ).rejects.toMatchObject({
      name: 'InvalidTaskInput',
      message: expect.stringMatching(/taskToken/),
    });
    await expect(handler({ action: 'deleteEverything', caseId: 'C-x' })).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
  });
});
