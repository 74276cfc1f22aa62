import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cachedCalendarSource } from '../../functions/calendar/calendar-source';
import { recomputeOpenDeadlines } from '../../functions/calendar/recompute-open-deadlines';
import { dynamoScheduleStore } from '../../functions/calendar/schedule-store';
import { calendarUseCases } from '../../functions/calendar/use-cases';
import { dynamoCaseStore } from '../../functions/cases/case-store';
import { catalogueMatterDetails } from '../../functions/cases/matter-details';
import {
  normaliseScheduleData,
  sameSchedule,
  scheduleIssues,
  yearScheduleInput,
} from '../../functions/domain/calendar/schedules';
import { defaultOfficeHours } from '../../functions/domain/calendar/working-hours';
import type { Principal } from '../../functions/domain/principal';
import { ValidationError } from '../../functions/shared/errors';
import { dynamoCaseWorkflowStore } from '../../functions/workflow/case-workflow-store';

/**
 * Loading a year's holiday schedule from a file (operator command `load-schedule`): the same use case as
 * `PUT /calendar/schedules/{year}` by the centre admin — stored, the open deadlines recomputed and trailed,
 * the workflows whose deadlines moved woken — for the December when next year's notice is out and nobody
 * has loaded it through the API.
 */
export interface ScheduleLoadDeps {
  client: DynamoDBDocumentClient;
  tables: { catalogue: string; cases: string };
  /** Wakes a case's workflow (its timer plans again). */
  wakeWorkflow: (caseId: string) => Promise<void>;
  now: () => number;
}

export type ScheduleLoadPlan =
  | { ok: true; year: number; input: ReturnType<typeof yearScheduleInput.parse>; lines: string[] }
  | { ok: false; lines: string[] };

const operator: Principal = { userId: 'operator:load-schedule', roles: ['admin'] };

/** Reads and checks the file's schedule and says what loading it would change. */
export async function planScheduleLoad(deps: ScheduleLoadDeps, text: string): Promise<ScheduleLoadPlan> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, lines: ['the file is not JSON'] };
  }
  const parsed = yearScheduleInput.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      lines: parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`),
    };
  const input = parsed.data;
  const issues = scheduleIssues(input.year, input);
  if (issues.length > 0) return { ok: false, lines: issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  const data = normaliseScheduleData(input);
  const stored = await dynamoScheduleStore(deps.client, deps.tables.catalogue).getSchedule(input.year);
  const state = !stored
    ? 'no schedule of that year is stored yet'
    : sameSchedule(stored, data)
      ? 'the same schedule is stored already (loading it again only recomputes)'
      : `it replaces the one loaded at ${stored.loadedAt} by ${stored.loadedBy}`;
  return {
    ok: true,
    year: input.year,
    input,
    lines: [
      `${input.year}: ${data.holidays.length} day(s) off on weekdays, ${data.makeupWorkdays.length} make-up workday(s); ${state}`,
      'loading it recomputes the deadlines of every open case and wakes the workflows whose deadlines moved',
    ],
  };
}

export async function carryOutScheduleLoad(deps: ScheduleLoadDeps, plan: ScheduleLoadPlan & { ok: true }) {
  const { client, tables, now } = deps;
  const schedules = dynamoScheduleStore(client, tables.catalogue);
  const cases = dynamoCaseStore(
    client,
    { cases: tables.cases, idempotency: '' },
    catalogueMatterDetails(client, tables.catalogue),
  );
  const openCases = dynamoCaseWorkflowStore(client, tables.cases);
  const calendar = calendarUseCases({
    schedules,
    source: cachedCalendarSource({ listStored: () => schedules.listSchedules(), ttlMs: 0 }),
    recompute: (workingDays, actor) =>
      recomputeOpenDeadlines(
        { openCaseIds: () => openCases.listOpenCaseIds(), cases, now, wakeWorkflow: deps.wakeWorkflow },
        workingDays,
        actor,
      ),
    now,
    officeHours: defaultOfficeHours,
  });
  try {
    return await calendar.loadSchedule(operator, plan.year, plan.input);
  } catch (error) {
    if (error instanceof ValidationError) throw new Error(`the schedule is refused: ${error.message}`);
    throw error;
  }
}
