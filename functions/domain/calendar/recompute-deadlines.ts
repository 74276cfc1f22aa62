import type { CaseRecord } from '../cases/model';
import { type ProcessingClock, recomputeClock } from '../cases/processing-clock';
import { chainEvent, changesBetween, stepChannel, type TrailActor, type TrailEvent } from '../cases/trail';
import type { WorkingDayCalendar } from './working-days';

/**
 * A newly loaded holiday schedule and one open case: the case's processing clock derived again under the
 * new calendar and, when anything of it moved (a due date, the provisional mark, the working days a
 * closed pause consumed), the next record of the case and the trail event that records the old and new
 * values. Pure: the caller saves both in one transaction at the trail head it read.
 */
export const recomputeDeadlinesAction = 'recompute-deadlines';

export interface DeadlineRecomputation {
  next: CaseRecord;
  event: TrailEvent;
  before: ProcessingClock;
  after: ProcessingClock;
}

export function recomputeCaseDeadlines(
  calendar: WorkingDayCalendar,
  record: CaseRecord,
  actor: TrailActor,
  at: string,
): DeadlineRecomputation | undefined {
  if (!record.clock) return undefined;
  const before = record.clock;
  const after = recomputeClock(calendar, before);
  const changes = changesBetween({ clock: before }, { clock: after });
  if (changes.length === 0) return undefined;
  const event = chainEvent(
    {
      seq: record.trailHead.seq + 1,
      at,
      actor,
      channel: stepChannel(actor, record),
      action: recomputeDeadlinesAction,
      changes,
    },
    record.trailHead.hash,
  );
  return {
    // A write by the system: the version people edit against stays, so nobody's next step fails on it.
    next: { ...record, clock: after, trailHead: { seq: event.seq, hash: event.hash } },
    event,
    before,
    after,
  };
}
