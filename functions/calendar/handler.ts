import { dynamoCaseStore } from '../cases/case-store';
import { catalogueMatterDetails } from '../cases/matter-details';
import { documentClient } from '../shared/clients/dynamodb';
import { stepFunctions } from '../shared/clients/step-functions';
import { clock } from '../shared/clock';
import { createHttpHandler, route } from '../shared/http/handler';
import { json } from '../shared/http/response';
import { tableName } from '../shared/resources';
import { dynamoCaseWorkflowStore } from '../workflow/case-workflow-store';
import { stepFunctionsWorkflowSteps, workflowWaker } from '../workflow/workflow-steps';
import { calendarEnv, calendarSource } from './calendar-source';
import { recomputeOpenDeadlines } from './recompute-open-deadlines';
import { calendarRoutes as r } from './routes';
import { dynamoScheduleStore } from './schedule-store';
import { calendarUseCases } from './use-cases';

const casesTable = tableName('cases');
const openCases = dynamoCaseWorkflowStore(documentClient, casesTable);
// Only cases are read and saved here: the idempotency table is never touched (and not granted).
const cases = dynamoCaseStore(
  documentClient,
  { cases: casesTable, idempotency: '' },
  catalogueMatterDetails(documentClient, tableName('catalogue')),
);

const calendar = calendarUseCases({
  schedules: dynamoScheduleStore(documentClient, tableName('catalogue')),
  source: calendarSource(),
  recompute: (workingDays, actor) =>
    recomputeOpenDeadlines(
      {
        openCaseIds: () => openCases.listOpenCaseIds(),
        cases,
        now: clock.now,
        wakeWorkflow: workflowWaker(cases, stepFunctionsWorkflowSteps(stepFunctions)),
      },
      workingDays,
      actor,
    ),
  now: clock.now,
  officeHours: calendarEnv.OFFICE_HOURS,
});
// Browsers and CDNs keep an answer no longer than this process keeps the schedules.
const cacheControl = { 'cache-control': `public, max-age=${calendarEnv.SCHEDULE_CACHE_SECONDS}` };

export const handler = createHttpHandler([
  route(r.workingDays, async ({ query }) =>
    json(200, await calendar.workingDays(query.from, query.days), cacheControl),
  ),
  route(r.workingHours, async ({ query }) =>
    json(200, await calendar.workingHours(query.from, query.hours), cacheControl),
  ),
  route(r.listSchedules, async () => json(200, await calendar.listSchedules(), cacheControl)),
  route(r.putSchedule, async ({ principal, params, body }) =>
    json(200, await calendar.loadSchedule(principal, params.year, body)),
  ),
]);
