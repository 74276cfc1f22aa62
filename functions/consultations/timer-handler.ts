import { logger } from '../shared/logger';
import { flushMetrics } from '../shared/metrics';
import { consultationDeps } from './deps';
import { consultationUseCases } from './use-cases';

const consultations = consultationUseCases(consultationDeps);

/** Every few minutes (EventBridge Scheduler; the local stack's scheduler): the consultations' due alerts. */
export const handler = async (): Promise<{ examined: number; raised: number; skipped: number }> => {
  try {
    const outcome = await consultations.raiseDueAlerts();
    if (outcome.examined > 0) logger.info('consultation alerts', outcome);
    return outcome;
  } finally {
    flushMetrics();
  }
};
