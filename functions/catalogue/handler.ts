import { documentClient } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { clock } from '../shared/clock';
import { createHttpHandler, route } from '../shared/http/handler';
import { json } from '../shared/http/response';
import { objectStorage } from '../shared/object-storage';
import { bucketName, tableName } from '../shared/resources';
import { dynamoCatalogueStore } from './catalogue-store';
import { catalogueRoutes as r } from './routes';
import { catalogueUseCases } from './use-cases';

const catalogue = catalogueUseCases({
  store: dynamoCatalogueStore(documentClient, tableName('catalogue')),
  files: objectStorage(s3, bucketName('catalogue'), clock.now),
  now: clock.now,
});

export const handler = createHttpHandler([
  route(r.listWindows, async ({ query }) =>
    json(200, await catalogue.listWindows(query.limit, query.cursor)),
  ),
  route(r.getWindow, async ({ params }) => json(200, await catalogue.getWindow(params.windowId))),
  route(r.putWindow, async ({ principal, params, body: { revision, ...window } }) =>
    json(
      revision === 0 ? 201 : 200,
      await catalogue.putWindow(principal, { id: params.windowId, ...window }, revision),
    ),
  ),
  route(r.listDepartments, async ({ query }) =>
    json(200, await catalogue.listDepartments(query.limit, query.cursor)),
  ),
  route(r.getDepartment, async ({ params }) => json(200, await catalogue.getDepartment(params.departmentId))),
  route(r.putDepartment, async ({ principal, params, body: { revision, ...department } }) =>
    json(
      revision === 0 ? 201 : 200,
      await catalogue.putDepartment(principal, { id: params.departmentId, ...department }, revision),
    ),
  ),
  route(r.announcement, async ({ params, query }) =>
    json(200, await catalogue.announcement(params.departmentId, query.limit, query.cursor)),
  ),
  route(r.departmentMatters, async ({ principal, params, query }) =>
    json(200, await catalogue.departmentMatters(principal, params.departmentId, query.limit, query.cursor)),
  ),
  route(r.listMatters, async ({ query }) => json(200, await catalogue.listMatters(query))),
  route(r.getMatter, async ({ params, query }) =>
    json(200, await catalogue.serviceGuide(params.code, query.version, undefined)),
  ),
  route(r.createMatter, async ({ principal, body }) =>
    json(201, await catalogue.createMatter(principal, body.code, body.departmentId, body.guide)),
  ),
  route(r.getDraft, async ({ principal, params }) =>
    json(200, await catalogue.getDraft(principal, params.code)),
  ),
  route(r.saveDraft, async ({ principal, params, body }) =>
    json(200, await catalogue.saveDraft(principal, params.code, body.guide, body.revision)),
  ),
  route(r.publishDraft, async ({ principal, params, body }) =>
    json(200, await catalogue.publishDraft(principal, params.code, body.revision, body.validFrom)),
  ),
  route(r.assignMatter, async ({ principal, params, body }) =>
    json(200, await catalogue.assignMatter(principal, params.code, body)),
  ),
  route(r.requestFileUpload, async ({ principal, params, body }) =>
    json(201, await catalogue.requestFileUpload(principal, params.code, body)),
  ),
  route(r.confirmFile, async ({ principal, params }) =>
    json(200, await catalogue.confirmFile(principal, params.code, params.fileId)),
  ),
  route(r.downloadFile, async ({ params }) =>
    json(200, await catalogue.fileDownload(params.code, params.fileId)),
  ),
]);
