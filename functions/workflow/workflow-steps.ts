import {
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { WorkflowSteps } from '../cases/case-context';

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
