import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/definitions/asl';
import { isAlive, lockFileOf } from '../../infra/local/data-lock';
import { freePort } from '../../infra/local/ports';

/**
 * The data folder's lock as `npm start` and `npm run reset` see it (the scripts run directly with tsx,
 * as npm runs them): a second start or a reset while the owner lives stops with exit 1 naming its pid;
 * a lock left by a run that died is taken over, with a line saying so; Ctrl-C releases it.
 */
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const dataDirs: string[] = [];
const sleepers: ChildProcess[] = [];

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-lock-e2e-'));
  dataDirs.push(dir);
  return dir;
}

const writeLock = (dir: string, pid: number) =>
  writeFileSync(
    lockFileOf(dir),
    JSON.stringify({ pid, startedAt: '2030-01-01T00:00:00.000Z', ports: { gateway: 3999 } }),
  );

function liveOwner(): number {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  sleepers.push(child);
  return child.pid as number;
}

async function portsEnv() {
  return {
    PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    S3_PORT: String(await freePort()),
    SFN_PORT: String(await freePort()),
  };
}

function run(script: string, env: Record<string, string>) {
  const child = spawn(tsx, [path.join(repoRoot, 'infra/local', script)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

const until = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
};

afterAll(() => {
  for (const child of sleepers) child.kill('SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('data folder lock', () => {
  it('refuses reset and a second start while the owner lives, naming its pid, and keeps the data', async () => {
    const dir = tempDataDir();
    mkdirSync(path.join(dir, 'dynamodb'));
    const owner = liveOwner();
    writeLock(dir, owner);

    const reset = run('reset.ts', { LOCAL_DATA_DIR: dir });
    expect(await reset.exited).toBe(1);
    expect(reset.output().stderr).toMatch(new RegExp(`in use by pid ${owner}\\b`));
    expect(existsSync(path.join(dir, 'dynamodb'))).toBe(true);

    const start = run('start.ts', { LOCAL_DATA_DIR: dir, ...(await portsEnv()) });
    expect(await start.exited).toBe(1);
    expect(start.output().stderr).toMatch(new RegExp(`in use by pid ${owner}\\b`));
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(owner);
  });

  it('takes over a dead run’s lock with a line saying so, and releases it on Ctrl-C', async () => {
    const dir = tempDataDir();
    const dead = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
    writeLock(dir, dead);
    const start = run('start.ts', { LOCAL_DATA_DIR: dir, ...(await portsEnv()) });
    try {
      const up = await until(() => start.output().stdout.includes('OneWindow is up'), 90_000);
      expect(up, start.output().stderr).toBe(true);
      expect(start.output().stdout).toContain('the previous run did not stop cleanly');
      expect(start.output().stdout).toContain(`pid ${dead}`);
      // tsx runs the script in a child node process: the lock names that one, which is alive.
      const owner = JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).pid as number;
      expect(owner).not.toBe(dead);
      expect(isAlive(owner)).toBe(true);

      const reset = run('reset.ts', { LOCAL_DATA_DIR: dir });
      expect(await reset.exited).toBe(1);
      expect(reset.output().stderr).toMatch(new RegExp(`in use by pid ${owner}\\b`));
    } finally {
      start.child.kill('SIGINT');
    }
    expect(await start.exited).toBe(0);
    expect(existsSync(lockFileOf(dir))).toBe(false);

    const reset = run('reset.ts', { LOCAL_DATA_DIR: dir });
    expect(await reset.exited).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});
