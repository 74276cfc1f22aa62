import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseDelta } from '../../functions/cases/case-layout';
import { type AlertItem, dynamoCaseStore, StaleCase } from '../../functions/cases/case-store';
import { catalogueMatterDetails } from '../../functions/cases/matter-details';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { isCaseNumber } from '../../functions/domain/case-number';
import { chainEvent } from '../../functions/domain/cases/trail';
import { idNumberCheckCharacter } from '../../functions/domain/id-number';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * The lean case layout seen from outside: the items a case leaves in the table as it grows, one-call
 * intake, cursors that cannot be forged, system writes that never stale a person's step, and materials
 * that stay what was checked.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
let tables: Record<'cases' | 'catalogue' | 'idempotency', string>;
const documents = testDocumentClient();
const t = {} as Record<'alice' | 'bob' | 'clerk' | 'clerk1' | 'water' | 'education' | 'admin', string>;
const applicant = {
  kind: 'person',
  name: '张小明',
  idNumber: '11010519491231002X',
  phone: '13812345678',
};
const fieldsOf = (body: Json): string[] => (body.error?.details?.fields ?? []).map((f: Json) => f.field);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);

async function ok(method: string, path: string, token: string, body?: unknown): Promise<Json> {
  const answer = await api.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body).slice(0, 500)}`).toBeLessThan(300);
  return answer.body;
}

/** DynamoDB's item size (UTF-8 bytes of names and values), over-estimated by the item's JSON. */
const itemBytes = (item: Record<string, unknown>) => Buffer.byteLength(JSON.stringify(item), 'utf8');

async function caseItems(caseId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tables.cases,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CASE#${caseId}` },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

async function counterCase(matterCode = 'SW-0001'): Promise<Json> {
  const created = await ok('POST', '/cases', t.clerk, { matterCode, applicant });
  return ok('POST', `/cases/${created.caseId}/submit`, t.clerk, { version: created.version });
}

beforeAll(async () => {
  tables = await createTestTables();
  await loadSeedCatalogue(
    dynamoCatalogueStore(documents, tables.catalogue),
    taoshanSeed,
    '2026-11-25T00:00:00Z',
    dynamoStaffStore(documents, tables.catalogue),
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
  t.clerk = await api.token('clerk', { windowId: 'window-2', sub: 'clerk-2' });
  t.clerk1 = await api.token('clerk', { windowId: 'window-1', sub: 'clerk-1' });
  t.water = await api.token('reviewer', { departmentId: 'water', sub: 'water-1' });
  t.education = await api.token('reviewer', { departmentId: 'education', sub: 'edu-1' });
  t.admin = await api.token('admin', { sub: 'admin-1' });
});

afterAll(async () => api?.stop());

describe('create-and-submit', () => {
  it('creates and receives an application in one call, once per Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'enrol-2026-0001' };
    const body = { matterCode: 'JY-0001', applicant, submit: true };
    const first = await api.call('POST', '/cases', { token: t.alice, body, headers });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'submitted',
      version: 2,
      channel: 'online',
      ownerId: 'alice',
    });
    expect(isCaseNumber(first.body.caseNumber)).toBe(true);
    expect(first.body.acceptanceDueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const again = await api.call('POST', '/cases', { token: t.alice, body, headers });
    expect(again.body.caseId).toBe(first.body.caseId);
    const trail = await ok('GET', `/cases/${first.body.caseId}/trail`, t.alice);
    expect(trail.items.map((e: Json) => e.action)).toEqual(['create-and-submit']);
    expect((await ok('GET', `/cases/${first.body.caseId}/trail/verify`, t.alice)).valid).toBe(true);
    // It is in the window's queue at once, as a summary line.
    const queue = await ok('GET', '/cases?status=submitted&limit=100', t.clerk1);
    const line = queue.items.find((c: Json) => c.caseId === first.body.caseId);
    expect(line).toMatchObject({
      caseNumber: first.body.caseNumber,
      status: 'submitted',
      applicantName: '张小明',
    });
    expect(line.applicant).toBeUndefined();
    expect(line.materials).toBeUndefined();
    // The head of a typical case is small: its matter is a reference, its parts are items of their own.
    const head = (await caseItems(first.body.caseId)).find((item) => item.sk === 'CASE') as Record<
      string,
      unknown
    >;
    expect(itemBytes(head)).toBeLessThanOrEqual(2048);
    expect(head.matter).not.toHaveProperty('materials');
    expect(head.matter).not.toHaveProperty('reviewPoints');
  });

  it('refuses unknown fields and a non-boolean submit with 400, creating nothing', async () => {
    const before = await ok('GET', '/cases?limit=100', t.bob);
    for (const body of [
      { matterCode: 'JY-0001', applicant, submit: 'yes' },
      { matterCode: 'JY-0001', applicant, submit: true, status: 'accepted' },
    ]) {
      const refused = await api.call('POST', '/cases', { token: t.bob, body });
      expect(refused.status).toBe(400);
      expect(fieldsOf(refused.body).length).toBeGreaterThan(0);
    }
    expect((await ok('GET', '/cases?limit=100', t.bob)).items).toHaveLength(before.items.length);
  });
});

describe('front desk checks', () => {
  it('refuses an ID number whose birth date lies after today, naming the field', async () => {
    const body17 = '11010520990101123';
    const refused = await api.call('POST', '/cases', {
      token: t.alice,
      body: {
        matterCode: 'JY-0001',
        applicant: { ...applicant, idNumber: `${body17}${idNumberCheckCharacter(body17)}` },
      },
    });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused.body)).toEqual(['body.applicant.idNumber']);
  });

  it('refuses a resubmission that addresses none or only some of the 补正 items, naming those left', async () => {
    let record = await counterCase();
    const [first, second] = record.matter.materials.map((m: Json) => m.id as string);
    record = await ok('POST', `/cases/${record.caseId}/request-supplement`, t.clerk, {
      version: record.version,
      items: [
        { materialId: first, problem: '复印件不清晰' },
        { materialId: second, problem: '缺少盖章' },
      ],
    });
    const none = await api.call('POST', `/cases/${record.caseId}/resubmit`, {
      token: t.clerk,
      body: { version: record.version },
    });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('SUPPLEMENT_INCOMPLETE');
    expect(none.body.error.details.items.map((i: Json) => i.materialId)).toEqual([first, second]);
    record = await ok('POST', `/cases/${record.caseId}/materials/${first}/paper-check`, t.clerk, {
      version: record.version,
    });
    const some = await api.call('POST', `/cases/${record.caseId}/resubmit`, {
      token: t.clerk,
      body: { version: record.version },
    });
    expect(some.status).toBe(409);
    expect(some.body.error.details.items.map((i: Json) => i.materialId)).toEqual([second]);
    record = await ok('POST', `/cases/${record.caseId}/materials/${second}/paper-check`, t.clerk, {
      version: record.version,
    });
    const all = await ok('POST', `/cases/${record.caseId}/resubmit`, t.clerk, { version: record.version });
    expect(all.status).toBe('submitted');
  });
});

describe('growth', () => {
  it('keeps every item far below 400 KB through 30 补正 rounds of 50 long items, then refuses a 31st', async () => {
    let record = await counterCase();
    const materials = record.matter.materials.map((m: Json) => m.id as string);
    const problem = (round: number, i: number) =>
      `第${round}轮第${i}项：${'复印件不清晰，'.repeat(40)}`.slice(0, 300);
    for (let round = 1; round <= 30; round++) {
      record = await ok('POST', `/cases/${record.caseId}/request-supplement`, t.clerk, {
        version: record.version,
        items: Array.from({ length: 50 }, (_, i) => ({
          materialId: materials[i % materials.length],
          problem: problem(round, i),
        })),
      });
      expect(record.supplementRounds).toBe(round);
      for (const materialId of materials) {
        record = await ok('POST', `/cases/${record.caseId}/materials/${materialId}/paper-check`, t.clerk, {
          version: record.version,
        });
      }
      record = await ok('POST', `/cases/${record.caseId}/resubmit`, t.clerk, { version: record.version });
    }
    const refused = await api.call('POST', `/cases/${record.caseId}/request-supplement`, {
      token: t.clerk,
      body: { version: record.version, items: [{ materialId: materials[0], problem: '再次补正' }] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SUPPLEMENT_ROUND_LIMIT');

    const items = await caseItems(record.caseId);
    const sizes = items.map((item) => ({ sk: String(item.sk), bytes: itemBytes(item) }));
    const largest = Math.max(...sizes.map((s) => s.bytes));
    expect(largest).toBeLessThan(64 * 1024);
    const head = sizes.find((s) => s.sk === 'CASE');
    expect(head?.bytes).toBeLessThan(8 * 1024);
    // One item per round and per notice: nothing rewritten into one growing item.
    expect(sizes.filter((s) => s.sk.startsWith('CASE#ROUND#'))).toHaveLength(30);
    expect(sizes.filter((s) => s.sk.startsWith('CASE#NOTICE#'))).toHaveLength(30);
    // A round's trail event names the notice and counts its items; the text is in the notice alone.
    const rounds = sizes.filter((s) => s.sk.startsWith('TRAIL#'));
    expect(Math.max(...rounds.map((s) => s.bytes))).toBeLessThan(8 * 1024);
    // The whole case still reads, verifies and shows all 30 notices.
    const read = await ok('GET', `/cases/${record.caseId}`, t.clerk);
    expect(read.notices).toHaveLength(30);
    expect(read.notices.at(-1).content.items).toHaveLength(50);
    expect((await ok('GET', `/cases/${record.caseId}/trail/verify`, t.clerk)).valid).toBe(true);
  }, 120_000);
});

describe('cursors', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('answers a forged or borrowed cursor with 400 on every case list, never 500', async () => {
    for (let i = 0; i < 3; i++) await counterCase();
    const queue = await ok('GET', '/cases?status=submitted&limit=1', t.clerk);
    const borrowed = queue.nextCursor as string;
    expect(borrowed).toEqual(expect.any(String));
    const forged = [
      borrowed,
      'not-a-cursor',
      b64(['CASE#x']),
      b64({ pk: 'CASE#x', sk: 'CASE' }),
      b64({ pk: 'CASE#x', sk: 'CASE', gsi1pk: 'OWNER#alice', gsi1sk: { S: '1' } }),
      b64({ pk: 'CASE#x', sk: 'CASE', gsi3pk: 'DEPT#water#accepted', gsi3sk: 'a', more: 'b' }),
    ];
    const lists: [string, string][] = [
      ['/cases?limit=5', t.alice],
      ['/cases?status=submitted&limit=5', t.clerk1],
      ['/cases?status=accepted&limit=5', t.water],
      ['/alerts?scope=window&level=yellow', t.clerk],
      ['/alerts?scope=department&level=red', t.water],
      ['/alerts?scope=centre&level=red', t.admin],
      ['/departments/water/overdue-acceptance?limit=5', t.admin],
    ];
    for (const [path, token] of lists) {
      for (const cursor of forged) {
        const answer = await api.call('GET', `${path}&cursor=${cursor}`, { token });
        expect(answer.status, `${path} ${cursor}`).toBe(400);
        expect(fieldsOf(answer.body)).toEqual(['query.cursor']);
      }
    }
    const next = await ok('GET', `/cases?status=submitted&limit=1&cursor=${borrowed}`, t.clerk);
    expect(next.items[0].caseId).not.toBe(queue.items[0].caseId);
  });
});

describe('system writes and a person’s step', () => {
  it('raises alerts on a case while a clerk works on it: no 409, and the version moves only with the clerk', async () => {
    const record = await counterCase();
    const store = dynamoCaseStore(documents, tables, catalogueMatterDetails(documents, tables.catalogue));
    const raise = async (n: number) => {
      const alert: AlertItem = {
        alertId: `test-${n}`,
        caseId: record.caseId,
        caseNumber: record.caseNumber,
        matterCode: record.matter.code,
        matterName: record.matter.name,
        windowId: record.matter.windowId,
        departmentId: record.matter.departmentId,
        kind: 'deadline-warning',
        level: 'yellow',
        audience: 'window',
        dueDate: record.acceptanceDueDate,
        raisedAt: new Date().toISOString(),
        status: 'active',
      };
      // As the workflow's timer writes: the case as read, the alert and a trail event, no version bump.
      for (;;) {
        const current = await store.getCase(record.caseId);
        if (!current) throw new Error('case gone');
        const event = chainEvent(
          {
            seq: current.trailHead.seq + 1,
            at: alert.raisedAt,
            actor: { userId: 'case-workflow', role: 'system' },
            channel: 'system',
            action: 'raise-alerts',
            changes: [{ field: `alerts.${alert.alertId}`, new: { kind: alert.kind, level: alert.level } }],
          },
          current.trailHead.hash,
        );
        const delta = caseDelta(current, current);
        try {
          await store.write({
            caseId: record.caseId,
            delta: { ...delta, set: { ...delta.set, trailHead: { seq: event.seq, hash: event.hash } } },
            event,
            expectedTrailSeq: current.trailHead.seq,
            raiseAlerts: [alert],
          });
          return;
        } catch (error) {
          if (!(error instanceof StaleCase)) throw error;
        }
      }
    };
    const alerts = (async () => {
      for (let n = 0; n < 8; n++) await raise(n);
    })();
    const asked = await api.call('POST', `/cases/${record.caseId}/request-supplement`, {
      token: t.clerk,
      body: {
        version: record.version,
        items: [{ materialId: record.matter.materials[0].id, problem: '请提交原件扫描件' }],
      },
    });
    await alerts;
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const now = await ok('GET', `/cases/${record.caseId}`, t.clerk);
    expect(now.version).toBe(record.version + 1);
    const trail = await ok('GET', `/cases/${record.caseId}/trail`, t.clerk);
    expect(trail.items.filter((e: Json) => e.action === 'raise-alerts')).toHaveLength(8);
    expect(trail.items.filter((e: Json) => e.action === 'request-supplement')).toHaveLength(1);
    expect((await ok('GET', `/cases/${record.caseId}/trail/verify`, t.clerk)).valid).toBe(true);
  });
});

describe('materials stay what was checked', () => {
  it('serves the confirmed bytes after the upload URL is used again, and records a real replacement', async () => {
    let record = await ok('POST', '/cases', t.alice, { matterCode: 'SW-0001', applicant });
    const materialId = record.matter.materials[0].id as string;
    const upload = async (bytes: Buffer) => {
      const requested = await ok('POST', `/cases/${record.caseId}/materials/${materialId}/uploads`, t.alice, {
        fileName: 'scan.pdf',
        contentType: 'application/pdf',
        size: bytes.byteLength,
      });
      const put = await fetch(requested.upload.url, {
        method: 'PUT',
        headers: requested.upload.headers,
        body: bytes,
      });
      expect(put.status).toBe(200);
      return requested;
    };
    const checked = pdf('the original scan');
    const first = await upload(checked);
    record = await ok('POST', `/cases/${record.caseId}/materials/${materialId}/confirm`, t.alice, {
      version: record.version,
      uploadId: first.uploadId,
      sha256: sha256(checked),
    });
    // The same presigned URL, used again after confirmation with other bytes of the same length.
    const swapped = Buffer.from(checked.toString().replace('original', 'forgedXX'));
    expect(swapped.byteLength).toBe(checked.byteLength);
    await fetch(first.upload.url, { method: 'PUT', headers: first.upload.headers, body: swapped });

    const download = await ok('GET', `/cases/${record.caseId}/materials/${materialId}/download`, t.alice);
    expect(download.sha256).toBe(sha256(checked));
    const served = Buffer.from(await (await fetch(download.url)).arrayBuffer());
    expect(sha256(served)).toBe(sha256(checked));
    // Staff of another department, and the centre admin, may not fetch the applicant's files.
    expect(
      (
        await api.call('GET', `/cases/${record.caseId}/materials/${materialId}/download`, {
          token: t.education,
        })
      ).status,
    ).toBe(404);
    expect(
      (await api.call('GET', `/cases/${record.caseId}/materials/${materialId}/download`, { token: t.admin }))
        .status,
    ).toBe(403);
    // A used upload cannot be confirmed again.
    const reused = await api.call('POST', `/cases/${record.caseId}/materials/${materialId}/confirm`, {
      token: t.alice,
      body: { version: record.version, uploadId: first.uploadId, sha256: sha256(swapped) },
    });
    expect(reused.status).toBeGreaterThanOrEqual(400);
    expect(reused.status).toBeLessThan(500);

    // A real replacement is a new upload, confirmed, and shows in the trail with both hashes.
    const replacement = pdf('a better scan, longer');
    const second = await upload(replacement);
    record = await ok('POST', `/cases/${record.caseId}/materials/${materialId}/confirm`, t.alice, {
      version: record.version,
      uploadId: second.uploadId,
      sha256: sha256(replacement),
    });
    const trail = await ok('GET', `/cases/${record.caseId}/trail`, t.alice);
    const change = trail.items.at(-1).changes.find((c: Json) => c.field === `materials.${materialId}`);
    expect(change).toMatchObject({
      old: { status: 'provided', fileSha256: sha256(checked) },
      new: { status: 'provided', fileSha256: sha256(replacement) },
    });
    const after = await ok('GET', `/cases/${record.caseId}/materials/${materialId}/download`, t.alice);
    expect(sha256(Buffer.from(await (await fetch(after.url)).arrayBuffer()))).toBe(sha256(replacement));
  });
});
