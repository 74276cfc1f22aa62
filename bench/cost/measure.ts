import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startAttributedStack } from './attributed-stack';
import { counterCaseWithWarning, enrolmentCase, type ScenarioRecord } from './case-run';
import type { IdleResults } from './idle';
import { itemSize, writeUnits } from './item-size';
import {
  type DynamoCall,
  instrumentDynamoDb,
  instrumentS3,
  instrumentStepFunctions,
  Meter,
  originStore,
} from './meter';
import { type CaseCost, loadPrices, type PriceTable, priceCase } from './pricing';
import { routeResolver } from './routes';
import { type CaseUsage, type UsageAssumptions, usageOfScenario } from './usage';

/**
 * Cost per case: the whole local stack in this process on a fast virtual clock, SDK middleware on the
 * handlers' own clients, and one case per scenario taken from submission to closure. The caller sets
 * LOG_LEVEL and the SDK's Node notice before this module's dependencies load (see main.ts).
 */
export interface ScenarioCost {
  run: ScenarioRecord;
  usage: CaseUsage;
  cost: CaseCost;
  /**
   * The case item after closure, sized by the calculator (item-size.ts), beside what DynamoDB Local
   * charged the base table for the workflow's last write of it (the task token, before closure): a
   * check that the reported units follow the size rules.
   */
  caseItem: { bytes: number; calculatorWriteUnits: number; localTableUnitsOfLastWorkflowUpdate: number };
}

export interface CostResults {
  measuredAt: string;
  node: string;
  clockSpeed: number;
  prices: PriceTable;
  assumptions: UsageAssumptions;
  targets: { usdPerCase: number; stateTransitions: number; writeUnits: number };
  dynamoDbLocalReportsConsumedCapacity: boolean;
  scenarios: ScenarioCost[];
  /** A year of cases nobody works on (bench/cost/idle.ts); absent in results written before it. */
  idle?: IdleResults;
}

// The e2e deadline test's speed: a working day passes in about 2 s, so a case worked promptly sees no
// alert, and the warning of a 5-day case comes within seconds.
const clockSpeed = 40_000;

export async function measureCostPerCase(
  options: { log?: (line: string) => void } = {},
): Promise<CostResults> {
  const log = options.log ?? (() => undefined);
  const prices = loadPrices();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-cost-'));
  const { openLocalIssuer } = await import('../../infra/local/issuer');
  const stack = await startAttributedStack({ dataDir, clockSpeed, stage: 'bench-cost' });
  originStore.enterWith('bench');
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const sfn = new SFNClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SFN,
    region: stack.env.AWS_REGION,
    credentials,
  });
  // The bench's own reader (not metered).
  const reader = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: stack.env.AWS_REGION,
      credentials,
    }),
  );
  try {
    // The handlers' module-scope clients (the modules the stack loaded: one instance each).
    const { dynamoDb } = await import('../../functions/shared/clients/dynamodb');
    const { s3 } = await import('../../functions/shared/clients/s3');
    const { stepFunctions } = await import('../../functions/shared/clients/step-functions');
    const { functionDefinitions } = await import('../../functions/registry');
    const meter = new Meter();
    instrumentDynamoDb(dynamoDb, meter);
    instrumentS3(s3, meter);
    instrumentStepFunctions(stepFunctions, meter);

    const issuer = await openLocalIssuer(dataDir);
    const driver = {
      stack,
      meter,
      sfn,
      tokens: issuer,
      resolve: routeResolver(functionDefinitions),
      log,
    };
    const assumptions: UsageAssumptions = {
      workflowInvocationMs: 100,
      starterInvocationMs: 100,
      memoryMb: Object.fromEntries(
        functionDefinitions.filter((f) => f.memorySize).map((f) => [f.id, f.memorySize as number]),
      ),
      // infra/constructs/app-function.ts: `memorySize: def.memorySize ?? 512`.
      defaultMemoryMb: 512,
    };
    const scenarios: ScenarioCost[] = [];
    for (const scenario of [enrolmentCase, counterCaseWithWarning]) {
      const run = await scenario(driver);
      const usage = usageOfScenario(run, assumptions);
      const cost = priceCase(usage, prices);
      log(
        `  ${run.scenario}: ${run.steps.length} steps in ${run.wallSeconds.toFixed(1)} s; ${usage.apiRequests} API requests, ${usage.lambda.invocations} invocations, ${usage.stateTransitions} transitions, ${usage.dynamoDb.writeUnits} WRU, ${usage.dynamoDb.readUnits} RRU, S3 ${usage.s3.putClass} PUT + ${usage.s3.getClass} GET: $${cost.totalUsd.toFixed(6)}`,
      );
      const { Item: item = {} } = await reader.send(
        new GetCommand({ TableName: stack.env.CASES_TABLE, Key: { pk: `CASE#${run.caseId}`, sk: 'CASE' } }),
      );
      const lastWorkflowUpdate = run.steps
        .flatMap((step) => step.calls)
        .filter((c): c is DynamoCall => c.service === 'dynamodb' && c.origin === 'case-workflow')
        .filter((c) => c.operation === 'UpdateItem')
        .at(-1);
      const bytes = itemSize(item);
      const caseItem = {
        bytes,
        calculatorWriteUnits: writeUnits(bytes),
        localTableUnitsOfLastWorkflowUpdate: lastWorkflowUpdate?.byTarget[stack.env.CASES_TABLE ?? ''] ?? 0,
      };
      scenarios.push({ run, usage, cost, caseItem });
    }
    return {
      measuredAt: new Date().toISOString(),
      node: process.version,
      clockSpeed,
      prices,
      assumptions,
      targets: { usdPerCase: 0.0005, stateTransitions: 30, writeUnits: 150 },
      dynamoDbLocalReportsConsumedCapacity: meter.calls.some(
        (c) => c.service === 'dynamodb' && c.ok && c.units > 0,
      ),
      scenarios,
    };
  } finally {
    sfn.destroy();
    reader.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
