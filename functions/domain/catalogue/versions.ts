import type { FieldIssue } from '../../shared/errors';
import type { ServiceGuideContent } from './model';

/**
 * Published versions of a matter. A version is published with the date it takes effect (validFrom):
 * on or before today it becomes current at once; later, it is scheduled and the current one stays live
 * until that date. Every published version stays readable by number, because a case keeps the version it
 * was submitted under.
 */
export interface PublishedSnapshot {
  version: number;
  name: string;
  caseType: ServiceGuideContent['caseType'];
  type: ServiceGuideContent['type'];
  validFrom: string;
  publishedAt: string;
}

export interface VersionPointers {
  current?: PublishedSnapshot;
  scheduled?: PublishedSnapshot;
}

/** The version in effect on `today` (YYYY-MM-DD), if any has been published. */
export function effectiveVersion(pointers: VersionPointers, today: string): PublishedSnapshot | undefined {
  if (pointers.scheduled && pointers.scheduled.validFrom <= today) return pointers.scheduled;
  return pointers.current;
}

export type PublishPlan = { ok: true; pointers: VersionPointers } | { ok: false; issues: FieldIssue[] };

/** Where the pointers stand after publishing `snapshot`; a date before the version in effect is refused. */
export function planPublication(
  pointers: VersionPointers,
  snapshot: PublishedSnapshot,
  today: string,
): PublishPlan {
  const inEffect = effectiveVersion(pointers, today);
  if (inEffect && snapshot.validFrom < inEffect.validFrom) {
    return {
      ok: false,
      issues: [{ field: 'validFrom', message: `生效日期不得早于现行版本的生效日期 ${inEffect.validFrom}` }],
    };
  }
  if (snapshot.validFrom <= today) return { ok: true, pointers: { current: snapshot } };
  // A newer scheduled version replaces one still pending; the version in effect stays current until then.
  return { ok: true, pointers: { ...(inEffect ? { current: inEffect } : {}), scheduled: snapshot } };
}
