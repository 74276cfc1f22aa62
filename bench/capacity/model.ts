import type { Phase } from '../cost/case-run';
import type { PhaseProfile, WorkloadProfile } from './profile';

/**
 * The capacity model of a seasonal peak: what the opening of enrolment asks of each service, against
 * the limits that apply, and where the design absorbs it. Pure arithmetic (Little's law for Lambda
 * concurrency, rates × measured units for DynamoDB), so it is unit tested and runs anywhere.
 *
 * Load model: applications arrive at the applicants' pace — `firstHourShare` of them in the first hour,
 * the opening `burstMinutes` at `burstFactor` times that hour's average. Acceptance (and therefore every
 * workflow start, which comes from the cases table's stream) happens at the clerks' pace; the back
 * office works accepted cases at about the same pace (steady state), so those phases add their load at
 * `acceptancesPerHour` throughout.
 */
export interface PeakInput {
  applications: number;
  firstHourShare: number;
  burstFactor: number;
  burstMinutes: number;
  acceptancesPerHour: number;
  /** Warm billed duration of one invocation, by function id (ms). */
  durationsMs: Record<string, number>;
  profile: WorkloadProfile;
  limits: Limits;
}

export interface Limits {
  /** HTTP API stage default route throttling (infra/app.ts: apiRateLimit / apiBurstLimit). */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** API Gateway's account-level limit per region. */
  apiAccountRateLimit: number;
  /** Lambda concurrent executions per account and region (default quota). */
  lambdaAccountConcurrency: number;
  /** One DynamoDB partition: write and read units per second. */
  partitionWcu: number;
  partitionRcu: number;
  /** What a new on-demand table (or index) serves at once before it has scaled (per table or index). */
  onDemandInitialWcu: number;
  onDemandInitialRcu: number;
  /** S3 request rates per key prefix. */
  s3PutPerPrefix: number;
  s3GetPerPrefix: number;
  /** Shards of the `open` index (functions/workflow/case-keys.ts). */
  openShards: number;
  stepFunctions: {
    startExecutionBucket: number;
    startExecutionRefill: number;
    transitionBucket: number;
    transitionRefill: number;
    sendTaskBucket: number;
    sendTaskRefill: number;
  };
  stream: { batchSize: number; parallelizationFactor: number; maxRecordAgeHours: number };
}

/** Quotas as the issue gives them (Step Functions: regions other than the three largest). */
export const defaultLimits: Limits = {
  apiRateLimit: 500,
  apiBurstLimit: 1000,
  apiAccountRateLimit: 10_000,
  lambdaAccountConcurrency: 1000,
  partitionWcu: 1000,
  partitionRcu: 3000,
  onDemandInitialWcu: 4000,
  onDemandInitialRcu: 12_000,
  s3PutPerPrefix: 3500,
  s3GetPerPrefix: 5500,
  openShards: 16,
  stepFunctions: {
    startExecutionBucket: 800,
    startExecutionRefill: 150,
    transitionBucket: 800,
    transitionRefill: 500,
    sendTaskBucket: 1500,
    sendTaskRefill: 300,
  },
  stream: { batchSize: 50, parallelizationFactor: 2, maxRecordAgeHours: 6 },
};

/**
 * Warm durations assumed in AWS (ms), deliberately above the local round trips the cost bench measures
 * (a cases request there takes tens of ms; issuance renders a PDF). workflow-starter: a batch of up to
 * 50 StartExecution calls.
 */
export const defaultDurationsMs: Record<string, number> = {
  platform: 50,
  catalogue: 80,
  cases: 150,
  calendar: 100,
  issuance: 800,
  'case-workflow': 100,
  'workflow-starter': 1000,
};

export type Verdict = 'ok' | 'watch' | 'over';

export interface Check {
  area: 'API Gateway' | 'Lambda' | 'DynamoDB' | 'S3' | 'Step Functions' | 'Stream';
  what: string;
  /** Load in the first hour on average, and in the opening burst. */
  firstHour: number;
  burst: number;
  unit: string;
  limit: number;
  /** burst / limit. */
  utilisation: number;
  verdict: Verdict;
  note: string;
}

export interface CapacityReport {
  input: Omit<PeakInput, 'profile'> & { profileSource: string; matterCode: string };
  rates: {
    firstHourApplications: number;
    firstHourPerSecond: number;
    burstPerSecond: number;
    burstApplications: number;
    acceptancesPerSecond: number;
  };
  lambdaConcurrency: Record<
    string,
    { invocationsPerSecond: number; durationMs: number; concurrency: number }
  >;
  dynamoDb: Record<string, { wcuPerSecond: number; rcuPerSecond: number; partitions: number }>;
  checks: Check[];
  buffers: string[];
  actions: string[];
}

const verdictOf = (utilisation: number): Verdict =>
  utilisation > 1 ? 'over' : utilisation >= 0.5 ? 'watch' : 'ok';

const sumValues = (record: Record<string, number>) => Object.values(record).reduce((n, v) => n + v, 0);

/** Requests/units per second when applications arrive at `applicationRate` and cases move at `caseRate`. */
function combine(
  phases: Record<Phase, PhaseProfile>,
  applicationRate: number,
  caseRate: number,
  pick: (p: PhaseProfile) => Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (record: Record<string, number>, rate: number) => {
    for (const [key, value] of Object.entries(record)) out[key] = (out[key] ?? 0) + value * rate;
  };
  add(pick(phases.intake), applicationRate);
  add(pick(phases.acceptance), caseRate);
  add(pick(phases.processing), caseRate);
  return out;
}

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

export function validatePeak(input: PeakInput): string[] {
  const problems: string[] = [];
  if (!(input.applications > 0)) problems.push('applications must be positive');
  if (!(input.firstHourShare > 0 && input.firstHourShare <= 1))
    problems.push('first-hour share must be in (0, 1]');
  if (!(input.burstFactor >= 1)) problems.push('burst factor must be at least 1');
  if (!(input.burstMinutes > 0 && input.burstMinutes <= 60))
    problems.push('burst minutes must be in (0, 60]');
  if (input.burstFactor * input.burstMinutes > 60) {
    problems.push('burst factor × burst minutes exceeds 60: the burst would hold more than the first hour');
  }
  if (!(input.acceptancesPerHour > 0)) problems.push('acceptances per hour must be positive');
  return problems;
}

export function capacityModel(input: PeakInput): CapacityReport {
  const problems = validatePeak(input);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const { profile, limits } = input;
  const { phases } = profile;
  const firstHourApplications = input.applications * input.firstHourShare;
  const firstHourPerSecond = firstHourApplications / 3600;
  const burstPerSecond = firstHourPerSecond * input.burstFactor;
  const acceptancesPerSecond = input.acceptancesPerHour / 3600;
  const at = (rate: number) => ({
    routes: combine(phases, rate, acceptancesPerSecond, (p) => p.requestsByRoute),
    functions: combine(phases, rate, acceptancesPerSecond, (p) => p.requestsByFunction),
    writes: combine(phases, rate, acceptancesPerSecond, (p) => p.writeUnits),
    reads: combine(phases, rate, acceptancesPerSecond, (p) => p.readUnits),
    scalar: (pick: (p: PhaseProfile) => number) =>
      pick(phases.intake) * rate + (pick(phases.acceptance) + pick(phases.processing)) * acceptancesPerSecond,
  });
  const hour = at(firstHourPerSecond);
  const burst = at(burstPerSecond);
  const checks: Check[] = [];
  const check = (c: Omit<Check, 'utilisation' | 'verdict'>) => {
    const utilisation = c.limit > 0 ? c.burst / c.limit : 0;
    checks.push({ ...c, utilisation, verdict: verdictOf(utilisation) });
  };

  // API Gateway: the stage's default route throttle is read per route, but checked against the sum too
  // (the conservative reading); the account limit covers every API of the region.
  const busiest = Object.entries(burst.routes).sort((a, b) => b[1] - a[1])[0] ?? ['(none)', 0];
  check({
    area: 'API Gateway',
    what: 'all routes against the stage throttle',
    firstHour: sumValues(hour.routes),
    burst: sumValues(burst.routes),
    unit: 'req/s',
    limit: limits.apiRateLimit,
    note: `stage default route throttle ${limits.apiRateLimit} req/s, burst ${limits.apiBurstLimit}, if it bounds the stage as a whole`,
  });
  check({
    area: 'API Gateway',
    what: `busiest route (${busiest[0]})`,
    firstHour: hour.routes[busiest[0]] ?? 0,
    burst: busiest[1],
    unit: 'req/s',
    limit: limits.apiRateLimit,
    note: 'the same throttle read per route',
  });
  check({
    area: 'API Gateway',
    what: 'all routes against the account',
    firstHour: sumValues(hour.routes),
    burst: sumValues(burst.routes),
    unit: 'req/s',
    limit: limits.apiAccountRateLimit,
    note: 'account-level throttle per region, shared with every API there',
  });

  // Lambda: concurrency = invocations per second × duration (Little's law).
  const lambdaConcurrency: CapacityReport['lambdaConcurrency'] = {};
  const invocations: Record<string, number> = { ...burst.functions };
  invocations['case-workflow'] = burst.scalar((p) => p.workflowInvocations);
  // One stream batch can start many cases; at the clerks' pace batches hold one or two records.
  invocations['workflow-starter'] = burst.scalar((p) => p.startExecutions);
  for (const [fn, rate] of Object.entries(invocations)) {
    if (rate === 0) continue;
    const durationMs = input.durationsMs[fn] ?? 200;
    lambdaConcurrency[fn] = {
      invocationsPerSecond: rate,
      durationMs,
      concurrency: (rate * durationMs) / 1000,
    };
  }
  const totalConcurrency = sumValues(
    Object.fromEntries(Object.entries(lambdaConcurrency).map(([k, v]) => [k, v.concurrency])),
  );
  const hourConcurrency = Object.entries(lambdaConcurrency).reduce((n, [fn, v]) => {
    const hourRate =
      fn === 'case-workflow'
        ? hour.scalar((p) => p.workflowInvocations)
        : fn === 'workflow-starter'
          ? hour.scalar((p) => p.startExecutions)
          : (hour.functions[fn] ?? 0);
    return n + (hourRate * v.durationMs) / 1000;
  }, 0);
  check({
    area: 'Lambda',
    what: 'concurrent executions, all functions',
    firstHour: hourConcurrency,
    burst: totalConcurrency,
    unit: 'concurrent',
    limit: limits.lambdaAccountConcurrency,
    note: 'default account quota; new accounts may start far lower',
  });

  // DynamoDB: units per second on each table and index; partitions; the worklist keys of the burst.
  const dynamoDb: CapacityReport['dynamoDb'] = {};
  for (const target of new Set([...Object.keys(burst.writes), ...Object.keys(burst.reads)])) {
    const wcuPerSecond = burst.writes[target] ?? 0;
    const rcuPerSecond = burst.reads[target] ?? 0;
    dynamoDb[target] = {
      wcuPerSecond,
      rcuPerSecond,
      partitions: Math.max(
        1,
        Math.ceil(wcuPerSecond / limits.partitionWcu),
        Math.ceil(rcuPerSecond / limits.partitionRcu),
      ),
    };
  }
  for (const [target, load] of Object.entries(dynamoDb).sort(
    (a, b) => b[1].wcuPerSecond - a[1].wcuPerSecond,
  )) {
    if (load.wcuPerSecond === 0) continue;
    check({
      area: 'DynamoDB',
      what: `${target} writes`,
      firstHour: hour.writes[target] ?? 0,
      burst: load.wcuPerSecond,
      unit: 'WRU/s',
      limit: limits.onDemandInitialWcu,
      note: `${load.partitions} partition(s) at ${limits.partitionWcu} WCU each; limit = a new on-demand table's or index's initial throughput`,
    });
  }
  const [readTarget, readLoad] =
    Object.entries(dynamoDb).sort((a, b) => b[1].rcuPerSecond - a[1].rcuPerSecond)[0] ?? [];
  if (readTarget && readLoad && readLoad.rcuPerSecond > 0) {
    check({
      area: 'DynamoDB',
      what: `${readTarget} reads (the busiest)`,
      firstHour: hour.reads[readTarget] ?? 0,
      burst: readLoad.rcuPerSecond,
      unit: 'RRU/s',
      limit: limits.onDemandInitialRcu,
      note: `${readLoad.partitions} partition(s) at ${limits.partitionRcu} RCU each`,
    });
  }
  for (const hot of profile.hotKeys) {
    // Intake keys take the applicants' pace; keys written later, the clerks'.
    const [hourRate, burstRate] =
      hot.phase === 'intake'
        ? [firstHourPerSecond, burstPerSecond]
        : [acceptancesPerSecond, acceptancesPerSecond];
    check({
      area: 'DynamoDB',
      what: `one index key: ${hot.target} ${hot.key}`,
      firstHour: hot.writeUnitsPerApplication * hourRate,
      burst: hot.writeUnitsPerApplication * burstRate,
      unit: 'WRU/s',
      limit: limits.partitionWcu,
      note: `every ${profile.matterCode} application of the window writes this key ${hot.writeUnitsPerApplication} WRU (DynamoDB Local's units: index writes in transactions at ×2); one key cannot be split across partitions when its sort keys only grow`,
    });
  }
  const openWrites = burst.writes['cases/open'] ?? 0;
  if (openWrites > 0) {
    check({
      area: 'DynamoDB',
      what: `one shard of the open index (${limits.openShards} shards)`,
      firstHour: (hour.writes['cases/open'] ?? 0) / limits.openShards,
      burst: openWrites / limits.openShards,
      unit: 'WRU/s',
      limit: limits.partitionWcu,
      note: 'open cases only, written at the clerks’ and back office’s pace',
    });
  }

  // S3: material uploads (presigned PUTs) and the servers' checks of them, on one key prefix per bucket.
  check({
    area: 'S3',
    what: 'PUT requests (uploads through presigned URLs)',
    firstHour: hour.scalar((p) => p.s3Puts),
    burst: burst.scalar((p) => p.s3Puts),
    unit: 'req/s',
    limit: limits.s3PutPerPrefix,
    note: 'per key prefix; S3 scales prefixes on its own over minutes',
  });
  check({
    area: 'S3',
    what: 'GET/HEAD requests',
    firstHour: hour.scalar((p) => p.s3Gets),
    burst: burst.scalar((p) => p.s3Gets),
    unit: 'req/s',
    limit: limits.s3GetPerPrefix,
    note: 'per key prefix',
  });

  // Step Functions: starts come from the stream at the clerks' pace, never from the intake request.
  const sfn = limits.stepFunctions;
  const starts = burst.scalar((p) => p.startExecutions);
  check({
    area: 'Step Functions',
    what: 'StartExecution (design: at acceptance, from the stream)',
    firstHour: hour.scalar((p) => p.startExecutions),
    burst: starts,
    unit: '/s',
    limit: sfn.startExecutionRefill,
    note: `bucket ${sfn.startExecutionBucket}, refill ${sfn.startExecutionRefill}/s`,
  });
  const startsPerCase =
    phases.intake.startExecutions + phases.acceptance.startExecutions + phases.processing.startExecutions;
  check({
    area: 'Step Functions',
    what: 'StartExecution if workflows started at intake (not the design)',
    firstHour: firstHourPerSecond * startsPerCase,
    burst: burstPerSecond * startsPerCase,
    unit: '/s',
    limit: sfn.startExecutionRefill,
    note: 'what a synchronous start in POST /cases or submit would need',
  });
  check({
    area: 'Step Functions',
    what: 'state transitions',
    firstHour: hour.scalar((p) => p.stateTransitions),
    burst: burst.scalar((p) => p.stateTransitions),
    unit: '/s',
    limit: sfn.transitionRefill,
    note: `bucket ${sfn.transitionBucket}, refill ${sfn.transitionRefill}/s`,
  });
  check({
    area: 'Step Functions',
    what: 'SendTaskSuccess/Failure/Heartbeat',
    firstHour: hour.scalar((p) => p.sendTask),
    burst: burst.scalar((p) => p.sendTask),
    unit: '/s',
    limit: sfn.sendTaskRefill,
    note: `bucket ${sfn.sendTaskBucket}, refill ${sfn.sendTaskRefill}/s`,
  });

  // The stream in front of the starts: if a whole first hour were accepted at once (a bulk acceptance),
  // the records wait in the stream and the starts drain at the refill rate, well within the record age.
  const backlog = firstHourApplications * startsPerCase;
  const drainSeconds = Math.max(0, backlog - sfn.startExecutionBucket) / sfn.startExecutionRefill;
  check({
    area: 'Stream',
    what: `drain of ${Math.round(backlog)} starts accepted at once (first hour in bulk)`,
    firstHour: drainSeconds / 3600,
    burst: drainSeconds / 3600,
    unit: 'hours',
    limit: limits.stream.maxRecordAgeHours,
    note: `event source mapping: batch ${limits.stream.batchSize}, parallelization ${limits.stream.parallelizationFactor} per shard; older records go to the on-failure queue`,
  });

  const buffers = [
    'Intake (POST /cases, uploads, submit) writes DynamoDB only and answers at once; no workflow starts there, so the opening burst meets Lambda and DynamoDB, never the Step Functions start quota.',
    `Workflows start at acceptance, at the clerks' pace (${input.acceptancesPerHour}/h here): the cases table's stream delivers the accepted case to workflow-starter (batch ${limits.stream.batchSize}, parallelization factor ${limits.stream.parallelizationFactor}, retries with backoff); a throttled StartExecution is retried from the stream (24 h retention, records older than ${limits.stream.maxRecordAgeHours} h to the on-failure queue) and an open case is resumed from the sharded open index.`,
    'Uploads go straight to S3 through presigned URLs: the bytes never pass through Lambda or API Gateway.',
    'Applicants retry POST /cases with the same Idempotency-Key: a 429 or 503 from throttling never makes a second case.',
  ];

  const actions: string[] = [];
  const apiCheck = checks.find((c) => c.area === 'API Gateway');
  // A synchronous start at intake would meet the start quota from this many applications on.
  const syncLimitApplications =
    startsPerCase > 0
      ? (sfn.startExecutionRefill * 3600) / (input.firstHourShare * input.burstFactor * startsPerCase)
      : Number.POSITIVE_INFINITY;
  buffers.push(
    `Had workflows started in the intake request, the opening burst would need ${(burstPerSecond * startsPerCase).toFixed(1)} StartExecution/s; the refill of ${sfn.startExecutionRefill}/s would be passed from about ${(Math.round(syncLimitApplications / 10_000) * 10_000).toLocaleString('en-US')} applications at this shape, and every 429 would be an intake failure. Starting from the stream keeps intake independent of that quota at any size.`,
  );
  if (apiCheck && apiCheck.utilisation >= 0.5) {
    actions.push(
      `API Gateway: raise the stage throttle for the season (-c apiRateLimit=${roundUp(apiCheck.burst * 2, 100)} -c apiBurstLimit=${roundUp(apiCheck.burst * 4, 100)}): the API takes ${apiCheck.burst.toFixed(0)} req/s in the opening minutes, ${(apiCheck.utilisation * 100).toFixed(0)}% of the ${limits.apiRateLimit} req/s set now if that bounds the stage as a whole.`,
    );
  } else if (apiCheck) {
    actions.push(
      `API Gateway: the stage throttle (${limits.apiRateLimit}/${limits.apiBurstLimit}) covers the opening burst (${apiCheck.burst.toFixed(0)} req/s); keep it as the guard rail.`,
    );
  }
  const cases = lambdaConcurrency.cases;
  if (cases) {
    actions.push(
      `Lambda: provisioned concurrency on the cases function for the opening (${Math.ceil(cases.concurrency * 1.5)} environments: ${cases.concurrency.toFixed(0)} busy in the burst, plus headroom) removes cold starts from the burst; reserved concurrency ${Math.ceil(cases.concurrency * 3)} keeps other functions from starving it. Account quota needed: at least ${roundUp(totalConcurrency * 3, 100)} (default ${limits.lambdaAccountConcurrency}; check it, new accounts start lower).`,
    );
  }
  const peakWcu = Math.max(0, ...Object.values(dynamoDb).map((d) => d.wcuPerSecond));
  const peakRcu = Math.max(0, ...Object.values(dynamoDb).map((d) => d.rcuPerSecond));
  if (peakWcu > 0) {
    const beyond = peakWcu > limits.onDemandInitialWcu || peakRcu > limits.onDemandInitialRcu;
    actions.push(
      `DynamoDB: the busiest table or index takes ${peakWcu.toFixed(0)} WRU/s and ${peakRcu.toFixed(0)} RRU/s in the burst, ${beyond ? 'more than' : 'within'} what a new on-demand table serves at once (${limits.onDemandInitialWcu} WRU/s, ${limits.onDemandInitialRcu} RRU/s; beyond it on-demand doubles its previous peak over about 30 minutes). Set warm throughput on the cases table and each index to at least ${roundUp(peakWcu * 2, 100)} WRU/s and ${roundUp(Math.max(peakRcu * 2, 100), 100)} RRU/s before the season${beyond ? ' (required)' : ' (insurance: it costs once, and the indexes are where the burst lands)'}.`,
    );
  }
  const hot = checks.filter((c) => c.what.startsWith('one index key') && c.verdict !== 'ok');
  for (const c of hot) {
    actions.push(
      `DynamoDB hot key: ${c.what.replace('one index key: ', '')} takes ${c.burst.toFixed(0)} WRU/s in the burst (${c.firstHour.toFixed(0)} in the first hour on average) against ${limits.partitionWcu} per partition (half that if AWS propagates a transaction's index writes at the standard rate; DynamoDB Local counts them twice)${c.verdict === 'over' ? ': over the limit; index writes throttled on it throttle the table writes (intake answers 5xx/429)' : ': more than half the limit'}. Shard the worklist key (as the open index is: e.g. ${'WINDOW#<w>#<status>#<n>'} queried in parallel), keep drafts out of the window index (drafts are the applicant's, not the window's), and project only what worklists show.`,
    );
  }
  const startCheck = checks.find((c) => c.what.startsWith('StartExecution (design'));
  if (startCheck) {
    actions.push(
      `Step Functions: ${startCheck.burst.toFixed(2)} starts/s at the clerks' pace against ${sfn.startExecutionRefill}/s; nothing to raise. Only a bulk acceptance would reach the quota, and the stream absorbs it (see Stream).`,
    );
  }
  return {
    input: {
      applications: input.applications,
      firstHourShare: input.firstHourShare,
      burstFactor: input.burstFactor,
      burstMinutes: input.burstMinutes,
      acceptancesPerHour: input.acceptancesPerHour,
      durationsMs: input.durationsMs,
      limits,
      profileSource: profile.source,
      matterCode: profile.matterCode,
    },
    rates: {
      firstHourApplications,
      firstHourPerSecond,
      burstPerSecond,
      burstApplications: burstPerSecond * input.burstMinutes * 60,
      acceptancesPerSecond,
    },
    lambdaConcurrency,
    dynamoDb,
    checks,
    buffers,
    actions,
  };
}
