import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { LocalIssuer } from '../../infra/local/issuer';
import type { LocalStack } from '../../infra/local/stack';
import type { LocalBusEvent } from '../../infra/local/streams';
import type { Meter, MeteredCall } from './meter';
import type { ResolvedRoute } from './routes';

/**
 * Takes cases through the local stack as the portal, the counter app and the back office would, one
 * step at a time; after each step it waits until the workflow has settled (no request in flight, the
 * execution history unchanged), so that everything a step causes is counted against it.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API.
type Json = Record<string, any>;

export interface ApiRequest {
  routeKey: string;
  functionId: string;
  actor: string;
  status: number;
  /** Round trip through the local gateway: an upper bound of the handler's duration. */
  ms: number;
}

/**
 * Where a step falls in the season: `intake` at the applicants' pace (the opening-hour burst),
 * `acceptance` at the clerks' pace, `processing` over the following days.
 */
export type Phase = 'intake' | 'acceptance' | 'processing';

export interface StepRecord {
  step: string;
  phase: Phase;
  /** `view` steps only read (a status check, a worklist page); `work` steps change the case. */
  kind: 'work' | 'view';
  requests: ApiRequest[];
  calls: MeteredCall[];
  /** States entered during the step (Step Functions bills one state transition each). */
  transitions: number;
  /** Task states entered: one Lambda invocation each. */
  taskInvocations: number;
  /** Events the pipes put on the buses during the step. */
  busEvents: { bus: string; detailType: string }[];
}

export interface ScenarioRecord {
  scenario: string;
  description: string;
  matterCode: string;
  /** The window and department whose worklist index keys the case writes. */
  windowId: string;
  departmentId: string;
  caseId: string;
  steps: StepRecord[];
  executionStatus: string;
  /** Alerts raised for the case (each one is an ALERT# item and a bus event). */
  alertsRaised: string[];
  wallSeconds: number;
}

export type Tokens = Pick<LocalIssuer, 'sign'>;

export interface DriverOptions {
  stack: LocalStack;
  meter: Meter;
  /** The bench's own client of the local runner (not metered). */
  sfn: SFNClient;
  tokens: Tokens;
  resolve(method: string, url: string): ResolvedRoute;
  log(line: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

class CaseDriver {
  readonly steps: StepRecord[] = [];
  private readonly busEvents: LocalBusEvent[] = [];
  private readonly unsubscribe: () => void;
  private requests: ApiRequest[] = [];
  caseId = '';
  phase: Phase = 'intake';

  constructor(private readonly o: DriverOptions) {
    this.unsubscribe = o.stack.streams.onEvent((event) => this.busEvents.push(event));
  }

  get executionArn(): string {
    const machine = this.o.stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN ?? '';
    return `${machine.replace(':stateMachine:', ':execution:')}:${this.caseId}`;
  }

  /** The execution's history events by type (none before it starts). */
  async history(): Promise<string[]> {
    if (!this.caseId) return [];
    const types: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.o.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: this.executionArn,
            maxResults: 1000,
            includeExecutionData: false,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        for (const event of page.events ?? []) types.push(event.type ?? '');
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return [];
      throw error;
    }
    return types;
  }

  async status(): Promise<string> {
    try {
      const execution = await this.o.sfn.send(
        new DescribeExecutionCommand({ executionArn: this.executionArn }),
      );
      return execution.status ?? 'UNKNOWN';
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return 'NOT_STARTED';
      throw error;
    }
  }

  /** An API request through the gateway, counted (one HTTP API request, one Lambda invocation). */
  async call(
    actor: string,
    token: string,
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json }> {
    const started = performance.now();
    const response = await fetch(`${this.o.stack.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    const { functionId, routeKey } = this.o.resolve(method, route);
    this.requests.push({ routeKey, functionId, actor, status: response.status, ms });
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  async ok(
    actor: string,
    token: string,
    method: string,
    route: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Json> {
    const answer = await this.call(actor, token, method, route, body, headers);
    if (answer.status >= 300) {
      throw new Error(`${method} ${route} by ${actor}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  /** The browser's request through a presigned URL: an S3 request, no Lambda. */
  async presigned(method: 'PUT' | 'GET', url: string, init: RequestInit = {}): Promise<Uint8Array> {
    const response = await fetch(url, { method, ...init });
    const bytes = new Uint8Array(await response.arrayBuffer());
    this.o.meter.recordPresignedUse(method === 'PUT' ? 'PutObject' : 'GetObject', response.ok);
    if (!response.ok) throw new Error(`${method} presigned URL: ${response.status}`);
    return bytes;
  }

  /**
   * Runs one step and waits until what it caused is over: nothing in flight for a while and the
   * execution history unchanged between two looks, and `until` (if given) true.
   */
  async step<T>(
    name: string,
    kind: StepRecord['kind'],
    run: () => Promise<T>,
    until?: () => Promise<boolean>,
  ): Promise<T> {
    const callsBefore = this.o.meter.calls.length;
    const eventsBefore = this.busEvents.length;
    const historyBefore = await this.history();
    this.requests = [];
    const result = await run();
    const deadline = performance.now() + 20_000;
    let seen = -1;
    for (;;) {
      await sleep(40);
      const length = (await this.history()).length;
      const quiet = this.o.meter.inFlight() === 0 && performance.now() - this.o.meter.lastActivity() > 120;
      if (quiet && length === seen && (!until || (await until()))) break;
      seen = length;
      if (performance.now() > deadline) throw new Error(`step ${name}: the workflow did not settle`);
    }
    const entered = (await this.history())
      .slice(historyBefore.length)
      .filter((t) => t.endsWith('StateEntered'));
    this.steps.push({
      step: name,
      phase: this.phase,
      kind,
      requests: this.requests,
      calls: this.o.meter.calls.slice(callsBefore),
      transitions: entered.length,
      taskInvocations: entered.filter((t) => t === 'TaskStateEntered').length,
      busEvents: this.busEvents
        .slice(eventsBefore)
        .map((e) => ({ bus: e.eventBusName, detailType: e['detail-type'] })),
    });
    return result;
  }

  /** Waits (without counting anything) until the case has an alert of this kind on the alerts bus. */
  async alertRaised(kind: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.alertKinds().includes(kind)) {
      if (performance.now() > deadline) throw new Error(`no ${kind} alert within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  alertKinds(): string[] {
    return this.busEvents
      .filter(
        (e) =>
          e['detail-type'] === 'CaseAlertRaised' && e.detail.dynamodb?.Keys?.pk?.S === `CASE#${this.caseId}`,
      )
      .map((e) => e.detail.dynamodb?.NewImage?.kind?.S ?? 'unknown');
  }

  stop(): void {
    this.unsubscribe();
  }
}

async function uploadMaterial(
  d: CaseDriver,
  actor: string,
  token: string,
  record: Json,
  materialId: string,
): Promise<Json> {
  // A scan of a few hundred KB: S3 requests are priced per request, not per byte.
  const bytes = Buffer.concat([Buffer.from(`%PDF-1.4\n% ${materialId}\n`), Buffer.alloc(200 * 1024, 32)]);
  const upload = await d.step(`upload ${materialId} (presigned URL)`, 'work', async () => {
    const requested = await d.ok(
      actor,
      token,
      'POST',
      `/cases/${record.caseId}/materials/${materialId}/uploads`,
      {
        fileName: `${materialId}.pdf`,
        contentType: 'application/pdf',
        size: bytes.byteLength,
      },
    );
    await d.presigned('PUT', requested.upload.url, { headers: requested.upload.headers, body: bytes });
    return requested;
  });
  return d.step(`confirm ${materialId}`, 'work', () =>
    d.ok(actor, token, 'POST', `/cases/${record.caseId}/materials/${materialId}/confirm`, {
      version: record.version,
      uploadId: upload.uploadId,
      sha256: sha256(bytes),
    }),
  );
}

const passAll = (record: Json) =>
  record.matter.reviewPoints.map((point: string) => ({ point, passed: true }));

/**
 * 义务教育阶段入学登记 (JY-0001, promised 10 working days, window 1 with education staff dispatched):
 * the guardian applies on the portal with an Idempotency-Key, uploads the four materials and submits;
 * the window accepts; the department reviews, decides, produces the notice and returns it; the window
 * issues it electronically and the guardian's download delivers it (办结). Worked promptly, no alert.
 */
export async function enrolmentCase(o: DriverOptions): Promise<ScenarioRecord> {
  const started = performance.now();
  const d = new CaseDriver(o);
  const applicant = await o.tokens.sign({ role: 'applicant', sub: 'guardian-0001' });
  const clerk = await o.tokens.sign({ role: 'clerk', sub: 'clerk-1', windowId: 'window-1' });
  const reviewer = await o.tokens.sign({ role: 'reviewer', sub: 'edu-1', departmentId: 'education' });
  try {
    let record = await d.step('create (portal, Idempotency-Key)', 'work', () =>
      d.ok(
        'applicant',
        applicant,
        'POST',
        '/cases',
        {
          matterCode: 'JY-0001',
          applicant: { kind: 'person', name: '张小明', idNumber: '11010519491231002X', phone: '13812345678' },
        },
        { 'idempotency-key': 'enrol-bench-guardian-0001' },
      ),
    );
    d.caseId = record.caseId;
    for (const material of record.matter.materials.filter((m: Json) => m.required)) {
      record = await uploadMaterial(d, 'applicant', applicant, record, material.id);
    }
    record = await d.step('submit (收件)', 'work', () =>
      d.ok('applicant', applicant, 'POST', `/cases/${d.caseId}/submit`, { version: record.version }),
    );
    d.phase = 'acceptance';
    await d.step('clerk opens the window queue (one page of 20)', 'view', () =>
      d.ok('clerk', clerk, 'GET', '/cases?status=submitted&limit=20'),
    );
    record = await d.step('clerk opens the case', 'view', () =>
      d.ok('clerk', clerk, 'GET', `/cases/${d.caseId}`),
    );
    record = await d.step(
      'accept (受理; the stream starts the workflow)',
      'work',
      () =>
        d.ok('clerk', clerk, 'POST', `/cases/${d.caseId}/accept`, {
          version: record.version,
          reviewChecks: passAll(record),
        }),
      // The workflow has planned its timer and waits on the first human step.
      async () => (await d.history()).includes('TaskSubmitted'),
    );
    d.phase = 'processing';
    await d.step('applicant checks the status', 'view', () =>
      d.ok('applicant', applicant, 'GET', `/cases/${d.caseId}`),
    );
    record = await d.step('review (审查)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/review`, {
        version: record.version,
        opinion: '户籍、住所核验一致,符合入学条件',
        recommendation: 'approve',
      }),
    );
    record = await d.step('decision (决定)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/decision`, {
        version: record.version,
        outcome: 'approve',
      }),
    );
    record = await d.step('result (制证, PDF rendered to S3)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/result`, { version: record.version }),
    );
    record = await d.step('return to the window (回送)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/return`, { version: record.version }),
    );
    record = await d.step('issue electronically (出件)', 'work', () =>
      d.ok('clerk', clerk, 'POST', `/cases/${d.caseId}/issuance`, {
        version: record.version,
        method: 'electronic',
      }),
    );
    await d.step(
      'applicant downloads the result (送达, 办结)',
      'work',
      async () => {
        const download = await d.ok('applicant', applicant, 'GET', `/cases/${d.caseId}/result/download`);
        const bytes = await d.presigned('GET', download.url);
        if (sha256(bytes) !== download.sha256)
          throw new Error('the downloaded result does not match its sha256');
      },
      async () => (await d.status()) === 'SUCCEEDED',
    );
    return {
      scenario: 'enrolment-portal',
      description:
        'JY-0001 enrolment on the portal: 4 materials, accepted at window 1 (dispatched), worked promptly, electronic issuance closed by the download',
      matterCode: 'JY-0001',
      windowId: record.matter.windowId,
      departmentId: record.matter.departmentId,
      caseId: d.caseId,
      steps: d.steps,
      executionStatus: await d.status(),
      alertsRaised: d.alertKinds(),
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    d.stop();
  }
}

/**
 * The flow of tests/e2e/case-deadline.test.ts: a counter case (YJ-0001, promised 5 working days) at an
 * entrusted window, handed over to the department (接件), reviewed, decided only after the yellow
 * warning was raised, produced, returned, and collected at the window with the ID number's last digits.
 */
export async function counterCaseWithWarning(o: DriverOptions): Promise<ScenarioRecord> {
  const started = performance.now();
  const d = new CaseDriver(o);
  const clerk = await o.tokens.sign({ role: 'clerk', sub: 'clerk-3', windowId: 'window-3' });
  try {
    let record = await d.step('create (counter)', 'work', () =>
      d.ok('clerk', clerk, 'POST', '/cases', {
        matterCode: 'YJ-0001',
        applicant: { kind: 'person', name: '王芳', idNumber: '11010519491231002X', phone: '13912345678' },
      }),
    );
    d.caseId = record.caseId;
    for (const material of record.matter.materials.filter((m: Json) => m.required)) {
      record = await uploadMaterial(d, 'clerk', clerk, record, material.id);
    }
    record = await d.step('submit (收件)', 'work', () =>
      d.ok('clerk', clerk, 'POST', `/cases/${d.caseId}/submit`, { version: record.version }),
    );
    d.phase = 'acceptance';
    record = await d.step(
      'accept (受理, 流转; the stream starts the workflow)',
      'work',
      () =>
        d.ok('clerk', clerk, 'POST', `/cases/${d.caseId}/accept`, {
          version: record.version,
          reviewChecks: passAll(record),
        }),
      // The workflow has planned its timer and waits on the first human step.
      async () => (await d.history()).includes('TaskSubmitted'),
    );
    d.phase = 'processing';
    const dept = record.matter.departmentId as string;
    const reviewer = await o.tokens.sign({ role: 'reviewer', sub: 'reviewer-1', departmentId: dept });
    const chief = await o.tokens.sign({ role: 'chief', sub: 'chief-1', departmentId: dept });
    await d.step('department opens its queue (one page of 20)', 'view', () =>
      d.ok('reviewer', reviewer, 'GET', '/cases?status=accepted&limit=20'),
    );
    record = await d.step('receipt (接件)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/receipt`, { version: record.version }),
    );
    record = await d.step('review (审查)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/review`, {
        version: record.version,
        opinion: '材料齐全,符合条件',
        recommendation: 'approve',
      }),
    );
    // The department leaves it until the yellow warning: the review's task times out and the timer raises it.
    await d.step(
      'days pass: the timer raises the yellow warning (预警)',
      'work',
      async () => undefined,
      async () => {
        await d.alertRaised('deadline-warning', 60_000);
        return true;
      },
    );
    await d.step('department reads its yellow alerts', 'view', () =>
      d.ok('reviewer', reviewer, 'GET', '/alerts?scope=department&level=yellow'),
    );
    // Raising the alert wrote the case: the chief decides on what it reads now.
    record = await d.step('chief opens the case', 'view', () =>
      d.ok('chief', chief, 'GET', `/cases/${d.caseId}`),
    );
    record = await d.step('decision by the chief (决定)', 'work', () =>
      d.ok('chief', chief, 'POST', `/cases/${d.caseId}/decision`, {
        version: record.version,
        outcome: 'approve',
      }),
    );
    record = await d.step('result (制证, PDF rendered to S3)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/result`, { version: record.version }),
    );
    record = await d.step('return to the window (回送; the warning is resolved)', 'work', () =>
      d.ok('reviewer', reviewer, 'POST', `/cases/${d.caseId}/return`, { version: record.version }),
    );
    await d.step('clerk opens the issuable queue (one page of 20)', 'view', () =>
      d.ok('clerk', clerk, 'GET', '/cases?status=issuable&limit=20'),
    );
    await d.step(
      'pick-up at the window (出件, 办结)',
      'work',
      () =>
        d.ok('clerk', clerk, 'POST', `/cases/${d.caseId}/issuance`, {
          version: record.version,
          method: 'pickup',
          pickup: { idNumber: '11010519491231002X', collectedBy: '王芳' },
        }),
      async () => (await d.status()) === 'SUCCEEDED',
    );
    return {
      scenario: 'counter-with-warning',
      description:
        'YJ-0001 at the counter of window 3 (entrusted): receipt by the department, decided after the yellow warning, picked up at the window (the flow of tests/e2e/case-deadline.test.ts)',
      matterCode: 'YJ-0001',
      windowId: record.matter.windowId,
      departmentId: dept,
      caseId: d.caseId,
      steps: d.steps,
      executionStatus: await d.status(),
      alertsRaised: d.alertKinds(),
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    d.stop();
  }
}
