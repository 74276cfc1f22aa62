import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/registry';
import type { ExecutionStarter } from '../../functions/workflow/execution-starter';
import {
  caseOpenedFilter,
  type StartLog,
  selectCaseStarts,
  startCaseWorkflows,
} from '../../functions/workflow/stream-starter';
import { type EventPattern, matchesEventPattern } from '../../infra/definitions/event-patterns';
import { eventPipeDefinitions } from '../../infra/definitions/event-pipes';

type Image = Record<string, AttributeValue>;
let sequence = 100;

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  keys: { pk: string; sk: string },
  images: { old?: Image; new?: Image } = {},
): DynamoDBRecord {
  const Keys = { pk: { S: keys.pk }, sk: { S: keys.sk } };
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys,
      ...(images.new ? { NewImage: { ...Keys, ...images.new } } : {}),
      ...(images.old ? { OldImage: { ...Keys, ...images.old } } : {}),
      SequenceNumber: String(sequence++),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const caseItem = (id: string) => ({ pk: `CASE#${id}`, sk: 'CASE' });
const open: Image = { openPk: { S: 'OPEN#3' }, openSk: { S: 'C-1' }, phase: { S: 'processing' } };
const draft: Image = { phase: { S: 'draft' } };

const silentLog = (): StartLog & { lines: [string, string, Record<string, unknown>][] } => {
  const lines: [string, string, Record<string, unknown>][] = [];
  return {
    lines,
    info: (message, attributes) => lines.push(['info', message, attributes]),
    warn: (message, attributes) => lines.push(['warn', message, attributes]),
    error: (message, attributes) => lines.push(['error', message, attributes]),
  };
};

describe('selectCaseStarts', () => {
  const accepted = record('MODIFY', caseItem('C-1'), { old: draft, new: open });
  const insertedOpen = record('INSERT', caseItem('C-2'), { new: open });
  const ignored: Record<string, DynamoDBRecord> = {
    'a change of a case that was already open': record('MODIFY', caseItem('C-3'), { old: open, new: open }),
    'the closing of a case (openPk removed)': record('MODIFY', caseItem('C-4'), { old: open, new: draft }),
    'a draft saved': record('MODIFY', caseItem('C-5'), { old: draft, new: draft }),
    'a case created as a draft': record('INSERT', caseItem('C-6'), { new: draft }),
    'a removed case': record('REMOVE', caseItem('C-7'), { old: open }),
    'a trail event': record('INSERT', { pk: 'CASE#C-1', sk: 'EVENT#0001' }, { new: open }),
    'an alert': record('INSERT', { pk: 'CASE#C-1', sk: 'ALERT#deadline-warning#2030-01-10' }, { new: open }),
    'an upload': record('INSERT', { pk: 'CASE#C-1', sk: 'UPLOAD#m-1' }, { new: {} }),
    'a case item outside the CASE# partitions': record(
      'INSERT',
      { pk: 'MATTER#JY', sk: 'CASE' },
      { new: open },
    ),
    'openPk that is not a string': record('INSERT', caseItem('C-8'), { new: { openPk: { N: '3' } } }),
  };

  it('starts a case item that gains openPk, by MODIFY (acceptance) or INSERT', () => {
    expect(selectCaseStarts([accepted, insertedOpen])).toEqual([
      { caseId: 'C-1', sequenceNumber: accepted.dynamodb?.SequenceNumber },
      { caseId: 'C-2', sequenceNumber: insertedOpen.dynamodb?.SequenceNumber },
    ]);
  });

  it.each(Object.entries(ignored))('ignores %s', (_, r) => {
    expect(selectCaseStarts([r])).toEqual([]);
  });

  it('ignores records without a sequence number (nothing to report a failure by)', () => {
    const r = record('MODIFY', caseItem('C-9'), { old: draft, new: open });
    delete r.dynamodb?.SequenceNumber;
    expect(selectCaseStarts([r])).toEqual([]);
  });

  it('starts a case listed twice in one batch once, under its first record', () => {
    const again = record('INSERT', caseItem('C-1'), { new: open });
    expect(selectCaseStarts([accepted, again])).toEqual([
      { caseId: 'C-1', sequenceNumber: accepted.dynamodb?.SequenceNumber },
    ]);
  });

  it('agrees with the filter CDK deploys: the filter passes exactly the records it selects', () => {
    for (const r of [accepted, insertedOpen, ...Object.values(ignored)]) {
      if (r.dynamodb?.Keys?.pk?.S === 'MATTER#JY') continue; // the filter does not look at pk
      expect(matchesEventPattern(caseOpenedFilter, r), r.eventID).toBe(selectCaseStarts([r]).length === 1);
    }
  });

  it('is the filter of the registry entry that consumes the cases stream', () => {
    const starter = functionDefinitions.find((def) => def.id === 'workflow-starter');
    expect(starter?.stream?.table).toBe('cases');
    expect(starter?.stream?.filters).toEqual([caseOpenedFilter]);
    expect(starter?.workflow).toEqual(['start']);
  });
});

describe('startCaseWorkflows', () => {
  const accepted = (id: string) => record('MODIFY', caseItem(id), { old: draft, new: open });

  it('starts each selected case and reports only the transient failures', async () => {
    const records = ['C-ok', 'C-throttled', 'C-ended', 'C-bad-name', 'C-down'].map(accepted);
    const started: string[] = [];
    const starter: ExecutionStarter = {
      async start(caseId) {
        started.push(caseId);
        if (caseId === 'C-throttled')
          throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
        if (caseId === 'C-down') throw new TypeError('fetch failed');
        if (caseId === 'C-bad-name') throw Object.assign(new Error('bad'), { name: 'InvalidName' });
        return caseId === 'C-ended' ? 'name-taken' : 'running';
      },
    };
    const log = silentLog();
    const response = await startCaseWorkflows(
      [...records, record('INSERT', caseItem('x'), {})],
      starter,
      log,
    );
    expect(started.sort()).toEqual(['C-bad-name', 'C-down', 'C-ended', 'C-ok', 'C-throttled']);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: records[1]?.dynamodb?.SequenceNumber },
      { itemIdentifier: records[4]?.dynamodb?.SequenceNumber },
    ]);
    expect(log.lines).toContainEqual([
      'warn',
      'execution name already used by an ended execution; case not started',
      { caseId: 'C-ended' },
    ]);
    expect(log.lines).toContainEqual([
      'error',
      'workflow start refused; the record is not retried',
      { caseId: 'C-bad-name', errorName: 'InvalidName' },
    ]);
  });

  it('answers an empty list of failures when every start succeeds or nothing is selected', async () => {
    const starter: ExecutionStarter = { start: async () => 'running' };
    expect(await startCaseWorkflows([accepted('C-1')], starter, silentLog())).toEqual({
      batchItemFailures: [],
    });
    expect(await startCaseWorkflows([], starter, silentLog())).toEqual({ batchItemFailures: [] });
  });

  it('keeps at most `concurrency` starts in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const starter: ExecutionStarter = {
      async start() {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return 'running';
      },
    };
    const records = Array.from({ length: 12 }, (_, n) => accepted(`C-${n}`));
    await startCaseWorkflows(records, starter, silentLog(), { concurrency: 3 });
    expect(most).toBe(3);
  });
});

describe('matchesEventPattern', () => {
  const alertPipe = eventPipeDefinitions.find((def) => def.id === 'case-alerts');
  const alertKeys = { pk: 'CASE#C-1', sk: 'ALERT#deadline-warning#2030-01-10' };

  it('the alert pipe passes an inserted ALERT# item only', () => {
    const filter = alertPipe?.filter as EventPattern;
    expect(matchesEventPattern(filter, record('INSERT', alertKeys, { new: {} }))).toBe(true);
    expect(matchesEventPattern(filter, record('MODIFY', alertKeys, { old: {}, new: {} }))).toBe(false);
    expect(matchesEventPattern(filter, record('INSERT', caseItem('C-1'), { new: open }))).toBe(false);
    expect(
      matchesEventPattern(filter, record('INSERT', { pk: 'CASE#C-1', sk: 'EVENT#1' }, { new: {} })),
    ).toBe(false);
  });

  it('exact strings, prefix and exists, with OR within a field and AND across fields', () => {
    const pattern: EventPattern = { a: ['x', { prefix: 'pre' }], b: { c: [{ exists: true }] } };
    expect(matchesEventPattern(pattern, { a: 'x', b: { c: 1 } })).toBe(true);
    expect(matchesEventPattern(pattern, { a: 'prefixed', b: { c: 'v' } })).toBe(true);
    expect(matchesEventPattern(pattern, { a: 'y', b: { c: 1 } })).toBe(false);
    expect(matchesEventPattern(pattern, { a: 'x', b: {} })).toBe(false);
    // exists is about leaves: an object there does not count.
    expect(matchesEventPattern(pattern, { a: 'x', b: { c: { d: 1 } } })).toBe(false);
    // A list matches when one of its elements does.
    expect(matchesEventPattern(pattern, { a: ['z', 'x'], b: { c: 1 } })).toBe(true);
  });

  it('exists: false matches a missing field, also under a missing parent', () => {
    const pattern: EventPattern = { d: { e: { f: [{ exists: false }] } } };
    expect(matchesEventPattern(pattern, {})).toBe(true);
    expect(matchesEventPattern(pattern, { d: {} })).toBe(true);
    expect(matchesEventPattern(pattern, { d: { e: { f: 'here' } } })).toBe(false);
  });
});
