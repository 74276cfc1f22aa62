import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ShardPositions,
  type StreamPoller,
  startStreamPoller,
} from '../../infra/local/streams/stream-poller';

/**
 * The shard bookkeeping of the local stream poller against an in-memory stream whose shards close and
 * split on demand (DynamoDB Local rarely does so within a test): which shards are read, from where, and
 * in which order.
 */
interface FakeShard {
  id: string;
  parent?: string;
  sequenceNumbers: string[];
  closed: boolean;
}

function fakeStream() {
  const shards: FakeShard[] = [];
  let sequence = 0;
  let expireNext = false;
  const shard = (id: string) => shards.find((s) => s.id === id) as FakeShard;
  const client = {
    async send(command: unknown) {
      if (command instanceof DescribeStreamCommand) {
        return {
          StreamDescription: {
            Shards: shards.map((s) => ({
              ShardId: s.id,
              ...(s.parent ? { ParentShardId: s.parent } : {}),
              SequenceNumberRange: {
                StartingSequenceNumber: s.sequenceNumbers[0] ?? '0',
                ...(s.closed ? { EndingSequenceNumber: s.sequenceNumbers.at(-1) ?? '0' } : {}),
              },
            })),
          },
        };
      }
      if (command instanceof GetShardIteratorCommand) {
        const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
        const s = shard(ShardId as string);
        const position =
          ShardIteratorType === 'TRIM_HORIZON'
            ? 0
            : ShardIteratorType === 'LATEST'
              ? s.sequenceNumbers.length
              : s.sequenceNumbers.indexOf(SequenceNumber as string) + 1;
        return { ShardIterator: `${s.id}|${position}` };
      }
      if (command instanceof GetRecordsCommand) {
        if (expireNext) {
          expireNext = false;
          throw new ExpiredIteratorException({ message: 'expired', $metadata: {} });
        }
        const [id, at] = (command.input.ShardIterator as string).split('|') as [string, string];
        const s = shard(id);
        const position = Number(at);
        const read = s.sequenceNumbers.slice(position, position + 2);
        const next = position + read.length;
        return {
          Records: read.map((n) => ({
            eventName: 'INSERT',
            dynamodb: { SequenceNumber: n, Keys: { pk: { S: id } } },
          })),
          ...(s.closed && next >= s.sequenceNumbers.length ? {} : { NextShardIterator: `${id}|${next}` }),
        };
      }
      throw new Error('unexpected command');
    },
  };
  return {
    client: client as unknown as DynamoDBStreamsClient,
    addShard: (id: string, parent?: string) =>
      shards.push({ id, ...(parent ? { parent } : {}), sequenceNumbers: [], closed: false }),
    write: (id: string) => {
      const n = String(++sequence).padStart(6, '0');
      shard(id).sequenceNumbers.push(n);
      return n;
    },
    close: (id: string) => {
      shard(id).closed = true;
    },
    expireNextRead: () => {
      expireNext = true;
    },
  };
}

let poller: StreamPoller | undefined;
afterEach(async () => poller?.stop());

async function start(stream: ReturnType<typeof fakeStream>, positions?: ShardPositions) {
  const delivered: string[] = [];
  const errors: unknown[] = [];
  poller = await startStreamPoller({
    ...(positions ? { positions } : {}),
    client: stream.client,
    streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
    region: 'cn-north-1',
    idleMs: 2,
    describeEveryMs: 5,
    deliver: async (records: DynamoDBRecord[]) => {
      delivered.push(...records.map((r) => r.dynamodb?.SequenceNumber as string));
    },
    onError: (error) => errors.push(error),
  });
  return { delivered, errors };
}

describe('startStreamPoller', () => {
  it('reads the shards that exist at start from LATEST, skips those already closed', async () => {
    const stream = fakeStream();
    stream.addShard('closed');
    stream.write('closed');
    stream.close('closed');
    stream.addShard('open');
    stream.write('open');
    const { delivered, errors } = await start(stream);
    const after = [stream.write('open'), stream.write('open'), stream.write('open')];
    await vi.waitFor(() => expect(delivered).toEqual(after), { timeout: 2_000, interval: 5 });
    expect(errors).toEqual([]);
  });

  it('reads a child shard from TRIM_HORIZON, once its parent is read to the end', async () => {
    const stream = fakeStream();
    stream.addShard('parent');
    const { delivered } = await start(stream);
    const first = stream.write('parent');
    await vi.waitFor(() => expect(delivered).toEqual([first]), { timeout: 2_000, interval: 5 });
    // The child exists (with a record) before the parent's last records are read.
    stream.addShard('child', 'parent');
    const inChild = stream.write('child');
    const lastOfParent = [stream.write('parent'), stream.write('parent'), stream.write('parent')];
    stream.close('parent');
    await vi.waitFor(() => expect(delivered).toEqual([first, ...lastOfParent, inChild]), {
      timeout: 2_000,
      interval: 5,
    });
  });

  it('takes a new iterator after the last record when one expires: nothing lost, nothing twice', async () => {
    const stream = fakeStream();
    stream.addShard('s');
    const { delivered, errors } = await start(stream);
    const one = stream.write('s');
    await vi.waitFor(() => expect(delivered).toEqual([one]), { timeout: 2_000, interval: 5 });
    stream.expireNextRead();
    const two = stream.write('s');
    await vi.waitFor(() => expect(delivered).toEqual([one, two]), { timeout: 2_000, interval: 5 });
    expect(errors).toEqual([]);
  });

  it('resumes after a saved position, reads a shard without one from its start, and saves after delivery', async () => {
    const stream = fakeStream();
    stream.addShard('resumed');
    const seen = stream.write('resumed');
    const unseen = [stream.write('resumed'), stream.write('resumed'), stream.write('resumed')];
    stream.addShard('unsaved');
    const unsaved = [stream.write('unsaved')];
    const saved: [string, string][] = [];
    const { delivered } = await start(stream, {
      startAt: (shardId) => (shardId === 'resumed' ? { afterSequenceNumber: seen } : 'TRIM_HORIZON'),
      async save(shardId, sequenceNumber) {
        saved.push([shardId, sequenceNumber]);
      },
    });
    await vi.waitFor(() => expect([...delivered].sort()).toEqual([...unseen, ...unsaved].sort()), {
      timeout: 2_000,
      interval: 5,
    });
    await vi.waitFor(() => expect(saved).toContainEqual(['resumed', unseen.at(-1)]), { timeout: 2_000 });
    expect(saved).toContainEqual(['unsaved', unsaved[0]]);
  });
});
