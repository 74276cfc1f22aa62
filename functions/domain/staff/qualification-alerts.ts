import type { AlertAudience, AlertKind, AlertLevel } from '../cases/alerts';
import { type Qualification, qualificationState, type StaffProfile } from './staff';

/**
 * The alerts a clerk's qualifications (上岗资格) call for on `today` (a Shanghai date): yellow from 30 days
 * before one ends, so the department's chief representative can reassess in time, and red once it has
 * ended without renewal (the clerk can no longer take up that department's matters). Ids carry the end
 * date: a renewal is a new end, so its alerts are new and the old ones are resolved.
 */
export interface PlannedStaffAlert {
  alertId: string;
  kind: AlertKind;
  level: AlertLevel;
  audience: AlertAudience;
  departmentId: string;
  windowId: string;
  /** The qualification's last valid day. */
  dueDate: string;
  detail: string;
}

export function plannedQualificationAlerts(
  profile: Pick<StaffProfile, 'role' | 'windowId' | 'active'>,
  qualifications: readonly Qualification[],
  today: string,
): PlannedStaffAlert[] {
  if (profile.role !== 'clerk' || !profile.active || !profile.windowId) return [];
  const windowId = profile.windowId;
  return qualifications.flatMap((q): PlannedStaffAlert[] => {
    const state = qualificationState(q, today);
    if (state !== 'expiring' && state !== 'expired') return [];
    const expiring = state === 'expiring';
    const kind: AlertKind = expiring ? 'qualification-expiring' : 'qualification-expired';
    return [
      {
        alertId: `${kind}#${q.departmentId}#${q.validUntil}`,
        kind,
        level: expiring ? 'yellow' : 'red',
        audience: 'chief',
        departmentId: q.departmentId,
        windowId,
        dueDate: q.validUntil,
        detail: expiring
          ? `上岗资格有效期至 ${q.validUntil},请在到期前完成复核考核`
          : `上岗资格已于 ${q.validUntil} 到期`,
      },
    ];
  });
}
