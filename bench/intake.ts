import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { sampleApplicant } from './case-items';
import { type BenchStack, type HttpClient, httpClient, round, runWorkers, type Stats, stats } from './load';

/**
 * Intake of the enrolment matter (JY-0001) through the local gateway: each case is created and received
 * in one request (`POST /cases` with `submit: true` and an Idempotency-Key), as a portal does for an
 * application whose materials need no upload.
 *
 * The floor is independent of the case store: one DynamoDB transaction of three small new items, each
 * with an `attribute_not_exists` condition, into a table of its own with one keys-only index — the least
 * any design must write to receive an application with a unique number and an idempotency record. It
 * runs from this process against the same DynamoDB Local at the same concurrency; rounds alternate
 * gateway and floor so that drift on a shared machine affects both alike. The stack's stream consumers
 * pause meanwhile, as in the peak (the floor's table has no stream).
 */
export interface IntakeResult extends Stats {
  target: 'gateway' | 'floor';
  concurrency: number;
}

export interface IntakeComparison {
  concurrency: number;
  gateway: IntakeResult;
  floor: IntakeResult;
  throughputVsFloor: number;
  p99VsFloor: number;
}

export const enrolmentMatter = 'JY-0001';

/** Creates and receives one enrolment application through the API; throws on any other answer. */
export async function applyThroughApi(client: HttpClient, token: string, n: number) {
  const created = await client.request('POST', '/cases', {
    token,
    headers: { 'idempotency-key': randomUUID() },
    body: { matterCode: enrolmentMatter, applicant: sampleApplicant(n), submit: true },
  });
  if (created.status !== 201 || created.body.status !== 'submitted')
    throw new Error(`POST /cases answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body;
}

/** The floor's table: a key pair and one keys-only index, nothing of the case store's. */
async function createFloorTable(stack: BenchStack): Promise<string> {
  const name = `intake-floor-${randomUUID().slice(0, 8)}`;
  await stack.documents.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gpk', AttributeType: 'S' },
        { AttributeName: 'gsk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'keys',
          KeySchema: [
            { AttributeName: 'gpk', KeyType: 'HASH' },
            { AttributeName: 'gsk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  return name;
}

/** Three small new items in one transaction: a record with an index entry, its number, its request key. */
function floorTransaction(table: string, n: number) {
  const id = randomUUID();
  const at = new Date().toISOString();
  const put = (Item: Record<string, unknown>) => ({
    Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  return new TransactWriteCommand({
    TransactItems: [
      put({ pk: `R#${id}`, sk: 'R', gpk: `O#${n % 50}`, gsk: `${at}#${id}`, status: 'submitted', at }),
      put({ pk: `N#${id}`, sk: 'N', id }),
      put({ pk: `K#${id}`, sk: 'K', id }),
    ],
  });
}

export async function measureIntake(
  stack: BenchStack,
  {
    concurrencies = [1, 10, 50],
    casesAt = (concurrency: number): number => (concurrency === 1 ? 45 : concurrency === 10 ? 300 : 900),
    rounds = 3,
    log = (_line: string): void => undefined,
  } = {},
): Promise<IntakeComparison[]> {
  const maxClients = Math.max(...concurrencies);
  const client = httpClient(stack.url, maxClients);
  const tokens = await Promise.all(
    Array.from({ length: maxClients }, (_, i) =>
      stack.issuer.sign({ role: 'applicant', sub: `intake-applicant-${i}` }),
    ),
  );
  // One application first: it warms the handlers.
  await applyThroughApi(client, tokens[0] as string, 0);
  const floorTable = await createFloorTable(stack);
  // As in the peak: the stack's stream consumers pause while intake is timed. A received case starts
  // nothing on the stream, and reading every record back in the stack's process costs DynamoDB Local and
  // the handlers' process work that AWS does not charge to the table or the functions.
  await stack.stopStreams();

  let n = 1;
  // Each client is one applicant with its own token.
  const viaGateway = (concurrency: number, total: number) =>
    runWorkers(concurrency, total, (_, worker) =>
      applyThroughApi(client, tokens[worker] as string, n++).then(() => undefined),
    );
  const viaSdk = (concurrency: number, total: number) =>
    runWorkers(concurrency, total, async () => {
      await stack.documents.send(floorTransaction(floorTable, n++));
    });

  const results: IntakeComparison[] = [];
  try {
    for (const concurrency of concurrencies) {
      await viaGateway(concurrency, Math.max(concurrency * 2, 20));
      await viaSdk(concurrency, Math.max(concurrency * 2, 20));
      const samples = { gateway: [] as number[], floor: [] as number[] };
      const seconds = { gateway: 0, floor: 0 };
      const perRound = Math.ceil(casesAt(concurrency) / rounds);
      for (let r = 0; r < rounds; r++) {
        const floor = await viaSdk(concurrency, perRound);
        samples.floor.push(...floor.latencies);
        seconds.floor += floor.seconds;
        const gateway = await viaGateway(concurrency, perRound);
        samples.gateway.push(...gateway.latencies);
        seconds.gateway += gateway.seconds;
      }
      const gateway: IntakeResult = {
        target: 'gateway',
        concurrency,
        ...stats(samples.gateway, seconds.gateway),
      };
      const floor: IntakeResult = { target: 'floor', concurrency, ...stats(samples.floor, seconds.floor) };
      const comparison = {
        concurrency,
        gateway,
        floor,
        throughputVsFloor: round(gateway.perSecond / floor.perSecond, 3),
        p99VsFloor: round(gateway.p99Ms / floor.p99Ms, 3),
      };
      results.push(comparison);
      log(
        `  ×${concurrency}: gateway ${gateway.perSecond.toFixed(0)} cases/s p50 ${gateway.p50Ms.toFixed(1)} p99 ${gateway.p99Ms.toFixed(1)} ms; floor ${floor.perSecond.toFixed(0)} cases/s p99 ${floor.p99Ms.toFixed(1)} ms; ratios ×${comparison.throughputVsFloor.toFixed(2)} throughput, ×${comparison.p99VsFloor.toFixed(2)} p99`,
      );
    }
  } finally {
    client.close();
    await stack.documents.send(new DeleteTableCommand({ TableName: floorTable }));
    await stack.startStreams();
  }
  return results;
}
