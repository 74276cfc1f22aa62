import { documentClient } from '../shared/clients/dynamodb';
import { clock } from '../shared/clock';
import { logger } from '../shared/logger';
import { flushMetrics } from '../shared/metrics';
import { tableName } from '../shared/resources';
import { checkQualificationAlerts, dynamoStaffAlertStore } from './qualification-alerts';
import { dynamoStaffStore } from './staff-store';

const staff = dynamoStaffStore(documentClient, tableName('catalogue'));
const alerts = dynamoStaffAlertStore(documentClient, tableName('cases'));

/** Daily (EventBridge Scheduler; the local stack's scheduler): the clerks' qualification alerts. */
export const handler = async () => {
  try {
    const outcome = await checkQualificationAlerts({ staff, alerts, now: clock.now });
    logger.info('qualification alerts', outcome);
    return outcome;
  } finally {
    flushMetrics();
  }
};
