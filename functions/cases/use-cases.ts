import { alertReads } from './alert-reads';
import { backOfficeSteps } from './back-office';
import { type CaseDeps, caseContext } from './case-context';
import { frontDeskDecisions } from './decisions';
import { intakeUseCases } from './intake';
import { trailReads } from './trail-reads';

export type { CaseDeps } from './case-context';

/**
 * Intake and acceptance at the front desk (前台综合受理): one pipeline for the portal and the counter.
 * Every change writes the case at the version read and its chained trail event in one transaction.
 */
export function caseUseCases(deps: CaseDeps) {
  const ctx = caseContext(deps);
  return {
    view: ctx.view,
    ...intakeUseCases(ctx),
    ...frontDeskDecisions(ctx),
    ...trailReads(ctx),
    backOffice: backOfficeSteps(ctx),
    ...alertReads(ctx),
  };
}

export type CaseUseCases = ReturnType<typeof caseUseCases>;
