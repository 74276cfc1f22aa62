import { describe, expect, it } from 'vitest';
import { loadBuiltInProfile, peakInput, peakOptionsSchema } from '../../bench/capacity/inputs';
import { capacityModel, defaultDurationsMs, defaultLimits, type PeakInput } from '../../bench/capacity/model';
import type { PhaseProfile, WorkloadProfile } from '../../bench/capacity/profile';
import { capacityMarkdown, capacityTable } from '../../bench/capacity/report';

/** The capacity model's arithmetic on a small made-up profile, and its answer for the measured one. */
const phase = (fields: Partial<PhaseProfile>): PhaseProfile => ({
  requestsByFunction: {},
  requestsByRoute: {},
  workflowInvocations: 0,
  startExecutions: 0,
  sendTask: 0,
  stateTransitions: 0,
  writeUnits: {},
  readUnits: {},
  s3Puts: 0,
  s3Gets: 0,
  ...fields,
});

const profile: WorkloadProfile = {
  source: 'test',
  matterCode: 'JY-0001',
  phases: {
    intake: phase({
      requestsByFunction: { cases: 10 },
      requestsByRoute: { 'POST /cases': 1, 'POST /uploads': 4, 'POST /confirm': 4, 'POST /submit': 1 },
      writeUnits: { cases: 40, 'cases/gsi2': 40 },
      readUnits: { cases: 10 },
      s3Puts: 4,
      s3Gets: 4,
    }),
    acceptance: phase({
      requestsByFunction: { cases: 1 },
      requestsByRoute: { 'POST /accept': 1 },
      workflowInvocations: 2,
      startExecutions: 1,
      stateTransitions: 5,
      writeUnits: { cases: 20, 'cases/open': 32 },
    }),
    processing: phase({
      requestsByFunction: { cases: 4, issuance: 2 },
      requestsByRoute: { 'POST /step': 6 },
      workflowInvocations: 6,
      sendTask: 6,
      stateTransitions: 8,
      writeUnits: { cases: 100 },
    }),
  },
  hotKeys: [
    { key: 'WINDOW#window-1#draft', target: 'cases/gsi2', phase: 'intake', writeUnitsPerApplication: 30 },
  ],
};

const input = (overrides: Partial<PeakInput> = {}): PeakInput => ({
  applications: 100_000,
  firstHourShare: 0.3,
  burstFactor: 3,
  burstMinutes: 10,
  acceptancesPerHour: 3600,
  durationsMs: { cases: 100, issuance: 500, 'case-workflow': 50, 'workflow-starter': 1000 },
  profile,
  limits: defaultLimits,
  ...overrides,
});

const checkOf = (report: ReturnType<typeof capacityModel>, what: string) => {
  const found = report.checks.find((c) => c.what.startsWith(what));
  if (!found) throw new Error(`no check ${what}: ${report.checks.map((c) => c.what).join(', ')}`);
  return found;
};

describe('capacity model', () => {
  it('turns the peak into rates: the first hour, the opening burst, the clerks’ pace', () => {
    const { rates } = capacityModel(input());
    expect(rates.firstHourApplications).toBe(30_000);
    expect(rates.firstHourPerSecond).toBeCloseTo(8.3333, 4);
    expect(rates.burstPerSecond).toBeCloseTo(25, 9);
    expect(rates.burstApplications).toBeCloseTo(15_000, 6);
    expect(rates.acceptancesPerSecond).toBe(1);
  });

  it('needs concurrency = invocations per second × duration for each function', () => {
    const report = capacityModel(input());
    // cases: 25/s × 10 at intake + 1/s × (1 + 4) later, 100 ms each.
    expect(report.lambdaConcurrency.cases?.invocationsPerSecond).toBeCloseTo(255, 9);
    expect(report.lambdaConcurrency.cases?.concurrency).toBeCloseTo(25.5, 9);
    expect(report.lambdaConcurrency.issuance?.concurrency).toBeCloseTo(1, 9);
    expect(report.lambdaConcurrency['case-workflow']?.invocationsPerSecond).toBeCloseTo(8, 9);
    expect(report.lambdaConcurrency['workflow-starter']?.concurrency).toBeCloseTo(1, 9);
    expect(checkOf(report, 'concurrent executions').burst).toBeCloseTo(25.5 + 1 + 0.4 + 1, 9);
  });

  it('adds DynamoDB units by table and index and counts partitions', () => {
    const report = capacityModel(input());
    expect(report.dynamoDb.cases).toEqual({ wcuPerSecond: 25 * 40 + 120, rcuPerSecond: 250, partitions: 2 });
    expect(report.dynamoDb['cases/gsi2']).toMatchObject({ wcuPerSecond: 1000, partitions: 1 });
    expect(checkOf(report, 'one shard of the open index').burst).toBeCloseTo(32 / 16, 9);
  });

  it('says when one worklist key passes a partition’s 1,000 WCU', () => {
    const calm = checkOf(capacityModel(input()), 'one index key');
    expect(calm).toMatchObject({ burst: 750, verdict: 'watch' });
    const hot = capacityModel(input({ burstFactor: 5 }));
    expect(checkOf(hot, 'one index key').burst).toBeCloseTo(1250, 9);
    expect(checkOf(hot, 'one index key').verdict).toBe('over');
    expect(hot.actions.join('\n')).toMatch(/hot key: cases\/gsi2 WINDOW#window-1#draft takes 1250 WRU\/s/);
  });

  it('starts workflows at the clerks’ pace, and shows what a start at intake would need', () => {
    const report = capacityModel(input());
    expect(checkOf(report, 'StartExecution (design')).toMatchObject({ burst: 1, limit: 150, verdict: 'ok' });
    expect(checkOf(report, 'StartExecution if workflows started at intake').burst).toBeCloseTo(25, 9);
    expect(checkOf(report, 'state transitions').burst).toBeCloseTo(13, 9);
    expect(checkOf(report, 'SendTask').burst).toBeCloseTo(6, 9);
    // 30 000 accepted at once: 800 from the bucket, the rest at 150/s.
    expect(checkOf(report, 'drain of 30000').burst).toBeCloseTo((30_000 - 800) / 150 / 3600, 9);
    expect(report.buffers.join('\n')).toMatch(/from about 600,000 applications/);
  });

  it('asks for a higher API throttle once the burst takes half of it', () => {
    const report = capacityModel(input());
    const api = checkOf(report, 'all routes against the stage throttle');
    expect(api.burst).toBeCloseTo(25 * 10 + 1 * 7, 9);
    expect(api.verdict).toBe('watch');
    expect(report.actions.join('\n')).toMatch(/apiRateLimit=600 -c apiBurstLimit=1100/);
    const small = capacityModel(input({ applications: 10_000 }));
    expect(small.actions.join('\n')).toMatch(/covers the opening burst/);
  });

  it('refuses a peak that does not add up', () => {
    expect(() => capacityModel(input({ burstFactor: 7, burstMinutes: 10 }))).toThrow(/exceeds 60/);
    expect(() => capacityModel(input({ firstHourShare: 1.5 }))).toThrow(/first-hour share/);
    expect(() => capacityModel(input({ applications: 0 }))).toThrow(/applications/);
  });

  it('answers for 100 000 enrolment applications with the measured profile', () => {
    const options = peakOptionsSchema.parse({ applications: '100000', firstHourShare: '0.3' });
    expect(options).toMatchObject({
      burstFactor: 3,
      burstMinutes: 10,
      apiRateLimit: 500,
      apiBurstLimit: 1000,
    });
    const report = capacityModel(peakInput(options, loadBuiltInProfile()));
    expect(report.input.durationsMs).toEqual(defaultDurationsMs);
    expect(report.checks.map((c) => c.what)).toContain('one index key: cases/gsi2 WINDOW#window-1#draft');
    expect(checkOf(report, 'StartExecution (design').verdict).toBe('ok');
    expect(capacityTable(report)).toMatch(/area\s+what\s+first hour\s+burst\s+limit\s+use\s+verdict/);
    expect(capacityMarkdown(report)[0]).toBe('## Capacity model (`npm run capacity`)');
  });
});
