import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type AlertItem, alertRaise, alertResolution } from '../cases/case-store';
import { shanghaiDate } from '../domain/calendar-date';
import { plannedQualificationAlerts } from '../domain/staff/qualification-alerts';
import { alertMetricName, countMetric } from '../shared/metrics';
import type { StaffStore } from './staff-store';

/**
 * The daily check of the clerks' qualifications (上岗资格): alerts in the cases table's alert lists (the
 * window's, the department's and the centre's), under `STAFF#<userId>` / `ALERT#<alertId>`, raised when a
 * qualification enters its last 30 days or ends, resolved when it is renewed or revoked or the clerk
 * leaves.
 */
export interface StaffAlertStore {
  activeAlerts(userId: string): Promise<AlertItem[]>;
  change(userId: string, raise: AlertItem[], resolve: string[], at: string): Promise<void>;
}

export function dynamoStaffAlertStore(client: DynamoDBDocumentClient, casesTable: string): StaffAlertStore {
  const pk = (userId: string) => `STAFF#${userId}`;
  return {
    async activeAlerts(userId) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: casesTable,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alert)',
          FilterExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': pk(userId), ':alert': 'ALERT#', ':active': 'active' },
          ConsistentRead: true,
        }),
      );
      return Items.map((item) => ({ ...(item as AlertItem), userId }));
    },
    async change(userId, raise, resolve, at) {
      if (raise.length === 0 && resolve.length === 0) return;
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...raise.map((alert) => alertRaise(casesTable, pk(userId), alert)),
            ...resolve.map((alertId) => alertResolution(casesTable, pk(userId), alertId, at)),
          ],
        }),
      );
      for (const alert of raise) countMetric(alertMetricName(alert.kind, alert.level));
    },
  };
}

export async function checkQualificationAlerts(deps: {
  staff: Pick<StaffStore, 'listProfiles' | 'standing'>;
  alerts: StaffAlertStore;
  now: () => number;
}): Promise<{ clerks: number; raised: number; resolved: number }> {
  const at = new Date(deps.now()).toISOString();
  const today = shanghaiDate(deps.now());
  let clerks = 0;
  let raised = 0;
  let resolved = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await deps.staff.listProfiles({}, 100, cursor);
    for (const profile of page.items) {
      if (profile.role !== 'clerk') continue;
      clerks++;
      const { qualifications } = await deps.staff.standing(profile.userId);
      const planned = plannedQualificationAlerts(profile, qualifications, today);
      const active = await deps.alerts.activeAlerts(profile.userId);
      const activeIds = new Set(active.map((a) => a.alertId));
      const plannedIds = new Set(planned.map((p) => p.alertId));
      const raise: AlertItem[] = planned
        .filter((p) => !activeIds.has(p.alertId))
        .map((p) => ({
          alertId: p.alertId,
          userId: profile.userId,
          windowId: p.windowId,
          departmentId: p.departmentId,
          kind: p.kind,
          level: p.level,
          audience: p.audience,
          dueDate: p.dueDate,
          raisedAt: at,
          status: 'active',
          detail: `${profile.name}:${p.detail}`,
        }));
      const resolve = active.filter((a) => !plannedIds.has(a.alertId)).map((a) => a.alertId);
      await deps.alerts.change(profile.userId, raise, resolve, at);
      raised += raise.length;
      resolved += resolve.length;
    }
    cursor = page.lastKey;
  } while (cursor);
  return { clerks, raised, resolved };
}
