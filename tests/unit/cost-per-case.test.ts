import { describe, expect, it } from 'vitest';
import { profileOfScenario } from '../../bench/capacity/profile';
import type { ScenarioRecord, StepRecord } from '../../bench/cost/case-run';
import { itemSize, numberSize, readUnits, writeUnits } from '../../bench/cost/item-size';
import type { CostResults } from '../../bench/cost/measure';
import { type DynamoCall, estimateFailedWrite, type MeteredCall, unitsOf } from '../../bench/cost/meter';
import { loadPrices, priceCase } from '../../bench/cost/pricing';
import { costMarkdown } from '../../bench/cost/report';
import { routeResolver } from '../../bench/cost/routes';
import { logicalTarget } from '../../bench/cost/targets';
import { type UsageAssumptions, usageOfSteps } from '../../bench/cost/usage';

/** The pure parts of the cost-per-case bench: size rules, capacity units, attribution and pricing. */

const write = (
  operation: string,
  byTarget: Record<string, number>,
  extra: Partial<DynamoCall> = {},
): DynamoCall => ({
  service: 'dynamodb',
  operation,
  origin: 'api',
  ok: true,
  kind: 'write',
  units: Object.values(byTarget).reduce((n, u) => n + u, 0),
  byTarget,
  estimated: false,
  ...extra,
});
const read = (units: number, target = 'onewindow-t-cases'): DynamoCall => ({
  ...write('GetItem', { [target]: units }),
  kind: 'read',
});

function step(name: string, phase: StepRecord['phase'], fields: Partial<StepRecord> = {}): StepRecord {
  return {
    step: name,
    phase,
    kind: 'work',
    requests: [],
    calls: [],
    transitions: 0,
    taskInvocations: 0,
    busEvents: [],
    ...fields,
  };
}

const assumptions: UsageAssumptions = {
  workflowInvocationMs: 100,
  starterInvocationMs: 200,
  memoryMb: { issuance: 1024 },
  defaultMemoryMb: 512,
};

describe('DynamoDB item size rules', () => {
  it('counts attribute names and values in UTF-8 bytes', () => {
    expect(itemSize({ pk: 'CASE#1' })).toBe(2 + 6);
    expect(itemSize({ name: '张' })).toBe(4 + 3);
    expect(itemSize({ gone: undefined, ok: true })).toBe(2 + 1);
  });

  it('sizes numbers by significant digits, and lists and maps with their overhead', () => {
    expect(numberSize(123)).toBe(3);
    expect(numberSize(0.0012)).toBe(2);
    expect(numberSize(1_000_000)).toBe(2);
    expect(itemSize({ a: { b: 'x' } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(itemSize({ l: ['ab', null] })).toBe(1 + 3 + (2 + 1) + (1 + 1));
  });

  it('turns sizes into request units: 1 KB per write unit, 4 KB per read unit, half for eventual reads', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
  });
});

describe('consumed capacity', () => {
  it('splits what DynamoDB reports by table and index, transactions included', () => {
    expect(
      unitsOf({
        TableName: 't',
        CapacityUnits: 9,
        Table: { CapacityUnits: 3 },
        GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 6 } },
      }),
    ).toEqual({ units: 9, byTarget: { t: 3, 't/gsi1': 6 } });
    expect(
      unitsOf([
        { TableName: 'a', CapacityUnits: 4 },
        { TableName: 'b', CapacityUnits: 2 },
      ]),
    ).toEqual({
      units: 6,
      byTarget: { a: 4, b: 2 },
    });
    expect(unitsOf(undefined)).toEqual({ units: 0, byTarget: {} });
  });

  it('estimates a failed write from its items: at least one unit, twice in a transaction', () => {
    expect(estimateFailedWrite('PutItem', { TableName: 't', Item: { pk: 'x'.repeat(1500) } })).toEqual({
      t: 2,
    });
    expect(estimateFailedWrite('UpdateItem', { TableName: 't', Key: { pk: 'x' } })).toEqual({ t: 1 });
    expect(
      estimateFailedWrite('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 't', Item: { pk: 'a' } } },
          { ConditionCheck: { TableName: 'u', Key: { pk: 'b' } } },
        ],
      }),
    ).toEqual({ t: 2, u: 2 });
  });

  it('names targets without the stage', () => {
    expect(logicalTarget('onewindow-bench-cost-cases/gsi2')).toBe('cases/gsi2');
    expect(logicalTarget('onewindow-local-idempotency')).toBe('idempotency');
  });
});

describe('routes', () => {
  const resolve = routeResolver([
    { id: 'platform', routes: [{ method: 'GET', path: '/me' }], defaultRoute: true },
    {
      id: 'cases',
      routes: [
        { method: 'GET', path: '/cases/{caseId}' },
        { method: 'POST', path: '/cases/{caseId}/submit' },
      ],
    },
    {
      id: 'issuance',
      routes: [
        { method: 'POST', path: '/cases/{caseId}/{step}' },
        { method: 'GET', path: '/cases/{caseId}/result/download' },
      ],
    },
  ]);

  it('takes the most specific template, as the HTTP API does', () => {
    expect(resolve('POST', '/cases/c1/submit')).toEqual({
      functionId: 'cases',
      routeKey: 'POST /cases/{caseId}/submit',
    });
    expect(resolve('POST', '/cases/c1/issuance')).toEqual({
      functionId: 'issuance',
      routeKey: 'POST /cases/{caseId}/{step}',
    });
    expect(resolve('get', '/cases/c1?x=1')).toEqual({ functionId: 'cases', routeKey: 'GET /cases/{caseId}' });
  });

  it('sends anything else to the default route', () => {
    expect(resolve('DELETE', '/nowhere')).toEqual({ functionId: 'platform', routeKey: '$default' });
  });
});

describe('usage and price of a case', () => {
  const steps: StepRecord[] = [
    step('create', 'intake', {
      requests: [{ routeKey: 'POST /cases', functionId: 'cases', actor: 'a', status: 201, ms: 40.2 }],
      calls: [
        write('TransactWriteItems', { 'onewindow-t-cases': 10, 'onewindow-t-cases/gsi2': 8 }),
        read(1),
        { service: 's3', operation: 'PutObject', origin: 'api', ok: true, presigned: true },
        {
          service: 's3',
          operation: 'PutObject',
          origin: 'bench',
          ok: true,
          presigned: false,
          viaPresignedUrl: true,
        },
      ],
    }),
    step('accept', 'acceptance', {
      requests: [
        { routeKey: 'POST /cases/{caseId}/accept', functionId: 'cases', actor: 'c', status: 200, ms: 20 },
      ],
      calls: [
        { service: 'stepfunctions', operation: 'StartExecution', origin: 'workflow-starter', ok: true },
        write('UpdateItem', { 'onewindow-t-cases': 5 }, { origin: 'case-workflow' }),
        write(
          'PutItem',
          { 'onewindow-t-cases': 1 },
          { ok: false, estimated: true, error: 'ConditionalCheckFailed' },
        ),
      ],
      transitions: 5,
      taskInvocations: 2,
    }),
    step('result', 'processing', {
      requests: [
        { routeKey: 'POST /cases/{caseId}/result', functionId: 'issuance', actor: 'r', status: 200, ms: 300 },
      ],
      calls: [
        { service: 's3', operation: 'PutObject', origin: 'api', ok: true, presigned: false },
        { service: 's3', operation: 'HeadObject', origin: 'api', ok: true, presigned: false },
        { service: 'stepfunctions', operation: 'SendTaskSuccess', origin: 'api', ok: true },
      ],
      transitions: 1,
      taskInvocations: 1,
      busEvents: [{ bus: 'notifications', detailType: 'ApplicantNotification' }],
    }),
  ];
  const usage = usageOfSteps(steps, assumptions);

  it('counts one invocation per API request, per task state and per stream batch, with GB-seconds', () => {
    expect(usage.apiRequests).toBe(3);
    expect(usage.lambda.byFunction).toMatchObject({
      cases: { invocations: 2, billedMs: 41 + 20, memoryMb: 512 },
      issuance: { invocations: 1, billedMs: 300, memoryMb: 1024, gbSeconds: 0.3 },
      'case-workflow': { invocations: 3, billedMs: 300, duration: 'assumed' },
      'workflow-starter': { invocations: 1, billedMs: 200 },
    });
    expect(usage.lambda.invocations).toBe(7);
    expect(usage.lambda.gbSeconds).toBeCloseTo(0.0305 + 0.3 + 0.15 + 0.1, 9);
  });

  it('sums units by kind and target, keeps estimated and transactional index units apart', () => {
    expect(usage.dynamoDb).toMatchObject({
      writeUnits: 24,
      readUnits: 1,
      estimatedWriteUnits: 1,
      transactionIndexWriteUnits: 8,
      writesByTarget: { 'onewindow-t-cases': 16, 'onewindow-t-cases/gsi2': 8 },
      failedRequests: { 'PutItem (ConditionalCheckFailed)': 1 },
    });
    expect(usage.stateTransitions).toBe(6);
  });

  it('counts S3 requests that reach S3, by price class, and not the presigning itself', () => {
    expect(usage.s3).toMatchObject({ putClass: 2, getClass: 1, presignedUrlsMade: 1 });
    expect(usage.stepFunctionsApi).toEqual({ StartExecution: 1, SendTaskSuccess: 1 });
    expect(usage.callsByOrigin).toMatchObject({
      api: 7,
      bench: 1,
      'case-workflow': 1,
      'workflow-starter': 1,
    });
  });

  it('prices it with the table in bench/prices.json', () => {
    const prices = loadPrices();
    expect(prices.prices.dynamoDbWriteRequestUnit.usd * 1e6).toBeCloseTo(0.625);
    expect(prices.prices.stepFunctionsStandardTransition.usd * 1000).toBeCloseTo(0.025);
    const cost = priceCase(usage, prices);
    const line = (item: string) => cost.lines.find((l) => l.item === item);
    expect(line('stepFunctionsStandardTransition')?.usd).toBeCloseTo(6 * 0.000025, 12);
    expect(line('dynamoDbWriteRequestUnit')?.usd).toBeCloseTo(24 * 0.000000625, 12);
    expect(line('eventBridgePipeRequest')?.quantity).toBe(1);
    expect(cost.totalUsd).toBeCloseTo(
      cost.lines.reduce((n, l) => n + l.usd, 0),
      12,
    );
    expect(Object.values(cost.byService).reduce((n, v) => n + v, 0)).toBeCloseTo(cost.totalUsd, 12);
  });

  it('reports the targets honestly', () => {
    const scenario = (name: string, calls: MeteredCall[]): ScenarioRecord => ({
      scenario: name,
      description: name,
      matterCode: 'JY-0001',
      windowId: 'window-1',
      departmentId: 'education',
      caseId: 'c1',
      steps: [step('create', 'intake', { calls })],
      executionStatus: 'SUCCEEDED',
      alertsRaised: [],
      wallSeconds: 1,
    });
    const prices = loadPrices();
    const results = (writes: number): CostResults => {
      const run = scenario('s', [write('PutItem', { 'onewindow-t-cases': writes })]);
      const u = usageOfSteps(run.steps, assumptions);
      return {
        measuredAt: '2026-11-25T00:00:00Z',
        node: 'v20',
        clockSpeed: 1,
        prices,
        assumptions,
        targets: { usdPerCase: 0.001, stateTransitions: 30, writeUnits: 150 },
        dynamoDbLocalReportsConsumedCapacity: true,
        scenarios: [
          {
            run,
            usage: u,
            cost: priceCase(u, prices),
            caseItem: { bytes: 2048, calculatorWriteUnits: 2, localTableUnitsOfLastWorkflowUpdate: 2 },
          },
        ],
      };
    };
    expect(costMarkdown(results(100)).join('\n')).toMatch(/≤ \$0\.001 per case — met/);
    expect(costMarkdown(results(100)).join('\n')).toMatch(/≤ 150 DynamoDB write units — met \(at most 100\)/);
    expect(costMarkdown(results(151)).join('\n')).toMatch(
      /≤ 150 DynamoDB write units — \*\*not met\*\* \(151\)/,
    );
    expect(costMarkdown(results(10_000)).join('\n')).toMatch(/≤ \$0\.001 per case — \*\*not met\*\*/);
    // The idle year, when measured, is a table of its own beside the old timer's daily wakes.
    expect(costMarkdown(results(100)).join('\n')).not.toMatch(/Idle cases/);
    const idleCase = {
      profile: 'paused' as const,
      description: 'paused for a supplement',
      caseId: 'c2',
      executions: ['c2', 'c2-g2'],
      stateTransitions: 7,
      taskInvocations: 3,
      successorsStarted: 1,
      dynamoDb: { writeUnits: 2, readUnits: 10 },
      alertsRaised: [],
      usd: { stepFunctions: 0.000175, lambda: 0.000003, dynamoDb: 0.000002, eventBridge: 0, total: 0.00018 },
    };
    const withIdle = costMarkdown({
      ...results(100),
      idle: {
        measuredAt: '2026-12-02T00:00:00Z',
        clockSpeed: 1_000_000,
        virtualDays: 365,
        dailyWakeTransitions: 1095,
        cases: [idleCase],
      },
    }).join('\n');
    expect(withIdle).toMatch(/A wake a day would be 1095 transitions a year/);
    expect(withIdle).toMatch(/\| paused \| 7 \| 3 \| 1 \| 2 \/ 10 \| 0 \| \$0\.000180 \|/);
  });
});

describe('the workload profile of a measured case', () => {
  it('splits phases and puts the intake index writes on the worklist keys', () => {
    const gsi2 = 'onewindow-t-cases/gsi2-summary';
    const run: ScenarioRecord = {
      scenario: 'enrolment-portal',
      description: '',
      matterCode: 'JY-0001',
      windowId: 'window-1',
      departmentId: 'education',
      caseId: 'c1',
      executionStatus: 'SUCCEEDED',
      alertsRaised: [],
      wallSeconds: 1,
      steps: [
        step('create', 'intake', {
          requests: [{ routeKey: 'POST /cases', functionId: 'cases', actor: 'a', status: 201, ms: 1 }],
          calls: [write('TransactWriteItems', { 'onewindow-t-cases': 8, [gsi2]: 8 })],
        }),
        step('confirm m1', 'intake', {
          calls: [write('TransactWriteItems', { 'onewindow-t-cases': 8, [gsi2]: 8 })],
        }),
        step('submit (收件)', 'intake', {
          calls: [
            write('TransactWriteItems', {
              'onewindow-t-cases': 8,
              [gsi2]: 16,
              'onewindow-t-cases/gsi3-summary': 8,
            }),
          ],
        }),
        step('accept', 'acceptance', {
          calls: [
            { service: 'stepfunctions', operation: 'StartExecution', origin: 'workflow-starter', ok: true },
          ],
          transitions: 5,
          taskInvocations: 2,
        }),
      ],
    };
    const profile = profileOfScenario(run, 'test');
    expect(profile.phases.intake).toMatchObject({
      requestsByFunction: { cases: 1 },
      writeUnits: { cases: 24, 'cases/gsi2-summary': 32, 'cases/gsi3-summary': 8 },
    });
    expect(profile.phases.acceptance).toMatchObject({
      startExecutions: 1,
      stateTransitions: 5,
      workflowInvocations: 2,
    });
    expect(profile.hotKeys).toEqual([
      {
        key: 'WINDOW#window-1#draft',
        target: 'cases/gsi2-summary',
        phase: 'intake',
        writeUnitsPerApplication: 24,
      },
      {
        key: 'WINDOW#window-1#submitted',
        target: 'cases/gsi2-summary',
        phase: 'intake',
        writeUnitsPerApplication: 8,
      },
      {
        key: 'DEPT#education#submitted',
        target: 'cases/gsi3-summary',
        phase: 'intake',
        writeUnitsPerApplication: 8,
      },
    ]);
  });
});
