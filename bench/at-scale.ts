import { defaultApiThrottle } from '../infra/definitions/throttle';
import { type IntakeComparison, measureIntake } from './intake';
import { startBenchStack } from './load';
import { type PeakResult, rehearsePeak } from './peak';
import { measureWorklists, type WorklistResult } from './worklists';

/**
 * Intake, the enrolment peak and the worklists, in that order, on one local stack (a child process,
 * DynamoDB Local in memory): the intake warms DynamoDB Local's JIT before the burst, and the worklists'
 * 100,000 cases are loaded on top of the burst's. The gateway sheds load as deployed (the stage's
 * rate and burst) and as a function's concurrency limit would (`maxInFlight`, above the intake's 50
 * clients, so the intake is never turned away).
 */
export interface AtScaleResults {
  gateway: PeakResult['gateway'];
  intake: IntakeComparison[];
  peak: PeakResult;
  worklists: WorklistResult;
  seconds: { stack: number; intake: number; peak: number; worklists: number };
}

export const intakeTargets = { throughputVsFloorAt50: 0.6, p99VsFloorAt50: 3 };
export const worklistTargetP99Ms = 50;

export async function measureAtScale({
  log = (_line: string): void => undefined,
  applications = 20_000,
  worklistCases = 100_000,
} = {}): Promise<AtScaleResults> {
  const gateway = { maxInFlight: 64, ...defaultApiThrottle };
  const lap = (() => {
    let last = performance.now();
    return () => {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      return Number(seconds.toFixed(1));
    };
  })();
  // DynamoDB Local with a throughput collector and a heap that need not grow (about 10% more writes
  // per second on this machine); the same process serves the gateway's handlers and the floor.
  const stack = await startBenchStack({ ...gateway, javaOptions: '-XX:+UseParallelGC -Xms1g -Xmx2g' });
  try {
    const seconds = { stack: lap(), intake: 0, peak: 0, worklists: 0 };
    log(
      'intake: create-and-submit of the enrolment matter through the gateway against an independent floor…',
    );
    const intake = await measureIntake(stack, { log });
    seconds.intake = lap();
    log(`peak: ${applications} enrolment applications in one burst…`);
    const peak = await rehearsePeak(stack, gateway, { applications, log });
    seconds.peak = lap();
    log(
      `  sent ${peak.applications}, created ${peak.created}, submitted ${peak.submitted}, throttled then retried ${peak.throttledThenRetried}, failed ${peak.failed}, lost ${peak.lost}, duplicates ${peak.duplicates}`,
    );
    log(
      `  accepted ${peak.acceptance.accepted}: ${peak.acceptance.acceptedWithExactlyOneExecution} with exactly one execution, ${peak.acceptance.executionsForOtherCases} executions for other cases`,
    );
    log(`worklists: ${worklistCases} cases loaded, queue pages through the gateway and from the store…`);
    const worklists = await measureWorklists(stack, { cases: worklistCases, log });
    seconds.worklists = lap();
    if (/error/i.test(stack.stderr)) log(`  the stack's stderr:\n${stack.stderr.slice(-2000)}`);
    return { gateway, intake, peak, worklists, seconds };
  } finally {
    await stack.stop();
  }
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const met = (ok: boolean) => (ok ? 'met' : '**missed**');

export function atScaleMarkdown(r: AtScaleResults): string[] {
  const at50 = r.intake.find((c) => c.concurrency === 50);
  const p = r.peak;
  const a = p.acceptance;
  return [
    '## Intake of the enrolment matter (JY-0001): create-and-submit through the local gateway',
    '',
    'Per case: one `POST /cases` with `submit: true` and an Idempotency-Key (draft, receipt, case number and',
    'idempotency record in one write). Floor, independent of the case store: one DynamoDB transaction of three',
    'small new items with `attribute_not_exists` conditions into a table of its own with one keys-only index,',
    'sent with the SDK to the same DynamoDB Local at the same concurrency; rounds alternate.',
    '',
    '| clients | cases/s | p50 | p95 | p99 | floor cases/s | floor p99 | throughput × floor | p99 × floor |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.intake.map(
      (c) =>
        `| ${c.concurrency} | ${c.gateway.perSecond.toFixed(0)} | ${ms(c.gateway.p50Ms)} | ${ms(c.gateway.p95Ms)} | ${ms(c.gateway.p99Ms)} | ${c.floor.perSecond.toFixed(0)} | ${ms(c.floor.p99Ms)} | ${c.throughputVsFloor.toFixed(2)} | ${c.p99VsFloor.toFixed(2)} |`,
    ),
    '',
    at50
      ? `Targets at 50 clients: throughput ≥ ${intakeTargets.throughputVsFloorAt50} × floor (${met(at50.throughputVsFloor >= intakeTargets.throughputVsFloorAt50)}: ${at50.throughputVsFloor.toFixed(2)}), p99 ≤ ${intakeTargets.p99VsFloorAt50} × floor (${met(at50.p99VsFloor <= intakeTargets.p99VsFloorAt50)}: ${at50.p99VsFloor.toFixed(2)}).`
      : '',
    '',
    `## Enrolment peak: ${p.applications.toLocaleString('en')} applications in one burst`,
    '',
    `All released at once over ${p.clientConnections} client connections; the gateway sheds with 429 (stage rate ${r.gateway.rateLimit}/s, burst ${r.gateway.burstLimit}, as deployed) and 503 (more than ${r.gateway.maxInFlight} requests in the functions at once), both with Retry-After; clients wait as told and retry (an Idempotency-Key per application). The stack's stream consumers pause during the burst (intake starts no workflow; reading every record back in the stack's process would take about a sixth of DynamoDB Local's and the handlers' throughput, which AWS does not charge to the table or the functions) and run again, from the latest records, before the acceptances.`,
    '',
    '| | count |',
    '|---|---|',
    `| applications sent | ${p.applications} |`,
    `| created / submitted | ${p.created} / ${p.submitted} |`,
    `| throttled, then retried until submitted | ${p.throttledThenRetried} |`,
    `| failed | ${p.failed} |`,
    `| lost (answered created, not in the table with an unbroken trail) | ${p.lost} |`,
    `| duplicates (a second case for one application) | ${p.duplicates} |`,
    `| requests: sent / admitted / 429 / 503 / errors (5xx or connection, retried) | ${p.requests.sent} / ${p.requests.admitted} / ${p.requests.refused429} / ${p.requests.refused503} / ${p.requests.errors} |`,
    `| in the table: cases / trail linked to the head / case numbers / trail events | ${p.verified.casesInTable} / ${p.verified.withIntactTrail} / ${p.verified.caseNumbersClaimed} / ${p.verified.trailEvents} |`,
    '',
    `Burst: ${p.seconds} s, ${p.applicationsPerSecond} applications/s; from the burst's start to submitted p50 ${(p.timeToSubmittedMs.p50 / 1000).toFixed(1)} s, p99 ${(p.timeToSubmittedMs.p99 / 1000).toFixed(1)} s (waits for retries included); requests the gateway admitted, from connection to answer, p50 ${ms(p.admittedRequestMs.p50)}, p99 ${ms(p.admittedRequestMs.p99)}.`,
    '',
    `Acceptance (workflows start at acceptance, from the cases stream): 1 application in ${Math.round(p.applications / Math.max(1, a.sample))} uploaded its three required materials (presigned upload, confirm) before submitting; the window clerk accepted ${a.accepted} of ${a.sample} in ${a.seconds} s. Step Functions (ListExecutions on the local runner, ${a.secondsUntilAllStarted} s after the first acceptance): ${a.executions} executions (${Object.entries(
      a.executionStatuses,
    )
      .map(([status, n]) => `${n} ${status}`)
      .join(
        ', ',
      )}); ${a.acceptedWithExactlyOneExecution} accepted cases with exactly one, ${a.executionsForOtherCases} for any other case. Hash chain re-verified by \`GET …/trail/verify\` for ${a.trailVerifiedByApi} accepted cases.`,
    '',
    `## Worklists with ${r.worklists.loaded.toLocaleString('en')} more cases loaded`,
    '',
    `Loaded by BatchWrite in the case store's item layout (${r.worklists.loadSeconds} s, ${r.worklists.itemsPerSecond} cases/s), over the seed's promised matters, windows, departments, statuses and 60 days. Index read by the store: window queue \`${r.worklists.index.window}\`, department queue \`${r.worklists.index.department}\` (key conditions, no filter). Pages of ${r.worklists.queries[0]?.pageSize ?? 20}, five from the top then again, one client; the percentiles are over every timed page read.`,
    '',
    '| queue | via | queue size | page reads | p50 | p95 | p99 | ≤ 50 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...r.worklists.queries.map(
      (q) =>
        `| ${q.what} | ${q.via} | ${q.queueSize} | ${q.count} | ${ms(q.p50Ms)} | ${ms(q.p95Ms)} | ${ms(q.p99Ms)} | ${met(q.p99Ms <= worklistTargetP99Ms)} |`,
    ),
    '',
    `Sections took: stack start ${r.seconds.stack} s, intake ${r.seconds.intake} s, peak ${r.seconds.peak} s, worklists ${r.seconds.worklists} s.`,
    '',
  ];
}
