import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/definitions/asl';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';

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

// Not spawnSync: the stack answers from this very process.
const ops = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '-s', 'ops', '--', ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DYNAMODB_PORT: portOf(stack.env.AWS_ENDPOINT_URL_DYNAMODB),
        SFN_PORT: portOf(stack.env.AWS_ENDPOINT_URL_SFN),
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

  it('answers a wrong call with its usage and exit code 2', async () => {
    for (const args of [
      ['reboot'],
      ['resume'],
      ['attention', '--force'],
      ['resume', 'x', '--stage', 'Prod!'],
    ]) {
      const result = await ops(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/usage: npm run ops -- /);
    }
  });
});
