import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../infra/definitions/asl';
import { openLocalIssuer } from '../infra/local/issuer';
import { freePort } from '../infra/local/ports';
import { percentile } from './load';

/**
 * Requests through the local gateway (payload-2.0 event, middy, zod, JWT verification, handler) against
 * the floor: a bare Node HTTP server answering the same JSON. Both run as separate processes on this
 * machine and are driven by this one, at each concurrency, for a fixed number of requests.
 */
export interface LatencyResult {
  target: string;
  concurrency: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const floorServer = `
const http = require('node:http');
const body = JSON.stringify({ userId: 'bench', roles: ['clerk'], windowId: 'W1' });
http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${pattern}" within ${timeoutMs} ms: ${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${seen}`)));
  });
}

interface Sample {
  latencies: number[];
  seconds: number;
}

async function drive(
  url: string,
  headers: Record<string, string>,
  concurrency: number,
  requests: number,
): Promise<Sample> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const t = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function merge(samples: Sample[]) {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = samples.reduce((sum, s) => sum + s.seconds, 0);
  return {
    requests: latencies.length,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
  };
}

export async function measureHttpLatency({
  concurrencies = [1, 10, 50],
  requests = 3_000,
  log = (_line: string): void => undefined,
} = {}): Promise<LatencyResult[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-bench-'));
  const ports = {
    PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    S3_PORT: await freePort(),
    SFN_PORT: await freePort(),
  };
  const floorPort = await freePort();
  const env = { ...process.env, LOCAL_DATA_DIR: dataDir, LOG_LEVEL: 'ERROR' };
  const stack = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: repoRoot,
    // The gateway's own overhead is measured here, not the stage's throttle (the peak section meets that).
    env: {
      ...env,
      API_THROTTLE: 'off',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const floor = spawn(process.execPath, ['-e', floorServer], {
    env: { ...env, PORT: String(floorPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await Promise.all([waitForLine(stack, /OneWindow is up/, 120_000), waitForLine(floor, /ready/, 10_000)]);
    const token = await (await openLocalIssuer(dataDir)).sign({
      role: 'clerk',
      windowId: 'W1',
      sub: 'bench',
    });
    const targets: { target: string; url: string; headers: Record<string, string> }[] = [
      { target: 'floor: bare node http', url: `http://127.0.0.1:${floorPort}/me`, headers: {} },
      {
        target: 'GET /me (gateway + middy + JWT verify)',
        url: `http://127.0.0.1:${ports.PORT}/me`,
        headers: { authorization: `Bearer ${token}` },
      },
      {
        target: 'GET /openapi.json (gateway + middy, cached body)',
        url: `http://127.0.0.1:${ports.PORT}/openapi.json`,
        headers: {},
      },
    ];
    const results: LatencyResult[] = [];
    const rounds = 3;
    for (const concurrency of concurrencies) {
      for (const t of targets) await drive(t.url, t.headers, concurrency, 200); // warm-up
      // Rounds alternate the targets so that drift on a shared machine affects each alike.
      const samples = new Map<string, Awaited<ReturnType<typeof drive>>[]>();
      for (let round = 0; round < rounds; round++) {
        for (const t of targets) {
          const measured = await drive(t.url, t.headers, concurrency, Math.ceil(requests / rounds));
          samples.set(t.target, [...(samples.get(t.target) ?? []), measured]);
        }
      }
      for (const t of targets) {
        const merged = merge(samples.get(t.target) ?? []);
        results.push({ target: t.target, concurrency, ...merged });
        log(
          `  ${t.target} ×${concurrency}: ${merged.perSecond.toFixed(0)}/s p99 ${merged.p99Ms.toFixed(2)} ms`,
        );
      }
    }
    return results;
  } finally {
    floor.kill('SIGTERM');
    stack.kill('SIGINT');
    await new Promise((resolve) => stack.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
