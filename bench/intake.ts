import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { PinnedMatter } from '../functions/domain/cases/model';
import { intakeTransactions, sampleApplicant, type TransactItems } from './case-items';
import { type BenchStack, type HttpClient, httpClient, round, runWorkers, type Stats, stats } from './load';

/**
 * Intake of the enrolment matter (JY-0001) through the local gateway: each case is created (with an
 * Idempotency-Key) and submitted by its applicant, two requests, timed together. The floor is the same
 * two DynamoDB transactions the case store issues for them (see case-items.ts), sent with the SDK from
 * this process to the same DynamoDB Local at the same concurrency. Rounds alternate gateway and floor so
 * that drift on a shared machine affects both alike.
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

/** Creates and submits one enrolment application through the API; throws on any other answer. */
export async function applyThroughApi(client: HttpClient, token: string, n: number) {
  const created = await client.request('POST', '/cases', {
    token,
    headers: { 'idempotency-key': randomUUID() },
    body: { matterCode: enrolmentMatter, applicant: sampleApplicant(n) },
  });
  if (created.status !== 201)
    throw new Error(`POST /cases answered ${created.status}: ${JSON.stringify(created.body)}`);
  const submitted = await client.request('POST', `/cases/${created.body.caseId}/submit`, {
    token,
    body: { version: created.body.version },
  });
  if (submitted.status !== 200) {
    throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
  }
  return submitted.body;
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
  // One application first: it warms the handlers and gives the matter as intake pins it.
  const first = await applyThroughApi(client, tokens[0] as string, 0);
  const matter = first.matter as PinnedMatter;
  const acceptanceDueDate = String(first.acceptanceDueDate);

  let n = 1;
  // Each client is one applicant with its own token.
  const viaGateway = (concurrency: number, total: number) =>
    runWorkers(concurrency, total, (_, worker) =>
      applyThroughApi(client, tokens[worker] as string, n++).then(() => undefined),
    );
  const viaSdk = (concurrency: number, total: number) => {
    // Built before the clock starts: the floor is the writes alone.
    const work: { create: TransactItems; submit: TransactItems }[] = Array.from({ length: total }, () =>
      intakeTransactions(stack.tables, matter, `floor-applicant-${n % maxClients}`, n++, acceptanceDueDate),
    );
    return runWorkers(concurrency, total, async (index) => {
      const { create, submit } = work[index] as (typeof work)[number];
      await stack.documents.send(new TransactWriteCommand({ TransactItems: create }));
      await stack.documents.send(new TransactWriteCommand({ TransactItems: submit }));
    });
  };

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
  }
  return results;
}
