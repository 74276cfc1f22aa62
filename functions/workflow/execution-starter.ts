import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/**
 * Starts the lifecycle execution of a case, named by the case id so that it starts once: a second start
 * of a running case is answered `already-running` and changes nothing.
 */
export type StartOutcome = 'started' | 'already-running';

export interface ExecutionStarter {
  start(caseId: string): Promise<StartOutcome>;
}

export function stepFunctionsExecutionStarter(client: SFNClient, stateMachineArn: string): ExecutionStarter {
  return {
    async start(caseId) {
      try {
        await client.send(
          new StartExecutionCommand({ stateMachineArn, name: caseId, input: JSON.stringify({ caseId }) }),
        );
        return 'started';
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return 'already-running';
        throw error;
      }
    },
  };
}
