import type { CaseWorkflowStore } from './case-workflow-store';
import type { ExecutionStarter } from './execution-starter';

/**
 * Makes sure every case whose workflow should be running has a running execution. Each execution reads
 * the phase stored on its case first, so it resumes where the case stands; starting one that already
 * runs changes nothing. Used when the local stack restarts (its executions lived in memory).
 */
export interface ResumeSummary {
  running: number;
  /** Open cases whose execution name is already used by an ended execution: an operator must look. */
  nameTaken: string[];
  failed: { caseId: string; reason: string }[];
}

export async function resumeOpenCases(
  store: Pick<CaseWorkflowStore, 'listOpenCaseIds'>,
  starter: ExecutionStarter,
): Promise<ResumeSummary> {
  const summary: ResumeSummary = { running: 0, nameTaken: [], failed: [] };
  for await (const caseId of store.listOpenCaseIds()) {
    try {
      const outcome = await starter.start(caseId);
      if (outcome === 'running') summary.running++;
      else summary.nameTaken.push(caseId);
    } catch (error) {
      summary.failed.push({ caseId, reason: error instanceof Error ? error.name : String(error) });
    }
  }
  return summary;
}
