import { logger } from '../shared/logger';
import { flushMetrics } from '../shared/metrics';
import type { CaseWorkflowStore } from './case-workflow-store';
import type { caseWorkflowTasks } from './case-workflow-tasks';
import { invalidTaskInput } from './errors';
import { workflowTaskInput } from './task-input';

/**
 * Dispatches a task state's payload to its task. A malformed input fails the task with
 * InvalidTaskInput; the state machine turns any permanent failure into the case's attention state.
 */
export function createWorkflowTaskHandler(
  store: Pick<CaseWorkflowStore, 'loadPosition'>,
  tasks: ReturnType<typeof caseWorkflowTasks>,
) {
  return async (event: unknown): Promise<unknown> => {
    const parsed = workflowTaskInput.safeParse(event);
    if (!parsed.success)
      throw invalidTaskInput(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const input = parsed.data;
    logger.appendKeys({ caseId: input.caseId, action: input.action });
    try {
      switch (input.action) {
        case 'loadCase':
          return await store.loadPosition(input.caseId);
        case 'awaitStep':
          return await tasks.awaitStep(
            input.caseId,
            input.taskToken,
            input.sleepSeconds,
            input.executionStartedAt,
          );
        case 'tick':
          return await tasks.tick(input.caseId, input.execution);
        case 'markAttention':
          return await tasks.markAttention(input.caseId, input.error);
      }
    } finally {
      logger.resetKeys();
      flushMetrics();
    }
  };
}
