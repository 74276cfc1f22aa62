import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClock } from '../../functions/domain/cases/processing-clock';
import { repoRoot } from '../../infra/definitions/asl';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import type { DeadLetter } from '../../infra/local/streams';
import { calendarWithout2027, openCase } from '../support/calendar-fixtures';
import { storeCase } from '../support/stored-cases';

/**
 * `npm run ops` as an operator runs it, against a local stack (stage `local`, on ports of its own): what
 * it prints, that it writes nothing without `--yes`, and its usage errors.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-ops-'));
let stack: LocalStack;
const portOf = (url: string | undefined) => new URL(String(url)).port;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamoDbPort: 0,
    s3Port: 0,
    stepFunctionsPort: 0,
    dataDir,
    persistent: false,
    clockSpeed: 1,
    stage: 'local',
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function clients(env: Record<string, string>) {
  const config = {
    region: env.AWS_REGION as string,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const dynamo = new DynamoDBClient({ ...config, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB as string });
  return {
    dynamo,
    documents: DynamoDBDocumentClient.from(dynamo),
    streams: new DynamoDBStreamsClient({ ...config, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB as string }),
    sfn: new SFNClient({ ...config, endpoint: env.AWS_ENDPOINT_URL_SFN as string }),
  };
}

// Not spawnSync: the stack answers from this very process.
const ops = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '-s', 'ops', '--', ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: portOf(stack.url),
        DYNAMODB_PORT: portOf(stack.env.AWS_ENDPOINT_URL_DYNAMODB),
        SFN_PORT: portOf(stack.env.AWS_ENDPOINT_URL_SFN),
        LOCAL_DATA_DIR: dataDir,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('npm run ops', () => {
  it('lists the cases in attention (none on a fresh stack)', async () => {
    const result = await ops('attention', '--stage', 'local');
    expect(result).toMatchObject({ code: 0, stdout: '0 case(s) in attention on stage local\n' });
  });

  it('says what resume would do and writes nothing for a case that does not exist', async () => {
    const result = await ops('resume', '00000000-0000-4000-8000-000000000404', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('case 00000000-0000-4000-8000-000000000404: nothing to do, no such case\n');
  });

  it('loads a holiday schedule from a file only with --yes, after saying what it will change', async () => {
    const file = path.join(repoRoot, 'tests/fixtures/schedule-2027-sample.json');
    const dry = await ops('load-schedule', file);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^2027: \d+ day\(s\) off on weekdays, 4 make-up workday\(s\); no schedule of that year is stored yet\n/,
    );
    expect(dry.stdout).toMatch(/nothing written/);
    const loaded = await ops('load-schedule', file, '--yes');
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/loaded 2027: 0 open case\(s\) read, 0 changed, 0 failed/);
    const again = await ops('load-schedule', file);
    expect(again.stdout).toMatch(/the same schedule is stored already/);
    // The calendar serves it: 2027-10-09 (a Saturday) is a make-up workday.
    const day = await fetch(`${stack.url}/calendar/working-days?from=2027-10-08&days=1`);
    expect(await day.json()).toEqual({ date: '2027-10-09', provisional: false });
  });

  it('refuses a schedule that is not one, naming the field, and writes nothing', async () => {
    const bad = path.join(dataDir, 'bad-schedule.json');
    writeFileSync(
      bad,
      JSON.stringify({ year: 2028, holidays: ['2028-02-30'], makeupWorkdays: ['2028-01-03'] }),
    );
    const result = await ops('load-schedule', bad, '--yes');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/holidays\.0/);
  });

  it('prints the operations check: nothing in attention, overdue or escalated on a fresh stack', async () => {
    const result = await ops('check');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^cases in attention +0\nopen overdue cases +0\nalerts escalated to admin +0\n/,
    );
    expect(result.stdout).toMatch(/holiday schedule \d{4} /);
  });

  it('redrives a dead-lettered stream batch to its consumer, and only with --yes', async () => {
    // The consumers are paused, so the case's stream record waits as a given-up batch would.
    await stack.pauseStreams();
    const caseId = 'C-redrive-1';
    const aws = clients(stack.env);
    const { record, event } = openCase(caseId, startClock(calendarWithout2027, '2026-03-02', 5, 10));
    await storeCase(
      aws.documents,
      { cases: stack.env.CASES_TABLE as string, catalogue: stack.env.CATALOGUE_TABLE as string },
      { ...record, matter: { ...record.matter, code: 'ZZ-REDRIVE' }, phase: 'awaiting-receipt' },
      event,
    );
    // The record the workflow starter would have got, found on the table's stream as the mapping reads it.
    const { Table } = await aws.dynamo.send(new DescribeTableCommand({ TableName: stack.env.CASES_TABLE }));
    const streamArn = Table?.LatestStreamArn as string;
    const { StreamDescription } = await aws.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    let found: { shardId: string; sequenceNumber: string } | undefined;
    for (const shard of StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await aws.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await aws.streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      const opened = Records.find(
        (r) => r.dynamodb?.Keys?.pk?.S === `CASE#${caseId}` && r.dynamodb?.Keys?.sk?.S === 'CASE',
      );
      if (opened)
        found = {
          shardId: shard.ShardId as string,
          sequenceNumber: opened.dynamodb?.SequenceNumber as string,
        };
    }
    expect(found).toBeDefined();
    const given: DeadLetter = {
      time: new Date().toISOString(),
      consumer: 'workflow-starter',
      reason: 'RetryAttemptsExhausted',
      attempts: 11,
      streamArn,
      shardId: found?.shardId as string,
      startSequenceNumber: found?.sequenceNumber,
      endSequenceNumber: found?.sequenceNumber,
      batchSize: 1,
      records: [],
    };
    appendFileSync(stack.streams.deadLettersFile, `${JSON.stringify(given)}\n`);
    const executionArn = `${String(stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN).replace(':stateMachine:', ':execution:')}:${caseId}`;
    const execution = () => aws.sfn.send(new DescribeExecutionCommand({ executionArn }));

    const dry = await ops('redrive');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^1 dead-lettered batch\(es\)\n {2}workflow-starter: 1 record\(s\) of /);
    expect(dry.stdout).toMatch(/nothing written/);
    await expect(execution()).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });

    const done = await ops('redrive', '--yes');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(
      /redriven {2}workflow-starter: .* 1 of \d+ record\(s\) on the stream matched/,
    );
    expect((await execution()).status).toBe('RUNNING');
    expect(readFileSync(stack.streams.deadLettersFile, 'utf8')).toBe('');
    const again = await ops('redrive', '--yes');
    expect(again.stdout).toBe('0 dead-lettered batch(es)\n');
    await stack.resumeStreams();
  });

  it("creates the first centre admin's staff record, only with --yes and only once", async () => {
    const dry = await ops('admin', 'hlj-admin-9', '--name', '孙敏');
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toMatch(
      /would create the staff record of hlj-admin-9 \(孙敏\) as an active centre admin/,
    );
    const done = await ops('admin', 'hlj-admin-9', '--name', '孙敏', '--yes');
    expect(done.stdout).toBe('created the staff record of hlj-admin-9 (孙敏): centre admin, active\n');
    const again = await ops('admin', 'hlj-admin-9', '--name', '孙敏', '--yes');
    expect(again.stdout).toBe('hlj-admin-9 has a staff record already (admin, active): nothing to do\n');
  });

  it('answers a wrong call with its usage and exit code 2', async () => {
    for (const args of [
      ['reboot'],
      ['resume'],
      ['attention', '--force'],
      ['resume', 'x', '--stage', 'Prod!'],
      ['redrive', 'x'],
      ['check', 'now'],
      ['admin', 'hlj-admin-9'],
      ['attention', '--name', 'x'],
    ]) {
      const result = await ops(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/usage: npm run ops -- /);
    }
  });
});
