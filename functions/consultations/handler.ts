import { documentClient } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { clock } from '../shared/clock';
import { createHttpHandler, route } from '../shared/http/handler';
import { json } from '../shared/http/response';
import { objectStorage } from '../shared/object-storage';
import { bucketName, tableName } from '../shared/resources';
import { dynamoStaffStore } from '../staff/staff-store';
import { consultationDeps } from './deps';
import { consultationRoutes as r } from './routes';
import { consultationUseCases } from './use-cases';

const consultations = consultationUseCases({
  ...consultationDeps,
  files: objectStorage(s3, bucketName('materials'), clock.now),
});
const staff = dynamoStaffStore(documentClient, tableName('catalogue'));

/** An assignee is an active reviewer or chief representative of the department, by the staff records. */
const isActiveStaffOf = (userId: string) => async (departmentId: string) => {
  const profile = await staff.getProfile(userId);
  return Boolean(
    profile?.active &&
      profile.departmentId === departmentId &&
      (profile.role === 'reviewer' || profile.role === 'chief'),
  );
};

export const handler = createHttpHandler([
  route(r.raiseConsultation, async ({ principal, body }) => {
    const created = await consultations.raise(principal, body);
    return json(201, created, { location: `/consultations/${created.consultationId}` });
  }),
  route(r.listConsultations, async ({ principal, query }) =>
    json(200, await consultations.list(principal, query)),
  ),
  route(r.getConsultation, async ({ principal, params }) =>
    json(200, await consultations.get(principal, params.consultationId)),
  ),
  route(r.answerConsultation, async ({ principal, params, body }) =>
    json(200, await consultations.answer(principal, params.consultationId, body.version, body.text)),
  ),
  route(r.forwardConsultation, async ({ principal, params, body }) =>
    json(200, await consultations.forward(principal, params.consultationId, body.version, body.note)),
  ),
  route(r.assignConsultation, async ({ principal, params, body }) =>
    json(
      200,
      await consultations.assign(
        principal,
        params.consultationId,
        body.version,
        body.assigneeId,
        isActiveStaffOf(body.assigneeId),
      ),
    ),
  ),
  route(r.closeConsultation, async ({ principal, params, body }) =>
    json(200, await consultations.close(principal, params.consultationId, body.version)),
  ),
  route(r.followUpConsultation, async ({ principal, params, body }) =>
    json(200, await consultations.followUp(principal, params.consultationId, body.version, body.text)),
  ),
  route(r.requestAttachmentUpload, async ({ principal, params, body }) =>
    json(201, await consultations.requestAttachmentUpload(principal, params.consultationId, body)),
  ),
  route(r.attachFile, async ({ principal, params, body }) =>
    json(200, await consultations.attach(principal, params.consultationId, body)),
  ),
  route(r.attachmentDownload, async ({ principal, params }) =>
    json(200, await consultations.attachmentDownload(principal, params.consultationId, params.attachmentId)),
  ),
  route(r.consultationToFaq, async ({ principal, params }) =>
    json(200, await consultations.toFaq(principal, params.consultationId)),
  ),
  route(r.consultationTrail, async ({ principal, params }) =>
    json(200, await consultations.trail(principal, params.consultationId)),
  ),
]);
