import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  type Applicant,
  type Case,
  createOneWindowClient,
  type OneWindowClient,
  type Principal,
  serviceTime,
  type TrailEvent,
} from '../../client';
import { openLocalIssuer } from '../../infra/local/issuer';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';

/**
 * The whole flow from the counter to issuance, driven only through the generated client (`client/`), as
 * the counter app and the department's back office would call the API: on the real local stack with its
 * clock accelerated. Every answer is read through the types generated from the OpenAPI document, with no
 * `any` and no cast: where the document under-types an answer, the test can only match it as a whole.
 * The presigned uploads and downloads go to S3, not to the API, so they use fetch.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-client-flow-'));
/** A working day in about 40 real seconds: fast enough to be seen, far from the 5-day deadline. */
const speed = 2_000;
let stack: LocalStack;
let issuer: Awaited<ReturnType<typeof openLocalIssuer>>;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamoDbPort: 0,
    s3Port: 0,
    stepFunctionsPort: 0,
    dataDir,
    persistent: false,
    clockSpeed: speed,
    stage: 'e2e-client',
  });
  issuer = await openLocalIssuer(dataDir);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What every call of the client answers, in the shape the helpers need. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The typed body of a 2xx answer; a failed one fails the test with its status and error body. */
function ok<T>(answer: Answer<T>, what: string): T {
  const { data, error, response } = answer;
  if (error !== undefined || data === undefined)
    throw new Error(`${what}: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const idNumber = '11010519491231002X';

describe('the generated client drives a case from the counter to issuance', () => {
  it('creates, uploads, submits, accepts, works, decides, produces, returns and issues the case, then verifies its trail', async () => {
    const started = Date.now();
    const clerkToken = await issuer.sign({ role: 'clerk', sub: 'clerk-3', windowId: 'window-3' });
    // A token may be given as a function: the counter app refreshes its session's token this way.
    const clerk = createOneWindowClient(`${stack.url}/`, { token: async () => clerkToken });

    // Who the API sees (typed by the Principal schema).
    const me = ok(await clerk.GET('/me'), 'GET /me');
    // The answers are the document's types, not `any` (checked by tsc --noEmit).
    expectTypeOf(me).toEqualTypeOf<Principal>();
    expect(me).toEqual({ userId: 'clerk-3', roles: ['clerk'], windowId: 'window-3' });

    // The running API serves the operations and schemas the client was generated from (public: no token).
    const served = ok(await createOneWindowClient(stack.url).GET('/openapi.json'), 'GET /openapi.json');
    const committed: Record<string, unknown> = JSON.parse(
      readFileSync(new URL('../../client/openapi.json', import.meta.url), 'utf8'),
    );
    expect(served.paths).toEqual(committed.paths);
    expect(served.components).toEqual(committed.components);

    // 收件 at the counter: a draft for the matter, retried with the same key it is the same case.
    const applicant: Applicant = { kind: 'person', name: '王芳', idNumber, phone: '13912345678' };
    const createBody = { matterCode: 'YJ-0001', applicant };
    const idempotency = { header: { 'idempotency-key': 'client-flow-0001' } };
    const created = await clerk.POST('/cases', { params: idempotency, body: createBody });
    expect(created.response.status).toBe(201);
    expectTypeOf(created.data).toEqualTypeOf<Case | undefined>();
    let record = ok(created, 'POST /cases');
    expect(created.response.headers.get('location')).toBe(`/cases/${record.caseId}`);
    const again = await clerk.POST('/cases', { params: idempotency, body: createBody });
    expect(again.response.status).toBe(200);
    expect(ok(again, 'POST /cases again').caseId).toBe(record.caseId);
    expect(record).toMatchObject({ status: 'draft', channel: 'counter', version: 1 });
    expect(record.createdBy).toEqual({ userId: 'clerk-3', role: 'clerk' });
    expect(record.matter.code).toBe('YJ-0001');
    expect(record.phase).toBeUndefined();
    const caseId = record.caseId;
    const ofCase = { path: { caseId } };

    // The service clock runs ahead of the wall clock: clients show deadlines against X-OneWindow-Time.
    const time = serviceTime(created.response);
    expect(time?.getTime()).toBeGreaterThanOrEqual(started);

    // Every required material: a presigned upload to S3, then the server's check of the pinned copy.
    const required = record.matter.materials.filter((material) => material.required);
    expect(required.length).toBeGreaterThan(0);
    for (const material of required) {
      const bytes = Buffer.from(`%PDF-1.4\n% ${material.id}\n%%EOF\n`);
      const upload = ok(
        await clerk.POST('/cases/{caseId}/materials/{materialId}/uploads', {
          params: { path: { caseId, materialId: material.id } },
          body: { fileName: `${material.id}.pdf`, contentType: 'application/pdf', size: bytes.byteLength },
        }),
        `upload ${material.id}`,
      );
      expect(Date.parse(upload.upload.expiresAt)).toBeGreaterThan(started);
      const put = await fetch(upload.upload.url, {
        method: 'PUT',
        headers: upload.upload.headers,
        body: bytes,
      });
      expect(put.status).toBe(200);
      record = ok(
        await clerk.POST('/cases/{caseId}/materials/{materialId}/confirm', {
          params: { path: { caseId, materialId: material.id } },
          body: { version: record.version, uploadId: upload.uploadId, sha256: sha256(bytes) },
        }),
        `confirm ${material.id}`,
      );
      // `materials` is `Record<string, Record<string, unknown>>` in the document: matched, not read.
      expect(record.materials[material.id]).toMatchObject({
        status: 'provided',
        file: { sha256: sha256(bytes), size: bytes.byteLength, contentType: 'application/pdf' },
      });
    }

    // A stale version is a typed 409 error body.
    const stale = await clerk.POST('/cases/{caseId}/submit', { params: ofCase, body: { version: 1 } });
    expect(stale.response.status).toBe(409);
    expect(stale.data).toBeUndefined();
    expect(stale.error?.error.code).toBe('VERSION_CONFLICT');
    expect(stale.error?.error.message).toMatch(/\S/);

    record = ok(
      await clerk.POST('/cases/{caseId}/submit', { params: ofCase, body: { version: record.version } }),
      'submit',
    );
    expect(record.status).toBe('submitted');
    expect(record.caseNumber).toMatch(/\S/);
    expect(record.receivedAt).toBeDefined();
    expect(record.acceptanceDueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // 受理 with every review point checked.
    record = ok(
      await clerk.POST('/cases/{caseId}/accept', {
        params: ofCase,
        body: {
          version: record.version,
          reviewChecks: record.matter.reviewPoints.map((point) => ({ point, passed: true })),
        },
      }),
      'accept',
    );
    expect(record.status).toBe('accepted');
    expect(record.phase).toBe('awaiting-receipt');
    expect(record.clock?.promisedDays).toBe(5);
    expect(record.clock?.pauses).toEqual([]);
    const acceptance = record.acceptance;
    expect(acceptance?.acceptedBy).toBe('clerk-3');
    expect(acceptance?.reviewChecks.every((check) => check.passed)).toBe(true);
    expect(acceptance?.promisedCompletionDate).toBe(record.clock?.promisedDueDate);
    const acceptanceNotice = record.notices.find((notice) => notice.type === 'acceptance');
    expect(acceptanceNotice?.number).toBe(acceptance?.noticeNumber);

    // The acceptance notice as a PDF (a presigned S3 URL, typed by DocumentDownload).
    const notice = ok(
      await clerk.GET('/cases/{caseId}/notices/{noticeNumber}/document', {
        params: { path: { caseId, noticeNumber: acceptanceNotice?.number ?? '' } },
      }),
      'notice document',
    );
    const noticePdf = new Uint8Array(await (await fetch(notice.url)).arrayBuffer());
    expect(Buffer.from(noticePdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(sha256(noticePdf)).toBe(notice.sha256);
    expect(noticePdf.byteLength).toBe(notice.size);

    // The acceptance wrote the case; the stream started its execution, named by the case id.
    const sfn = new SFNClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_SFN,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const executionArn = `${stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${caseId}`;
    await vi.waitFor(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(execution.status).toBe('RUNNING');
    });

    // The department's back office.
    const dept = record.matter.departmentId;
    const reviewer: OneWindowClient = createOneWindowClient(stack.url, {
      token: await issuer.sign({ role: 'reviewer', sub: 'reviewer-1', departmentId: dept }),
    });
    const chief = createOneWindowClient(stack.url, {
      token: await issuer.sign({ role: 'chief', sub: 'chief-1', departmentId: dept }),
    });

    // The case is in the department's queue (typed CaseSummary lines).
    const queue = ok(
      await reviewer.GET('/cases', { params: { query: { status: 'accepted' } } }),
      'department queue',
    );
    const line = queue.items.find((item) => item.caseId === caseId);
    expect(line?.phase).toBe('awaiting-receipt');
    expect(line?.dueDate).toBe(record.clock?.promisedDueDate);
    // The department handles the case: it reads the name unmasked.
    expect(line?.applicantName).toBe('王芳');

    record = ok(
      await reviewer.POST('/cases/{caseId}/receipt', { params: ofCase, body: { version: record.version } }),
      'receipt',
    );
    expect(record.phase).toBe('awaiting-review');
    record = ok(
      await reviewer.POST('/cases/{caseId}/review', {
        params: ofCase,
        body: { version: record.version, opinion: '材料齐全,符合条件', recommendation: 'approve' },
      }),
      'review',
    );
    expect(record.phase).toBe('awaiting-decision');

    // A denial without reasons is a typed 400 naming the field (its details are untyped: `unknown`).
    const bad = await chief.POST('/cases/{caseId}/decision', {
      params: ofCase,
      body: { version: record.version, outcome: 'deny' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.error.code).toBe('VALIDATION_FAILED');
    expect(bad.error?.error.details).toMatchObject({
      fields: [expect.objectContaining({ field: 'body.reasons' })],
    });

    record = ok(
      await chief.POST('/cases/{caseId}/decision', {
        params: ofCase,
        body: { version: record.version, outcome: 'approve' },
      }),
      'decision',
    );
    expect(record.status).toBe('decided');
    expect(record.phase).toBe('awaiting-production');
    // `backOffice` is `Record<string, unknown>` in the document: matched, not read.
    expect(record.backOffice).toMatchObject({ decision: { outcome: 'approve', decidedBy: 'chief-1' } });
    // An approval needs no letter: the only notice is still the acceptance.
    expect(record.notices.map((n) => n.type)).toEqual(['acceptance']);

    record = ok(
      await reviewer.POST('/cases/{caseId}/result', { params: ofCase, body: { version: record.version } }),
      'result',
    );
    expect(record.phase).toBe('awaiting-return');
    record = ok(
      await reviewer.POST('/cases/{caseId}/return', { params: ofCase, body: { version: record.version } }),
      'return',
    );
    expect(record.status).toBe('issuable');
    expect(record.phase).toBe('awaiting-issuance');

    // The result document, as the window prints it: a PDF whose sha256 the API states.
    const result = ok(await clerk.GET('/cases/{caseId}/result/download', { params: ofCase }), 'result PDF');
    const resultPdf = new Uint8Array(await (await fetch(result.url)).arrayBuffer());
    expect(Buffer.from(resultPdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(sha256(resultPdf)).toBe(result.sha256);

    // 出件 at the counter: the collector proves who they are by the whole ID number.
    record = ok(
      await clerk.POST('/cases/{caseId}/issuance', {
        params: ofCase,
        body: { version: record.version, method: 'pickup', pickup: { idNumber, collectedBy: '王芳' } },
      }),
      'issuance',
    );
    expect(record.status).toBe('closed');
    expect(record.phase).toBe('closed');
    expect(record.attention).toBeUndefined();
    await vi.waitFor(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(execution.status).toBe('SUCCEEDED');
    });
    sfn.destroy();

    // The trail: every step, hash-chained, each by whom and where it was done.
    const trail = ok(await reviewer.GET('/cases/{caseId}/trail', { params: ofCase }), 'trail');
    const events = trail.items;
    expectTypeOf(events).toEqualTypeOf<TrailEvent[]>();
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    for (const [i, event] of events.entries()) {
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
      if (i > 0) expect(event.prevHash).toBe(events[i - 1]?.hash);
    }
    const actions = events.map((event) => event.action);
    expect(actions.slice(0, 1 + required.length)).toEqual([
      'create',
      ...required.map(() => 'provide-material'),
    ]);
    expect(actions.slice(1 + required.length)).toEqual([
      'submit',
      'accept',
      'confirm-receipt',
      'review',
      'decide',
      'produce-result',
      'return-to-window',
      'issue-pickup',
    ]);
    const by = (action: string) => events.find((event) => event.action === action);
    expect(by('accept')?.actor).toMatchObject({ userId: 'clerk-3', role: 'clerk', windowId: 'window-3' });
    expect(by('accept')?.channel).toBe('counter');
    expect(by('decide')?.actor).toMatchObject({ userId: 'chief-1', role: 'chief', departmentId: dept });
    expect(by('decide')?.channel).toBe('back-office');
    const status = by('issue-pickup')?.changes.find((change) => change.field === 'status');
    expect(status).toMatchObject({ old: 'issuable', new: 'closed' });
    // The collector's ID number proved who they are; the issuance event does not keep it.
    expect(JSON.stringify(by('issue-pickup'))).not.toContain(idNumber);

    const verdict = ok(await clerk.GET('/cases/{caseId}/trail/verify', { params: ofCase }), 'verify');
    expect(verdict.valid).toBe(true);
    if (verdict.valid) {
      // Narrowed by the discriminated union of the document: `events` and `head` exist only when valid.
      expect(verdict.events).toBe(events.length);
      expect(verdict.head).toBe(events.at(-1)?.hash);
    }
    expect(record.trailHead).toEqual({ seq: events.length, hash: events.at(-1)?.hash });
  }, 120_000);
});
