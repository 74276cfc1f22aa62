import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue, loadSeedClerks } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { addDays } from '../../functions/domain/calendar/dates';
import { publishedSchedules } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import { shanghaiDate } from '../../functions/domain/calendar-date';
import { isCaseNumber } from '../../functions/domain/case-number';
import { creditCodeCheckCharacter } from '../../functions/domain/credit-code';
import { idNumberCheckCharacter } from '../../functions/domain/id-number';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { staffUseCases } from '../../functions/staff/use-cases';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Intake and acceptance over HTTP: the real gateway and cases handler on DynamoDB Local, with the
 * illustrative catalogue seeded. JY-0001 (enrolment) is at the dispatched window 1, SW-0001 (water
 * abstraction) at the entrusted window 2.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
let casesTable: string;
let staffTable: string;
const t = {} as Record<
  'alice' | 'bob' | 'clerk1' | 'clerk2' | 'clerk2b' | 'newClerk' | 'education' | 'water' | 'admin',
  string
>;
const documents = testDocumentClient();

const idNumber = (body17: string) => `${body17}${idNumberCheckCharacter(body17)}`;
const person = (overrides: Json = {}) => ({
  kind: 'person',
  name: '张小明',
  idNumber: idNumber('23090420180305123'),
  phone: '13812345678',
  ...overrides,
});
/** The same number with another check character. */
const wrongCheck = (id: string) => `${id.slice(0, 17)}${id.endsWith('1') ? '2' : '1'}`;
const fieldsOf = (body: Json): string[] => (body.error?.details?.fields ?? []).map((f: Json) => f.field);
const reviewChecksFor = (record: Json) =>
  record.matter.reviewPoints.map((point: string) => ({ point, passed: true }));

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Uploads one material as the client would: upload URL, PUT to S3, confirm with its sha256. */
async function provide(
  record: Json,
  materialId: string,
  token: string,
  bytes = pdf(materialId),
): Promise<Json> {
  const requested = await api.call('POST', `/cases/${record.caseId}/materials/${materialId}/uploads`, {
    token,
    body: { fileName: `${materialId}.pdf`, contentType: 'application/pdf', size: bytes.byteLength },
  });
  expect(requested.status).toBe(201);
  const put = await fetch(requested.body.upload.url, {
    method: 'PUT',
    headers: requested.body.upload.headers,
    body: bytes,
  });
  expect(put.status).toBe(200);
  const confirmed = await api.call('POST', `/cases/${record.caseId}/materials/${materialId}/confirm`, {
    token,
    body: { version: record.version, uploadId: requested.body.uploadId, sha256: sha256(bytes) },
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return confirmed.body;
}

async function submittedCase(
  matterCode: string,
  token: string,
  { skip = [] as string[], materials = true } = {},
): Promise<Json> {
  const created = await api.call('POST', '/cases', { token, body: { matterCode, applicant: person() } });
  expect(created.status).toBe(201);
  let record = created.body;
  if (materials) {
    for (const material of record.matter.materials) {
      if (material.required && !skip.includes(material.id))
        record = await provide(record, material.id, token);
    }
  }
  const submitted = await api.call('POST', `/cases/${record.caseId}/submit`, {
    token,
    body: { version: record.version },
  });
  expect(submitted.status).toBe(200);
  return submitted.body;
}

beforeAll(async () => {
  const tables = await createTestTables();
  casesTable = tables.cases;
  await loadSeedCatalogue(
    dynamoCatalogueStore(documents, tables.catalogue),
    taoshanSeed,
    '2026-11-25T00:00:00Z',
    dynamoStaffStore(documents, tables.catalogue),
  );
  staffTable = tables.catalogue;
  // A second qualified clerk at window 2 (the seed has one).
  await loadSeedClerks(
    dynamoStaffStore(documents, tables.catalogue),
    dynamoCatalogueStore(documents, tables.catalogue),
    { ...taoshanSeed, clerks: [{ userId: 'clerk-2b', name: '陈二', windowId: 'window-2' }] },
    '2026-11-25T00:00:00Z',
  );
  const buckets = await createTestBuckets();
  api = await startTestApi(['cases'], {
    MATERIALS_BUCKET: buckets.materials,
    CASES_TABLE: tables.cases,
    IDEMPOTENCY_TABLE: tables.idempotency,
    CATALOGUE_TABLE: tables.catalogue,
  });
  t.alice = await api.token('applicant', { sub: 'alice' });
  t.bob = await api.token('applicant', { sub: 'bob' });
  t.clerk1 = await api.token('clerk', { windowId: 'window-1', sub: 'clerk-1' });
  t.clerk2 = await api.token('clerk', { windowId: 'window-2', sub: 'clerk-2' });
  t.clerk2b = await api.token('clerk', { windowId: 'window-2', sub: 'clerk-2b' });
  t.newClerk = await api.token('clerk', { windowId: 'window-2', sub: 'clerk-new' });
  t.education = await api.token('reviewer', { departmentId: 'education', sub: 'edu-1' });
  t.water = await api.token('reviewer', { departmentId: 'water', sub: 'water-1' });
  t.admin = await api.token('admin', { sub: 'admin-1' });
});

afterAll(async () => api?.stop());

describe('intake', () => {
  it('creates a draft pinned to the published matter version, for the applicant on the portal', async () => {
    const created = await api.send('POST', '/cases', {
      token: t.alice,
      body: { matterCode: 'SW-0001', applicant: person() },
    });
    expect(created.headers.location).toBe(`/cases/${created.body.caseId}`);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      version: 1,
      channel: 'online',
      ownerId: 'alice',
      matter: {
        code: 'SW-0001',
        version: 1,
        windowId: 'window-2',
        departmentId: 'water',
        staffingMode: 'entrusted',
      },
      applicant: { idNumber: person().idNumber },
    });
    expect(created.body.matter.reviewPoints.length).toBeGreaterThan(0);
  });

  it('refuses invalid ID numbers and credit codes with 400 naming the field', async () => {
    const badId = await api.call('POST', '/cases', {
      token: t.alice,
      body: { matterCode: 'SW-0001', applicant: person({ idNumber: wrongCheck(person().idNumber) }) },
    });
    expect(badId.status).toBe(400);
    expect(fieldsOf(badId.body)).toEqual(['body.applicant.idNumber']);
    const body17 = '91230904MA1B2C3D4';
    const good = `${body17}${creditCodeCheckCharacter(body17)}`;
    const badCode = await api.call('POST', '/cases', {
      token: t.alice,
      body: {
        matterCode: 'SW-0001',
        applicant: {
          kind: 'enterprise',
          name: '七台河某公司',
          creditCode: `${good.slice(0, 17)}0`,
          contactName: '李四',
          phone: '13900001111',
        },
      },
    });
    expect(fieldsOf(badCode.body)).toEqual(['body.applicant.creditCode']);
    const unknownMatter = await api.call('POST', '/cases', {
      token: t.alice,
      body: { matterCode: 'XX-0000', applicant: person() },
    });
    expect(fieldsOf(unknownMatter.body)).toEqual(['body.matterCode']);
  });

  it('turns 50 concurrent identical submissions with one Idempotency-Key into one case', async () => {
    const body = { matterCode: 'JY-0001', applicant: person({ name: '王小红' }) };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.call('POST', '/cases', {
          token: t.bob,
          body,
          headers: { 'idempotency-key': 'enrol-2026-bob-0001' },
        }),
      ),
    );
    expect(responses.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(responses.map((r) => r.body.caseId)).size).toBe(1);
    const mine = await api.call('GET', '/cases?limit=100', { token: t.bob });
    expect(mine.body.items.filter((c: Json) => c.applicantName === '王小红')).toHaveLength(1);

    const reused = await api.call('POST', '/cases', {
      token: t.bob,
      body: { ...body, applicant: person({ name: '别人' }) },
      headers: { 'idempotency-key': 'enrol-2026-bob-0001' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('lets a clerk start a counter case only for a matter of their own window', async () => {
    const counter = await api.call('POST', '/cases', {
      token: t.clerk2,
      body: { matterCode: 'SW-0001', applicant: person() },
    });
    expect(counter.status).toBe(201);
    expect(counter.body).toMatchObject({ channel: 'counter', createdBy: { role: 'clerk' } });
    expect(counter.body.ownerId).toBeUndefined();
    const elsewhere = await api.call('POST', '/cases', {
      token: t.clerk2,
      body: { matterCode: 'JY-0001', applicant: person() },
    });
    expect(elsewhere.status).toBe(403);
    expect(
      (
        await api.call('POST', '/cases', {
          token: t.water,
          body: { matterCode: 'SW-0001', applicant: person() },
        })
      ).status,
    ).toBe(403);
  });

  it('numbers a case at receipt and freezes it for its owner', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    expect(record.status).toBe('submitted');
    expect(isCaseNumber(record.caseNumber)).toBe(true);
    expect(record.receivedAt).toBeTruthy();
    const edit = await api.call('PUT', `/cases/${record.caseId}/draft`, {
      token: t.alice,
      body: { version: record.version, applicant: person({ name: '改名' }) },
    });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('INVALID_CASE_STATUS');
  });
});

describe('who may see a case', () => {
  it('hides cases from other applicants and other windows (404) and masks personal data for the centre', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    for (const token of [t.bob, t.clerk1, t.education]) {
      expect((await api.call('GET', `/cases/${record.caseId}`, { token })).status).toBe(404);
    }
    const byClerk = await api.call('GET', `/cases/${record.caseId}`, { token: t.clerk2 });
    expect(byClerk.body.applicant.idNumber).toBe(person().idNumber);
    const byAdmin = await api.call('GET', `/cases/${record.caseId}`, { token: t.admin });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.applicant).toMatchObject({ name: '张**', phone: '138****5678' });
    expect(byAdmin.body.applicant.idNumber).toMatch(/^2309\*{10}.{4}$/);
  });

  it("lists a window's queue by due date, earliest first, and an applicant's own cases", async () => {
    const older = await submittedCase('SW-0001', t.alice);
    const newer = await submittedCase('SW-0001', t.bob);
    const queue = await api.call('GET', '/cases?status=submitted&limit=100', { token: t.clerk2 });
    const ids = queue.body.items.map((c: Json) => c.caseId);
    // Received the same day, so due the same day: the one received first comes first.
    expect(ids.indexOf(older.caseId)).toBeLessThan(ids.indexOf(newer.caseId));
    expect(
      queue.body.items.every((c: Json) => c.matter.windowId === 'window-2' && c.status === 'submitted'),
    ).toBe(true);
    const mine = await api.call('GET', '/cases?limit=100', { token: t.bob });
    const mineIds = mine.body.items.map((c: Json) => c.caseId);
    expect(mineIds).toContain(newer.caseId);
    expect(mineIds).not.toContain(older.caseId);
    // A list shows the worklist line (what the index projects), not the case.
    expect(Object.keys(mine.body.items[0]).sort()).toEqual(
      expect.arrayContaining(['caseId', 'status', 'matter', 'applicantName', 'createdAt', 'deemedAccepted']),
    );
    expect(mine.body.items[0]).not.toHaveProperty('applicant');
    expect(mine.body.items[0]).not.toHaveProperty('notices');
    // An applicant's draft is not the window's work until it is submitted.
    const draft = await api.call('POST', '/cases', {
      token: t.alice,
      body: { matterCode: 'SW-0001', applicant: person() },
    });
    const drafts = await api.call('GET', '/cases?status=draft&limit=100', { token: t.clerk2 });
    expect(drafts.status).toBe(200);
    expect(drafts.body.items.map((c: Json) => c.caseId)).not.toContain(draft.body.caseId);
  });
});

describe('acceptance decisions', () => {
  it('accepts with every review point checked: a notice and the promised date in working days', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const unchecked = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: [] },
    });
    expect(unchecked.status).toBe(400);
    const accepted = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: reviewChecksFor(record) },
    });
    expect(accepted.status).toBe(200);
    const calendar = workingDayCalendar(publishedSchedules());
    const today = shanghaiDate(Date.now());
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      acceptance: {
        noticeNumber: `SL${record.caseNumber}`,
        promisedCompletionDate: calendar.addWorkingDays(today, record.matter.promisedDays).date,
        statutoryCompletionDate: calendar.addWorkingDays(today, record.matter.statutoryDays).date,
      },
    });
    expect(accepted.body.notices).toEqual([
      expect.objectContaining({ type: 'acceptance', number: `SL${record.caseNumber}`, date: today }),
    ]);
  });

  it('lets exactly one of two clerks deciding at once win; the other gets 409', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const [a, b] = await Promise.all(
      [t.clerk2, t.clerk2b].map((token) =>
        api.call('POST', `/cases/${record.caseId}/accept`, {
          token,
          body: { version: record.version, reviewChecks: reviewChecksFor(record) },
        }),
      ),
    );
    expect([a?.status, b?.status].sort()).toEqual([200, 409]);
    const trail = await api.call('GET', `/cases/${record.caseId}/trail`, { token: t.clerk2 });
    expect(trail.body.items.filter((e: Json) => e.action === 'accept')).toHaveLength(1);
  });

  it('lets a clerk decide only with the department’s qualification (上岗资格): none, then passed, then expired', async () => {
    const staff = staffUseCases({
      staff: dynamoStaffStore(documents, staffTable),
      catalogue: dynamoCatalogueStore(documents, staffTable),
      now: Date.now,
    });
    const admin = { userId: 'admin-1', roles: ['admin' as const] };
    await staff.putProfile(
      admin,
      'clerk-new',
      { name: '新人', role: 'clerk', windowId: 'window-2', active: true },
      0,
    );
    const record = await submittedCase('SW-0001', t.alice);
    const decide = () =>
      api.call('POST', `/cases/${record.caseId}/accept`, {
        token: t.newClerk,
        body: { version: record.version, reviewChecks: reviewChecksFor(record) },
      });
    const refused = await decide();
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^未取得.+的上岗资格/);
    expect(refused.body.error.details).toMatchObject({ missing: 'qualification', departmentId: 'water' });
    for (const [path, body] of [
      [
        'request-supplement',
        { version: record.version, items: [{ materialId: 'application', problem: '不清晰' }] },
      ],
      [
        'reject',
        { version: record.version, reason: '不属于本机关职权', legalBasis: '《行政许可法》第三十二条' },
      ],
    ] as const) {
      expect(
        (await api.call('POST', `/cases/${record.caseId}/${path}`, { token: t.newClerk, body })).status,
      ).toBe(403);
    }
    const today = shanghaiDate(Date.now());
    await staff.recordQualification(admin, 'clerk-new', 'water', {
      assessedOn: addDays(today, -400),
      assessor: '水务局',
      result: 'passed',
      validUntil: addDays(today, -1),
    });
    const expired = await decide();
    expect(expired.status).toBe(403);
    expect(expired.body.error.message).toBe(`区水务局的上岗资格已于${addDays(today, -1)}到期`);
    await staff.recordQualification(admin, 'clerk-new', 'water', {
      assessedOn: addDays(today, -1),
      assessor: '水务局',
      result: 'passed',
      validUntil: addDays(today, 365),
    });
    const accepted = await decide();
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    // A record the centre has deactivated decides nothing, whatever its qualifications.
    await staff.putProfile(
      admin,
      'clerk-new',
      { name: '新人', role: 'clerk', windowId: 'window-2', active: false },
      1,
    );
    const next = await submittedCase('SW-0001', t.alice);
    const inactive = await api.call('POST', `/cases/${next.caseId}/accept`, {
      token: t.newClerk,
      body: { version: next.version, reviewChecks: reviewChecksFor(next) },
    });
    expect(inactive.status).toBe(403);
    expect(inactive.body.error.details).toMatchObject({ missing: 'active-staff-record' });
  });

  it('rejects with reason and legal basis and a rejection notice', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const missing = await api.call('POST', `/cases/${record.caseId}/reject`, {
      token: t.clerk2,
      body: { version: record.version, reason: '' },
    });
    expect(fieldsOf(missing.body).sort()).toEqual(['body.legalBasis', 'body.reason']);
    const rejected = await api.call('POST', `/cases/${record.caseId}/reject`, {
      token: t.clerk2,
      body: {
        version: record.version,
        reason: '申请事项不属于本机关职权范围',
        legalBasis: '《中华人民共和国行政许可法》第三十二条',
      },
    });
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejection: { noticeNumber: `BSL${record.caseNumber}` },
    });
    expect(rejected.body.notices[0].content.remedies).toMatch(/行政复议/);
  });

  it("lets a department's staff decide at a dispatched window only", async () => {
    const enrolment = await submittedCase('JY-0001', t.alice);
    const byEducation = await api.call('POST', `/cases/${enrolment.caseId}/accept`, {
      token: t.education,
      body: { version: enrolment.version, reviewChecks: reviewChecksFor(enrolment) },
    });
    expect(byEducation.status).toBe(200);
    const water = await submittedCase('SW-0001', t.alice);
    const byWater = await api.call('POST', `/cases/${water.caseId}/accept`, {
      token: t.water,
      body: { version: water.version, reviewChecks: reviewChecksFor(water) },
    });
    expect(byWater.status).toBe(403);
  });
});

describe('the trail', () => {
  it('records every change with old and new values, verifies, and detects a changed event', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: reviewChecksFor(record) },
    });
    const trail = await api.call('GET', `/cases/${record.caseId}/trail`, { token: t.alice });
    const required = record.matter.materials.filter((m: Json) => m.required).length;
    expect(trail.body.items.map((e: Json) => e.action)).toEqual([
      'create',
      ...Array(required).fill('provide-material'),
      'submit',
      'accept',
    ]);
    const accept = trail.body.items.at(-1);
    // The channel of a step is where that step was done: the portal case was accepted at the counter.
    expect(trail.body.items[0]).toMatchObject({ actor: { role: 'applicant' }, channel: 'online' });
    expect(accept).toMatchObject({
      actor: { userId: 'clerk-2', role: 'clerk', windowId: 'window-2' },
      channel: 'counter',
    });
    expect(accept.changes).toEqual(
      expect.arrayContaining([
        { field: 'status', old: 'submitted', new: 'accepted' },
        { field: 'version', old: record.version, new: record.version + 1 },
      ]),
    );
    expect(
      (await api.call('GET', `/cases/${record.caseId}/trail/verify`, { token: t.clerk2 })).body,
    ).toMatchObject({
      valid: true,
      events: required + 3,
    });

    // Someone edits the stored submit event behind the API's back.
    await documents.send(
      new UpdateCommand({
        TableName: casesTable,
        Key: { pk: `CASE#${record.caseId}`, sk: 'TRAIL#000002' },
        UpdateExpression: 'SET #at = :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': '2020-01-01T00:00:00.000Z' },
      }),
    );
    expect(
      (await api.call('GET', `/cases/${record.caseId}/trail/verify`, { token: t.clerk2 })).body,
    ).toMatchObject({
      valid: false,
      brokenAt: 2,
    });
  });

  it('leaves the old case and no event when the transaction of a change cannot complete', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const before = await api.call('GET', `/cases/${record.caseId}/trail`, { token: t.clerk2 });
    const nextSeq = String(before.body.items.length + 1).padStart(6, '0');
    // An item already where the next event must go makes the whole transaction fail, as a crash would.
    await documents.send(
      new UpdateCommand({
        TableName: casesTable,
        Key: { pk: `CASE#${record.caseId}`, sk: `TRAIL#${nextSeq}` },
        UpdateExpression: 'SET blocker = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
    const failed = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: reviewChecksFor(record) },
    });
    expect(failed.status).toBe(409);
    const after = await api.call('GET', `/cases/${record.caseId}`, { token: t.clerk2 });
    expect(after.body).toMatchObject({ status: 'submitted', version: record.version });
    expect(after.body.acceptance).toBeUndefined();
  });

  it('masks personal values in the trail for the centre admin', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const trail = await api.call('GET', `/cases/${record.caseId}/trail`, { token: t.admin });
    const created = trail.body.items[0].changes.find((c: Json) => c.field === 'applicant.idNumber');
    expect(created).toEqual({ field: 'applicant.idNumber', new: '***' });
  });
});

describe('materials', () => {
  it('refuses an upload of the wrong type, over the size limit, or with a checksum mismatch', async () => {
    const created = await api.call('POST', '/cases', {
      token: t.alice,
      body: { matterCode: 'SW-0001', applicant: person() },
    });
    const record = created.body;
    const tooBig = await api.call('POST', `/cases/${record.caseId}/materials/application/uploads`, {
      token: t.alice,
      body: { fileName: 'big.pdf', contentType: 'application/pdf', size: 21 * 1024 * 1024 },
    });
    expect(fieldsOf(tooBig.body)).toEqual(['body.size']);

    const confirmWith = async (bytes: Buffer, declared: string, claimedSha: string) => {
      const requested = await api.call('POST', `/cases/${record.caseId}/materials/application/uploads`, {
        token: t.alice,
        body: { fileName: 'a', contentType: declared, size: bytes.byteLength },
      });
      await fetch(requested.body.upload.url, {
        method: 'PUT',
        headers: requested.body.upload.headers,
        body: bytes,
      });
      return api.call('POST', `/cases/${record.caseId}/materials/application/confirm`, {
        token: t.alice,
        body: { version: record.version, uploadId: requested.body.uploadId, sha256: claimedSha },
      });
    };
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    expect(fieldsOf((await confirmWith(png, 'application/pdf', sha256(png))).body)).toEqual(['file']);
    const doc = pdf('申请书');
    expect(fieldsOf((await confirmWith(doc, 'application/pdf', 'a'.repeat(64))).body)).toEqual([
      'body.sha256',
    ]);
    const after = await api.call('GET', `/cases/${record.caseId}`, { token: t.alice });
    expect(after.body.materials.application.status).toBe('missing');
  });

  it("keeps the workflow's task token apart from the case, through a change of it, and never shows it", async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const tokenKey = { pk: `CASE#${record.caseId}`, sk: 'WORKFLOW' };
    await documents.send(
      new PutCommand({
        TableName: casesTable,
        Item: { ...tokenKey, taskToken: 'secret-task-token', taskTokenPhase: 'awaiting-review' },
      }),
    );
    // An attribute the head does not hold (as an earlier layout kept the token there) is never shown.
    await documents.send(
      new UpdateCommand({
        TableName: casesTable,
        Key: { pk: `CASE#${record.caseId}`, sk: 'CASE' },
        UpdateExpression: 'SET taskToken = :token',
        ExpressionAttributeValues: { ':token': 'secret-task-token' },
      }),
    );
    const checked = await api.call('POST', `/cases/${record.caseId}/materials/application/paper-check`, {
      token: t.clerk2,
      body: { version: record.version },
    });
    expect(checked.status).toBe(200);
    expect(JSON.stringify(checked.body)).not.toContain('secret-task-token');
    for (const token of [t.alice, t.clerk2, t.water, t.admin]) {
      const read = await api.call('GET', `/cases/${record.caseId}`, { token });
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain('secret-task-token');
      const trail = await api.call('GET', `/cases/${record.caseId}/trail`, { token });
      expect(JSON.stringify(trail.body)).not.toContain('secret-task-token');
    }
    const stored = await documents.send(
      new GetCommand({ TableName: casesTable, Key: tokenKey, ConsistentRead: true }),
    );
    expect(stored.Item).toMatchObject({ taskToken: 'secret-task-token' });
  });

  it('refuses to accept while a required material is missing', async () => {
    const record = await submittedCase('SW-0001', t.alice, { skip: ['water-assessment'] });
    const refused = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: reviewChecksFor(record) },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.fields).toEqual([
      { field: 'materials', message: expect.stringContaining('缺少必要材料') },
    ]);
  });

  it('records the paper original seen at the counter', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const checked = await api.call('POST', `/cases/${record.caseId}/materials/application/paper-check`, {
      token: t.clerk2,
      body: { version: record.version },
    });
    expect(checked.body.materials.application.paperOriginalChecked).toMatchObject({ by: 'clerk-2' });
    expect(
      (
        await api.call('POST', `/cases/${record.caseId}/materials/application/paper-check`, {
          token: t.alice,
          body: { version: 5 },
        })
      ).status,
    ).toBe(403);
  });
});

describe('supplement, deferrable acceptance, instant matters, deemed acceptance', () => {
  it('tells every deficiency at once, takes the supplement and accepts after resubmission', async () => {
    const record = await submittedCase('SW-0001', t.alice, { materials: false });
    const requested = await api.call('POST', `/cases/${record.caseId}/request-supplement`, {
      token: t.clerk2,
      body: {
        version: record.version,
        items: record.matter.materials.map((m: Json) => ({ materialId: m.id, problem: '未提交' })),
      },
    });
    expect(requested.body).toMatchObject({ status: 'supplement-requested', supplementRounds: 1 });
    expect(requested.body.notices.at(-1)).toMatchObject({
      type: 'supplement',
      number: `BZ${record.caseNumber}-1`,
    });
    expect(requested.body.notices.at(-1).content.items).toHaveLength(record.matter.materials.length);

    let current = requested.body;
    for (const material of current.matter.materials) current = await provide(current, material.id, t.alice);
    const resubmitted = await api.call('POST', `/cases/${record.caseId}/resubmit`, {
      token: t.alice,
      body: { version: current.version },
    });
    expect(resubmitted.body.status).toBe('submitted');
    const accepted = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: resubmitted.body.version, reviewChecks: reviewChecksFor(record) },
    });
    expect(accepted.body.status).toBe('accepted');
  });

  it('accepts with a deferrable material missing on a commitment, due no later than the promised date', async () => {
    const record = await submittedCase('SW-0001', t.alice, { skip: ['third-party-statement'] });
    const decide = (deferred: Json) =>
      api.call('POST', `/cases/${record.caseId}/accept`, {
        token: t.clerk2,
        body: { version: record.version, reviewChecks: reviewChecksFor(record), deferred },
      });
    const commitment = {
      statement: '本人承诺在期限内补齐容缺材料,逾期未补齐的同意终止办理',
      signedBy: '张小明',
    };
    const late = await decide({
      items: [{ materialId: 'third-party-statement', dueDate: '2099-01-01' }],
      commitment,
    });
    expect(fieldsOf(late.body)).toEqual(['body.deferred.items.0.dueDate']);
    const key = await decide({
      items: [
        { materialId: 'third-party-statement', dueDate: shanghaiDate(Date.now()) },
        { materialId: 'application', dueDate: shanghaiDate(Date.now()) },
      ],
      commitment,
    });
    expect(fieldsOf(key.body)).toContain('body.deferred.items.1.materialId');

    const accepted = await decide({
      items: [{ materialId: 'third-party-statement', dueDate: shanghaiDate(Date.now()) }],
      commitment,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      deferrals: { items: [{ materialId: 'third-party-statement' }], commitment: { signedBy: '张小明' } },
    });
    expect(accepted.body.notices.at(-1)).toMatchObject({
      type: 'deferrable-acceptance',
      number: `RQ${record.caseNumber}`,
    });
    // The deferred material may still come after acceptance; others may not.
    const later = await provide(accepted.body, 'third-party-statement', t.alice);
    expect(later.materials['third-party-statement'].status).toBe('provided');
  });

  it('decides an instant matter at the counter in one visit', async () => {
    const record = await submittedCase('MZ-0004', t.alice);
    const withoutDecision = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: reviewChecksFor(record) },
    });
    expect(fieldsOf(withoutDecision.body)).toEqual(['body.instantDecision']);
    const decided = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: {
        version: record.version,
        reviewChecks: reviewChecksFor(record),
        instantDecision: { outcome: 'approve', note: '材料齐全,予以备案' },
      },
    });
    expect(decided.body).toMatchObject({
      status: 'decided',
      instantDecision: { outcome: 'approve', decidedBy: 'clerk-2' },
    });
  });

  it('flags a case with no decision or notice 5 working days after receipt as deemed accepted, for the centre', async () => {
    const record = await submittedCase('SW-0001', t.alice);
    await documents.send(
      new UpdateCommand({
        TableName: casesTable,
        Key: { pk: `CASE#${record.caseId}`, sk: 'CASE' },
        // Received long ago: the §32 date, its copy the lists project and the queue's sort key (due date
        // first) as the store writes them.
        UpdateExpression: 'SET acceptanceDueDate = :past, dueDate = :past, gsi3sk = :sort',
        ExpressionAttributeValues: {
          ':past': '2026-01-05',
          ':sort': `2026-01-05#${record.receivedAt}#${record.caseId}`,
        },
      }),
    );
    const overdue = await api.call('GET', '/departments/water/overdue-acceptance?limit=100', {
      token: t.admin,
    });
    expect(overdue.status).toBe(200);
    expect(overdue.body.items.find((c: Json) => c.caseId === record.caseId)).toMatchObject({
      deemedAccepted: true,
      // The centre's overview: the applicant's name masked.
      applicantName: '张**',
    });
    expect((await api.call('GET', '/departments/water/overdue-acceptance', { token: t.clerk2 })).status).toBe(
      403,
    );
  });
});

describe('back office over HTTP', () => {
  const acceptedWaterCase = async () => {
    const record = await submittedCase('SW-0001', t.alice);
    const accepted = await api.call('POST', `/cases/${record.caseId}/accept`, {
      token: t.clerk2,
      body: { version: record.version, reviewChecks: reviewChecksFor(record) },
    });
    expect(accepted.status).toBe(200);
    return accepted.body;
  };

  it('hands an entrusted case over to its department, which confirms receipt; no token ever shows', async () => {
    const record = await acceptedWaterCase();
    expect(record).toMatchObject({
      phase: 'awaiting-receipt',
      clock: { startDate: record.clock.startDate, promisedDays: record.matter.promisedDays, pauses: [] },
      backOffice: { handedOverAt: expect.any(String) },
    });
    const byClerk = await api.call('POST', `/cases/${record.caseId}/receipt`, {
      token: t.clerk2,
      body: { version: record.version },
    });
    expect(byClerk.status).toBe(403);
    const byOtherDepartment = await api.call('POST', `/cases/${record.caseId}/receipt`, {
      token: t.education,
      body: { version: record.version },
    });
    expect(byOtherDepartment.status).toBe(404);
    const received = await api.call('POST', `/cases/${record.caseId}/receipt`, {
      token: t.water,
      body: { version: record.version },
    });
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({
      phase: 'awaiting-review',
      backOffice: { receivedBy: { userId: 'water-1' } },
    });
    expect(JSON.stringify(received.body)).not.toMatch(/taskToken|openPk/);
    const again = await api.call('POST', `/cases/${record.caseId}/receipt`, {
      token: t.water,
      body: { version: received.body.version },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_CASE_PHASE');
  });

  it('answers bad back-office input with 400 naming the field, and keeps the case as it was', async () => {
    const record = await acceptedWaterCase();
    const cases: [string, unknown, string][] = [
      ['extension', { version: record.version, workingDays: 31, reason: '需要' }, 'body.workingDays'],
      ['special-procedures', { version: record.version, type: 'lottery', reason: '抽签' }, 'body.type'],
      ['decision', { version: record.version, outcome: 'deny' }, 'body.reasons'],
      ['department-supplement', { version: record.version, items: [] }, 'body.items'],
      [
        'review',
        { version: record.version, opinion: '可以', recommendation: 'maybe' },
        'body.recommendation',
      ],
    ];
    for (const [step, body, field] of cases) {
      const answer = await api.call('POST', `/cases/${record.caseId}/${step}`, { token: t.water, body });
      expect(answer.status, step).toBe(400);
      expect(fieldsOf(answer.body), step).toContain(field);
    }
    const after = await api.call('GET', `/cases/${record.caseId}`, { token: t.water });
    expect(after.body.version).toBe(record.version);
  });

  it('lists alerts by scope and level for those who may see them', async () => {
    const badLevel = await api.call('GET', '/alerts?scope=centre&level=orange', { token: t.admin });
    expect(badLevel.status).toBe(400);
    expect(fieldsOf(badLevel.body)).toContain('query.level');
    expect((await api.call('GET', '/alerts?scope=centre&level=red', { token: t.water })).status).toBe(403);
    expect(
      (await api.call('GET', '/alerts?scope=department&id=education&level=red', { token: t.water })).status,
    ).toBe(403);
    const own = await api.call('GET', '/alerts?scope=department&level=red', { token: t.water });
    expect(own).toMatchObject({ status: 200, body: { items: [] } });
  });
});
