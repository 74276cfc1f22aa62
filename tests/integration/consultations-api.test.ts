import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCaseStore } from '../../functions/cases/case-store';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { dynamoConsultationStore } from '../../functions/consultations/consultation-store';
import { consultationUseCases } from '../../functions/consultations/use-cases';
import { workingHoursClock } from '../../functions/domain/calendar/working-hours';
import { verifyChain } from '../../functions/domain/cases/trail';
import type { Principal } from '../../functions/domain/principal';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { calendarWithout2027, fixtureMatterDetails } from '../support/calendar-fixtures';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Consultations (咨询件) on DynamoDB Local with the Taoshan seed: YJ-0001 (emergency) is at window 3,
 * JY-0001 (education) at window 1. The flows run on a clock the test sets (office hours counted from it);
 * the routes, their checks and the shared alert list run over HTTP through the real handlers.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const shanghai = (local: string) => Date.parse(`${local}+08:00`);
const iso = (local: string) => new Date(shanghai(local)).toISOString();

const clerk3: Principal = { userId: 'clerk-3', roles: ['clerk'], windowId: 'window-3' };
const clerk1: Principal = { userId: 'clerk-1', roles: ['clerk'], windowId: 'window-1' };
const emergencyReviewer: Principal = {
  userId: 'reviewer-em',
  roles: ['reviewer'],
  departmentId: 'emergency',
};
const emergencyChief: Principal = { userId: 'chief-em', roles: ['chief'], departmentId: 'emergency' };
const educationReviewer: Principal = {
  userId: 'reviewer-ed',
  roles: ['reviewer'],
  departmentId: 'education',
};
const citizen: Principal = { userId: 'citizen-1', roles: ['applicant'] };

let tables: Awaited<ReturnType<typeof createTestTables>>;
let nowMs = 0;
let useCases: ReturnType<typeof consultationUseCases>;
let cases: ReturnType<typeof dynamoCaseStore>;
let api: TestApi;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const documents = testDocumentClient();
  const buckets = await createTestBuckets();
  tables = await createTestTables();
  await loadSeedCatalogue(
    dynamoCatalogueStore(documents, tables.catalogue),
    taoshanSeed,
    // After the seed clerks' assessment (5 January), before the flows' dates.
    '2026-01-10T00:00:00Z',
    dynamoStaffStore(documents, tables.catalogue),
  );
  cases = dynamoCaseStore(documents, { cases: tables.cases, idempotency: '' }, fixtureMatterDetails);
  useCases = consultationUseCases({
    consultations: dynamoConsultationStore(documents, tables.cases),
    catalogue: dynamoCatalogueStore(documents, tables.catalogue),
    cases,
    hoursClock: async () => workingHoursClock(calendarWithout2027),
    now: () => nowMs,
  });
  api = await startTestApi(['consultations', 'cases', 'catalogue'], {
    CASES_TABLE: tables.cases,
    CATALOGUE_TABLE: tables.catalogue,
    IDEMPOTENCY_TABLE: tables.idempotency,
    MATERIALS_BUCKET: buckets.materials,
    CATALOGUE_BUCKET: buckets.catalogue,
  });
  tokens.clerk3 = await api.token('clerk', { windowId: 'window-3', sub: 'clerk-3' });
  tokens.clerk1 = await api.token('clerk', { windowId: 'window-1', sub: 'clerk-1' });
  tokens.reviewer = await api.token('reviewer', { departmentId: 'emergency', sub: 'reviewer-em' });
  tokens.chief = await api.token('chief', { departmentId: 'emergency', sub: 'chief-em' });
  tokens.waterChief = await api.token('chief', { departmentId: 'water', sub: 'chief-water' });
  tokens.admin = await api.token('admin', { sub: 'admin-1' });
  tokens.citizen = await api.token('applicant', { sub: 'citizen-1' });
  tokens.otherCitizen = await api.token('applicant', { sub: 'citizen-2' });
}, 60_000);
afterAll(async () => api?.stop());

const at = (local: string) => {
  nowMs = shanghai(local);
};
const alertsOf = async (level: 'yellow' | 'red', consultationId: string) =>
  (await cases.listAlerts({ kind: 'centre' }, level, 100)).items.filter(
    (a) => a.consultationId === consultationId,
  );

describe('a consultation of the window to the department (on the test clock)', () => {
  it('is answered in time across the lunch break, closed by its asker, and traced without its texts', async () => {
    at('2026-03-06T11:30:00'); // a Friday
    const raised = await useCases.raise(clerk3, {
      matterCode: 'YJ-0001',
      question: '零售点与住宅的安全距离如何认定?',
    });
    expect(raised).toMatchObject({
      status: 'open',
      addressee: 'department',
      departmentId: 'emergency',
      windowId: 'window-3',
      limitHours: 4,
      round: 1,
      // 11:30–12:00 and 13:30–17:00 count; the lunch break does not.
      dueAt: iso('2026-03-06T17:00:00'),
    });
    expect(raised.number).toMatch(/^ZX20260306-[0-9A-F]{8}$/);

    at('2026-03-06T14:00:00');
    const answered = await useCases.answer(
      emergencyReviewer,
      raised.consultationId,
      raised.version,
      '按设计规范第4.2条执行。',
    );
    expect(answered).toMatchObject({ status: 'answered', answeredAt: iso('2026-03-06T14:00:00') });
    at('2026-03-09T17:00:00');
    expect(await useCases.raiseDueAlerts()).toMatchObject({ raised: 0 });
    expect(await alertsOf('red', raised.consultationId)).toEqual([]);

    await expect(
      useCases.close(emergencyReviewer, raised.consultationId, answered.version),
    ).rejects.toMatchObject({
      status: 403,
    });
    const closed = await useCases.close(clerk3, raised.consultationId, answered.version);
    expect(closed).toMatchObject({ status: 'closed', closedAt: iso('2026-03-09T17:00:00') });

    const trail = await useCases.trail(emergencyChief, raised.consultationId);
    expect(trail.items.map((e) => e.action)).toEqual(['raise', 'answer', 'close']);
    expect(verifyChain(trail.items)).toMatchObject({ valid: true, events: 3 });
    const text = JSON.stringify(trail.items);
    expect(text).not.toContain('安全距离');
    expect(text).not.toContain('第4.2条');
    await expect(useCases.trail(citizen, raised.consultationId)).rejects.toMatchObject({ status: 404 });
  });

  it('raises yellow at half the limit and red at the limit over a weekend, escalates to the admin at twice it, and resolves them with the answer', async () => {
    at('2026-03-06T16:30:00'); // Friday afternoon
    const raised = await useCases.raise(clerk3, { matterCode: 'YJ-0001', question: '储存仓库面积要求?' });
    // 0.5 h on Friday, then 3.5 h from 08:30 on Monday.
    expect(raised.dueAt).toBe(iso('2026-03-09T12:00:00'));

    at('2026-03-09T09:59:00');
    await useCases.raiseDueAlerts();
    expect(await alertsOf('yellow', raised.consultationId)).toEqual([]);
    at('2026-03-09T10:00:00');
    await useCases.raiseDueAlerts();
    expect(await alertsOf('yellow', raised.consultationId)).toMatchObject([
      { kind: 'consultation-warning', audience: 'department', departmentId: 'emergency', status: 'active' },
    ]);
    at('2026-03-09T12:00:00');
    await useCases.raiseDueAlerts();
    expect(await alertsOf('red', raised.consultationId)).toMatchObject([
      {
        kind: 'consultation-overdue',
        audience: 'chief',
        dueDate: '2026-03-09',
        // Due at 04:00 UTC: shown as the centre's clock reads it.
        detail: `咨询件 ${raised.number},答复时限 2026-03-09 12:00`,
      },
    ]);
    // A second run at the same instant raises nothing twice.
    expect(await useCases.raiseDueAlerts()).toMatchObject({ raised: 0 });
    // Twice the limit: 0.5 h on Friday, 7 h on Monday, the last half hour from 08:30 on Tuesday.
    at('2026-03-10T08:59:00');
    await useCases.raiseDueAlerts();
    expect(await alertsOf('red', raised.consultationId)).toHaveLength(1);
    at('2026-03-10T09:00:00');
    await useCases.raiseDueAlerts();
    expect((await alertsOf('red', raised.consultationId)).map((a) => a.kind).sort()).toEqual([
      'consultation-escalated-to-admin',
      'consultation-overdue',
    ]);

    const current = await useCases.get(emergencyChief, raised.consultationId);
    at('2026-03-10T10:00:00');
    await useCases.answer(emergencyChief, raised.consultationId, current.version, '不小于规定面积。');
    expect(await alertsOf('yellow', raised.consultationId)).toEqual([]);
    expect(await alertsOf('red', raised.consultationId)).toEqual([]);
    const trail = await useCases.trail(emergencyChief, raised.consultationId);
    expect(trail.items.map((e) => e.action)).toEqual(['raise', 'alert', 'alert', 'alert', 'answer']);
  });

  it('is reopened by a follow-up for a new round, counting a make-up Saturday and skipping the Spring Festival', async () => {
    at('2026-02-13T16:30:00'); // Friday; Saturday 14 February is a make-up workday (调休上班)
    const raised = await useCases.raise(clerk3, { matterCode: 'YJ-0001', question: '许可证有效期多久?' });
    expect(raised.dueAt).toBe(iso('2026-02-14T12:00:00'));
    at('2026-02-14T11:00:00');
    const answered = await useCases.answer(
      emergencyReviewer,
      raised.consultationId,
      raised.version,
      '有效期两年。',
    );
    at('2026-02-14T16:00:00');
    const reopened = await useCases.followUp(
      clerk3,
      raised.consultationId,
      answered.version,
      '到期前多久申请延续?',
    );
    expect(reopened).toMatchObject({ status: 'open', round: 2, roundStartedAt: iso('2026-02-14T16:00:00') });
    // 1 h on the Saturday, the holiday 15–23 February not counted, 3 h on Tuesday 24 February.
    expect(reopened.dueAt).toBe(iso('2026-02-24T11:30:00'));
    expect(reopened.answeredAt).toBeUndefined();
    expect(reopened.messages.map((m) => m.kind)).toEqual(['question', 'answer', 'follow-up']);
    await expect(useCases.close(clerk3, raised.consultationId, reopened.version)).rejects.toMatchObject({
      status: 409,
    });
    // The old version is stale.
    await expect(
      useCases.answer(emergencyReviewer, raised.consultationId, answered.version, '提前30日。'),
    ).rejects.toMatchObject({ status: 409, code: 'VERSION_CONFLICT' });
    const again = await useCases.answer(
      emergencyReviewer,
      raised.consultationId,
      reopened.version,
      '提前30日。',
    );
    expect(again.status).toBe('answered');
  });

  it('takes a portal question at the window, which forwards it to the department with a new due time', async () => {
    at('2026-03-11T09:00:00'); // Wednesday
    const asked = await useCases.raise(citizen, {
      matterCode: 'JY-0001',
      question: '非本区户籍能否登记入学?',
    });
    expect(asked).toMatchObject({
      addressee: 'window',
      windowId: 'window-1',
      channel: 'online',
      askedBy: { role: 'applicant' },
    });
    await expect(
      useCases.answer(educationReviewer, asked.consultationId, asked.version, '可以。'),
    ).rejects.toMatchObject({ status: 403 });
    at('2026-03-11T10:00:00');
    const forwarded = await useCases.forward(clerk1, asked.consultationId, asked.version, '请教育局答复');
    expect(forwarded).toMatchObject({ addressee: 'department', round: 2, dueAt: iso('2026-03-11T15:30:00') });
    const answered = await useCases.answer(
      educationReviewer,
      asked.consultationId,
      forwarded.version,
      '持居住证可以登记。',
    );
    const closed = await useCases.close(citizen, asked.consultationId, answered.version);
    expect(closed.status).toBe('closed');
  });
});

describe('consultations over HTTP', () => {
  it('are raised with 201 and their Location, and refused with the field named for bad input', async () => {
    const created = await api.send('POST', '/consultations', {
      token: tokens.clerk3,
      body: { matterCode: 'YJ-0001', question: '经营场所需要消防验收吗?' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/consultations/${created.body.consultationId}`);
    const fields = async (body: unknown, token = tokens.clerk3) => {
      const answer = await api.call('POST', '/consultations', { token, body });
      return {
        status: answer.status,
        fields: (answer.body.error?.details?.fields ?? []).map((f: Json) => f.field),
      };
    };
    expect(await fields({ matterCode: 'YJ-0001', question: '好' })).toEqual({
      status: 400,
      fields: ['body.question'],
    });
    expect(await fields({ matterCode: 'YJ-0001', question: '加急办理吗?', urgent: true })).toEqual({
      status: 400,
      fields: ['body.urgent'],
    });
    expect(await fields({ question: '没有指明事项的问题' })).toEqual({
      status: 400,
      fields: ['body.matterCode'],
    });
    expect(await fields({ matterCode: 'NO-SUCH', question: '不存在的事项' })).toEqual({
      status: 400,
      fields: ['body.matterCode'],
    });
    // Window 1's clerk may not ask about window 3's matter.
    expect(
      (
        await api.call('POST', '/consultations', {
          token: tokens.clerk1,
          body: { matterCode: 'YJ-0001', question: '可以吗?' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api.call('POST', '/consultations', {
          token: tokens.reviewer,
          body: { matterCode: 'YJ-0001', question: '可以吗?' },
        })
      ).status,
    ).toBe(403);
  });

  it('are read by their parties only: anyone else gets the 404 of a consultation that does not exist', async () => {
    const { body } = await api.call('POST', '/consultations', {
      token: tokens.citizen,
      body: { matterCode: 'YJ-0001', question: '个人能否申请零售许可?' },
    });
    const path = `/consultations/${body.consultationId}`;
    for (const token of [tokens.citizen, tokens.clerk3, tokens.admin])
      expect((await api.call('GET', path, { token })).status).toBe(200);
    // Not yet the department's: it is the window's question until forwarded.
    for (const token of [tokens.otherCitizen, tokens.clerk1, tokens.waterChief])
      expect((await api.call('GET', path, { token })).status).toBe(404);
    const mine = await api.call('GET', '/consultations?scope=mine', { token: tokens.citizen });
    expect(mine.body.items.map((c: Json) => c.consultationId)).toContain(body.consultationId);
    expect(
      (await api.call('GET', '/consultations?scope=department&id=emergency', { token: tokens.clerk3 }))
        .status,
    ).toBe(403);
    expect(
      (await api.call('GET', '/consultations?scope=window', { token: tokens.clerk3 })).body.items.length,
    ).toBeGreaterThan(0);
    expect(
      (await api.call('GET', '/consultations?scope=mine&status=open', { token: tokens.citizen })).status,
    ).toBe(400);
  });

  it('are reassigned within the department to active staff only, and the assignee answers', async () => {
    await api.call('PUT', '/staff/reviewer-em2', {
      token: tokens.admin,
      body: { name: '赵强', role: 'reviewer', departmentId: 'emergency', active: true, revision: 0 },
    });
    const { body: raised } = await api.call('POST', '/consultations', {
      token: tokens.clerk3,
      body: { matterCode: 'YJ-0001', question: '变更负责人要重新申请吗?' },
    });
    const path = `/consultations/${raised.consultationId}`;
    const bad = await api.call('POST', `${path}/assign`, {
      token: tokens.chief,
      body: { version: raised.version, assigneeId: 'clerk-3' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('body.assigneeId');
    const assigned = await api.call('POST', `${path}/assign`, {
      token: tokens.chief,
      body: { version: raised.version, assigneeId: 'reviewer-em2' },
    });
    expect(assigned).toMatchObject({ status: 200, body: { assigneeId: 'reviewer-em2' } });
    // Assigned to someone else: the reviewer may not answer (the chief still may).
    const notYours = await api.call('POST', `${path}/answer`, {
      token: tokens.reviewer,
      body: { version: assigned.body.version, text: '需要。' },
    });
    expect(notYours.status).toBe(403);
    const assignee = await api.token('reviewer', { departmentId: 'emergency', sub: 'reviewer-em2' });
    const answered = await api.call('POST', `${path}/answer`, {
      token: assignee,
      body: { version: assigned.body.version, text: '需要办理变更。' },
    });
    expect(answered).toMatchObject({ status: 200, body: { status: 'answered' } });
  });

  it('take attachments checked as materials are: type by magic bytes, sha256, and kept out of the trail by name', async () => {
    const { body: raised } = await api.call('POST', '/consultations', {
      token: tokens.clerk3,
      body: { matterCode: 'YJ-0001', question: '附上场地平面图,请看是否合规?' },
    });
    const path = `/consultations/${raised.consultationId}`;
    const upload = async (bytes: Buffer, token = tokens.clerk3, fileName = '张三店铺平面图.pdf') => {
      const requested = await api.call('POST', `${path}/attachments/uploads`, {
        token,
        body: { fileName, contentType: 'application/pdf', size: bytes.byteLength },
      });
      if (requested.status !== 201) return { requested, uploadId: undefined };
      const put = await fetch(requested.body.upload.url, {
        method: 'PUT',
        headers: requested.body.upload.headers,
        body: bytes,
      });
      expect(put.status).toBe(200);
      return { requested, uploadId: requested.body.uploadId as string };
    };
    // Someone who may not answer it (another department's chief cannot even see it).
    expect((await upload(Buffer.from('%PDF-1.4\n'), tokens.waterChief)).requested.status).toBe(404);

    const plan = Buffer.from('%PDF-1.4\n% plan\n%%EOF\n');
    const first = await upload(plan);
    const wrongHash = await api.call('POST', `${path}/attachments`, {
      token: tokens.clerk3,
      body: { version: raised.version, uploadId: first.uploadId, sha256: sha256('other') },
    });
    expect(wrongHash.status).toBe(400);
    expect(wrongHash.body.error.details.fields.map((f: Json) => f.field)).toContain('body.sha256');

    const attached = await api.call('POST', `${path}/attachments`, {
      token: tokens.clerk3,
      body: { version: raised.version, uploadId: first.uploadId, sha256: sha256(plan) },
    });
    expect(attached.status, JSON.stringify(attached.body)).toBe(200);
    expect(attached.body.attachments).toMatchObject([
      {
        attachmentId: first.uploadId,
        fileName: '张三店铺平面图.pdf',
        contentType: 'application/pdf',
        size: plan.byteLength,
      },
    ]);
    expect(attached.body.attachments[0].key).toBeUndefined();
    // The upload is consumed: attaching it again finds nothing.
    const again = await api.call('POST', `${path}/attachments`, {
      token: tokens.clerk3,
      body: { version: attached.body.version, uploadId: first.uploadId, sha256: sha256(plan) },
    });
    expect(again.status).toBe(404);

    // A "PDF" that is not one is refused by its bytes.
    const fake = Buffer.from('GIF89a not a pdf at all');
    const second = await upload(fake);
    const refused = await api.call('POST', `${path}/attachments`, {
      token: tokens.clerk3,
      body: { version: attached.body.version, uploadId: second.uploadId, sha256: sha256(fake) },
    });
    expect(refused.status).toBe(400);

    const download = await api.call('GET', `${path}/attachments/${first.uploadId}/download`, {
      token: tokens.chief,
    });
    expect(download.status).toBe(200);
    const file = await fetch(download.body.url);
    expect(Buffer.from(await file.arrayBuffer()).equals(plan)).toBe(true);

    const trail = await api.call('GET', `${path}/trail`, { token: tokens.chief });
    expect(trail.body.items.map((e: Json) => e.action)).toEqual(['raise', 'attach']);
    expect(JSON.stringify(trail.body.items)).not.toContain('张三');
  });

  it("turn an answer into a FAQ of the matter's next guide draft, once", async () => {
    const { body: raised } = await api.call('POST', '/consultations', {
      token: tokens.clerk3,
      body: { matterCode: 'YJ-0001', question: '零售点可以同时销售其他商品吗?' },
    });
    const path = `/consultations/${raised.consultationId}`;
    expect((await api.call('POST', `${path}/faq`, { token: tokens.chief })).status).toBe(409);
    await api.call('POST', `${path}/answer`, {
      token: tokens.chief,
      body: { version: raised.version, text: '可以,但须分区存放。' },
    });
    expect((await api.call('POST', `${path}/faq`, { token: tokens.clerk3 })).status).toBe(403);
    const faq = await api.call('POST', `${path}/faq`, { token: tokens.chief });
    expect(faq).toMatchObject({ status: 200, body: { matterCode: 'YJ-0001', added: true } });
    const draft = await api.call('GET', '/matters/YJ-0001/draft', { token: tokens.chief });
    expect(draft.status).toBe(200);
    expect(draft.body.faqs).toContainEqual({
      question: '零售点可以同时销售其他商品吗?',
      answer: '可以,但须分区存放。',
    });
    const again = await api.call('POST', `${path}/faq`, { token: tokens.chief });
    expect(again.body).toMatchObject({ added: false, draftVersion: faq.body.draftVersion });
  });

  it("show their alerts in the department's and the centre's alert lists, beside the cases'", async () => {
    const { body: raised } = await api.call('POST', '/consultations', {
      token: tokens.clerk3,
      body: { matterCode: 'YJ-0001', question: '夜间能否营业?' },
    });
    nowMs = Date.parse(raised.dueAt) + 60_000;
    await useCases.raiseDueAlerts();
    const department = await api.call('GET', '/alerts?scope=department&level=yellow', {
      token: tokens.reviewer,
    });
    expect(department.status).toBe(200);
    expect(department.body.items).toContainEqual(
      expect.objectContaining({
        consultationId: raised.consultationId,
        kind: 'consultation-warning',
        matterCode: 'YJ-0001',
        detail: expect.stringContaining(raised.number),
      }),
    );
    const centre = await api.call('GET', '/alerts?scope=centre&level=red', { token: tokens.admin });
    expect(centre.body.items).toContainEqual(
      expect.objectContaining({ consultationId: raised.consultationId, kind: 'consultation-overdue' }),
    );
    expect(
      centre.body.items.find((a: Json) => a.consultationId === raised.consultationId).caseId,
    ).toBeUndefined();
  });
});
