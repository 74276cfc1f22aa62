import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { addDays } from '../../functions/domain/calendar/dates';
import { shanghaiDate } from '../../functions/domain/calendar-date';
import { verifyChain } from '../../functions/domain/cases/trail';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Staff records and qualifications over HTTP: the real gateway and catalogue handler, DynamoDB Local, the
 * Taoshan seed (window-3 serves emergency, culture-tourism and finance). Each role reads what it may.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
const tokens: Record<string, string> = {};
const today = shanghaiDate(Date.now());
const fieldsOf = (body: Json): string[] => (body.error?.details?.fields ?? []).map((f: Json) => f.field);

beforeAll(async () => {
  const [tables, buckets] = await Promise.all([createTestTables(), createTestBuckets()]);
  await loadSeedCatalogue(
    dynamoCatalogueStore(testDocumentClient(), tables.catalogue),
    taoshanSeed,
    '2026-11-25T00:00:00Z',
  );
  api = await startTestApi(['catalogue'], {
    CATALOGUE_TABLE: tables.catalogue,
    CATALOGUE_BUCKET: buckets.catalogue,
  });
  tokens.admin = await api.token('admin', { sub: 'admin-1' });
  tokens.clerk = await api.token('clerk', { windowId: 'window-3', sub: 'clerk-zhang' });
  tokens.otherClerk = await api.token('clerk', { windowId: 'window-1', sub: 'clerk-li' });
  tokens.emergencyChief = await api.token('chief', { departmentId: 'emergency', sub: 'chief-emergency' });
  tokens.waterChief = await api.token('chief', { departmentId: 'water', sub: 'chief-water' });
  tokens.applicant = await api.token('applicant', { sub: 'citizen-1' });
});
afterAll(async () => api?.stop());

const putClerk = (userId: string, name: string, revision = 0, token = tokens.admin) =>
  api.call('PUT', `/staff/${userId}`, {
    token,
    body: { name, role: 'clerk', windowId: 'window-3', active: true, revision },
  });

describe('staff profiles', () => {
  it('answers a creation with 201 and the Location of the record', async () => {
    const created = await api.send('PUT', '/staff/clerk-loc', {
      token: tokens.admin,
      body: { name: '定位', role: 'clerk', windowId: 'window-3', active: true, revision: 0 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/staff/clerk-loc');
    const changed = await api.send('PUT', '/staff/clerk-loc', {
      token: tokens.admin,
      body: { name: '定位', role: 'clerk', windowId: 'window-3', active: false, revision: 1 },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.location).toBeUndefined();
    expect(
      (await api.call('GET', created.headers.location as string, { token: tokens.admin })).body.active,
    ).toBe(false);
  });

  it('are created and changed by the centre admin only, at the revision read', async () => {
    const created = await putClerk('clerk-zhang', '张敏');
    expect(created).toMatchObject({
      status: 201,
      body: {
        userId: 'clerk-zhang',
        name: '张敏',
        role: 'clerk',
        windowId: 'window-3',
        revision: 1,
        qualifications: [],
      },
    });
    expect((await putClerk('clerk-zhang', '张敏')).status).toBe(409);
    expect((await putClerk('clerk-wang', '王强', 0, tokens.emergencyChief)).status).toBe(403);
    const renamed = await putClerk('clerk-zhang', '张敏敏', 1);
    expect(renamed.body).toMatchObject({ name: '张敏敏', revision: 2 });
    // A stale revision changes nothing.
    expect((await putClerk('clerk-zhang', '别人', 1)).status).toBe(409);
    expect((await api.call('GET', '/staff/clerk-zhang', { token: tokens.admin })).body.name).toBe('张敏敏');
  });

  it('refuses a profile without the scope its role needs, or naming a window that does not exist', async () => {
    const noWindow = await api.call('PUT', '/staff/clerk-x', {
      token: tokens.admin,
      body: { name: '无窗口', role: 'clerk', active: true, revision: 0 },
    });
    expect(noWindow.status).toBe(400);
    expect(fieldsOf(noWindow.body)).toEqual(['body.windowId']);
    const unknown = await api.call('PUT', '/staff/clerk-x', {
      token: tokens.admin,
      body: { name: '甲', role: 'clerk', windowId: 'window-9', active: true, revision: 0 },
    });
    expect(fieldsOf(unknown.body)).toEqual(['body.windowId']);
    const extra = await api.call('PUT', '/staff/clerk-x', {
      token: tokens.admin,
      body: { name: '甲', role: 'clerk', windowId: 'window-3', active: true, revision: 0, salary: 1 },
    });
    expect(extra.status).toBe(400);
    expect(fieldsOf(extra.body)).toEqual(['body.salary']);
    expect((await api.call('GET', '/staff/clerk-x', { token: tokens.admin })).status).toBe(404);
  });

  it('are read by the admin and the person themself; others see nothing', async () => {
    await putClerk('clerk-zhang', '张敏敏', 2).catch(() => undefined);
    expect((await api.call('GET', '/staff/clerk-zhang', { token: tokens.clerk })).status).toBe(200);
    expect((await api.call('GET', '/staff/clerk-zhang', { token: tokens.otherClerk })).status).toBe(404);
    expect((await api.call('GET', '/staff/clerk-zhang', { token: tokens.applicant })).status).toBe(404);
    const list = await api.call('GET', '/staff?windowId=window-3', { token: tokens.admin });
    expect(list.body.items.map((p: Json) => p.userId)).toContain('clerk-zhang');
    expect((await api.call('GET', '/staff?windowId=window-3', { token: tokens.clerk })).status).toBe(403);
    const both = await api.call('GET', '/staff?windowId=window-3&departmentId=water', {
      token: tokens.admin,
    });
    expect(both.status).toBe(400);
    const forged = await api.call('GET', '/staff?cursor=eyJwayI6IkNBU0UjeCJ9', { token: tokens.admin });
    expect(forged.status).toBe(400);
    expect(fieldsOf(forged.body)).toEqual(['query.cursor']);
  });
});

describe('qualifications (上岗资格)', () => {
  const assessment = (overrides: Json = {}) => ({
    assessedOn: addDays(today, -10),
    assessor: '应急局业务科',
    result: 'passed',
    validUntil: addDays(today, 365),
    ...overrides,
  });

  it('are recorded by the department’s chief for its own department only, and show in the window matrix', async () => {
    await putClerk('clerk-qian', '钱明');
    const foreign = await api.call('PUT', '/staff/clerk-qian/qualifications/emergency', {
      token: tokens.waterChief,
      body: assessment(),
    });
    expect(foreign.status).toBe(403);
    const recorded = await api.call('PUT', '/staff/clerk-qian/qualifications/emergency', {
      token: tokens.emergencyChief,
      body: assessment({ matterCodes: ['YJ-0001'] }),
    });
    expect(recorded).toMatchObject({
      status: 200,
      body: {
        departmentId: 'emergency',
        matterCodes: ['YJ-0001'],
        state: 'valid',
        recordedBy: 'chief-emergency',
      },
    });
    const matrix = await api.call('GET', '/windows/window-3/qualifications', {
      token: tokens.emergencyChief,
    });
    expect(matrix.status).toBe(200);
    const row = matrix.body.clerks.find((c: Json) => c.userId === 'clerk-qian');
    expect(row.departments).toEqual({
      emergency: { state: 'valid', validUntil: addDays(today, 365), matterCodes: ['YJ-0001'] },
      'culture-tourism': { state: 'none' },
      finance: { state: 'none' },
    });
    // The matrix is for the window's clerks, its departments' chiefs and the admin.
    expect((await api.call('GET', '/windows/window-3/qualifications', { token: tokens.clerk })).status).toBe(
      200,
    );
    expect(
      (await api.call('GET', '/windows/window-3/qualifications', { token: tokens.otherClerk })).status,
    ).toBe(403);
    expect(
      (await api.call('GET', '/windows/window-3/qualifications', { token: tokens.waterChief })).status,
    ).toBe(403);
  });

  it('refuse matters of another department, dates out of order, and staff who are not clerks', async () => {
    await putClerk('clerk-sun', '孙丽');
    const wrong = await api.call('PUT', '/staff/clerk-sun/qualifications/emergency', {
      token: tokens.admin,
      body: assessment({ matterCodes: ['YJ-0001', 'JY-0001'], validUntil: addDays(today, -20) }),
    });
    expect(wrong.status).toBe(400);
    expect(fieldsOf(wrong.body).sort()).toEqual(['body.matterCodes.1', 'body.validUntil']);
    const future = await api.call('PUT', '/staff/clerk-sun/qualifications/emergency', {
      token: tokens.admin,
      body: assessment({ assessedOn: addDays(today, 3) }),
    });
    expect(fieldsOf(future.body)).toEqual(['body.assessedOn']);
    await api.call('PUT', '/staff/chief-emergency', {
      token: tokens.admin,
      body: { name: '赵刚', role: 'chief', departmentId: 'emergency', active: true, revision: 0 },
    });
    const notClerk = await api.call('PUT', '/staff/chief-emergency/qualifications/emergency', {
      token: tokens.admin,
      body: assessment(),
    });
    expect(fieldsOf(notClerk.body)).toEqual(['params.userId']);
  });

  it('expire on their end date, warn 30 days before, and are revoked with a reason, all in a verifiable trail', async () => {
    await putClerk('clerk-zhou', '周华');
    await api.call('PUT', '/staff/clerk-zhou/qualifications/finance', {
      token: tokens.admin,
      body: assessment({ assessor: '财政局', validUntil: addDays(today, -1) }),
    });
    const soon = await api.call('PUT', '/staff/clerk-zhou/qualifications/culture-tourism', {
      token: tokens.admin,
      body: assessment({ assessor: '文旅局', validUntil: addDays(today, 20) }),
    });
    expect(soon.body.state).toBe('expiring');
    const record = await api.call('GET', '/staff/clerk-zhou', { token: tokens.admin });
    expect(
      Object.fromEntries(record.body.qualifications.map((q: Json) => [q.departmentId, q.state])),
    ).toEqual({ finance: 'expired', 'culture-tourism': 'expiring' });

    const revoked = await api.call('POST', '/staff/clerk-zhou/qualifications/culture-tourism/revoke', {
      token: tokens.admin,
      body: { reason: '考核材料不实' },
    });
    expect(revoked.body).toMatchObject({
      state: 'revoked',
      revoked: { reason: '考核材料不实', by: 'admin-1' },
    });
    const again = await api.call('POST', '/staff/clerk-zhou/qualifications/culture-tourism/revoke', {
      token: tokens.admin,
      body: { reason: '再次' },
    });
    expect(again.status).toBe(409);

    const trail = await api.call('GET', '/staff/clerk-zhou/trail', { token: tokens.admin });
    expect(trail.body.items.map((e: Json) => e.action)).toEqual([
      'create-profile',
      'record-qualification',
      'record-qualification',
      'revoke-qualification',
    ]);
    expect(verifyChain(trail.body.items)).toMatchObject({ valid: true, events: 4 });
    expect((await api.call('GET', '/staff/clerk-zhou/trail', { token: tokens.clerk })).status).toBe(403);
  });
});
