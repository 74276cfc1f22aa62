import * as z from 'zod';
import { currentCalendar } from '../calendar/calendar-source';
import { dynamoCaseStore } from '../cases/case-store';
import { pinnedMatterDetails } from '../cases/matter-details';
import { dynamoCatalogueStore } from '../catalogue/catalogue-store';
import { keepingPublishedVersions } from '../catalogue/published-versions';
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
import { defaultFontPath, rendererOnDemand } from './renderer';
import { dynamoResultRegistry } from './result-registry';
import { issuanceRoutes as r } from './routes';
import { issuanceUseCases } from './use-cases';

const config = parseEnv(
  z.object({
    RESULT_FONT_PATH: z.string().min(1).default(defaultFontPath),
    /** Printed on every result: where anyone checks it. */
    RESULT_VERIFY_URL: z.string().min(1).default('/results/verify'),
  }),
);

const catalogue = keepingPublishedVersions(dynamoCatalogueStore(documentClient, tableName('catalogue')));
const issuance = issuanceUseCases({
  cases: dynamoCaseStore(
    documentClient,
    { cases: tableName('cases'), idempotency: '' },
    pinnedMatterDetails(catalogue),
  ),
  catalogue,
  departments: catalogue,
  calendar: currentCalendar,
  // Intake's materials are not touched here; the case core's storage port is the results bucket.
  files: objectStorage(s3, bucketName('results'), clock.now),
  results: objectStorage(s3, bucketName('results'), clock.now),
  renderer: rendererOnDemand(config.RESULT_FONT_PATH),
  registry: dynamoResultRegistry(documentClient, tableName('cases')),
  verifyUrl: config.RESULT_VERIFY_URL,
  now: clock.now,
  alertPolicy: alertPolicyFromEnv(),
  workflowSteps: stepFunctionsWorkflowSteps(stepFunctions),
  qualifications: catalogueClerkQualifications(documentClient, tableName('catalogue'), catalogue),
});

export const handler = createHttpHandler([
  route(r.requestResultUpload, async ({ principal, params, body }) =>
    json(201, await issuance.requestResultUpload(principal, params.caseId, body.size)),
  ),
  route(r.produceResult, async ({ principal, params, body }) =>
    json(200, await issuance.produceResult(principal, params.caseId, body)),
  ),
  route(r.issue, async ({ principal, params, body }) =>
    json(200, await issuance.issue(principal, params.caseId, body)),
  ),
  route(r.confirmDelivery, async ({ principal, params, body }) =>
    json(200, await issuance.confirmDelivery(principal, params.caseId, body)),
  ),
  route(r.downloadResult, async ({ principal, params }) =>
    json(200, await issuance.downloadResult(principal, params.caseId)),
  ),
  route(r.noticeDocument, async ({ principal, params }) =>
    json(200, await issuance.noticeDocument(principal, params.caseId, params.noticeNumber)),
  ),
  route(r.verifyResult, async ({ query }) =>
    json(200, await issuance.verify(query.number, query.code), { 'cache-control': 'no-store' }),
  ),
]);
