import * as z from 'zod';
import { defaultApiThrottle } from '../definitions/throttle';
import { localDataDir } from './data-dir';
import { type LocalStack, startLocalStack } from './stack';

/**
 * `npm start`: the whole backend on this machine, no Docker, no network. One line per service, then the
 * URL; a clear message and exit 1 instead of a hang when something cannot start; Ctrl-C stops it all.
 */
const settings = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DYNAMODB_PORT: z.coerce.number().int().min(1).max(65535).default(8000),
    S3_PORT: z.coerce.number().int().min(1).max(65535).default(4569),
    SFN_PORT: z.coerce.number().int().min(1).max(65535).default(8083),
    CLOCK_SPEED: z.coerce.number().positive().max(1e9).default(1),
    /** `off` lifts the stage's throttle, e.g. to measure the gateway itself (`npm run bench`). */
    API_THROTTLE: z.enum(['on', 'off']).default('on'),
  })
  .safeParse(process.env);
if (!settings.success) {
  for (const issue of settings.error.issues)
    process.stderr.write(`error: ${issue.path.join('.')}: ${issue.message}\n`);
  process.exit(1);
}

// The SDK versions are pinned for Node 20 here; Lambda runs Node 22. Its notice would only add noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const started = Date.now();
const log = (line: string) => process.stdout.write(`${line}\n`);
let stack: LocalStack | undefined;
let stopping = false;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`\n${signal}: stopping…`);
  await stack?.stop();
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  const dataDir = localDataDir();
  stack = await startLocalStack({
    port: settings.data.PORT,
    dynamoDbPort: settings.data.DYNAMODB_PORT,
    s3Port: settings.data.S3_PORT,
    stepFunctionsPort: settings.data.SFN_PORT,
    clockSpeed: settings.data.CLOCK_SPEED,
    dataDir,
    persistent: true,
    // The deployed stage's limits: a client that floods the local API meets the same 429 as in AWS.
    ...(settings.data.API_THROTTLE === 'on' ? { throttle: defaultApiThrottle } : {}),
    onReady: (service, detail) => log(`${service.padEnd(14)}${detail}`),
    // The stack has already stopped itself (a stand-in died for good): one line, exit 1.
    onFatal: (error) => {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(1);
    },
  });
  log(
    `OneWindow is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${stack.url}  (data in ${dataDir}; Ctrl-C stops)`,
  );
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
