import { caseDelta } from '../cases/case-layout';
import { type CaseStore, StaleCase } from '../cases/case-store';
import { recomputeCaseDeadlines } from '../domain/calendar/recompute-deadlines';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import type { TrailActor } from '../domain/cases/trail';
import { logger } from '../shared/logger';

/**
 * After a holiday schedule is loaded: every open case (sparse `open` index) is read, its processing
 * clock derived again under the new calendar, and a case whose clock moved is saved at the trail head
 * read with one `recompute-deadlines` trail event, and its workflow is woken to plan its alerts again
 * (a deadline may now fall earlier than the instant it sleeps to). A case changed meanwhile by someone
 * else is read again (up to `maxRetries` times). Cases are processed a few at a time; one failing case
 * does not stop the rest and is counted (loading the same schedule again retries it: unchanged cases
 * cost a read only).
 */
export interface RecomputeSummary {
  /** Open cases read. */
  examined: number;
  /** Cases saved with new due dates. */
  changed: number;
  /** Cases that could not be recomputed (logged with their id). */
  failed: number;
}

export interface RecomputeDeps {
  openCaseIds: () => AsyncIterable<string>;
  /** The head is all a recompute reads and writes (the clock, the due dates and their index keys). */
  cases: Pick<CaseStore, 'getCaseHead' | 'write'>;
  now: () => number;
  /** Wakes the case's workflow: its timer plans again from the new deadlines. */
  wakeWorkflow: (caseId: string) => Promise<void>;
  concurrency?: number;
  maxRetries?: number;
}

export async function recomputeOpenDeadlines(
  deps: RecomputeDeps,
  calendar: WorkingDayCalendar,
  actor: TrailActor,
): Promise<RecomputeSummary> {
  const { cases, now, concurrency = 8, maxRetries = 3 } = deps;
  const summary: RecomputeSummary = { examined: 0, changed: 0, failed: 0 };

  const recomputeOne = async (caseId: string): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      const record = await cases.getCaseHead(caseId);
      if (!record) return false;
      const recomputed = recomputeCaseDeadlines(calendar, record, actor, new Date(now()).toISOString());
      if (!recomputed) return false;
      try {
        const delta = caseDelta(record, recomputed.next);
        await cases.write({
          caseId,
          delta,
          event: recomputed.event,
          expectedTrailSeq: record.trailHead.seq,
        });
      } catch (error) {
        if (error instanceof StaleCase && attempt < maxRetries) continue;
        throw error;
      }
      try {
        await deps.wakeWorkflow(caseId);
      } catch (error) {
        // Saved: the workflow plans from the new deadlines at its next wake (a step or its timeout).
        logger.warn('workflow not woken after a recompute', { caseId, error: error as Error });
      }
      return true;
    }
  };

  // Workers pull ids from one iterator (an async generator queues concurrent `next` calls).
  const ids = deps.openCaseIds()[Symbol.asyncIterator]();
  const worker = async () => {
    for (let item = await ids.next(); !item.done; item = await ids.next()) {
      summary.examined++;
      try {
        if (await recomputeOne(item.value)) summary.changed++;
      } catch (error) {
        summary.failed++;
        logger.error('deadline recompute failed', { caseId: item.value, error: error as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return summary;
}
