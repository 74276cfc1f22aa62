import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { CaseWorkflowStore } from '../../functions/workflow/case-workflow-store';

/**
 * Resuming a case's workflow (operator command `resume`): an open case whose execution ended (failed,
 * aborted, or stopped by hand) gets a new one. Executions are named by the case (`<id>`, then `<id>-g2`,
 * `-g3`… as in the one-year renewal), and a Standard execution's name cannot be reused for 90 days, so the
 * new one takes the next generation's name. It reads the phase and the deadlines from the case when it
 * starts, so it resumes where the case stands.
 */
export interface ResumeDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  workflow: Pick<CaseWorkflowStore, 'loadPosition'>;
}

export type ResumePlan =
  | { caseId: string; action: 'start'; phase: string; executionName: string; previous?: string }
  | { caseId: string; action: 'nothing'; reason: string };

/** Generations looked at before giving up (a case renews once a year). */
const maxGenerations = 100;

const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** What `resume` would do for the case, without changing anything. */
export async function planResume(deps: ResumeDeps, caseId: string): Promise<ResumePlan> {
  let phase: string;
  try {
    ({ phase } = await deps.workflow.loadPosition(caseId));
  } catch (error) {
    if ((error as Error).name === 'CaseNotFound')
      return { caseId, action: 'nothing', reason: 'no such case' };
    throw error;
  }
  if (phase === 'closed') return { caseId, action: 'nothing', reason: 'the case is closed (办结)' };
  let last: string | undefined;
  for (let generation = 1; generation <= maxGenerations; generation++) {
    const name = generation === 1 ? caseId : `${caseId}-g${generation}`;
    try {
      const { status } = await deps.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(deps.stateMachineArn, name) }),
      );
      if (status === 'RUNNING')
        return { caseId, action: 'nothing', reason: `its execution ${name} is running` };
      last = name;
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
      return { caseId, action: 'start', phase, executionName: name, ...(last ? { previous: last } : {}) };
    }
  }
  return { caseId, action: 'nothing', reason: `more than ${maxGenerations} executions: look at it by hand` };
}

/** Starts the execution the plan names; a start that meets a running one of that name changes nothing. */
export async function carryOutResume(
  deps: ResumeDeps,
  plan: ResumePlan & { action: 'start' },
): Promise<string> {
  const { executionArn } = await deps.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: deps.stateMachineArn,
      name: plan.executionName,
      input: JSON.stringify({ caseId: plan.caseId }),
    }),
  );
  return executionArn ?? executionArnOf(deps.stateMachineArn, plan.executionName);
}

export function describePlan(plan: ResumePlan): string {
  return plan.action === 'start'
    ? `case ${plan.caseId} (phase ${plan.phase}): start execution ${plan.executionName}${plan.previous ? ` (the last, ${plan.previous}, has ended)` : ''}`
    : `case ${plan.caseId}: nothing to do, ${plan.reason}`;
}
