import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { caseCreation, dynamoCaseStore } from '../functions/cases/case-store';
import type { MatterDetailsSource } from '../functions/cases/matter-details';
import type { CaseRecord } from '../functions/domain/cases/model';
import type { TrailEvent } from '../functions/domain/cases/trail';

/**
 * The DynamoDB items the case store writes for a case. The items are not rebuilt here: the real store
 * (functions/cases/case-store.ts) writes into a client that only records what it is asked to send, so the
 * bulk load uses exactly its item layout and index keys, whatever they become.
 */
export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const noDetails: MatterDetailsSource = async () => {
  throw new Error('the recording store reads no matter details');
};

/** The case store over a client that records each TransactWrite instead of sending it. */
function recordingStore(tables: { cases: string; idempotency: string }) {
  const sent: TransactItems[] = [];
  const client = {
    send: async (command: { input: TransactWriteCommandInput }) => {
      sent.push(command.input.TransactItems ?? []);
      return {};
    },
  };
  // A stand-in that only records: the store's `send` is all it uses.
  const store = dynamoCaseStore(client as unknown as DynamoDBDocumentClient, tables, noDetails);
  return { store, take: () => sent.splice(0) };
}

export const sampleApplicant = (n: number) => ({
  kind: 'person' as const,
  name: '张小明',
  // A valid GB 11643 number (the README's example); applicants may share one in a benchmark.
  idNumber: '11010519491231002X',
  phone: `138${String(n % 100_000_000).padStart(8, '0')}`,
});

/**
 * The items of a case as the store creates it: the head (with its index keys) and its parts, without
 * the trail event (`event` only needs the fields the store copies).
 */
export function storedItems(
  tables: { cases: string; idempotency: string },
  record: CaseRecord,
  event: TrailEvent,
): Record<string, unknown>[] {
  const { store, take } = recordingStore(tables);
  void store.write(caseCreation(record, event));
  const [items] = take();
  return (items ?? [])
    .map((item) => item.Put?.Item as Record<string, unknown>)
    .filter((item) => typeof item?.sk === 'string' && (item.sk as string).startsWith('CASE'));
}
