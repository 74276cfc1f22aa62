import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoCaseStore } from '../cases/case-store';
import { catalogueMatterDetails } from '../cases/matter-details';
import {
  normaliseScheduleData,
  projectDataLoader,
  projectSchedules,
  sameSchedule,
  type YearScheduleData,
} from '../domain/calendar/schedules';
import type { TrailActor } from '../domain/cases/trail';
import { dynamoCaseWorkflowStore } from '../workflow/case-workflow-store';
import { cachedCalendarSource, invalidateCurrentCalendar } from './calendar-source';
import { type RecomputeSummary, recomputeOpenDeadlines } from './recompute-open-deadlines';
import { dynamoScheduleStore, type StoredSchedule } from './schedule-store';

/**
 * Applies the project's schedule data files (functions/domain/calendar/schedules/) to the stored data:
 * a year not stored yet, or stored from an earlier version of its file, is recomputed into the open
 * deadlines and then stored (marked `loadedBy: project-data`). A year the centre admin loaded through the
 * API is kept (the newest load wins) and reported. Run when the service starts (the local stack), when
 * nothing else writes cases: the recompute comes before the store, so a start interrupted halfway redoes
 * it next time; a year stored only after every case was recomputed (a failed case is retried next start).
 */
export const projectDataActor: TrailActor = { userId: projectDataLoader, role: 'system' };

export interface ProjectScheduleLoad {
  /** Years stored now (the open deadlines recomputed for them). */
  stored: number[];
  /** Years whose file differs from a schedule the admin loaded: that load is kept. */
  keptLoaded: number[];
  /** Absent when no year needed it. */
  recomputed?: RecomputeSummary;
}

export async function loadProjectSchedules(options: {
  client: DynamoDBDocumentClient;
  tables: { catalogue: string; cases: string };
  /** Milliseconds since the epoch (the local stack's clock). */
  now: () => number;
  /** Defaults to the project's data files. */
  data?: YearScheduleData[];
}): Promise<ProjectScheduleLoad> {
  const { client, tables, now, data = projectSchedules } = options;
  const schedules = dynamoScheduleStore(client, tables.catalogue);
  const due: StoredSchedule[] = [];
  const keptLoaded: number[] = [];
  for (const file of data.map(normaliseScheduleData)) {
    const existing = await schedules.getSchedule(file.year);
    if (existing && sameSchedule(existing, file)) continue;
    if (existing && existing.loadedBy !== projectDataLoader) {
      keptLoaded.push(file.year);
      continue;
    }
    due.push({ ...file, loadedAt: new Date(now()).toISOString(), loadedBy: projectDataLoader });
  }
  if (due.length === 0) return { stored: [], keptLoaded };

  const calendar = await cachedCalendarSource({
    listStored: () => schedules.listSchedules(),
    ttlMs: 0,
  }).refreshWith(due);
  const openCases = dynamoCaseWorkflowStore(client, tables.cases);
  const recomputed = await recomputeOpenDeadlines(
    {
      openCaseIds: () => openCases.listOpenCaseIds(),
      // Only cases are read and saved: the idempotency table is never touched.
      cases: dynamoCaseStore(
        client,
        { cases: tables.cases, idempotency: '' },
        catalogueMatterDetails(client, tables.catalogue),
      ),
      now,
      // Before the executions resume: each plans its timer from the case when it starts.
      wakeWorkflow: async () => undefined,
    },
    calendar,
    projectDataActor,
  );
  if (recomputed.failed > 0) return { stored: [], keptLoaded, recomputed };
  for (const schedule of due) await schedules.putSchedule(schedule);
  invalidateCurrentCalendar();
  return { stored: due.map((s) => s.year), keptLoaded, recomputed };
}
