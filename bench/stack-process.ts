import { startLocalStack } from '../infra/local/stack';

/**
 * The local stack for the intake, peak and worklist benchmarks, in its own process so that the load
 * generator (the bench) does not share an event loop with the gateway and handlers it measures. DynamoDB
 * Local runs in memory. Settings come from the environment; one JSON line on stdout says where
 * everything is, then the process runs until SIGINT/SIGTERM.
 *
 * Commands on stdin, one a line, each answered by a line on stdout:
 *   stop-streams   the stream consumers (workflow starter, pipes) stop: they poll DynamoDB Local in
 *                  this process, so while they read back a burst of intake records or a bulk load of
 *                  setup data they take CPU from DynamoDB Local and the handlers (in AWS they read the
 *                  stream outside the table's capacity and the functions' CPUs)
 *   start-streams  they start again, from the latest record of each shard, as the stack starts them
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir) throw new Error('BENCH_DATA_DIR is required');
const optional = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const rateLimit = optional('BENCH_RATE_LIMIT');
const burstLimit = optional('BENCH_BURST_LIMIT');
const maxInFlight = optional('BENCH_MAX_IN_FLIGHT');
const stage = 'bench';

const stack = await startLocalStack({
  port: 0,
  dynamoDbPort: 0,
  s3Port: 0,
  stepFunctionsPort: 0,
  dataDir,
  persistent: false,
  clockSpeed: 1,
  stage,
  ...(rateLimit && burstLimit ? { throttle: { rateLimit, burstLimit } } : {}),
  ...(maxInFlight ? { maxInFlight } : {}),
});
process.stdout.write(`${JSON.stringify({ url: stack.url, env: stack.env })}\n`);

let input = '';
let queue = Promise.resolve();
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  const lines = input.split('\n');
  input = lines.pop() ?? '';
  for (const command of lines) {
    queue = queue.then(async () => {
      if (command === 'stop-streams') {
        await stack.pauseStreams();
        process.stdout.write('streams stopped\n');
      } else if (command === 'start-streams') {
        await stack.resumeStreams();
        process.stdout.write('streams started\n');
      }
    });
  }
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
