import {
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { WorkflowSteps } from '../cases/case-context';
import type { CaseStore } from '../cases/case-store';

/**
 * Hands a human step's task token back to Step Functions. A token that is no longer waited on (the
 * execution moved on, ended, or was restarted with a new token) is no error: the case was written
 * first and the workflow reads the phase from it.
 */
export function stepFunctionsWorkflowSteps(client: SFNClient): WorkflowSteps {
  return {
    async complete(taskToken, output) {
      try {
        await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
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
 * Wakes the workflow of a case so that its timer reads the case again at once: a recomputed deadline may
 * now fall before the instant the workflow sleeps to. The step's answer carries no sleep, so the
 * workflow runs its timer first (StepRoute's default).
 */
export function workflowWaker(cases: Pick<CaseStore, 'getTaskToken'>, steps: WorkflowSteps) {
  return async (caseId: string): Promise<void> => {
    const waiting = await cases.getTaskToken(caseId);
    if (waiting) await steps.complete(waiting.taskToken, {});
  };
}
