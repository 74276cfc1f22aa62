import { describe, expect, it } from 'vitest';
import { recomputeOpenDeadlines } from '../../functions/calendar/recompute-open-deadlines';
import { type CaseWrite, StaleCase } from '../../functions/cases/case-store';
import type { CaseRecord } from '../../functions/domain/cases/model';
import { startClock } from '../../functions/domain/cases/processing-clock';
import type { TrailEvent } from '../../functions/domain/cases/trail';
import { calendarWith2027, calendarWithout2027, openCase } from '../support/calendar-fixtures';

/** The recompute loop over open cases, with an in-memory case store: concurrency, conflicts, failures. */
const admin = { userId: 'admin-1', role: 'admin' };

function memoryCases(records: CaseRecord[]) {
  const cases = new Map(records.map((r) => [r.caseId, r]));
  const events: TrailEvent[] = [];
  const state = {
    inFlight: 0,
    maxInFlight: 0,
    conflictsLeft: new Map<string, number>(),
    broken: new Set<string>(),
  };
  return {
    cases,
    events,
    state,
    store: {
      async getCaseHead(caseId: string) {
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        state.inFlight--;
        if (state.broken.has(caseId)) throw new Error('item unreadable');
        return cases.get(caseId);
      },
      async write({ caseId, delta, event, expectedTrailSeq }: CaseWrite) {
        const left = state.conflictsLeft.get(caseId) ?? 0;
        const current = cases.get(caseId) as CaseRecord;
        if (left > 0) {
          // Someone else changed the case in between: its trail moved on.
          state.conflictsLeft.set(caseId, left - 1);
          cases.set(caseId, {
            ...current,
            version: current.version + 1,
            trailHead: { seq: current.trailHead.seq + 1, hash: `other-${left}` },
          });
          throw new StaleCase(caseId);
        }
        if (current.trailHead.seq !== expectedTrailSeq) throw new StaleCase(caseId);
        cases.set(caseId, { ...current, ...(delta.set as Partial<CaseRecord>) });
        events.push(event);
      },
    },
  };
}

async function* idsOf(ids: string[]) {
  for (const id of ids) yield id;
}

const affected = (id: string) => openCase(id, startClock(calendarWithout2027, '2026-12-20', 20, 60)).record;
const unaffected = (id: string) => openCase(id, startClock(calendarWithout2027, '2026-03-02', 5, 10)).record;

describe('recomputing the open deadlines', () => {
  it('saves each affected case once, a few at a time, and counts what it read', async () => {
    const records = [
      ...Array.from({ length: 30 }, (_, i) => affected(`A-${i}`)),
      ...Array.from({ length: 10 }, (_, i) => unaffected(`U-${i}`)),
      openCase('N-0', undefined).record,
    ];
    const memory = memoryCases(records);
    const woken: string[] = [];
    const summary = await recomputeOpenDeadlines(
      {
        openCaseIds: () => idsOf([...records.map((r) => r.caseId), 'gone']),
        cases: memory.store,
        now: () => 0,
        wakeWorkflow: async (caseId) => {
          woken.push(caseId);
          // A workflow that cannot be reached leaves the saved case saved (it plans at its next wake).
          if (caseId === 'A-7') throw new Error('Step Functions unreachable');
        },
        concurrency: 4,
      },
      calendarWith2027,
      admin,
    );
    expect(summary).toEqual({ examined: 42, changed: 30, failed: 0 });
    expect(memory.state.maxInFlight).toBe(4);
    expect(memory.events).toHaveLength(30);
    expect(memory.cases.get('A-0')?.clock?.provisional).toBe(false);
    expect(memory.cases.get('U-0')?.version).toBe(1);
    // Each case whose deadlines moved wakes its workflow once, after it is saved; no other case does.
    expect(woken.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `A-${i}`).sort());
  });

  it('reads a case again after a version conflict, up to three times, then counts it failed', async () => {
    const memory = memoryCases([affected('C-1'), affected('C-2')]);
    memory.state.conflictsLeft.set('C-1', 3);
    memory.state.conflictsLeft.set('C-2', 4);
    memory.state.broken.add('C-3');
    const summary = await recomputeOpenDeadlines(
      {
        openCaseIds: () => idsOf(['C-1', 'C-2', 'C-3']),
        cases: memory.store,
        now: () => 0,
        wakeWorkflow: async () => undefined,
      },
      calendarWith2027,
      admin,
    );
    expect(summary).toEqual({ examined: 3, changed: 1, failed: 2 });
    // Three conflicts, then saved on the trail head the fourth read gave; the system's write leaves the
    // version people edit against where the others left it.
    expect(memory.cases.get('C-1')).toMatchObject({ version: 4, trailHead: { seq: 5 } });
  });
});
