import { dynamoScheduleStore } from '../calendar/schedule-store';
import { dynamoCaseStore } from '../cases/case-store';
import { catalogueMatterDetails } from '../cases/matter-details';
import { documentClient } from '../shared/clients/dynamodb';
import { clock } from '../shared/clock';
import { logger } from '../shared/logger';
import { flushMetrics } from '../shared/metrics';
import { tableName } from '../shared/resources';
import { checkOperations, recordOperationsFigures } from './operations-check';

// Reads alerts only: the idempotency table is never touched (and not granted).
const cases = dynamoCaseStore(
  documentClient,
  { cases: tableName('cases'), idempotency: '' },
  catalogueMatterDetails(documentClient, tableName('catalogue')),
);
const schedules = dynamoScheduleStore(documentClient, tableName('catalogue'));

/** The hourly operations check (EventBridge Scheduler): the figures the on-call alarms watch. */
export const handler = async (): Promise<void> => {
  try {
    const figures = await checkOperations({ cases, schedules, now: clock.now });
    recordOperationsFigures(figures);
    logger.info('operations check', { ...figures });
  } finally {
    flushMetrics();
  }
};
