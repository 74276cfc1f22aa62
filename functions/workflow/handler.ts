import { documentClient } from '../shared/clients/dynamodb';
import { clock } from '../shared/clock';
import { logger } from '../shared/logger';
import { tableName } from '../shared/resources';
import { dynamoCaseWorkflowStore } from './case-workflow-store';
import { invalidTaskInput } from './errors';
import { workflowTaskInput } from './task-input';

const store = dynamoCaseWorkflowStore(documentClient, tableName('cases'));

/**
 * Task states of the case lifecycle. A malformed input fails the execution with InvalidTaskInput
 * instead of looping: the state machine has no Catch for it.
 */
export async function handler(event: unknown): Promise<unknown> {
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
        await store.storeTaskToken(
          input.caseId,
          input.phase,
          input.taskToken,
          new Date(clock.now()).toISOString(),
        );
        return { stored: true };
    }
  } finally {
    logger.resetKeys();
  }
}
