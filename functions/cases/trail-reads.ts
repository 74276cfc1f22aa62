import { maySeePersonalData } from '../domain/cases/access';
import { type TrailEvent, verifyChain } from '../domain/cases/trail';
import type { Principal } from '../domain/principal';
import { type CaseContext, personalFields } from './case-context';

/** Reading and verifying a case's trail (全过程留痕); personal values masked for whoever may not see them. */
export function trailReads(ctx: CaseContext) {
  const { cases, readable } = ctx;
  return {
    async trail(principal: Principal, caseId: string): Promise<TrailEvent[]> {
      const record = await readable(principal, caseId);
      const events = await cases.trail(caseId);
      if (maySeePersonalData(principal, record)) return events;
      return events.map((event) => ({
        ...event,
        changes: event.changes.map((c) =>
          personalFields.test(c.field)
            ? {
                field: c.field,
                ...(c.old === undefined ? {} : { old: '***' }),
                ...(c.new === undefined ? {} : { new: '***' }),
              }
            : c,
        ),
      }));
    },

    async verifyTrail(principal: Principal, caseId: string) {
      await readable(principal, caseId);
      return verifyChain(await cases.trail(caseId));
    },
  };
}
