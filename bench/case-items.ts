import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { actorOf, idempotencyHours, withoutTrailHead } from '../functions/cases/case-context';
import { dynamoCaseStore } from '../functions/cases/case-store';
import { shanghaiDate } from '../functions/domain/calendar-date';
import { caseNumberFor } from '../functions/domain/case-number';
import type { CaseRecord, PinnedMatter } from '../functions/domain/cases/model';
import { chainEvent, changesBetween, genesisHash, type TrailEvent } from '../functions/domain/cases/trail';
import type { Principal } from '../functions/domain/principal';

/**
 * Case records built the way intake builds them, and the DynamoDB items the case store writes for them.
 * The items are not rebuilt here: the real store (functions/cases/case-store.ts) writes into a client
 * that only records what it is asked to send, so the floor and the bulk load use exactly its item layout
 * and index keys, whatever they become.
 */
export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

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
  const store = dynamoCaseStore(client as unknown as DynamoDBDocumentClient, tables);
  return { store, take: () => sent.splice(0) };
}

export const sampleApplicant = (n: number) => ({
  kind: 'person' as const,
  name: '张小明',
  // A valid GB 11643 number (the README's example); applicants may share one in a benchmark.
  idNumber: '11010519491231002X',
  phone: `138${String(n % 100_000_000).padStart(8, '0')}`,
});

/** A draft as `intakeUseCases().createCase` makes it, with its first trail event. */
export function draftCase(matter: PinnedMatter, ownerId: string, at: string, n: number) {
  const principal: Principal = { userId: ownerId, roles: ['applicant'] };
  const draft: Omit<CaseRecord, 'trailHead'> = {
    caseId: randomUUID(),
    status: 'draft',
    version: 1,
    channel: 'online',
    matter,
    applicant: sampleApplicant(n),
    ownerId,
    createdBy: { userId: ownerId, role: 'applicant' },
    createdAt: at,
    supplementRounds: 0,
    materials: Object.fromEntries(matter.materials.map((m) => [m.id, { status: 'missing' as const }])),
    notices: [],
  };
  const event = chainEvent(
    {
      seq: 1,
      at,
      actor: actorOf(principal, 'applicant'),
      channel: 'online',
      action: 'create',
      changes: changesBetween(undefined, withoutTrailHead(draft)),
    },
    genesisHash,
  );
  return { principal, record: { ...draft, trailHead: { seq: 1, hash: event.hash } } as CaseRecord, event };
}

/** The next state of `record` with its chained trail event, as the use cases' `change` makes it. */
export function changed(
  principal: Principal,
  record: CaseRecord,
  next: Omit<CaseRecord, 'trailHead'>,
  action: string,
  at: string,
): { record: CaseRecord; event: TrailEvent } {
  const event = chainEvent(
    {
      seq: record.trailHead.seq + 1,
      at,
      actor: actorOf(principal, 'applicant'),
      channel: next.channel,
      action,
      changes: changesBetween(withoutTrailHead(record), withoutTrailHead(next)),
    },
    record.trailHead.hash,
  );
  return { record: { ...next, trailHead: { seq: event.seq, hash: event.hash } } as CaseRecord, event };
}

/**
 * The two transactions intake writes for one enrolment application: the create (case, first trail
 * event, idempotency record) and the submission (case at version 1 → 2, second event, case number).
 */
export function intakeTransactions(
  tables: { cases: string; idempotency: string },
  matter: PinnedMatter,
  ownerId: string,
  n: number,
  acceptanceDueDate: string,
): { create: TransactItems; submit: TransactItems } {
  const { store, take } = recordingStore(tables);
  const now = Date.now();
  const at = new Date(now).toISOString();
  const draft = draftCase(matter, ownerId, at, n);
  void store.createCase(draft.record, draft.event, {
    id: `${ownerId}#floor-${draft.record.caseId}`,
    caseId: draft.record.caseId,
    requestHash: randomBytes(32).toString('hex'),
    expiration: Math.floor(now / 1000) + idempotencyHours * 3600,
  });
  const caseNumber = caseNumberFor(shanghaiDate(now), randomBytes);
  const submitted = changed(
    draft.principal,
    draft.record,
    {
      ...draft.record,
      status: 'submitted',
      caseNumber,
      receivedAt: at,
      acceptanceDueDate,
      version: 2,
    },
    'submit',
    at,
  );
  void store.saveCase(submitted.record, 1, submitted.event, caseNumber);
  const [create, submit] = take();
  if (!create || !submit) throw new Error('the case store wrote no transaction');
  return { create, submit };
}

/** The items of `createCase(record, event)`: the case item with its index keys, and its trail event. */
export function storedItems(
  tables: { cases: string; idempotency: string },
  record: CaseRecord,
  event: TrailEvent,
): Record<string, unknown>[] {
  const { store, take } = recordingStore(tables);
  void store.createCase(record, event);
  const [items] = take();
  return (items ?? []).map((item) => item.Put?.Item as Record<string, unknown>);
}
