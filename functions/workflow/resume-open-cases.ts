import type { CaseWorkflowStore } from './case-workflow-store';
import type { ExecutionStarter } from './execution-starter';

/**
 * Starts an execution for every case whose workflow should be running. Each execution reads the phase
 * stored on its case first, so it resumes where the case stands; a case that already has a running
 * execution is left alone. Used when the local stack restarts (its executions lived in memory).
 */
export interface ResumeSummary {
  started: number;
  alreadyRunning: number;
  failed: { caseId: string; reason: string }[];
}

export async function resumeOpenCases(
  store: Pick<CaseWorkflowStore, 'listOpenCaseIds'>,
  starter: ExecutionStarter,
): Promise<ResumeSummary> {
  const summary: ResumeSummary = { started: 0, alreadyRunning: 0, failed: [] };
  for await (const caseId of store.listOpenCaseIds()) {
    try {
      const outcome = await starter.start(caseId);
      if (outcome === 'started') summary.started++;
      else summary.alreadyRunning++;
    } catch (error) {
      summary.failed.push({ caseId, reason: error instanceof Error ? error.name : String(error) });
    }
  }
  return summary;
}
