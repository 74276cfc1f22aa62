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
 * Dates on documents are Asia/Shanghai dates. The service clock of this file stands at 18:11 UTC on
 * 25 December 2026 — 02:11 on the 26th in Shanghai — when the department decides, so a UTC date would
 * print the 25th. The appeal period counts from the date printed.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
const t = {} as Record<'alice' | 'clerk' | 'water' | 'chief', string>;
const decidedAtUtc = Date.parse('2026-12-25T18:11:00Z');
const shanghaiDay = '2026-12-26';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pdfText = (bytes: Buffer) =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString();
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

async function ok(method: string, path: string, token: string, body?: unknown): Promise<Json> {
  const answer = await api.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body;
}

async function decided(outcome: 'approve' | 'deny'): Promise<Json> {
  let record = await ok('POST', '/cases', t.alice, {
    matterCode: 'SW-0001',
    applicant: { kind: 'person', name: '张小明', idNumber: '11010519491231002X', phone: '13812345678' },
  });
  for (const material of record.matter.materials.filter((m: Json) => m.required)) {
    const bytes = Buffer.from(`%PDF-1.4\n% ${material.id}\n%%EOF\n`);
    const upload = await ok('POST', `/cases/${record.caseId}/materials/${material.id}/uploads`, t.alice, {
      fileName: `${material.id}.pdf`,
      contentType: 'application/pdf',
      size: bytes.byteLength,
    });
    await fetch(upload.upload.url, { method: 'PUT', headers: upload.upload.headers, body: bytes });
    record = await ok('POST', `/cases/${record.caseId}/materials/${material.id}/confirm`, t.alice, {
      version: record.version,
      uploadId: upload.uploadId,
      sha256: sha256(bytes),
    });
  }
  record = await ok('POST', `/cases/${record.caseId}/submit`, t.alice, { version: record.version });
  record = await ok('POST', `/cases/${record.caseId}/accept`, t.clerk, {
    version: record.version,
    reviewChecks: record.matter.reviewPoints.map((point: string) => ({ point, passed: true })),
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
  return ok('POST', `/cases/${record.caseId}/result`, t.water, {
    version: record.version,
    ...(outcome === 'approve' ? { validUntil: '2031-12-31' } : {}),
  });
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
  // The handlers read the clock's origin once, when this file's worker first uses it.
  const realNow = Date.now();
  api = await startTestApi(['cases', 'issuance'], {
    MATERIALS_BUCKET: buckets.materials,
    RESULTS_BUCKET: buckets.results,
    CASES_TABLE: tables.cases,
    IDEMPOTENCY_TABLE: tables.idempotency,
    CATALOGUE_TABLE: tables.catalogue,
    CLOCK_SPEED: '1',
    CLOCK_ORIGIN_REAL_MS: String(realNow),
    CLOCK_ORIGIN_VIRTUAL_MS: String(decidedAtUtc - 60_000),
  });
  t.alice = await api.token('applicant', { sub: 'alice' });
  t.clerk = await api.token('clerk', { windowId: 'window-2', sub: 'clerk-2' });
  t.water = await api.token('reviewer', { departmentId: 'water', sub: 'water-1' });
  t.chief = await api.token('chief', { departmentId: 'water', sub: 'water-chief' });
});

afterAll(async () => api?.stop());

describe('dates on documents between 16:00 and 24:00 UTC', () => {
  it('prints the Shanghai date of a decision on the licence and answers it in /results/verify', async () => {
    const record = await decided('approve');
    expect(record.backOffice.decision.decidedAt.slice(0, 10)).toBe('2026-12-25');
    const result = record.backOffice.result;
    const text = pdfText(
      await fetchBytes((await ok('GET', `/cases/${record.caseId}/result/download`, t.water)).url),
    );
    expect(text).toContain(shanghaiDay);
    expect(text).not.toContain('2026-12-25');
    const code = /验证码:([0-9A-Z]{8})/.exec(text)?.[1];
    const verdict = await api.call('GET', `/results/verify?number=${result.resultNumber}&code=${code}`);
    expect(verdict.body).toMatchObject({ valid: true, decisionDate: shanghaiDay });
  });

  it('gives a denial the same date on its decision notice and on its letter', async () => {
    const record = await decided('deny');
    const notice = record.notices.find((n: Json) => n.type === 'decision');
    expect(notice.date).toBe(shanghaiDay);
    const letter = pdfText(
      await fetchBytes((await ok('GET', `/cases/${record.caseId}/result/download`, t.water)).url),
    );
    expect(letter).toContain(shanghaiDay);
    expect(letter).not.toContain('2026-12-25');
  });
});
