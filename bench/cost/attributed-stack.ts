import type { LocalStack } from '../../infra/local/stack';
import { type Origin, originStore } from './meter';

/**
 * The whole local stack in this process for a cost run, on a temporary data folder and a clock of the
 * given speed. Each stand-in server serves in the async context it started listening in, which names the
 * Lambda behind every SDK request it causes (the runner invokes case-workflow, the stream pollers
 * workflow-starter, the gateway the API functions). The caller marks its own context as the bench's
 * after the await (`originStore.enterWith('bench')`): a context entered in here would not outlive it.
 */
export async function startAttributedStack(options: {
  dataDir: string;
  clockSpeed: number;
  stage: string;
}): Promise<LocalStack> {
  const { startLocalStack } = await import('../../infra/local/stack');
  const enter = (origin: Origin) => originStore.enterWith(origin);
  const stack = await startLocalStack({
    port: 0,
    dynamoDbPort: 0,
    s3Port: 0,
    stepFunctionsPort: 0,
    dataDir: options.dataDir,
    persistent: false,
    clockSpeed: options.clockSpeed,
    stage: options.stage,
    onReady: (service) => {
      if (service === 's3') enter('case-workflow');
      if (service === 'stepfunctions') enter('workflow-starter');
      if (service === 'workflow') enter('api');
    },
  });
  return stack;
}
