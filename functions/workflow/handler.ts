import { currentCalendar } from '../calendar/calendar-source';
import { dynamoCaseStore } from '../cases/case-store';
import { catalogueMatterDetails } from '../cases/matter-details';
import { alertPolicyFromEnv } from '../shared/alert-policy';
import { documentClient } from '../shared/clients/dynamodb';
import { clock } from '../shared/clock';
import { tableName } from '../shared/resources';
import { dynamoCaseWorkflowStore } from './case-workflow-store';
import { caseWorkflowTasks } from './case-workflow-tasks';
import { createWorkflowTaskHandler } from './task-handler';

const store = dynamoCaseWorkflowStore(documentClient, tableName('cases'));

/** Task states of the case lifecycle (statemachines/case-lifecycle.asl.json). */
export const handler = createWorkflowTaskHandler(
  store,
  caseWorkflowTasks({
    store,
    // The workflow never touches idempotency records: the case store needs only the cases table here.
    cases: dynamoCaseStore(
      documentClient,
      { cases: tableName('cases'), idempotency: '' },
      catalogueMatterDetails(documentClient, tableName('catalogue')),
    ),
    calendar: currentCalendar,
    alertPolicy: alertPolicyFromEnv(),
    now: clock.now,
  }),
);
