import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { CaseUsage } from './usage';

/**
 * The list prices of bench/prices.json applied to one case's usage. Pure: the table is read by
 * `loadPrices` and passed in, so tests price made-up usage against a made-up table.
 */
const price = z.object({
  usd: z.number().nonnegative(),
  unit: z.string(),
  note: z.string(),
  source: z.url(),
});

export const priceTableSchema = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  writtenOn: z.iso.date(),
  basis: z.string(),
  prices: z.object({
    apiGatewayHttpRequest: price,
    lambdaRequest: price,
    lambdaArmGbSecond: price,
    stepFunctionsStandardTransition: price,
    dynamoDbWriteRequestUnit: price,
    dynamoDbReadRequestUnit: price,
    s3PutRequest: price,
    s3GetRequest: price,
    eventBridgePipeRequest: price,
    eventBridgeCustomEvent: price,
  }),
  notPriced: z.array(z.string()),
});

export type PriceTable = z.infer<typeof priceTableSchema>;
export type PriceId = keyof PriceTable['prices'];

export const pricesFile = new URL('../prices.json', import.meta.url);

export const loadPrices = (file: URL | string = pricesFile): PriceTable =>
  priceTableSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

export interface CostLine {
  service: string;
  item: PriceId;
  quantity: number;
  unitUsd: number;
  usd: number;
}

export interface CaseCost {
  lines: CostLine[];
  totalUsd: number;
  /** Per service (API Gateway, Lambda, Step Functions, DynamoDB, S3, EventBridge). */
  byService: Record<string, number>;
}

export function priceCase(usage: CaseUsage, table: PriceTable): CaseCost {
  const quantities: [string, PriceId, number][] = [
    ['API Gateway', 'apiGatewayHttpRequest', usage.apiRequests],
    ['Lambda', 'lambdaRequest', usage.lambda.invocations],
    ['Lambda', 'lambdaArmGbSecond', usage.lambda.gbSeconds],
    ['Step Functions', 'stepFunctionsStandardTransition', usage.stateTransitions],
    ['DynamoDB', 'dynamoDbWriteRequestUnit', usage.dynamoDb.writeUnits],
    ['DynamoDB', 'dynamoDbReadRequestUnit', usage.dynamoDb.readUnits],
    ['S3', 's3PutRequest', usage.s3.putClass],
    ['S3', 's3GetRequest', usage.s3.getClass],
    // Each bus event came through a pipe (one pipe request each, well under 64 KB) onto a custom bus.
    ['EventBridge', 'eventBridgePipeRequest', usage.bus.events],
    ['EventBridge', 'eventBridgeCustomEvent', usage.bus.events],
  ];
  const lines = quantities.map(([service, item, quantity]) => {
    const unitUsd = table.prices[item].usd;
    return { service, item, quantity, unitUsd, usd: quantity * unitUsd };
  });
  const byService: Record<string, number> = {};
  for (const line of lines) byService[line.service] = (byService[line.service] ?? 0) + line.usd;
  return { lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0), byService };
}
