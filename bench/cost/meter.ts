import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { itemSize, writeUnits } from './item-size';

/**
 * Counts what the handlers ask of AWS, by adding middleware to the SDK clients they share (the
 * module-scope clients of functions/shared/clients): production code is not changed. DynamoDB requests
 * get `ReturnConsumedCapacity: 'INDEXES'` (DynamoDB Local answers it, per table and per index); S3
 * commands are told apart from presigned URLs (a presign runs the same stack but never sends).
 *
 * Which Lambda made a call is known from an AsyncLocalStorage store entered while each stand-in server
 * starts listening: everything a server's requests cause runs in the context it listened in.
 */
export type Origin = 'api' | 'case-workflow' | 'workflow-starter' | 'bench' | 'unattributed';

export const originStore = new AsyncLocalStorage<Origin>();

export interface UnitsByTarget {
  /** Base table name or `<table>/<index>`. */
  [target: string]: number;
}

export interface DynamoCall {
  service: 'dynamodb';
  operation: string;
  origin: Origin;
  ok: boolean;
  kind: 'read' | 'write';
  units: number;
  byTarget: UnitsByTarget;
  /** Units from item sizes because DynamoDB reported none (a failed conditional write or transaction). */
  estimated: boolean;
  error?: string;
}

export interface S3Call {
  service: 's3';
  operation: string;
  origin: Origin;
  ok: boolean;
  /** A presigned URL was made: no request to S3 (the browser's later request is counted by the bench). */
  presigned: boolean;
  /** The browser's request through a presigned URL, made by the bench. */
  viaPresignedUrl?: boolean;
}

export interface SfnCall {
  service: 'stepfunctions';
  operation: string;
  origin: Origin;
  ok: boolean;
}

export type MeteredCall = DynamoCall | S3Call | SfnCall;

const readOperations = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const writeOperations = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

export function unitsOf(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): {
  units: number;
  byTarget: UnitsByTarget;
} {
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  const byTarget: UnitsByTarget = {};
  let units = 0;
  for (const c of list) {
    const table = c.TableName ?? '?';
    units += c.CapacityUnits ?? 0;
    const indexes = { ...c.GlobalSecondaryIndexes, ...c.LocalSecondaryIndexes };
    const tableUnits =
      c.Table?.CapacityUnits ??
      (c.CapacityUnits ?? 0) - Object.values(indexes).reduce((s, i) => s + (i.CapacityUnits ?? 0), 0);
    byTarget[table] = (byTarget[table] ?? 0) + tableUnits;
    for (const [name, index] of Object.entries(indexes)) {
      const key = `${table}/${name}`;
      byTarget[key] = (byTarget[key] ?? 0) + (index.CapacityUnits ?? 0);
    }
  }
  return { units, byTarget };
}

type TransactItem = Record<string, { TableName?: string; Item?: Record<string, unknown> }>;

/**
 * A failed write still costs: a conditional write whose condition is false consumes units for the item
 * (at least 1), a cancelled transaction twice that for every item. Units from the request's own items.
 */
export function estimateFailedWrite(operation: string, input: Record<string, unknown>): UnitsByTarget {
  const byTarget: UnitsByTarget = {};
  const add = (table: string | undefined, units: number) => {
    const key = table ?? '?';
    byTarget[key] = (byTarget[key] ?? 0) + units;
  };
  if (operation === 'TransactWriteItems') {
    for (const entry of (input.TransactItems as TransactItem[] | undefined) ?? []) {
      for (const request of Object.values(entry)) {
        add(request.TableName, 2 * (request.Item ? writeUnits(itemSize(request.Item)) : 1));
      }
    }
  } else {
    const item = input.Item as Record<string, unknown> | undefined;
    add(input.TableName as string | undefined, item ? writeUnits(itemSize(item)) : 1);
  }
  return byTarget;
}

const operationOf = (commandName: string | undefined): string =>
  (commandName ?? 'Unknown').replace(/Command$/, '');

/** The calls counted so far, and whether any is still in flight. */
export class Meter {
  readonly calls: MeteredCall[] = [];
  private pending = 0;
  private last = performance.now();

  /** Requests started and not answered yet (for waiting until the workflow has settled). */
  inFlight(): number {
    return this.pending;
  }

  /** performance.now() of the last request that started or ended. */
  lastActivity(): number {
    return this.last;
  }

  begin(): void {
    this.pending++;
    this.last = performance.now();
  }

  end(call: MeteredCall): void {
    this.pending--;
    this.last = performance.now();
    this.calls.push(call);
  }

  /** A request the bench made itself through a presigned URL, as the browser would. */
  recordPresignedUse(operation: 'PutObject' | 'GetObject', ok: boolean): void {
    this.calls.push({
      service: 's3',
      operation,
      origin: 'bench',
      ok,
      presigned: false,
      viaPresignedUrl: true,
    });
    this.last = performance.now();
  }
}

const origin = (): Origin => originStore.getStore() ?? 'unattributed';
const errorName = (error: unknown) => (error instanceof Error ? error.name : String(error));

export function instrumentDynamoDb(client: DynamoDBClient, meter: Meter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const kind = readOperations.has(operation)
        ? 'read'
        : writeOperations.has(operation)
          ? 'write'
          : undefined;
      if (!kind) return next(args);
      const input = args.input as Record<string, unknown>;
      const from = origin();
      meter.begin();
      try {
        const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'INDEXES' } });
        const { units, byTarget } = unitsOf(
          (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity,
        );
        meter.end({
          service: 'dynamodb',
          operation,
          origin: from,
          ok: true,
          kind,
          units,
          byTarget,
          estimated: false,
        });
        return result;
      } catch (error) {
        const byTarget = kind === 'write' ? estimateFailedWrite(operation, input) : {};
        meter.end({
          service: 'dynamodb',
          operation,
          origin: from,
          ok: false,
          kind,
          units: Object.values(byTarget).reduce((s, u) => s + u, 0),
          byTarget,
          estimated: true,
          error: errorName(error),
        });
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCostMeter', priority: 'low' },
  );
}

/** Marks, on the command's context, that the request really went out (a presign stops before). */
const sentMark = Symbol('benchSent');

export function instrumentS3(client: S3Client, meter: Meter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (context as Record<symbol, unknown>)[sentMark] = true;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCostSent', priority: 'low' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const from = origin();
      meter.begin();
      const record = (ok: boolean) =>
        meter.end({
          service: 's3',
          operation,
          origin: from,
          ok,
          presigned: (context as Record<symbol, unknown>)[sentMark] !== true,
        });
      try {
        const result = await next(args);
        record(true);
        return result;
      } catch (error) {
        record(false);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCostMeter', priority: 'low' },
  );
}

export function instrumentStepFunctions(client: SFNClient, meter: Meter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const from = origin();
      meter.begin();
      try {
        const result = await next(args);
        meter.end({ service: 'stepfunctions', operation, origin: from, ok: true });
        return result;
      } catch (error) {
        meter.end({ service: 'stepfunctions', operation, origin: from, ok: false });
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCostMeter', priority: 'low' },
  );
}
