import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { WorkflowSteps } from '../cases/case-context';
import type { CaseStore } from '../cases/case-store';

/**
 * Hands a human step's task token back to Step Functions: the next sleep, or for a closed case the end
 * of the execution (SendTaskFailure `CaseClosed`, which the state machine catches as 办结). A token that is no longer waited on (the
 * execution moved on, ended, or was restarted with a new token) is no error: the case was written
 * first and the workflow reads the phase from it.
 */
export function stepFunctionsWorkflowSteps(client: SFNClient): WorkflowSteps {
  return {
    async complete(taskToken, output) {
      // The task waits again for this many seconds: a wrong value would fail the execution for good.
      if (
        !Number.isInteger(output.sleepSeconds) ||
        output.sleepSeconds < 1 ||
        output.sleepSeconds > 99_999_999
      )
        throw new RangeError(
          `sleepSeconds must be a whole number from 1 to 99999999: ${output.sleepSeconds}`,
        );
      try {
        // A closed case ends the execution at once (CaseClosed is caught as closure): no task to start.
        if (output.closed)
          await client.send(
            new SendTaskFailureCommand({
              taskToken,
              error: 'CaseClosed',
              cause: 'The case is closed (办结 or ended).',
            }),
          );
        else await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      } catch (error) {
        if (
          error instanceof TaskDoesNotExist ||
          error instanceof InvalidToken ||
          error instanceof TaskTimedOut
        )
          return;
        throw error;
      }
    },
  };
}

/**
 * Wakes the workflow of a case so that its timer reads the case again: a recomputed deadline may now
 * fall before the instant the workflow sleeps to. The task waits again for a second, then the timer runs.
 */
export function workflowWaker(cases: Pick<CaseStore, 'getTaskToken'>, steps: WorkflowSteps) {
  return async (caseId: string): Promise<void> => {
    const waiting = await cases.getTaskToken(caseId);
    if (waiting) await steps.complete(waiting.taskToken, { sleepSeconds: 1 });
  };
}
