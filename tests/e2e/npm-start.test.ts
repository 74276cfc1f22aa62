import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/definitions/asl';
import { assertPortFree, freePort } from '../../infra/local/ports';
import { getJson } from '../support/http';

/**
 * `npm start` exactly as a new user runs it (the README's command), on random ports and a temporary
 * data folder: it comes up, answers /health, and Ctrl-C stops every process it started.
 */
const dataDirs: string[] = [];

async function launch(overrides: { PORT?: number } = {}) {
  const ports = {
    PORT: overrides.PORT ?? (await freePort()),
    DYNAMODB_PORT: await freePort(),
    S3_PORT: await freePort(),
    SFN_PORT: await freePort(),
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-start-'));
  dataDirs.push(dataDir);
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOCAL_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, ports, exited, output: () => ({ stdout, stderr }) };
}

const until = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
};

const interrupt = (child: ChildProcess) => {
  // Ctrl-C in a terminal signals the whole foreground process group.
  if (child.pid) process.kill(-child.pid, 'SIGINT');
};

afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints one line per service and the URL, serves /health, and stops everything on Ctrl-C', async () => {
    const run = await launch();
    try {
      const up = await until(() => run.output().stdout.includes('OneWindow is up'), 90_000);
      expect(up, run.output().stderr).toBe(true);
      const { stdout } = run.output();
      for (const service of ['dynamodb', 's3', 'stepfunctions', 'workflow', 'gateway']) {
        expect(stdout).toMatch(new RegExp(`^${service}\\s`, 'm'));
      }
      expect(stdout).toContain(`http://127.0.0.1:${run.ports.PORT}`);
      const health = await getJson<{ status: string }>(`http://127.0.0.1:${run.ports.PORT}/health`);
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
    } finally {
      interrupt(run.child);
    }
    // npm itself may die of the SIGINT it was sent too; the backend under it stops cleanly and says so.
    const exit = await run.exited;
    expect(exit.code === 0 || exit.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
    expect(run.output().stdout).toContain('stopped');
    // Every child is gone: the stand-ins' ports are free again.
    for (const port of Object.values(run.ports))
      await expect(assertPortFree(port, 'x')).resolves.toBeUndefined();
  });

  it('fails at once with a clear message when its port is taken', async () => {
    const blocker = http.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const run = await launch({ PORT: port });
      expect((await run.exited).code).toBe(1);
      expect(run.output().stderr).toMatch(new RegExp(`port ${port} \\(HTTP gateway\\) is already in use`));
    } finally {
      blocker.close();
    }
  });
});
