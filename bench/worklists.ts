import { randomUUID } from 'node:crypto';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { dynamoCaseStore } from '../functions/cases/case-store';
import { catalogueMatterDetails } from '../functions/cases/matter-details';
import { taoshanSeed } from '../functions/catalogue/seed/taoshan-seed';
import { publishedSchedules } from '../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../functions/domain/calendar/working-days';
import { shanghaiDate } from '../functions/domain/calendar-date';
import { caseNumberFor } from '../functions/domain/case-number';
import type { CasePhase } from '../functions/domain/cases/lifecycle';
import type { CaseRecord, CaseStatus, PinnedMatter } from '../functions/domain/cases/model';
import { startClock } from '../functions/domain/cases/processing-clock';
import type { TrailEvent } from '../functions/domain/cases/trail';
import { sampleApplicant, storedItems } from './case-items';
import { type BenchStack, httpClient, progress, round, runWorkers, type Stats, stats } from './load';

/**
 * Worklists at scale: `cases` case items in the case store's own layout (see case-items.ts) written with
 * BatchWrite, spread over every promised matter of the seed catalogue (so over its windows and
 * departments), over statuses and over the last 60 days, on top of whatever the table holds already.
 * Then a window's queue (`GET /cases?status=submitted` as its clerk) and a department's queue
 * (`GET /cases?status=accepted` as its reviewer) are read page after page through the gateway, and the
 * same pages straight from the store's `listCases`.
 */
export interface WorklistQuery extends Stats {
  what: string;
  via: 'gateway' | 'store';
  queueSize: number;
  pageSize: number;
}

export interface WorklistResult {
  loaded: number;
  loadSeconds: number;
  itemsPerSecond: number;
  /** The index each list reads, as the store builds the query (a key condition, no filter, no scan). */
  index: { window: string; department: string };
  queries: WorklistQuery[];
}

const statusMix: [CaseStatus, number][] = [
  ['submitted', 0.2],
  ['supplement-requested', 0.05],
  ['accepted', 0.35],
  ['rejected', 0.03],
  ['decided', 0.07],
  ['issuable', 0.1],
  ['closed', 0.2],
];
const phaseOf: Partial<Record<CaseStatus, CasePhase[]>> = {
  accepted: ['awaiting-review', 'awaiting-decision', 'awaiting-receipt', 'awaiting-supplement'],
  decided: ['awaiting-production', 'awaiting-return'],
  issuable: ['awaiting-issuance'],
  closed: ['closed'],
};

function pinnedMatters(): PinnedMatter[] {
  return taoshanSeed.matters
    .filter((m) => m.guide.caseType === 'promised')
    .map((m) => ({
      code: m.code,
      version: 1,
      name: m.guide.name,
      departmentId: m.departmentId,
      windowId: m.assignment.windowId,
      staffingMode: m.assignment.staffingMode,
      caseType: m.guide.caseType,
      promisedDays: m.guide.promisedLimit.value,
      statutoryDays: m.guide.statutoryLimit.value,
      reviewPoints: m.guide.reviewPoints ?? [],
      materials: m.guide.materials.map((x) => ({
        id: x.id,
        name: x.name,
        required: x.required,
        deferrable: x.deferrable ?? false,
        keyMaterial: x.keyMaterial,
      })),
    }));
}

/**
 * The working-day facts of a day, computed once per day and time limit (100,000 cases fall on 60 days),
 * and pseudo-random bytes from a counter: building the load must not take longer than writing it.
 */
function facts(calendar: ReturnType<typeof workingDayCalendar>) {
  const dues = new Map<string, string>();
  const clocks = new Map<string, ReturnType<typeof startClock>>();
  let counter = 0;
  const bytes = (length: number) => {
    const out = Buffer.alloc(Math.ceil(length / 4) * 4);
    for (let i = 0; i < out.length; i += 4) out.writeUInt32BE((counter++ * 2_654_435_761) >>> 0, i);
    return out.subarray(0, length);
  };
  return {
    acceptanceDue: (day: string) => {
      const due = dues.get(day) ?? calendar.addWorkingDays(day, 5).date;
      dues.set(day, due);
      return due;
    },
    clock: (day: string, promised: number, statutory: number) => {
      const key = `${day}/${promised}/${statutory}`;
      const clock = clocks.get(key) ?? startClock(calendar, day, promised, statutory);
      clocks.set(key, clock);
      return clock;
    },
    hex: (length: number) => bytes(length).toString('hex'),
    bytes,
  };
}
type Facts = ReturnType<typeof facts>;

/** A case as it stands some days after its creation, with the facts its status implies. */
function caseAt(matter: PinnedMatter, status: CaseStatus, n: number, now: number, f: Facts): CaseRecord {
  const created = now - Math.floor(Math.random() * 60 * 86_400_000);
  const createdAt = new Date(created).toISOString();
  const receivedAt = new Date(created + 600_000).toISOString();
  const day = shanghaiDate(created + 600_000);
  const ownerId = `worklist-applicant-${n % 5_000}`;
  const record: CaseRecord = {
    caseId: randomUUID(),
    status,
    version: 2,
    channel: n % 3 === 0 ? 'counter' : 'online',
    matter,
    applicant: sampleApplicant(n),
    ownerId,
    createdBy: { userId: ownerId, role: 'applicant' },
    createdAt,
    caseNumber: caseNumberFor(day, f.bytes),
    receivedAt,
    acceptanceDueDate: f.acceptanceDue(day),
    supplementRounds: status === 'supplement-requested' ? 1 : 0,
    materials: Object.fromEntries(
      matter.materials.map((m) => [
        m.id,
        status === 'submitted' && m.required && n % 2 === 0
          ? { status: 'missing' as const }
          : {
              status: 'provided' as const,
              file: {
                key: `cases/${n}/${m.id}`,
                fileName: `${m.id}.pdf`,
                contentType: 'application/pdf' as const,
                size: 180_000,
                sha256: f.hex(32),
                providedAt: receivedAt,
              },
            },
      ]),
    ),
    notices: [],
    trailHead: { seq: 3, hash: f.hex(32) },
  };
  const phases = phaseOf[status];
  if (phases) {
    const phase = phases[n % phases.length] as CasePhase;
    const clock = f.clock(day, matter.promisedDays, matter.statutoryDays);
    const noticeNumber = `SL${record.caseNumber}`;
    Object.assign(record, {
      version: 5,
      phase,
      clock,
      acceptance: {
        noticeNumber,
        reviewChecks: matter.reviewPoints.map((point) => ({ point, passed: true })),
        acceptedAt: receivedAt,
        acceptedBy: `clerk-${matter.windowId}`,
        promisedCompletionDate: clock.promisedDueDate,
        statutoryCompletionDate: clock.statutoryDueDate,
        provisional: clock.provisional,
      },
      backOffice: { specialProcedures: [] },
      notices: [
        {
          number: noticeNumber,
          type: 'acceptance',
          date: day,
          content: { title: '受理通知书', caseNumber: record.caseNumber, matter: matter.name },
        },
      ],
      trailHead: { seq: 6, hash: record.trailHead.hash },
    });
  }
  return record;
}

function pick(n: number): CaseStatus {
  // Deterministic spread: the same mix whatever the count.
  let x = ((n * 2_654_435_761) % 1_000_003) / 1_000_003;
  for (const [status, share] of statusMix) {
    if (x < share) return status;
    x -= share;
  }
  return 'closed';
}

export async function measureWorklists(
  stack: BenchStack,
  { cases = 100_000, pagesPerQuery = 1_000, pageSize = 20, log = (_line: string): void => undefined } = {},
): Promise<WorklistResult> {
  const matters = pinnedMatters();
  const f = facts(workingDayCalendar(publishedSchedules()));
  const now = Date.now();
  const placeholderEvent = { seq: 1 } as TrailEvent;
  const queueSizes = new Map<string, number>();

  // Each batch of 25 (BatchWrite's limit) is built when a writer needs it: the building overlaps
  // DynamoDB Local's work on the batches before, and 100,000 items are never held at once.
  const batchCount = Math.ceil(cases / 25);
  const batchOf = (index: number) => {
    const items: Record<string, unknown>[] = [];
    for (let n = index * 25; n < Math.min(cases, (index + 1) * 25); n++) {
      const matter = matters[n % matters.length] as PinnedMatter;
      const record = caseAt(matter, pick(n), n, now, f);
      const caseItems = storedItems(stack.tables, record, placeholderEvent);
      for (const key of [
        `W#${matter.windowId}#${record.status}`,
        `D#${matter.departmentId}#${record.status}`,
      ])
        queueSizes.set(key, (queueSizes.get(key) ?? 0) + 1);
      items.push(...caseItems);
    }
    return items;
  };

  // The stream consumers stop first: they would read back every loaded item (and start a workflow for
  // each open case among them), which costs DynamoDB Local about as much as the load itself.
  await stack.stopStreams();
  log(`  loading ${cases} cases with BatchWrite (${batchCount} batches; stream consumers stopped)…`);
  let written = 0;
  const ticker = progress(log, 5_000, () => `${written} cases written`);
  const load = await runWorkers(6, batchCount, async (index) => {
    // A case is its head and its parts: 25 cases are several BatchWrites of at most 25 items.
    const all = batchOf(index).map((Item) => ({ PutRequest: { Item } }));
    for (let start = 0; start < all.length; start += 25) {
      let items = all.slice(start, start + 25);
      while (items.length > 0) {
        const result = await stack.documents.send(
          new BatchWriteCommand({ RequestItems: { [stack.tables.cases]: items } }),
        );
        items = (result.UnprocessedItems?.[stack.tables.cases] ?? []) as typeof items;
      }
    }
    written += Math.min(cases, (index + 1) * 25) - index * 25;
  });
  ticker.stop();
  log(`  loaded in ${load.seconds.toFixed(1)} s (${(cases / load.seconds).toFixed(0)} cases/s)`);

  // The queues to read: the enrolment window (the peak's submitted cases are there too) and the
  // department with the most accepted cases.
  const departmentId = [...queueSizes.entries()]
    .filter(([key]) => key.startsWith('D#') && key.endsWith('#accepted'))
    .sort((a, b) => b[1] - a[1])[0]?.[0]
    .split('#')[1] as string;

  // Which index each list reads, from the store itself (a client that records the query).
  const queriesSeen: QueryCommandInput[] = [];
  const recording = dynamoCaseStore(
    // A stand-in that only records: the store's `send` is all it uses.
    {
      send: async (command: { input: QueryCommandInput }) => {
        queriesSeen.push(command.input);
        return {};
      },
    } as unknown as DynamoDBDocumentClient,
    stack.tables,
    catalogueMatterDetails(stack.documents, stack.tables.catalogue),
  );
  await recording.listCases({ kind: 'window', windowId: 'window-1', status: 'submitted' }, pageSize);
  await recording.listCases({ kind: 'department', departmentId, status: 'accepted' }, pageSize);
  const indexOf = (q: QueryCommandInput | undefined) =>
    q?.IndexName && q.KeyConditionExpression && !q.FilterExpression ? q.IndexName : `not an index query`;

  const store = dynamoCaseStore(
    stack.documents,
    stack.tables,
    catalogueMatterDetails(stack.documents, stack.tables.catalogue),
  );
  const api = httpClient(stack.url, 4);
  const clerk = await stack.issuer.sign({ role: 'clerk', sub: 'worklist-clerk', windowId: 'window-1' });
  const reviewer = await stack.issuer.sign({ role: 'reviewer', sub: 'worklist-reviewer', departmentId });
  const scopes = [
    {
      what: `window-1 queue, status submitted (clerk)`,
      token: clerk,
      status: 'submitted' as const,
      scope: { kind: 'window' as const, windowId: 'window-1', status: 'submitted' as const },
    },
    {
      what: `${departmentId} queue, status accepted (reviewer)`,
      token: reviewer,
      status: 'accepted' as const,
      scope: { kind: 'department' as const, departmentId, status: 'accepted' as const },
    },
  ];
  const queries: WorklistQuery[] = [];
  for (const s of scopes) {
    // The whole queue's size, for the record (counted once, not timed).
    let queueSize = 0;
    let countKey: Record<string, unknown> | undefined;
    do {
      const page = await store.listCases(s.scope, 100, countKey);
      queueSize += page.items.length;
      countKey = page.lastKey;
    } while (countKey);

    for (const via of ['gateway', 'store'] as const) {
      // A clerk opening the worklist and paging on: 5 pages from the top, again and again (after a few
      // untimed pages: the first request of a route is not what a worklist costs).
      let cursor: string | undefined;
      let startKey: Record<string, unknown> | undefined;
      const page = async (index: number) => {
        if (index % 5 === 0) {
          cursor = undefined;
          startKey = undefined;
        }
        if (via === 'gateway') {
          const answer = await api.request(
            'GET',
            `/cases?status=${s.status}&limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`,
            { token: s.token },
          );
          if (answer.status !== 200) throw new Error(`GET /cases answered ${answer.status}`);
          cursor = answer.body.nextCursor;
        } else {
          const read = await store.listCases(s.scope, pageSize, startKey);
          startKey = read.lastKey;
        }
      };
      await runWorkers(1, 10, page);
      const timed = await runWorkers(1, pagesPerQuery, page);
      const result: WorklistQuery = {
        what: s.what,
        via,
        queueSize,
        pageSize,
        ...stats(timed.latencies, timed.seconds),
      };
      queries.push(result);
      log(
        `  ${s.what} via ${via} (${queueSize} cases): p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`,
      );
    }
  }
  api.close();
  return {
    loaded: cases,
    loadSeconds: round(load.seconds, 1),
    itemsPerSecond: round(cases / load.seconds, 0),
    index: { window: indexOf(queriesSeen[0]), department: indexOf(queriesSeen[1]) },
    queries,
  };
}
