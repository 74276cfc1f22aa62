import { documentClient } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { clock } from '../shared/clock';
import { createHttpHandler, route } from '../shared/http/handler';
import { createdOrChanged, json } from '../shared/http/response';
import { objectStorage } from '../shared/object-storage';
import { bucketName, tableName } from '../shared/resources';
import { staffRoutes as s } from '../staff/routes';
import { dynamoStaffStore } from '../staff/staff-store';
import { staffUseCases } from '../staff/use-cases';
import { dynamoCatalogueStore } from './catalogue-store';
import { catalogueRoutes as r } from './routes';
import { catalogueUseCases } from './use-cases';

const store = dynamoCatalogueStore(documentClient, tableName('catalogue'));
const catalogue = catalogueUseCases({
  store,
  files: objectStorage(s3, bucketName('catalogue'), clock.now),
  now: clock.now,
});

const staff = staffUseCases({
  staff: dynamoStaffStore(documentClient, tableName('catalogue')),
  catalogue: store,
  now: clock.now,
});

export const handler = createHttpHandler([
  route(s.listStaff, async ({ principal, query: { limit, cursor, windowId, departmentId } }) =>
    json(
      200,
      await staff.listProfiles(
        principal,
        windowId ? { windowId } : departmentId ? { departmentId } : {},
        limit,
        cursor,
      ),
    ),
  ),
  route(s.getStaff, async ({ principal, params }) =>
    json(200, await staff.getProfile(principal, params.userId)),
  ),
  route(s.putStaff, async ({ principal, params, body: { revision, ...profile } }) =>
    createdOrChanged(
      revision === 0,
      await staff.putProfile(principal, params.userId, profile, revision),
      `/staff/${encodeURIComponent(params.userId)}`,
    ),
  ),
  route(s.recordQualification, async ({ principal, params, body }) =>
    json(200, await staff.recordQualification(principal, params.userId, params.departmentId, body)),
  ),
  route(s.revokeQualification, async ({ principal, params, body }) =>
    json(200, await staff.revokeQualification(principal, params.userId, params.departmentId, body.reason)),
  ),
  route(s.windowQualifications, async ({ principal, params }) =>
    json(200, await staff.windowQualifications(principal, params.windowId)),
  ),
  route(s.staffTrail, async ({ principal, params }) =>
    json(200, await staff.trail(principal, params.userId)),
  ),
  route(r.listWindows, async ({ query }) =>
    json(200, await catalogue.listWindows(query.limit, query.cursor)),
  ),
  route(r.getWindow, async ({ params }) => json(200, await catalogue.getWindow(params.windowId))),
  route(r.putWindow, async ({ principal, params, body: { revision, ...window } }) =>
    createdOrChanged(
      revision === 0,
      await catalogue.putWindow(principal, { id: params.windowId, ...window }, revision),
      `/windows/${params.windowId}`,
    ),
  ),
  route(r.listDepartments, async ({ query }) =>
    json(200, await catalogue.listDepartments(query.limit, query.cursor)),
  ),
  route(r.getDepartment, async ({ params }) => json(200, await catalogue.getDepartment(params.departmentId))),
  route(r.putDepartment, async ({ principal, params, body: { revision, ...department } }) =>
    createdOrChanged(
      revision === 0,
      await catalogue.putDepartment(principal, { id: params.departmentId, ...department }, revision),
      `/departments/${params.departmentId}`,
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
    createdOrChanged(
      true,
      await catalogue.createMatter(principal, body.code, body.departmentId, body.guide),
      `/matters/${body.code}/draft`,
    ),
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
