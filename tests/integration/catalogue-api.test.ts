import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { creditCodeCheckCharacter } from '../../functions/domain/credit-code';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * The catalogue API end to end over HTTP: the real gateway and handler, DynamoDB Local and the S3
 * stand-in, loaded with the illustrative Taoshan seed.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
const tokens: Record<string, string> = {};

const waterGuide = (overrides: Json = {}) => ({
  name: '河道管理范围内建设项目工程建设方案审批',
  type: 'administrative-licensing',
  caseType: 'promised',
  statutoryLimit: { value: 20 },
  promisedLimit: { value: 10 },
  acceptanceConditions: ['建设项目位于河道管理范围内'],
  processSteps: [{ name: '受理', description: '综合窗口受理' }],
  fees: { charged: false, description: '不收费' },
  result: { name: '审批决定书' },
  consultationPhone: '0464-8000000',
  complaintPhone: '12345',
  channels: ['counter', 'online'],
  materials: [
    {
      id: 'application',
      name: '申请书',
      issuer: '申请人',
      originals: 1,
      copies: 0,
      required: true,
      keyMaterial: true,
    },
  ],
  ...overrides,
});

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
  tokens.admin = await api.token('admin');
  tokens.water = await api.token('reviewer', { departmentId: 'water' });
  tokens.waterChief = await api.token('chief', { departmentId: 'water' });
  tokens.education = await api.token('reviewer', { departmentId: 'education' });
  tokens.clerk = await api.token('clerk', { windowId: 'window-2' });
});

afterAll(async () => api?.stop());

describe('public reading of the seeded catalogue', () => {
  it('lists the three windows and the departments with the centre', async () => {
    const windows = await api.call('GET', '/windows');
    expect(windows.status).toBe(200);
    expect(windows.body.items.map((w: Json) => w.id)).toEqual(['window-1', 'window-2', 'window-3']);
    const departments = await api.call('GET', '/departments?limit=100');
    expect(departments.body.items).toHaveLength(8);
    expect(departments.body.items.map((d: Json) => d.id)).toContain('business-environment');
  });

  it('lists only the matters of 民政, 农业农村 and 水务 for window 2, page by page without loss', async () => {
    const seen: Json[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call(
        'GET',
        `/matters?window=window-2&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const expected = taoshanSeed.matters
      .filter((m) => m.assignment.windowId === 'window-2')
      .map((m) => m.code);
    expect(seen.map((m) => m.code).sort()).toEqual(expected.sort());
    expect(new Set(seen.map((m) => m.departmentId))).toEqual(
      new Set(['civil-affairs', 'agriculture', 'water']),
    );
  });

  it('filters by department, case type and a word of the name', async () => {
    const instant = await api.call('GET', '/matters?caseType=instant&limit=100');
    expect(instant.body.items.length).toBeGreaterThanOrEqual(4);
    expect(instant.body.items.every((m: Json) => m.caseType === 'instant')).toBe(true);
    const water = await api.call('GET', '/matters?department=water&limit=100');
    expect(water.body.items.every((m: Json) => m.departmentId === 'water')).toBe(true);
    const teachers = await api.call('GET', `/matters?q=${encodeURIComponent('教师')}`);
    expect(teachers.body.items.map((m: Json) => m.name)).toEqual([expect.stringContaining('教师')]);
  });

  it('answers a bad filter or cursor with 400 naming the query field', async () => {
    const bad = await api.call('GET', '/matters?caseType=someday&cursor=not-a-cursor&limit=0');
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body).sort()).toEqual(['query.caseType', 'query.cursor', 'query.limit']);
  });

  it('answers a forged or borrowed cursor with 400 on every list, never 500', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    // A real cursor of one list, replayed on the others: it continues a different partition.
    const windowMatters = await api.call('GET', '/matters?window=window-2&limit=1');
    const borrowed = windowMatters.body.nextCursor as string;
    expect(borrowed).toEqual(expect.any(String));
    const forged = [
      borrowed,
      b64({ pk: 'MATTER#SW-0001', sk: 'HEAD' }),
      b64({ pk: 'WINDOW#window-1', sk: 'WINDOW', gsi1pk: 'WINDOWS', gsi1sk: { S: 'x' } }),
      b64({ pk: 'x', sk: 'y', gsi1pk: 'WINDOWS', gsi1sk: 'z', extra: 'w' }),
      b64({ pk: '', sk: 'y', gsi1pk: 'WINDOWS', gsi1sk: 'z' }),
    ];
    const lists: [string, string | undefined][] = [
      ['/windows', undefined],
      ['/departments', undefined],
      ['/matters', undefined],
      ['/matters?department=water', undefined],
      ['/departments/water/announcement', undefined],
      ['/departments/water/matters', tokens.water],
    ];
    for (const [path, token] of lists) {
      for (const cursor of forged) {
        // The borrowed cursor is genuine for the window-2 list only.
        if (cursor === borrowed && path.startsWith('/matters?window')) continue;
        const answer = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`, {
          ...(token ? { token } : {}),
        });
        expect(answer.status, `${path} ${cursor}`).toBe(400);
        expect(fieldsOf(answer.body)).toEqual(['query.cursor']);
      }
    }
    // The genuine cursor still continues its own list.
    const next = await api.call('GET', `/matters?window=window-2&limit=1&cursor=${borrowed}`);
    expect(next.status).toBe(200);
    expect(next.body.items[0].code).not.toBe(windowMatters.body.items[0].code);
  });

  it('serves a full service guide, marked 受委托组织 at an entrusted window', async () => {
    const guide = await api.call('GET', '/matters/SW-0001');
    expect(guide.status).toBe(200);
    expect(guide.body).toMatchObject({
      code: 'SW-0001',
      status: 'published',
      version: 1,
      departmentId: 'water',
      window: { windowId: 'window-2', staffingMode: 'entrusted' },
      implementerNature: 'entrusted-organisation',
    });
    expect(guide.body.materials.length).toBeGreaterThan(0);
    expect((await api.call('GET', '/matters/JY-0001')).body.implementerNature).toBe('statutory-authority');
    expect((await api.call('GET', '/matters/XX-9999')).status).toBe(404);
  });

  it("publishes a department's announcement of the matters it entrusts to a window", async () => {
    const water = await api.call('GET', '/departments/water/announcement?limit=100');
    expect(water.status).toBe(200);
    expect(water.body.items.length).toBe(
      taoshanSeed.matters.filter((m) => m.departmentId === 'water').length,
    );
    expect(water.body.items[0]).toMatchObject({ windowId: 'window-2', since: '2021-09-01' });
    // Education's staff sit at its window (派驻): it entrusts nothing.
    expect((await api.call('GET', '/departments/education/announcement')).body.items).toEqual([]);
    expect((await api.call('GET', '/departments/nowhere/announcement')).status).toBe(404);
  });
});

describe('who may change the catalogue', () => {
  it('refuses anonymous callers with 401 and other roles with 403 and the error body', async () => {
    const body = { code: 'SW-0100', departmentId: 'water', guide: waterGuide() };
    expect((await api.call('POST', '/matters', { body })).status).toBe(401);
    for (const token of [tokens.clerk, tokens.education, tokens.admin]) {
      const refused = await api.call('POST', '/matters', { body, token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
      expect(refused.body.error.message).toMatch(/本部门/);
    }
    const window = { name: '综合窗口4', departmentIds: ['water'], revision: 0 };
    expect((await api.call('PUT', '/windows/window-4', { body: window, token: tokens.water })).status).toBe(
      403,
    );
  });
});

describe('editing and publishing a matter', () => {
  it('refuses bad guides with 400 naming each field', async () => {
    const tooLong = await api.call('POST', '/matters', {
      token: tokens.water,
      body: { code: 'SW-0101', departmentId: 'water', guide: waterGuide({ promisedLimit: { value: 30 } }) },
    });
    expect(tooLong.status).toBe(400);
    expect(fieldsOf(tooLong.body)).toEqual(['body.guide.promisedLimit.value']);

    const deferredKey = await api.call('POST', '/matters', {
      token: tokens.water,
      body: {
        code: 'SW-0101',
        departmentId: 'water',
        guide: waterGuide({
          materials: [
            {
              id: 'application',
              name: '申请书',
              issuer: '申请人',
              originals: 1,
              copies: 0,
              required: true,
              keyMaterial: true,
              deferrable: true,
            },
          ],
        }),
      },
    });
    expect(fieldsOf(deferredKey.body)).toEqual(['body.guide.materials.0.deferrable']);

    const duplicate = await api.call('POST', '/matters', {
      token: tokens.water,
      body: { code: 'SW-0001', departmentId: 'water', guide: waterGuide() },
    });
    expect(duplicate.status).toBe(400);
    expect(fieldsOf(duplicate.body)).toEqual(['body.code']);

    const ghost = await api.token('reviewer', { departmentId: 'ghost-bureau' });
    const unknown = await api.call('POST', '/matters', {
      token: ghost,
      body: { code: 'GB-0001', departmentId: 'ghost-bureau', guide: waterGuide() },
    });
    expect(unknown.status).toBe(400);
    expect(fieldsOf(unknown.body)).toEqual(['body.departmentId']);
  });

  it('keeps the published version live while the next draft is edited, and every published version readable', async () => {
    const created = await api.call('POST', '/matters', {
      token: tokens.water,
      body: { code: 'SW-0200', departmentId: 'water', guide: waterGuide() },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, status: 'draft', revision: 1 });
    expect((await api.call('GET', '/matters/SW-0200')).status).toBe(404);
    const drafts = await api.call('GET', '/departments/water/matters?limit=100', { token: tokens.water });
    expect(drafts.body.items.find((m: Json) => m.code === 'SW-0200')).toEqual({
      code: 'SW-0200',
      name: waterGuide().name,
      draft: { version: 1, revision: 1 },
    });

    const v1 = await api.call('POST', '/matters/SW-0200/draft/publish', {
      token: tokens.water,
      body: { revision: 1, validFrom: '2026-01-01' },
    });
    expect(v1.status).toBe(200);
    expect(
      (await api.call('GET', '/matters?department=water&limit=100')).body.items.map((m: Json) => m.code),
    ).toContain('SW-0200');

    const draft = await api.call('PUT', '/matters/SW-0200/draft', {
      token: tokens.waterChief,
      body: { revision: 0, guide: waterGuide({ name: '河道管理范围内建设项目审批（新版）' }) },
    });
    expect(draft.body).toMatchObject({ version: 2, status: 'draft', revision: 1 });
    expect((await api.call('GET', '/matters/SW-0200')).body).toMatchObject({
      version: 1,
      name: waterGuide().name,
    });

    // Two editors save the same draft at once: exactly one wins, the other is told to reload.
    const [a, b] = await Promise.all(
      ['甲', '乙'].map((who) =>
        api.call('PUT', '/matters/SW-0200/draft', {
          token: tokens.water,
          body: { revision: 1, guide: waterGuide({ name: `新版（${who}）` }) },
        }),
      ),
    );
    expect([a?.status, b?.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r?.status === 409)?.body.error.code).toBe('REVISION_CONFLICT');

    const stale = await api.call('POST', '/matters/SW-0200/draft/publish', {
      token: tokens.water,
      body: { revision: 1, validFrom: '2026-11-25' },
    });
    expect(stale.status).toBe(409);
    const backdated = await api.call('POST', '/matters/SW-0200/draft/publish', {
      token: tokens.water,
      body: { revision: 2, validFrom: '2025-12-31' },
    });
    expect(fieldsOf(backdated.body)).toEqual(['body.validFrom']);

    const scheduled = await api.call('POST', '/matters/SW-0200/draft/publish', {
      token: tokens.water,
      body: { revision: 2, validFrom: '2099-01-01' },
    });
    expect(scheduled.body).toMatchObject({ version: 2, status: 'published', validFrom: '2099-01-01' });
    expect((await api.call('GET', '/matters/SW-0200')).body.version).toBe(1);
    expect((await api.call('GET', '/matters/SW-0200?version=2')).body.name).toMatch(/^新版/);
    expect((await api.call('GET', '/matters/SW-0200?version=1')).body.version).toBe(1);
    expect((await api.call('GET', '/matters/SW-0200?version=3')).status).toBe(404);

    // The department's own work list shows what is in effect, what is scheduled and any open draft.
    const own = await api.call('GET', '/departments/water/matters?limit=100', { token: tokens.water });
    expect(own.body.items.find((m: Json) => m.code === 'SW-0200')).toMatchObject({
      inEffect: { version: 1 },
      scheduled: { version: 2, validFrom: '2099-01-01' },
    });
    expect((await api.call('GET', '/departments/water/matters', { token: tokens.education })).status).toBe(
      403,
    );
  });
});

describe('centre configuration', () => {
  it('creates a window only with known departments and refuses a stale revision', async () => {
    const unknown = await api.call('PUT', '/windows/window-4', {
      token: tokens.admin,
      body: { name: '综合窗口4', departmentIds: ['water', 'nowhere'], revision: 0 },
    });
    expect(fieldsOf(unknown.body)).toEqual(['body.departmentIds.1']);
    const created = await api.call('PUT', '/windows/window-4', {
      token: tokens.admin,
      body: { name: '综合窗口4', departmentIds: ['water'], revision: 0 },
    });
    expect(created.status).toBe(201);
    const again = await api.call('PUT', '/windows/window-4', {
      token: tokens.admin,
      body: { name: '综合窗口四', departmentIds: ['water'], revision: 0 },
    });
    expect(again.status).toBe(409);
  });

  it('validates credit codes by their check digit and keeps them unique', async () => {
    const department = {
      name: '区林业局',
      chiefRepresentative: { name: '王五', phone: '0464-8123456' },
      revision: 0,
    };
    const invalid = await api.call('PUT', '/departments/forestry', {
      token: tokens.admin,
      body: { ...department, creditCode: '11230904MB1J00000X' },
    });
    expect(fieldsOf(invalid.body)).toEqual(['body.creditCode']);
    const taken = await api.call('PUT', '/departments/forestry', {
      token: tokens.admin,
      body: { ...department, creditCode: taoshanSeed.departments[0]?.creditCode },
    });
    expect(taken.status).toBe(400);
    expect(fieldsOf(taken.body)).toEqual(['body.creditCode']);
    const body17 = '11230904MB1F00001';
    const created = await api.call('PUT', '/departments/forestry', {
      token: tokens.admin,
      body: { ...department, creditCode: `${body17}${creditCodeCheckCharacter(body17)}` },
    });
    expect(created.status).toBe(201);
  });

  it('assigns a matter only to a window that accepts for its department', async () => {
    const wrong = await api.call('PUT', '/matters/SW-0200/assignment', {
      token: tokens.admin,
      body: { windowId: 'window-1', staffingMode: 'dispatched', since: '2026-11-25' },
    });
    expect(fieldsOf(wrong.body)).toEqual(['body.windowId']);
    const right = await api.call('PUT', '/matters/SW-0200/assignment', {
      token: tokens.admin,
      body: { windowId: 'window-2', staffingMode: 'entrusted', since: '2026-11-25' },
    });
    expect(right.body).toMatchObject({ implementerNature: 'entrusted-organisation' });
    const listed = await api.call('GET', '/matters?window=window-2&limit=100');
    expect(listed.body.items.map((m: Json) => m.code)).toContain('SW-0200');
  });
});

describe('blank forms and samples', () => {
  const pdf = Buffer.from('%PDF-1.4\n% 取水许可申请书（空白）\n%%EOF\n');

  const upload = async (bytes: Buffer, contentType: string) => {
    const requested = await api.call('POST', '/matters/SW-0001/files', {
      token: tokens.water,
      body: { fileName: '申请书.pdf', contentType, size: bytes.byteLength },
    });
    expect(requested.status).toBe(201);
    const put = await fetch(requested.body.upload.url, {
      method: 'PUT',
      headers: requested.body.upload.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);
    return requested.body.fileId as string;
  };

  it('counts an upload only after checking it, and serves it by a short-lived URL', async () => {
    const fileId = await upload(pdf, 'application/pdf');
    const confirmed = await api.call('POST', `/matters/SW-0001/files/${fileId}/confirm`, {
      token: tokens.water,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.ref).toMatchObject({
      contentType: 'application/pdf',
      size: pdf.byteLength,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    });

    const link = await api.call('GET', `/matters/SW-0001/files/${fileId}`);
    expect(link.status).toBe(200);
    expect(Buffer.from(await (await fetch(link.body.url)).arrayBuffer())).toEqual(pdf);

    const current = await api.call('GET', '/matters/SW-0001');
    const {
      code,
      version,
      status,
      validFrom,
      publishedAt,
      departmentId,
      window,
      implementerNature,
      revision,
      ...guide
    } = current.body;
    guide.materials[0].blankForm = confirmed.body.ref;
    const saved = await api.call('PUT', '/matters/SW-0001/draft', {
      token: tokens.water,
      body: { revision: 0, guide },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.materials[0].blankForm.sha256).toBe(confirmed.body.ref.sha256);

    guide.materials[0].blankForm = { ...confirmed.body.ref, sha256: 'f'.repeat(64) };
    const forged = await api.call('PUT', '/matters/SW-0001/draft', {
      token: tokens.water,
      body: { revision: 1, guide },
    });
    expect(fieldsOf(forged.body)).toEqual(['body.guide.materials.0.blankForm']);
  });

  it('refuses a file whose bytes are not the declared type', async () => {
    const fileId = await upload(Buffer.from('<html>not a pdf</html>'), 'application/pdf');
    const refused = await api.call('POST', `/matters/SW-0001/files/${fileId}/confirm`, {
      token: tokens.water,
    });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused.body)).toEqual(['file']);
    expect((await api.call('GET', `/matters/SW-0001/files/${fileId}`)).status).toBe(404);
  });
});
