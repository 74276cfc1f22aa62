import { maySeePersonalData } from '../domain/cases/access';
import { maskTrailEvent } from '../domain/cases/personal-data';
import { type TrailEvent, verifyChain } from '../domain/cases/trail';
import type { Principal } from '../domain/principal';
import type { CaseContext } from './case-context';

/** Reading and verifying a case's trail (全过程留痕); personal values masked for whoever may not see them. */
export function trailReads(ctx: CaseContext) {
  const { cases, readable } = ctx;
  return {
    async trail(principal: Principal, caseId: string): Promise<TrailEvent[]> {
      const record = await readable(principal, caseId);
      const events = await cases.trail(caseId);
      return maySeePersonalData(principal, record) ? events : events.map(maskTrailEvent);
    },

    async verifyTrail(principal: Principal, caseId: string) {
      await readable(principal, caseId);
      return verifyChain(await cases.trail(caseId));
    },
  };
}
