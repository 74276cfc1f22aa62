import { dynamoCatalogueStore } from '../catalogue/catalogue-store';
import { publishedSchedules } from '../domain/calendar/schedules';
import { workingDayCalendar } from '../domain/calendar/working-days';
import { allRoutes } from '../registry';
import { documentClient } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { clock } from '../shared/clock';
import { createHttpHandler, route } from '../shared/http/handler';
import { json } from '../shared/http/response';
import { objectStorage } from '../shared/object-storage';
import { bucketName, tableName } from '../shared/resources';
import { dynamoCaseStore } from './case-store';
import { caseRoutes as r } from './routes';
import { caseUseCases } from './use-cases';

const cases = caseUseCases({
  cases: dynamoCaseStore(documentClient, {
    cases: tableName('cases'),
    idempotency: tableName('idempotency'),
  }),
  catalogue: dynamoCatalogueStore(documentClient, tableName('catalogue')),
  calendar: workingDayCalendar(publishedSchedules()),
  files: objectStorage(s3, bucketName('materials'), clock.now),
  now: clock.now,
});

export const handler = createHttpHandler(
  [
    route(r.createCase, async ({ principal, headers, body }) => {
      const { record, replayed } = await cases.createCase(principal, body, headers['idempotency-key']);
      return json(replayed ? 200 : 201, cases.view(principal, record));
    }),
    route(r.listCases, async ({ principal, query }) => json(200, await cases.listCases(principal, query))),
    route(r.getCase, async ({ principal, params }) =>
      json(200, await cases.getCase(principal, params.caseId)),
    ),
    route(r.updateDraft, async ({ principal, params, body }) =>
      json(200, await cases.updateDraft(principal, params.caseId, body.version, body.applicant)),
    ),
    route(r.submit, async ({ principal, params, body }) =>
      json(200, await cases.submit(principal, params.caseId, body.version)),
    ),
    route(r.accept, async ({ principal, params, body }) =>
      json(200, await cases.accept(principal, params.caseId, body)),
    ),
    route(r.requestSupplement, async ({ principal, params, body }) =>
      json(200, await cases.requestSupplement(principal, params.caseId, body.version, body.items)),
    ),
    route(r.resubmit, async ({ principal, params, body }) =>
      json(200, await cases.resubmit(principal, params.caseId, body.version)),
    ),
    route(r.requestMaterialUpload, async ({ principal, params, body }) =>
      json(201, await cases.requestMaterialUpload(principal, params.caseId, params.materialId, body)),
    ),
    route(r.confirmMaterial, async ({ principal, params, body }) =>
      json(200, await cases.confirmMaterial(principal, params.caseId, params.materialId, body)),
    ),
    route(r.checkPaperOriginal, async ({ principal, params, body }) =>
      json(200, await cases.checkPaperOriginal(principal, params.caseId, params.materialId, body.version)),
    ),
    route(r.overdueAcceptance, async ({ principal, params, query }) =>
      json(200, await cases.deemedAccepted(principal, params.departmentId, query.limit, query.cursor)),
    ),
    route(r.reject, async ({ principal, params, body }) =>
      json(200, await cases.reject(principal, params.caseId, body.version, body.reason, body.legalBasis)),
    ),
    route(r.trail, async ({ principal, params }) =>
      json(200, { items: await cases.trail(principal, params.caseId) }),
    ),
    route(r.verifyTrail, async ({ principal, params }) =>
      json(200, await cases.verifyTrail(principal, params.caseId)),
    ),
  ],
  allRoutes,
);
