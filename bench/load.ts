import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { repoRoot } from '../infra/definitions/asl';
import { type LocalIssuer, openLocalIssuer } from '../infra/local/issuer';

/**
 * What the intake, peak and worklist benchmarks share: the local stack in a child process (DynamoDB
 * Local in memory), a lean HTTP client over keep-alive sockets (the load generator must cost the
 * machine less than what it measures), latency statistics and progress lines.
 */

export interface Stats {
  count: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

export function stats(latencies: number[], seconds: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
  };
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** Runs `total` tasks on `concurrency` workers (each a client doing one task after another); each task's duration is kept. */
export async function runWorkers(
  concurrency: number,
  total: number,
  task: (index: number, worker: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async (_, worker) => {
      while (next < total) {
        const index = next++;
        const t = performance.now();
        await task(index, worker);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** A line every `everyMs` while a long step runs; `stop()` ends it. */
export function progress(log: (line: string) => void, everyMs: number, line: () => string) {
  const started = performance.now();
  const timer = setInterval(
    () => log(`    … ${((performance.now() - started) / 1000).toFixed(0)} s: ${line()}`),
    everyMs,
  );
  return { stop: () => clearInterval(timer) };
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API, read field by field.
  body: any;
  /** From the moment the request had a connection to the end of the answer (no wait for a socket). */
  ms: number;
}

/** JSON over node:http with a keep-alive agent: cheaper per request than fetch for a load generator. */
export function httpClient(baseUrl: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const base = new URL(baseUrl);
  type Options = { token?: string; body?: unknown; headers?: Record<string, string>; raw?: Buffer };
  const request = (
    method: string,
    target: string,
    options: Options = {},
    retried = false,
  ): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const url = new URL(target, base);
      const payload =
        options.raw ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path: `${url.pathname}${url.search}`,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(payload && !options.raw ? { 'content-type': 'application/json' } : {}),
            ...(payload ? { 'content-length': String(payload.byteLength) } : {}),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (text && /json/.test(String(res.headers['content-type']))) {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body,
              ms: performance.now() - onSocketAt,
            });
          });
          res.on('error', reject);
        },
      );
      let onSocketAt = performance.now();
      req.once('socket', () => {
        onSocketAt = performance.now();
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just as it was reused: the request never reached it
        // (Node's documented case for one retry).
        if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
          request(method, target, options, true).then(resolve, reject);
        } else reject(error);
      });
      req.end(payload);
    });
  return { request, close: () => agent.destroy() };
}

export type HttpClient = ReturnType<typeof httpClient>;

export interface BenchStack {
  url: string;
  env: Record<string, string>;
  dataDir: string;
  issuer: LocalIssuer;
  documents: DynamoDBDocumentClient;
  sfn: SFNClient;
  tables: { cases: string; idempotency: string; catalogue: string };
  stopStreams(): Promise<void>;
  startStreams(): Promise<void>;
  readonly stderr: string;
  stop(): Promise<void>;
}

/** The local stack in a child process (see stack-process.ts), with SDK clients on its stand-ins. */
export async function startBenchStack(
  settings: {
    rateLimit?: number;
    burstLimit?: number;
    maxInFlight?: number;
    /** For the JVM of DynamoDB Local (JAVA_TOOL_OPTIONS of the stack process only). */
    javaOptions?: string;
    nodeArgs?: string[];
  } = {},
): Promise<BenchStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-bench-stack-'));
  // `nodeArgs`, e.g. ['--cpu-prof'] to see where the stack's time goes.
  const args = [...(settings.nodeArgs ?? []), '--import', 'tsx', 'bench/stack-process.ts'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      BENCH_DATA_DIR: dataDir,
      LOG_LEVEL: 'ERROR',
      ...(settings.rateLimit ? { BENCH_RATE_LIMIT: String(settings.rateLimit) } : {}),
      ...(settings.burstLimit ? { BENCH_BURST_LIMIT: String(settings.burstLimit) } : {}),
      ...(settings.maxInFlight ? { BENCH_MAX_IN_FLIGHT: String(settings.maxInFlight) } : {}),
      ...(settings.javaOptions ? { JAVA_TOOL_OPTIONS: settings.javaOptions } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const ready = await new Promise<{ url: string; env: Record<string, string> }>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`bench stack did not start: ${stderr}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => l.startsWith('{'));
      if (line && seen.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench stack exited with ${code}: ${stderr}`));
    });
  });
  /** A command to the stack process (see stack-process.ts), resolved when it answers `done`. */
  const command = (line: string, done: string) =>
    new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes(done)) {
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stdin?.write(`${line}\n`);
    });
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const region = ready.env.AWS_REGION ?? 'cn-north-1';
  const dynamo = new DynamoDBClient({
    endpoint: ready.env.AWS_ENDPOINT_URL_DYNAMODB,
    region,
    credentials,
    maxAttempts: 3,
  });
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const sfn = new SFNClient({ endpoint: ready.env.AWS_ENDPOINT_URL_SFN, region, credentials });
  return {
    url: ready.url,
    env: ready.env,
    dataDir,
    issuer: await openLocalIssuer(dataDir),
    documents,
    sfn,
    tables: {
      cases: ready.env.CASES_TABLE as string,
      idempotency: ready.env.IDEMPOTENCY_TABLE as string,
      catalogue: ready.env.CATALOGUE_TABLE as string,
    },
    /** Stops the stack's stream consumers (the workflow starter, the pipes); resolves when they are. */
    stopStreams: () => command('stop-streams', 'streams stopped'),
    /** Starts them again, from the latest record of each shard. */
    startStreams: () => command('start-streams', 'streams started'),
    /** The stack's stderr so far (handler errors, the gateway's 500s). */
    get stderr() {
      return stderr;
    },
    async stop() {
      documents.destroy();
      sfn.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  } as BenchStack;
}
