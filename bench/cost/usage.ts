import type { ScenarioRecord, StepRecord } from './case-run';
import type { DynamoCall, MeteredCall, S3Call, UnitsByTarget } from './meter';

/**
 * What one case used, summed from the steps of a run: the quantities AWS bills. Lambda duration is the
 * measured round trip through the local gateway for API requests (an upper bound: it includes the HTTP
 * hop and DynamoDB Local, slower than DynamoDB), and an assumption for the invocations the bench cannot
 * time (the workflow's task states and the stream consumer).
 */
export interface UsageAssumptions {
  /** Billed duration of one case-workflow task invocation (1–3 DynamoDB requests). */
  workflowInvocationMs: number;
  /** Billed duration of one workflow-starter invocation (a batch of StartExecution calls). */
  starterInvocationMs: number;
  /** Memory of each function (MB); the CDK default for the others. */
  memoryMb: Record<string, number>;
  defaultMemoryMb: number;
}

export interface FunctionUsage {
  invocations: number;
  billedMs: number;
  memoryMb: number;
  gbSeconds: number;
  duration: 'measured round trip' | 'assumed';
}

export interface CaseUsage {
  apiRequests: number;
  lambda: { invocations: number; gbSeconds: number; byFunction: Record<string, FunctionUsage> };
  stateTransitions: number;
  dynamoDb: {
    writeUnits: number;
    readUnits: number;
    /** Part of writeUnits estimated from item sizes (failed conditional writes report none). */
    estimatedWriteUnits: number;
    /**
     * Index writes made by transactions. DynamoDB Local charges them at the transactional rate (twice);
     * if AWS charges the asynchronous index propagation as standard writes, half of these are not billed.
     */
    transactionIndexWriteUnits: number;
    writesByTarget: UnitsByTarget;
    readsByTarget: UnitsByTarget;
    requests: Record<string, number>;
    failedRequests: Record<string, number>;
  };
  s3: { putClass: number; getClass: number; presignedUrlsMade: number; requests: Record<string, number> };
  stepFunctionsApi: Record<string, number>;
  bus: { events: number; byDetailType: Record<string, number> };
  /** Metered calls by the Lambda that made them (a check that attribution worked). */
  callsByOrigin: Record<string, number>;
}

// S3's first price class: PUT, COPY, POST, LIST (and the multipart calls); everything else is in the second.
const s3PutClass = /^(Put|Copy|Post|List|CreateMultipartUpload|UploadPart|CompleteMultipartUpload)/;

const bump = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

const round = (value: number, digits = 6) => Number(value.toFixed(digits));

export function usageOfSteps(steps: StepRecord[], assumptions: UsageAssumptions): CaseUsage {
  const calls: MeteredCall[] = steps.flatMap((s) => s.calls);
  const dynamo = calls.filter((c): c is DynamoCall => c.service === 'dynamodb');
  const s3 = calls.filter((c): c is S3Call => c.service === 's3');
  const memoryOf = (id: string) => assumptions.memoryMb[id] ?? assumptions.defaultMemoryMb;

  const byFunction: Record<string, FunctionUsage> = {};
  const add = (id: string, ms: number, duration: FunctionUsage['duration']) => {
    let entry = byFunction[id];
    if (!entry) {
      entry = { invocations: 0, billedMs: 0, memoryMb: memoryOf(id), gbSeconds: 0, duration };
      byFunction[id] = entry;
    }
    entry.invocations += 1;
    // Lambda bills duration in 1 ms steps.
    const billed = Math.max(1, Math.ceil(ms));
    entry.billedMs += billed;
    entry.gbSeconds += (billed / 1000) * (entry.memoryMb / 1024);
  };
  for (const request of steps.flatMap((s) => s.requests))
    add(request.functionId, request.ms, 'measured round trip');
  for (let i = 0; i < steps.reduce((n, s) => n + s.taskInvocations, 0); i++) {
    add('case-workflow', assumptions.workflowInvocationMs, 'assumed');
  }
  const starts = calls.filter((c) => c.service === 'stepfunctions' && c.origin === 'workflow-starter');
  // One stream batch per case here (one acceptance record); at a peak a batch carries up to 50.
  if (starts.length > 0) add('workflow-starter', assumptions.starterInvocationMs, 'assumed');
  for (const entry of Object.values(byFunction)) entry.gbSeconds = round(entry.gbSeconds, 9);

  const writesByTarget: UnitsByTarget = {};
  const readsByTarget: UnitsByTarget = {};
  const requests: Record<string, number> = {};
  const failedRequests: Record<string, number> = {};
  for (const call of dynamo) {
    bump(requests, call.operation);
    if (!call.ok) bump(failedRequests, `${call.operation} (${call.error ?? 'error'})`);
    for (const [target, units] of Object.entries(call.byTarget)) {
      bump(call.kind === 'write' ? writesByTarget : readsByTarget, target, units);
    }
  }
  const sum = (list: DynamoCall[]) => list.reduce((total, c) => total + c.units, 0);

  const s3Requests: Record<string, number> = {};
  let putClass = 0;
  let getClass = 0;
  for (const call of s3.filter((c) => !c.presigned)) {
    bump(s3Requests, call.viaPresignedUrl ? `${call.operation} (presigned URL)` : call.operation);
    if (s3PutClass.test(call.operation)) putClass++;
    else getClass++;
  }

  const stepFunctionsApi: Record<string, number> = {};
  for (const call of calls.filter((c) => c.service === 'stepfunctions'))
    bump(stepFunctionsApi, call.operation);
  const byDetailType: Record<string, number> = {};
  for (const event of steps.flatMap((s) => s.busEvents)) bump(byDetailType, event.detailType);
  const callsByOrigin: Record<string, number> = {};
  for (const call of calls) bump(callsByOrigin, call.origin);

  const functions = Object.values(byFunction);
  return {
    apiRequests: steps.reduce((n, s) => n + s.requests.length, 0),
    lambda: {
      invocations: functions.reduce((n, f) => n + f.invocations, 0),
      gbSeconds: round(
        functions.reduce((n, f) => n + f.gbSeconds, 0),
        9,
      ),
      byFunction,
    },
    stateTransitions: steps.reduce((n, s) => n + s.transitions, 0),
    dynamoDb: {
      writeUnits: sum(dynamo.filter((c) => c.kind === 'write')),
      readUnits: sum(dynamo.filter((c) => c.kind === 'read')),
      estimatedWriteUnits: sum(dynamo.filter((c) => c.kind === 'write' && c.estimated)),
      transactionIndexWriteUnits: dynamo
        .filter((c) => c.operation === 'TransactWriteItems')
        .flatMap((c) => Object.entries(c.byTarget))
        .filter(([target]) => target.includes('/'))
        .reduce((total, [, units]) => total + units, 0),
      writesByTarget,
      readsByTarget,
      requests,
      failedRequests,
    },
    s3: { putClass, getClass, presignedUrlsMade: s3.filter((c) => c.presigned).length, requests: s3Requests },
    stepFunctionsApi,
    bus: { events: Object.values(byDetailType).reduce((n, c) => n + c, 0), byDetailType },
    callsByOrigin,
  };
}

export const usageOfScenario = (run: ScenarioRecord, assumptions: UsageAssumptions): CaseUsage =>
  usageOfSteps(run.steps, assumptions);
