import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishedSchedules } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import { defaultAlertPolicy, nthLastWorkingDay } from '../../functions/domain/cases/alerts';
import { startOfShanghaiDay } from '../../functions/domain/cases/processing-clock';
import { openLocalIssuer } from '../../infra/local/issuer';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';

/**
 * From acceptance to a decision through the local gateway, as the counter app and the department's back
 * office would do it, on the whole local stack with its clock 40 000 times faster than real time: the
 * acceptance starts the workflow through the cases table's stream, the department works the case, and
 * the yellow warning appears in the department's worklist on the day it is due, not before.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-deadline-'));
const speed = 40_000;
let stack: LocalStack;
let issuer: Awaited<ReturnType<typeof openLocalIssuer>>;
/** What the handlers wrote on stdout: in Lambda, the log that CloudWatch reads EMF metrics from. */
const stdout: string[] = [];

beforeAll(async () => {
  // On for this stack (read when the handlers first record a metric): the test reads the EMF lines.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
    stdout.push(String(chunk));
    return String(chunk).includes('"_aws"') ? true : write(chunk, ...(rest as []));
  });
  stack = await startLocalStack({
    port: 0,
    dynamoDbPort: 0,
    s3Port: 0,
    stepFunctionsPort: 0,
    dataDir,
    persistent: false,
    clockSpeed: speed,
    stage: 'e2e-deadline',
  });
  issuer = await openLocalIssuer(dataDir);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(
  method: string,
  route: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${stack.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

async function ok(method: string, route: string, token: string, body?: unknown): Promise<Json> {
  const answer = await call(method, route, token, body);
  expect(answer.status, `${method} ${route}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body;
}

describe('a promised case through the local gateway', () => {
  it('is accepted at the counter, worked by the department, decided with the warning raised on time, and issued', async () => {
    const clerk = await issuer.sign({ role: 'clerk', sub: 'clerk-3', windowId: 'window-3' });
    let record = await ok('POST', '/cases', clerk, {
      matterCode: 'YJ-0001',
      applicant: { kind: 'person', name: '王芳', idNumber: '11010519491231002X', phone: '13912345678' },
    });
    for (const material of record.matter.materials.filter((m: Json) => m.required)) {
      const bytes = Buffer.from(`%PDF-1.4\n% ${material.id}\n%%EOF\n`);
      const upload = await ok('POST', `/cases/${record.caseId}/materials/${material.id}/uploads`, clerk, {
        fileName: `${material.id}.pdf`,
        contentType: 'application/pdf',
        size: bytes.byteLength,
      });
      const put = await fetch(upload.upload.url, {
        method: 'PUT',
        headers: upload.upload.headers,
        body: bytes,
      });
      expect(put.status).toBe(200);
      record = await ok('POST', `/cases/${record.caseId}/materials/${material.id}/confirm`, clerk, {
        version: record.version,
        uploadId: upload.uploadId,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    record = await ok('POST', `/cases/${record.caseId}/submit`, clerk, { version: record.version });
    record = await ok('POST', `/cases/${record.caseId}/accept`, clerk, {
      version: record.version,
      reviewChecks: record.matter.reviewPoints.map((point: string) => ({ point, passed: true })),
    });
    expect(record).toMatchObject({
      status: 'accepted',
      phase: 'awaiting-receipt',
      clock: { promisedDays: 5 },
    });
    const { caseId } = record;

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

    const dept = record.matter.departmentId;
    const reviewer = await issuer.sign({ role: 'reviewer', sub: 'reviewer-1', departmentId: dept });
    const chief = await issuer.sign({ role: 'chief', sub: 'chief-1', departmentId: dept });
    record = await ok('POST', `/cases/${caseId}/receipt`, reviewer, { version: record.version });
    record = await ok('POST', `/cases/${caseId}/review`, reviewer, {
      version: record.version,
      opinion: '材料齐全,符合条件',
      recommendation: 'approve',
    });
    expect(record.phase).toBe('awaiting-decision');
    // A bad decision body is a 400 naming the field, not a 500.
    const bad = await call('POST', `/cases/${caseId}/decision`, chief, {
      version: record.version,
      outcome: 'deny',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: Json) => f.field)).toContain('body.reasons');

    const calendar = workingDayCalendar(publishedSchedules());
    const warnFrom = Date.parse(
      startOfShanghaiDay(
        nthLastWorkingDay(calendar, record.clock.promisedDueDate, defaultAlertPolicy.warningWorkingDays),
      ),
    );
    const warning = await vi.waitFor(
      async () => {
        const page = await ok('GET', `/alerts?scope=department&level=yellow`, reviewer);
        const found = page.items.find((a: Json) => a.caseId === caseId && a.kind === 'deadline-warning');
        expect(found).toBeDefined();
        return found as Json;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(warning).toMatchObject({
      level: 'yellow',
      dueDate: record.clock.promisedDueDate,
      status: 'active',
    });
    expect(Date.parse(warning.raisedAt)).toBeGreaterThanOrEqual(warnFrom);
    expect(Date.parse(warning.raisedAt) - warnFrom).toBeLessThan(24 * 3600_000);

    const current = await ok('GET', `/cases/${caseId}`, reviewer);
    const decided = await ok('POST', `/cases/${caseId}/decision`, chief, {
      version: current.version,
      outcome: 'approve',
    });
    expect(decided).toMatchObject({ status: 'decided', phase: 'awaiting-production' });
    expect(decided.backOffice.decision).toMatchObject({ outcome: 'approve', decidedBy: 'chief-1' });
    const produced = await ok('POST', `/cases/${caseId}/result`, reviewer, { version: decided.version });
    const returned = await ok('POST', `/cases/${caseId}/return`, reviewer, { version: produced.version });
    expect(returned.phase).toBe('awaiting-issuance');
    // Back at the window within the deadline: the warning leaves the worklist.
    const after = await ok('GET', `/alerts?scope=department&level=yellow`, reviewer);
    expect(after.items.filter((a: Json) => a.caseId === caseId)).toEqual([]);

    // 出件 at the counter (a counter case: the collector proves who they are by the whole ID number).
    const issued = await ok('POST', `/cases/${caseId}/issuance`, clerk, {
      version: returned.version,
      method: 'pickup',
      pickup: { idNumber: '11010519491231002X', collectedBy: '王芳' },
    });
    expect(issued).toMatchObject({ status: 'closed', phase: 'closed' });
    await vi.waitFor(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(execution.status).toBe('SUCCEEDED');
    });

    const verdict = await ok('GET', `/cases/${caseId}/trail/verify`, reviewer);
    expect(verdict.valid).toBe(true);
    sfn.destroy();
  }, 120_000);

  it('counts the case in the business metrics: EMF lines on stdout, without personal data', () => {
    const records = stdout
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Json);
    expect(records.length).toBeGreaterThan(0);
    const totals = new Map<string, number>();
    for (const record of records) {
      const [directive] = record._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe('OneWindow');
      expect(directive.Dimensions).toEqual([['service', 'stage', 'function']]);
      expect(record).toMatchObject({ service: 'onewindow', stage: 'e2e-deadline' });
      for (const { Name } of directive.Metrics) {
        const value = record[Name] as number | number[];
        const sum = Array.isArray(value) ? value.reduce((a, b) => a + b, 0) : value;
        totals.set(Name, (totals.get(Name) ?? 0) + sum);
      }
    }
    expect(Object.fromEntries(totals)).toMatchObject({
      CasesReceived: 1,
      CasesAccepted: 1,
      CasesClosed: 1,
      'AlertsRaised.deadline-warning.yellow': 1,
      WorkflowStartFailures: 0,
    });
    expect(totals.has('CasesRejected')).toBe(false);
    // Ids and counts only: no name, ID number or phone of the applicant or collector.
    const all = records.map((record) => JSON.stringify(record)).join('\n');
    for (const personal of ['11010519491231002X', '王芳', '13912345678']) expect(all).not.toContain(personal);
  });
});
