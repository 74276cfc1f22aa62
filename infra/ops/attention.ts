import type { CaseStore } from '../../functions/cases/case-store';

/**
 * Cases in attention (operator command `attention`): the workflow failed permanently and flagged the case
 * for the centre admin with a red `workflow-failed` alert; the reason is on the case. Active alerts only
 * (the centre's red alert list, one index query a page).
 */
export interface CaseInAttention {
  caseId: string;
  caseNumber?: string;
  matterCode: string;
  raisedAt: string;
  reason?: string;
}

export async function casesInAttention(
  cases: Pick<CaseStore, 'listAlerts' | 'getCaseHead'>,
): Promise<CaseInAttention[]> {
  const found: CaseInAttention[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await cases.listAlerts({ kind: 'centre' }, 'red', 100, cursor);
    for (const alert of page.items) {
      if (alert.kind !== 'workflow-failed' || alert.status !== 'active' || !alert.caseId) continue;
      const head = await cases.getCaseHead(alert.caseId);
      found.push({
        caseId: alert.caseId,
        ...(alert.caseNumber ? { caseNumber: alert.caseNumber } : {}),
        matterCode: alert.matterCode ?? '-',
        raisedAt: alert.raisedAt,
        ...(head?.attention ? { reason: head.attention.reason } : {}),
      });
    }
    cursor = page.lastKey;
  } while (cursor);
  return found;
}
