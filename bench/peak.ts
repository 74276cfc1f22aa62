import { createHash } from 'node:crypto';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { genesisHash } from '../functions/domain/cases/trail';
import { sampleApplicant } from './case-items';
import { enrolmentMatter } from './intake';
import {
  type BenchStack,
  type HttpAnswer,
  type HttpClient,
  httpClient,
  percentile,
  progress,
  round,
  runWorkers,
} from './load';

/**
 * The enrolment peak: `applications` applications (create + submit) released in one burst against the
 * local stack, whose gateway sheds what it cannot take (429/503 with Retry-After, see
 * infra/local/gateway/load-shedding.ts). Clients honour Retry-After and back off (exponential, jittered,
 * as the AWS SDKs do), with an Idempotency-Key per application so a retried create never makes a second
 * case. Every `acceptEvery`-th application also uploads the matter's required materials before
 * submitting; afterwards the window's clerk accepts those cases, which starts their workflows from the
 * cases table's stream (not from the request). Then the table and the Step Functions runner are checked:
 * every answered case exists with an unbroken trail, every accepted case has exactly one execution and
 * no other case has any.
 */
export interface PeakResult {
  applications: number;
  clientConnections: number;
  gateway: { maxInFlight: number; rateLimit: number; burstLimit: number };
  seconds: number;
  applicationsPerSecond: number;
  /** From the burst's start to the case submitted (includes waits for retries). */
  timeToSubmittedMs: { p50: number; p95: number; p99: number; max: number };
  /** Of the requests the gateway admitted, from the moment each had a connection (not queued in the client). */
  admittedRequestMs: { p50: number; p95: number; p99: number };
  requests: { sent: number; admitted: number; refused429: number; refused503: number; errors: number };
  created: number;
  submitted: number;
  throttledThenRetried: number;
  failed: number;
  lost: number;
  duplicates: number;
  verified: {
    casesInTable: number;
    withIntactTrail: number;
    caseNumbersClaimed: number;
    trailEvents: number;
  };
  acceptance: {
    sample: number;
    accepted: number;
    seconds: number;
    executions: number;
    acceptedWithExactlyOneExecution: number;
    executionsForOtherCases: number;
    executionStatuses: Record<string, number>;
    trailVerifiedByApi: number;
    secondsUntilAllStarted: number;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Counters {
  sent: number;
  admitted: number;
  refused429: number;
  refused503: number;
  errors: number;
  admittedMs: number[];
}

/**
 * One request as a well-behaved client makes it: on 429/503 it waits the Retry-After it was given and
 * tries again; a 5xx or a broken connection is retried a few times with a growing pause (the requests
 * are safe to repeat: an Idempotency-Key on the create, a version the server checks on the others).
 */
async function politely(
  counters: Counters,
  onRefused: () => void,
  send: () => Promise<HttpAnswer>,
): Promise<HttpAnswer> {
  let errors = 0;
  for (;;) {
    counters.sent++;
    let answer: HttpAnswer | undefined;
    try {
      answer = await send();
    } catch {
      answer = undefined;
    }
    if (answer && (answer.status === 429 || answer.status === 503) && answer.headers['retry-after']) {
      if (answer.status === 429) counters.refused429++;
      else counters.refused503++;
      onRefused();
      // Retry-After is the turn the gateway gave; up to a second of jitter keeps turns apart.
      await sleep(Number(answer.headers['retry-after']) * 1000 + Math.random() * 1000);
      continue;
    }
    if (!answer || answer.status >= 500) {
      counters.errors++;
      if (++errors > 3) return answer ?? { status: 0, headers: {}, body: 'connection failed', ms: 0 };
      await sleep(1000 * errors);
      continue;
    }
    counters.admitted++;
    counters.admittedMs.push(answer.ms);
    return answer;
  }
}

const pdfFor = (caseId: string, materialId: string) =>
  Buffer.from(`%PDF-1.4\n% ${caseId} ${materialId}\n1 0 obj << >> endobj\n%%EOF\n`);

export async function rehearsePeak(
  stack: BenchStack,
  gateway: PeakResult['gateway'],
  {
    applications = 20_000,
    acceptEvery = 40,
    applicants = 2_000,
    clientConnections = 400,
    log = (_line: string): void => undefined,
  } = {},
): Promise<PeakResult> {
  // RS256 signing costs this process ~1 ms a token: 2,000 applicants file the 20,000 applications (the
  // server verifies every request's token either way).
  const tokens = await Promise.all(
    Array.from({ length: applicants }, (_, i) => stack.issuer.sign({ role: 'applicant', sub: `peak-${i}` })),
  );
  const clerk = await stack.issuer.sign({ role: 'clerk', sub: 'clerk-1', windowId: 'window-1' });
  const api = httpClient(stack.url, clientConnections);
  const s3: HttpClient = httpClient(stack.env.AWS_ENDPOINT_URL_S3 as string, 64);
  const newCounters = (): Counters => ({
    sent: 0,
    admitted: 0,
    refused429: 0,
    refused503: 0,
    errors: 0,
    admittedMs: [],
  });
  const counters = newCounters();
  // The uploads go straight to the bucket: counted apart from the API's requests.
  const s3Counters = newCounters();
  // Acceptance and checks after the burst: counted apart from the burst's requests.
  const afterBurst = newCounters();

  interface Outcome {
    caseId?: string;
    version?: number;
    submitted?: boolean;
    refused: boolean;
    failure?: string;
    doneMs?: number;
    reviewPoints?: string[];
  }
  const outcomes: Outcome[] = Array.from({ length: applications }, () => ({ refused: false }));
  let t0 = 0;

  const apply = async (i: number) => {
    const outcome = outcomes[i] as Outcome;
    const token = tokens[i % applicants] as string;
    const call = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      politely(
        counters,
        () => {
          outcome.refused = true;
        },
        () => api.request(method, path, { token, body, headers }),
      );
    const created = await call(
      'POST',
      '/cases',
      { matterCode: enrolmentMatter, applicant: sampleApplicant(i) },
      { 'idempotency-key': `peak-application-${i}` },
    );
    if (created.status !== 201 && created.status !== 200) {
      outcome.failure = `create ${created.status} ${JSON.stringify(created.body)}`;
      return;
    }
    outcome.caseId = String(created.body.caseId);
    let version = Number(created.body.version);
    if (i % acceptEvery === 0) {
      // The sample to be accepted: the required materials, uploaded while the case is a draft.
      outcome.reviewPoints = created.body.matter.reviewPoints;
      for (const material of created.body.matter.materials.filter((m: { required: boolean }) => m.required)) {
        const bytes = pdfFor(outcome.caseId, material.id);
        const requested = await call('POST', `/cases/${outcome.caseId}/materials/${material.id}/uploads`, {
          fileName: `${material.id}.pdf`,
          contentType: 'application/pdf',
          size: bytes.byteLength,
        });
        if (requested.status !== 201) {
          outcome.failure = `upload ${requested.status} ${JSON.stringify(requested.body)}`;
          return;
        }
        // Straight to the bucket (no gateway); a reused keep-alive socket may be reset: try again.
        const put = await politely(
          s3Counters,
          () => undefined,
          () =>
            s3.request('PUT', requested.body.upload.url, {
              raw: bytes,
              headers: requested.body.upload.headers,
            }),
        );
        if (put.status !== 200) {
          outcome.failure = `S3 PUT ${put.status}`;
          return;
        }
        const confirmed = await call('POST', `/cases/${outcome.caseId}/materials/${material.id}/confirm`, {
          version,
          uploadId: requested.body.uploadId,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        });
        if (confirmed.status !== 200) {
          outcome.failure = `confirm ${confirmed.status} ${JSON.stringify(confirmed.body)}`;
          return;
        }
        version = Number(confirmed.body.version);
      }
    }
    let submitted = await call('POST', `/cases/${outcome.caseId}/submit`, { version });
    if (submitted.status === 409) {
      // A retry after an answer lost on the way: the first attempt may have been written.
      const current = await call('GET', `/cases/${outcome.caseId}`, undefined);
      if (
        current.status === 200 &&
        current.body.status === 'submitted' &&
        current.body.version === version + 1
      )
        submitted = current;
    }
    if (submitted.status !== 200) {
      outcome.failure = `submit ${submitted.status} ${JSON.stringify(submitted.body)}`;
      return;
    }
    outcome.submitted = true;
    outcome.version = Number(submitted.body.version);
    outcome.doneMs = performance.now() - t0;
  };

  // The stream consumers pause for the burst: intake writes start nothing (the workflow starts at
  // acceptance), yet reading every record back in this stack's process costs DynamoDB Local and the
  // handlers about a sixth of their throughput, which in AWS the table and the functions do not pay.
  await stack.stopStreams();
  log(
    `  burst: ${applications} applications at once over ${clientConnections} connections (1 in ${acceptEvery} with materials; stream consumers paused)…`,
  );
  const ticker = progress(log, 5_000, () => {
    const done = outcomes.filter((o) => o.submitted).length;
    const created = outcomes.filter((o) => o.caseId).length;
    return `created ${created}, submitted ${done}, requests ${counters.sent} (refused 429 ${counters.refused429} / 503 ${counters.refused503}, errors ${counters.errors})`;
  });
  t0 = performance.now();
  await Promise.all(outcomes.map((_, i) => apply(i)));
  ticker.stop();
  const seconds = (performance.now() - t0) / 1000;
  const submittedCount = outcomes.filter((o) => o.submitted).length;
  log(`  burst done in ${seconds.toFixed(1)} s: ${submittedCount} submitted`);

  // Acceptance of the sample by the window's clerk; the stream (consumers running again, from the
  // latest records) starts each one's workflow.
  await stack.startStreams();
  const sample = outcomes.filter((o, i) => i % acceptEvery === 0 && o.submitted);
  const acceptStarted = performance.now();
  let accepted = 0;
  const acceptedIds = new Set<string>();
  let nextSample = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (nextSample < sample.length) {
        const o = sample[nextSample++] as Outcome;
        const answer = await politely(
          afterBurst,
          () => undefined,
          () =>
            api.request('POST', `/cases/${o.caseId}/accept`, {
              token: clerk,
              body: {
                version: o.version,
                reviewChecks: (o.reviewPoints ?? []).map((point) => ({ point, passed: true })),
              },
            }),
        );
        if (answer.status === 200) {
          accepted++;
          acceptedIds.add(o.caseId as string);
        } else o.failure = `accept ${answer.status} ${JSON.stringify(answer.body)}`;
      }
    }),
  );
  const acceptSeconds = (performance.now() - acceptStarted) / 1000;
  log(
    `  accepted ${accepted} of ${sample.length} in ${acceptSeconds.toFixed(1)} s; waiting for their executions…`,
  );

  // Executions are named by the case id; the runner lists every one it has.
  const stateMachineArn = stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN as string;
  const listExecutions = async () => {
    const executions: { name: string; status: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await stack.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const e of page.executions ?? [])
        executions.push({ name: String(e.name), status: String(e.status) });
      nextToken = page.nextToken;
    } while (nextToken);
    return executions;
  };
  let executions = await listExecutions();
  const waitStarted = performance.now();
  while (executions.length < acceptedIds.size && performance.now() - waitStarted < 120_000) {
    await sleep(1_000);
    executions = await listExecutions();
  }
  // A little longer: a second start of the same case (which must not happen) would show now.
  await sleep(3_000);
  executions = await listExecutions();
  const secondsUntilAllStarted = (performance.now() - acceptStarted) / 1000;
  const perCase = new Map<string, number>();
  for (const e of executions) perCase.set(e.name, (perCase.get(e.name) ?? 0) + 1);
  const executionStatuses: Record<string, number> = {};
  for (const e of executions) executionStatuses[e.status] = (executionStatuses[e.status] ?? 0) + 1;

  // The table, read directly: every case of the burst, its trail linked up to the head on the case.
  log('  verifying the table (a query per case, its owner and case number) and the executions…');
  const answered = outcomes.filter((o) => o.caseId).map((o) => o.caseId as string);
  const answeredSet = new Set(answered);
  const read = new Map<string, { exists: boolean; intact: boolean; events: number; caseNumber?: string }>();
  await runWorkers(16, answered.length, async (index) => {
    const caseId = answered[index] as string;
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await stack.documents.send(
        new QueryCommand({
          TableName: stack.tables.cases,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CASE#${caseId}` },
          ProjectionExpression: 'sk, seq, #hash, prevHash, trailHead, caseNumber',
          ExpressionAttributeNames: { '#hash': 'hash' },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const record = items.find((item) => item.sk === 'CASE') as
      | { trailHead: { seq: number; hash: string }; caseNumber?: string }
      | undefined;
    // Trail items sort by their zero-padded sequence number: each must link to the one before, and
    // the last must be the head the case item carries.
    const trail = items.filter((item) => String(item.sk).startsWith('TRAIL#'));
    let prev = genesisHash;
    let linked = record !== undefined && trail.length === record.trailHead.seq;
    for (const [i, event] of trail.entries()) {
      if (event.seq !== i + 1 || event.prevHash !== prev) linked = false;
      prev = String(event.hash);
    }
    read.set(caseId, {
      exists: record !== undefined,
      intact: linked && prev === record?.trailHead.hash,
      events: trail.length,
      ...(record?.caseNumber ? { caseNumber: record.caseNumber } : {}),
    });
  });
  // Lost: answered as created, but not in the table with its whole trail.
  const lost = answered.filter((caseId) => !read.get(caseId)?.intact).length;
  const withIntactTrail = answered.length - lost;
  const trailEvents = [...read.values()].reduce((sum, r) => sum + r.events, 0);
  // Every case of the burst's applicants, by the owner index: none beyond the answered ones.
  let casesInTable = 0;
  await runWorkers(16, applicants, async (i) => {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await stack.documents.send(
        new QueryCommand({
          TableName: stack.tables.cases,
          IndexName: 'gsi1-summary',
          KeyConditionExpression: 'gsi1pk = :owner',
          ExpressionAttributeValues: { ':owner': `OWNER#peak-${i}` },
          Select: 'COUNT',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      casesInTable += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  });
  const found = [...read.values()].filter((r) => r.exists).length;
  const duplicates = casesInTable - found;
  // Each case number claimed by its case (the CASENO item that makes numbers unique).
  const numbers = [...read.entries()].filter(([, r]) => r.caseNumber) as [string, { caseNumber: string }][];
  let caseNumbersClaimed = 0;
  for (let i = 0; i < numbers.length; i += 100) {
    let keys = numbers.slice(i, i + 100).map(([, r]) => ({ pk: `CASENO#${r.caseNumber}`, sk: 'CASENO' }));
    while (keys.length > 0) {
      const got = await stack.documents.send(
        new BatchGetCommand({ RequestItems: { [stack.tables.cases]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of got.Responses?.[stack.tables.cases] ?? []) {
        if (answeredSet.has(String(item.caseId))) caseNumbersClaimed++;
      }
      keys = (got.UnprocessedKeys?.[stack.tables.cases]?.Keys ?? []) as typeof keys;
    }
  }

  // The API's own check of the hash chain (recomputing every hash) for each accepted case.
  let trailVerifiedByApi = 0;
  const acceptedList = [...acceptedIds];
  let nextVerify = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nextVerify < acceptedList.length) {
        const caseId = acceptedList[nextVerify++] as string;
        const verdict = await politely(
          afterBurst,
          () => undefined,
          () => api.request('GET', `/cases/${caseId}/trail/verify`, { token: clerk }),
        );
        if (verdict.status === 200 && verdict.body.valid === true) trailVerifiedByApi++;
      }
    }),
  );
  api.close();
  s3.close();

  const failures = outcomes.filter((o) => o.failure);
  for (const o of failures.slice(0, 5)) log(`  failed: ${o.failure}`);
  const done = outcomes
    .filter((o) => o.doneMs !== undefined)
    .map((o) => o.doneMs as number)
    .sort((a, b) => a - b);
  const admittedSorted = [...counters.admittedMs].sort((a, b) => a - b);
  return {
    applications,
    clientConnections,
    gateway,
    seconds: round(seconds, 1),
    applicationsPerSecond: round(submittedCount / seconds, 1),
    timeToSubmittedMs: {
      p50: round(percentile(done, 50), 0),
      p95: round(percentile(done, 95), 0),
      p99: round(percentile(done, 99), 0),
      max: round(done[done.length - 1] ?? Number.NaN, 0),
    },
    admittedRequestMs: {
      p50: round(percentile(admittedSorted, 50), 1),
      p95: round(percentile(admittedSorted, 95), 1),
      p99: round(percentile(admittedSorted, 99), 1),
    },
    requests: {
      sent: counters.sent,
      admitted: counters.admitted,
      refused429: counters.refused429,
      refused503: counters.refused503,
      errors: counters.errors,
    },
    created: answered.length,
    submitted: submittedCount,
    throttledThenRetried: outcomes.filter((o) => o.refused && o.submitted).length,
    failed: outcomes.filter((o) => !o.submitted).length,
    lost,
    duplicates,
    verified: { casesInTable, withIntactTrail, caseNumbersClaimed, trailEvents },
    acceptance: {
      sample: sample.length,
      accepted,
      seconds: round(acceptSeconds, 1),
      executions: executions.length,
      acceptedWithExactlyOneExecution: acceptedList.filter((id) => perCase.get(id) === 1).length,
      executionsForOtherCases: executions.filter((e) => !acceptedIds.has(e.name)).length,
      executionStatuses,
      trailVerifiedByApi,
      secondsUntilAllStarted: round(secondsUntilAllStarted, 1),
    },
  };
}
