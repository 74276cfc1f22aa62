import * as z from 'zod';
import { type AlertPolicy, defaultAlertPolicy } from '../domain/cases/alerts';
import { parseEnv } from './env';

/** The centre's alert thresholds in working days, configurable per deployment (read once, fail fast). */
const workingDays = (fallback: number) => z.coerce.number().int().min(0).max(60).default(fallback);

export function alertPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): AlertPolicy {
  const parsed = parseEnv(
    z.object({
      ALERT_WARNING_WORKING_DAYS: workingDays(defaultAlertPolicy.warningWorkingDays),
      ALERT_ESCALATE_CHIEF_AFTER_WORKING_DAYS: workingDays(
        defaultAlertPolicy.escalateToChiefAfterWorkingDays,
      ),
      ALERT_ESCALATE_ADMIN_AFTER_WORKING_DAYS: workingDays(
        defaultAlertPolicy.escalateToAdminAfterWorkingDays,
      ),
      ALERT_RECEIPT_WORKING_DAYS: workingDays(defaultAlertPolicy.receiptWorkingDays),
      ALERT_UNCOLLECTED_WORKING_DAYS: workingDays(defaultAlertPolicy.uncollectedWorkingDays),
    }),
    env,
  );
  return {
    warningWorkingDays: parsed.ALERT_WARNING_WORKING_DAYS,
    escalateToChiefAfterWorkingDays: parsed.ALERT_ESCALATE_CHIEF_AFTER_WORKING_DAYS,
    escalateToAdminAfterWorkingDays: parsed.ALERT_ESCALATE_ADMIN_AFTER_WORKING_DAYS,
    receiptWorkingDays: Math.max(1, parsed.ALERT_RECEIPT_WORKING_DAYS),
    uncollectedWorkingDays: Math.max(1, parsed.ALERT_UNCOLLECTED_WORKING_DAYS),
  };
}
