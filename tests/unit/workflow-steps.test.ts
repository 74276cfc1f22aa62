import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { stepFunctionsWorkflowSteps } from '../../functions/workflow/workflow-steps';

// Nothing listens on port 9 of loopback: a request that got as far as the network would fail otherwise.
const client = new SFNClient({
  endpoint: 'http://127.0.0.1:9',
  region: 'cn-north-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});
afterAll(() => client.destroy());

describe('handing a step back to the workflow', () => {
  it('never sends a sleep the task could not wait for (it would fail the execution beyond any Catch)', async () => {
    const steps = stepFunctionsWorkflowSteps(client);
    for (const sleepSeconds of [0, -5, 1.5, 100_000_000, Number.NaN]) {
      await expect(steps.complete('token', { sleepSeconds })).rejects.toBeInstanceOf(RangeError);
    }
    // A valid sleep goes to Step Functions (here: nobody answers).
    await expect(steps.complete('token', { sleepSeconds: 1 })).rejects.not.toBeInstanceOf(RangeError);
  });
});
