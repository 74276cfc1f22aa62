import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/**
 * Starts the lifecycle execution of a case, named by the case id so that it runs once. Step Functions
 * answers a repeated start of a running execution (same name, same input) with that execution: both are
 * `running`. `name-taken` means an execution of that name has already ended (or had another input); a
 * Standard execution's name cannot be reused for 90 days, so resuming such a case needs an operator.
 */
export type StartOutcome = 'running' | 'name-taken';

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
        return 'running';
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return 'name-taken';
        throw error;
      }
    },
  };
}
