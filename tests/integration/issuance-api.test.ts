import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Result documents and issuance over HTTP: the real gateway, the cases and issuance handlers, DynamoDB
 * Local and s3rver. PDFs are read back with `pdftotext` (Debian's poppler-utils).
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
const t = {} as Record<'alice' | 'bob' | 'clerk' | 'water' | 'chief' | 'education' | 'admin', string>;

const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const pdfText = (bytes: Buffer) =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString();
const fieldsOf = (body: Json): string[] => (body.error?.details?.fields ?? []).map((f: Json) => f.field);
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

async function ok(method: string, path: string, token: string, body?: unknown): Promise<Json> {
  const answer = await api.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body;
}

async function provide(record: Json, materialId: string): Promise<Json> {
  const bytes = Buffer.from(`%PDF-1.4\n% ${materialId}\n%%EOF\n`);
  const requested = await ok('POST', `/cases/${record.caseId}/materials/${materialId}/uploads`, t.alice, {
    fileName: `${materialId}.pdf`,
    contentType: 'application/pdf',
    size: bytes.byteLength,
  });
  await fetch(requested.upload.url, { method: 'PUT', headers: requested.upload.headers, body: bytes });
  return ok('POST', `/cases/${record.caseId}/materials/${materialId}/confirm`, t.alice, {
    version: record.version,
    uploadId: requested.uploadId,
    sha256: sha256(bytes),
  });
}

/** A water-abstraction case (取水许可, window-2, water department) decided and, unless told, back at the window. */
async function decidedCase(
  outcome: 'approve' | 'deny',
  { deferMaterial = false, produce = true, returned = true } = {},
): Promise<Json> {
  let record = await ok('POST', '/cases', t.alice, {
    matterCode: 'SW-0001',
    applicant: { kind: 'person', name: '张小明', idNumber: '11010519491231002X', phone: '13812345678' },
  });
  for (const material of record.matter.materials) {
    if (material.required && !(deferMaterial && material.id === 'third-party-statement'))
      record = await provide(record, material.id);
  }
  record = await ok('POST', `/cases/${record.caseId}/submit`, t.alice, { version: record.version });
  record = await ok('POST', `/cases/${record.caseId}/accept`, t.clerk, {
    version: record.version,
    reviewChecks: record.matter.reviewPoints.map((point: string) => ({ point, passed: true })),
    ...(deferMaterial
      ? {
          deferred: {
            items: [{ materialId: 'third-party-statement', dueDate: record.acceptanceDueDate }],
            commitment: { statement: '本人承诺按期补齐容缺材料', signedBy: '张小明' },
          },
        }
      : {}),
  });
  record = await ok('POST', `/cases/${record.caseId}/receipt`, t.water, { version: record.version });
  record = await ok('POST', `/cases/${record.caseId}/review`, t.water, {
    version: record.version,
    opinion: '审查意见',
    recommendation: outcome,
  });
  record = await ok('POST', `/cases/${record.caseId}/decision`, t.chief, {
    version: record.version,
    outcome,
    reasons: outcome === 'deny' ? '取水地点位于水源保护区内' : '',
  });
  if (!produce) return record;
  record = await ok('POST', `/cases/${record.caseId}/result`, t.water, {
    version: record.version,
    ...(outcome === 'approve' ? { validUntil: '2031-12-31' } : {}),
  });
  if (!returned) return record;
  return ok('POST', `/cases/${record.caseId}/return`, t.water, { version: record.version });
}

beforeAll(async () => {
  const tables = await createTestTables();
  await loadSeedCatalogue(
    dynamoCatalogueStore(testDocumentClient(), tables.catalogue),
    taoshanSeed,
    '2026-11-25T00:00:00Z',
    dynamoStaffStore(testDocumentClient(), tables.catalogue),
  );
  const buckets = await createTestBuckets();
  api = await startTestApi(['cases', 'issuance'], {
    MATERIALS_BUCKET: buckets.materials,
    RESULTS_BUCKET: buckets.results,
    CASES_TABLE: tables.cases,
    IDEMPOTENCY_TABLE: tables.idempotency,
    CATALOGUE_TABLE: tables.catalogue,
  });
  t.alice = await api.token('applicant', { sub: 'alice' });
  t.bob = await api.token('applicant', { sub: 'bob' });
  t.clerk = await api.token('clerk', { windowId: 'window-2', sub: 'clerk-2' });
  t.water = await api.token('reviewer', { departmentId: 'water', sub: 'water-1' });
  t.chief = await api.token('chief', { departmentId: 'water', sub: 'water-chief' });
  t.education = await api.token('reviewer', { departmentId: 'education', sub: 'edu-1' });
  t.admin = await api.token('admin', { sub: 'admin-1' });
});

/** Every string value anywhere in a JSON body, with its path. */
const stringsIn = (value: unknown, path = ''): [string, string][] =>
  typeof value === 'string'
    ? [[path, value]]
    : value && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, inner]) => stringsIn(inner, path ? `${path}.${key}` : key))
      : [];

afterAll(async () => api?.stop());

describe('result documents (制证)', () => {
  it('generates the licence as a PDF with its sha256 on the case, the Chinese matter name and case number in its text, and a verification code that checks', async () => {
    const record = await decidedCase('approve', { returned: false });
    const result = record.backOffice.result;
    expect(result).toMatchObject({
      resultName: '取水许可证',
      resultNumber: `ZS${record.caseNumber}`,
      validUntil: '2031-12-31',
      document: {
        source: 'generated',
        contentType: 'application/pdf',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    const download = await ok('GET', `/cases/${record.caseId}/result/download`, t.water);
    const bytes = await fetchBytes(download.url);
    expect(sha256(bytes)).toBe(result.document.sha256);
    expect(download.sha256).toBe(result.document.sha256);
    const text = pdfText(bytes);
    for (const expected of [
      '取水许可证',
      record.matter.name,
      record.caseNumber,
      result.resultNumber,
      '2031-12-31',
      '区水务局',
    ])
      expect(text).toContain(expected);

    const code = /验证码:([0-9A-Z]{8})/.exec(text)?.[1];
    expect(code).toBeDefined();
    const genuine = await api.call('GET', `/results/verify?number=${result.resultNumber}&code=${code}`);
    expect(genuine).toMatchObject({
      status: 200,
      body: {
        valid: true,
        status: 'valid',
        resultName: '取水许可证',
        issuer: '区水务局',
        validUntil: '2031-12-31',
      },
    });
    // The public answer carries no personal data.
    expect(JSON.stringify(genuine.body)).not.toMatch(/张小明|11010519491231002X|13812345678/);
    const wrongCode = await api.call('GET', `/results/verify?number=${result.resultNumber}&code=ABCDEFGH`);
    expect(wrongCode.body).toEqual({ valid: false, status: 'unknown' });
    const madeUp = await api.call('GET', `/results/verify?number=ZSTS990101-XXXXXXXX&code=${code}`);
    expect(madeUp.body).toEqual({ valid: false, status: 'unknown' });
    const malformed = await api.call('GET', '/results/verify?number=ZS&code=1');
    expect(malformed.status).toBe(400);
  });

  it('writes the denial letter with its reasons and remedies', async () => {
    const record = await decidedCase('deny', { returned: false });
    expect(record.backOffice.result).toMatchObject({
      resultName: '不予行政许可决定书',
      resultNumber: `BY${record.caseNumber}`,
    });
    const download = await ok('GET', `/cases/${record.caseId}/result/download`, t.water);
    const text = pdfText(await fetchBytes(download.url));
    for (const expected of ['不予行政许可决定书', '取水地点位于水源保护区内', '行政复议', record.caseNumber])
      expect(text).toContain(expected);
  });

  it("uses the department's own signed file when it uploads one, with the same checks as materials", async () => {
    const record = await decidedCase('approve', { produce: false });
    const signed = Buffer.from('%PDF-1.7\n% signed by the department\n%%EOF\n');
    const requested = await ok('POST', `/cases/${record.caseId}/result/uploads`, t.water, {
      size: signed.byteLength,
    });
    await fetch(requested.upload.url, { method: 'PUT', headers: requested.upload.headers, body: signed });
    const forged = await api.call('POST', `/cases/${record.caseId}/result`, {
      token: t.water,
      body: { version: record.version, upload: { uploadId: requested.uploadId, sha256: '0'.repeat(64) } },
    });
    expect(forged.status).toBe(400);
    expect(fieldsOf(forged.body)).toContain('body.upload.sha256');
    const produced = await ok('POST', `/cases/${record.caseId}/result`, t.water, {
      version: record.version,
      upload: { uploadId: requested.uploadId, sha256: sha256(signed) },
    });
    expect(produced.backOffice.result.document).toMatchObject({ source: 'uploaded', sha256: sha256(signed) });
  });

  it('renders the notices from intake as PDFs from the same code', async () => {
    const record = await decidedCase('approve', { produce: false });
    const acceptance = record.notices.find((n: Json) => n.type === 'acceptance');
    const download = await ok(
      'GET',
      `/cases/${record.caseId}/notices/${acceptance.number}/document`,
      t.alice,
    );
    const text = pdfText(await fetchBytes(download.url));
    for (const expected of ['受理通知书', record.caseNumber, record.matter.name, acceptance.number])
      expect(text).toContain(expected);
    expect(
      (await api.call('GET', `/cases/${record.caseId}/notices/SL-NOPE/document`, { token: t.alice })).status,
    ).toBe(404);
    expect(
      (
        await api.call('GET', `/cases/${record.caseId}/notices/${acceptance.number}/document`, {
          token: t.bob,
        })
      ).status,
    ).toBe(404);
  });
});

describe('issuance at the window (综合窗口出件) and delivery (送达)', () => {
  it('puts the returned result in the window queue and gives the applicant, and only the applicant, a pick-up code', async () => {
    const record = await decidedCase('approve');
    expect(record).toMatchObject({ status: 'issuable', phase: 'awaiting-issuance' });
    const queue = await ok('GET', '/cases?status=issuable', t.clerk);
    expect(queue.items.map((c: Json) => c.caseId)).toContain(record.caseId);
    expect(record.pickupCode).toBeUndefined();
    expect((await ok('GET', `/cases/${record.caseId}`, t.clerk)).pickupCode).toBeUndefined();
    expect((await ok('GET', `/cases/${record.caseId}`, t.alice)).pickupCode).toMatch(/^\d{6}$/);
  });

  it('answers bad issuance input with 400 naming the field', async () => {
    const record = await decidedCase('approve');
    const bad: [string, unknown, string][] = [
      ['issuance', { version: record.version, method: 'drone' }, 'body.method'],
      [
        'issuance',
        { version: record.version, method: 'pickup', pickup: { pickupCode: '12ab', collectedBy: '张' } },
        'body.pickup.pickupCode',
      ],
      ['issuance', { version: record.version, method: 'courier' }, 'body.courier'],
      ['result', { version: record.version, validUntil: '2026-02-30' }, 'body.validUntil'],
    ];
    for (const [step, body, field] of bad) {
      const answer = await api.call('POST', `/cases/${record.caseId}/${step}`, {
        token: step === 'result' ? t.water : t.clerk,
        body,
      });
      expect(answer.status, field).toBe(400);
      expect(fieldsOf(answer.body), field).toContain(field);
    }
    expect((await ok('GET', `/cases/${record.caseId}`, t.clerk)).version).toBe(record.version);
  });

  it('hands over at the window on the right pick-up code only, then closes the case', async () => {
    const record = await decidedCase('approve');
    const { pickupCode } = await ok('GET', `/cases/${record.caseId}`, t.alice);
    const wrong = String((Number(pickupCode) + 1) % 1_000_000).padStart(6, '0');
    const refused = await api.call('POST', `/cases/${record.caseId}/issuance`, {
      token: t.clerk,
      body: {
        version: record.version,
        method: 'pickup',
        pickup: { pickupCode: wrong, collectedBy: '张小明' },
      },
    });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused.body)).toEqual(['body.pickup.pickupCode']);
    const byDepartment = await api.call('POST', `/cases/${record.caseId}/issuance`, {
      token: t.water,
      body: { version: record.version, method: 'pickup', pickup: { pickupCode, collectedBy: '张小明' } },
    });
    expect(byDepartment.status).toBe(403);
    const issued = await ok('POST', `/cases/${record.caseId}/issuance`, t.clerk, {
      version: record.version,
      method: 'pickup',
      pickup: { pickupCode, collectedBy: '张小明' },
    });
    expect(issued).toMatchObject({
      status: 'closed',
      phase: 'closed',
      issuance: {
        method: 'pickup',
        issuedBy: 'clerk-2',
        pickup: { proof: 'pickup-code', collectedBy: '张小明' },
        delivery: { recordedBy: 'clerk-2', how: '窗口领取' },
      },
    });
    const trail = await ok('GET', `/cases/${record.caseId}/trail`, t.clerk);
    expect(trail.items.at(-1)).toMatchObject({
      action: 'issue-pickup',
      actor: { userId: 'clerk-2', role: 'clerk' },
    });
  });

  it('keeps the pick-up code and the applicant’s identity out of every trail and staff answer, for every role', async () => {
    const record = await decidedCase('approve');
    const { pickupCode } = await ok('GET', `/cases/${record.caseId}`, t.alice);
    expect(pickupCode).toMatch(/^\d{6}$/);
    const issued = await ok('POST', `/cases/${record.caseId}/issuance`, t.clerk, {
      version: record.version,
      method: 'pickup',
      pickup: { pickupCode, collectedBy: '张小明' },
    });
    expect(issued.status).toBe('closed');
    const staff = { clerk: t.clerk, water: t.water, chief: t.chief, admin: t.admin };
    for (const [role, token] of Object.entries(staff)) {
      const answers = {
        case: await ok('GET', `/cases/${record.caseId}`, token),
        trail: await ok('GET', `/cases/${record.caseId}/trail`, token),
      };
      for (const [what, body] of Object.entries(answers)) {
        const strings = stringsIn(body);
        expect(
          strings.filter(([path, value]) => value === pickupCode || /pickupCode/i.test(path)),
          `${role} ${what}`,
        ).toEqual([]);
        expect(
          strings.filter(([path]) => /pickupCode|secret/i.test(path)),
          `${role} ${what}`,
        ).toEqual([]);
        if (role === 'admin') {
          // The centre sees no name, ID number or phone in clear: not on the case, its notices or its trail.
          expect(
            strings.filter(([, value]) => /张小明|11010519491231002X|13812345678/.test(value)),
            `${role} ${what}`,
          ).toEqual([]);
        }
      }
    }
    // The applicant still sees the code (it is theirs), and the trail says only how the collector proved it.
    const trail = await ok('GET', `/cases/${record.caseId}/trail`, t.alice);
    const issuance = trail.items.at(-1).changes.find((c: Json) => c.field === 'issuance');
    expect(issuance.new).toMatchObject({ method: 'pickup', proof: 'pickup-code' });
  });

  it('sends by courier with the tracking number, and closes on the signed receipt', async () => {
    const record = await decidedCase('approve');
    const sent = await ok('POST', `/cases/${record.caseId}/issuance`, t.clerk, {
      version: record.version,
      method: 'courier',
      courier: { carrier: 'EMS', trackingNumber: 'EA123456789CN' },
    });
    expect(sent).toMatchObject({
      status: 'issuable',
      phase: 'awaiting-delivery',
      issuance: { courier: { trackingNumber: 'EA123456789CN' } },
    });
    const delivered = await ok('POST', `/cases/${record.caseId}/delivery`, t.clerk, {
      version: sent.version,
      signedBy: '张小明',
    });
    expect(delivered).toMatchObject({
      status: 'closed',
      issuance: { delivery: { how: '邮寄送达', signedBy: '张小明' } },
    });
  });

  it('delivers electronically on the applicant’s first download; another applicant cannot get it', async () => {
    const record = await decidedCase('approve');
    const early = await api.call('GET', `/cases/${record.caseId}/result/download`, { token: t.alice });
    expect(early.status).toBe(409);
    const issued = await ok('POST', `/cases/${record.caseId}/issuance`, t.clerk, {
      version: record.version,
      method: 'electronic',
    });
    expect(issued.phase).toBe('awaiting-delivery');
    const foreign = await api.call('GET', `/cases/${record.caseId}/result/download`, { token: t.bob });
    expect(foreign.status).toBe(404);
    const otherDepartment = await api.call('GET', `/cases/${record.caseId}/result/download`, {
      token: t.education,
    });
    expect(otherDepartment.status).toBe(404);
    const download = await ok('GET', `/cases/${record.caseId}/result/download`, t.alice);
    const bytes = await fetchBytes(download.url);
    expect(sha256(bytes)).toBe(download.sha256);
    const closed = await ok('GET', `/cases/${record.caseId}`, t.alice);
    expect(closed).toMatchObject({
      status: 'closed',
      issuance: { method: 'electronic', delivery: { recordedBy: 'alice', how: '电子送达' } },
    });
    expect(Date.parse(closed.issuance.delivery.deliveredAt)).toBeGreaterThanOrEqual(
      Date.parse(closed.issuance.issuedAt),
    );
  });

  it('refuses to issue while a deferred material (容缺) is missing, naming it, and issues once it is in', async () => {
    let record = await decidedCase('approve', { deferMaterial: true });
    const refused = await api.call('POST', `/cases/${record.caseId}/issuance`, {
      token: t.clerk,
      body: { version: record.version, method: 'electronic' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'DEFERRED_MATERIAL_MISSING',
      details: { materials: [expect.objectContaining({ materialId: 'third-party-statement' })] },
    });
    expect(refused.body.error.message).toContain(
      record.matter.materials.find((m: Json) => m.id === 'third-party-statement').name,
    );
    record = await provide(record, 'third-party-statement');
    const issued = await ok('POST', `/cases/${record.caseId}/issuance`, t.clerk, {
      version: record.version,
      method: 'electronic',
    });
    expect(issued.phase).toBe('awaiting-delivery');
  });
});
