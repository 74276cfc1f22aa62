import { calendarEnv, currentCalendar } from '../calendar/calendar-source';
import { dynamoCaseStore } from '../cases/case-store';
import { catalogueMatterDetails } from '../cases/matter-details';
import { dynamoCatalogueStore } from '../catalogue/catalogue-store';
import { workingHoursClock } from '../domain/calendar/working-hours';
import { documentClient } from '../shared/clients/dynamodb';
import { clock } from '../shared/clock';
import { tableName } from '../shared/resources';
import { dynamoConsultationStore } from './consultation-store';
import type { ConsultationDeps } from './use-cases';

/**
 * The consultations' use cases on the deployed tables (shared by the API handler and the timer); the API
 * adds the materials bucket for attachments, which the timer is not granted.
 */
const catalogueStore = dynamoCatalogueStore(documentClient, tableName('catalogue'));

export const consultationDeps = {
  consultations: dynamoConsultationStore(documentClient, tableName('cases')),
  catalogue: catalogueStore,
  // Case heads only (the matter and the owner); the idempotency table is never touched (and not granted).
  cases: dynamoCaseStore(
    documentClient,
    { cases: tableName('cases'), idempotency: '' },
    catalogueMatterDetails(documentClient, tableName('catalogue')),
  ),
  hoursClock: async () => workingHoursClock(await currentCalendar(), calendarEnv.OFFICE_HOURS),
  now: clock.now,
} satisfies Omit<ConsultationDeps, 'files'>;
