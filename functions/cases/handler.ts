import * as z from 'zod';
import { currentCalendar } from '../calendar/calendar-source';
import { dynamoCatalogueStore } from '../catalogue/catalogue-store';
import { keepingHeadsFor, keepingPublishedVersions } from '../catalogue/published-versions';
import { alertPolicyFromEnv } from '../shared/alert-policy';
import { documentClient } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { stepFunctions } from '../shared/clients/step-functions';
import { clock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { createHttpHandler, route } from '../shared/http/handler';
import { json } from '../shared/http/response';
import { objectStorage } from '../shared/object-storage';
import { bucketName, tableName } from '../shared/resources';
import { catalogueClerkQualifications } from '../staff/clerk-qualifications';
import { stepFunctionsWorkflowSteps } from '../workflow/workflow-steps';
import { dynamoCaseStore } from './case-store';
import { pinnedMatterDetails } from './matter-details';
import { caseRoutes as r } from './routes';
import { caseUseCases } from './use-cases';

const catalogueEnv = parseEnv(
  z.object({ MATTER_HEAD_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10) }),
);
const catalogue = keepingHeadsFor(
  keepingPublishedVersions(dynamoCatalogueStore(documentClient, tableName('catalogue'))),
  catalogueEnv.MATTER_HEAD_CACHE_SECONDS * 1000,
);
const cases = caseUseCases({
  cases: dynamoCaseStore(
    documentClient,
    { cases: tableName('cases'), idempotency: tableName('idempotency') },
    pinnedMatterDetails(catalogue),
  ),
  catalogue,
  calendar: currentCalendar,
  files: objectStorage(s3, bucketName('materials'), clock.now),
  now: clock.now,
  alertPolicy: alertPolicyFromEnv(),
  workflowSteps: stepFunctionsWorkflowSteps(stepFunctions),
  qualifications: catalogueClerkQualifications(documentClient, tableName('catalogue'), catalogue),
});

export const handler = createHttpHandler([
  route(r.createCase, async ({ principal, headers, body }) => {
    const { record, replayed } = await cases.createCase(principal, body, headers['idempotency-key']);
    return json(replayed ? 200 : 201, cases.view(principal, record), {
      location: `/cases/${encodeURIComponent(record.caseId)}`,
    });
  }),
  route(r.listCases, async ({ principal, query }) => json(200, await cases.listCases(principal, query))),
  route(r.getCase, async ({ principal, params }) => json(200, await cases.getCase(principal, params.caseId))),
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
  route(r.downloadMaterial, async ({ principal, params }) =>
    json(200, await cases.downloadMaterial(principal, params.caseId, params.materialId)),
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
  route(r.confirmReceipt, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.confirmReceipt(principal, params.caseId, body.version)),
  ),
  route(r.review, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.review(principal, params.caseId, body)),
  ),
  route(r.decide, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.decide(principal, params.caseId, body)),
  ),
  route(r.returnToWindow, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.returnToWindow(principal, params.caseId, body.version)),
  ),
  route(r.departmentSupplement, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.requestSupplement(principal, params.caseId, body)),
  ),
  route(r.startSpecialProcedure, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.startSpecialProcedure(principal, params.caseId, body)),
  ),
  route(r.endSpecialProcedure, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.endSpecialProcedure(principal, params.caseId, body)),
  ),
  route(r.extend, async ({ principal, params, body }) =>
    json(200, await cases.backOffice.extend(principal, params.caseId, body)),
  ),
  route(r.listAlerts, async ({ principal, query }) => json(200, await cases.listAlerts(principal, query))),
]);
