import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { toLambdaRecord } from './lambda-records';

/**
 * Reads every shard of one DynamoDB stream, in order, the way a Lambda event source mapping or a pipe
 * does: DescribeStream finds the shards (again every `describeEveryMs`, so the child shards that replace
 * closed ones are picked up), a child is read only once its parent is finished, GetRecords loops on each
 * open shard, and the poller waits `idleMs` when no shard had anything. `deliver` is awaited before the
 * shard is read further (a consumer retrying a batch holds its shard, as in AWS).
 *
 * Shards that exist when the poller starts are read from where `positions` says (after the last record
 * processed by the previous run, as an event source mapping resumes), or from LATEST without `positions`;
 * shards that appear later from TRIM_HORIZON (they are new: nothing in them was seen before).
 */
export type StartingPosition = 'LATEST' | 'TRIM_HORIZON' | { afterSequenceNumber: string };

/** Where a consumer stopped, kept across restarts. */
export interface ShardPositions {
  /** Where to start reading a shard that exists when the poller starts. */
  startAt(shardId: string): StartingPosition;
  /** Called with the last record of a batch once `deliver` has processed it, before the next read. */
  save(shardId: string, sequenceNumber: string): Promise<void>;
}

export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** Region written into the records (DynamoDB Local says `ddblocal`). */
  region: string;
  deliver(records: DynamoDBRecord[], shardId: string): Promise<void>;
  onError?(error: unknown): void;
  idleMs?: number;
  describeEveryMs?: number;
  positions?: ShardPositions;
}

export interface StreamPoller {
  /** Stops reading; an unfinished delivery is awaited (its backoff waits are cut short by `signal`). */
  stop(): Promise<void>;
  /** Aborted when the poller stops. */
  signal: AbortSignal;
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  initialPosition: ShardIteratorType;
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  finished: boolean;
}

export const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { client, streamArn } = options;
  const idleMs = options.idleMs ?? 150;
  const describeEveryMs = options.describeEveryMs ?? 1_000;
  const controller = new AbortController();
  const { signal } = controller;
  const shards = new Map<string, ShardState>();

  const describeShards = async (): Promise<Shard[]> => {
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription: description } = await client.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
        }),
        { abortSignal: signal },
      );
      found.push(...(description?.Shards ?? []));
      exclusiveStartShardId = description?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return found;
  };

  const track = (found: Shard[], position: (shardId: string) => StartingPosition) => {
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      const start = position(shard.ShardId);
      const initialPosition = typeof start === 'string' ? start : 'TRIM_HORIZON';
      // A shard already closed at start holds only records from before it: from LATEST, nothing to read.
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        initialPosition,
        iterator: undefined,
        lastSequenceNumber: typeof start === 'string' ? undefined : start.afterSequenceNumber,
        finished: start === 'LATEST' && closed,
      });
    }
  };

  const iteratorFor = async (shard: ShardState): Promise<string | undefined> => {
    const position = shard.lastSequenceNumber
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastSequenceNumber }
      : { ShardIteratorType: shard.initialPosition };
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ...position }),
      { abortSignal: signal },
    );
    return ShardIterator;
  };

  // The existing shards get their iterators before start resolves: from LATEST, a write after it is seen.
  track(await describeShards(), (shardId) => options.positions?.startAt(shardId) ?? 'LATEST');
  for (const shard of shards.values()) {
    if (!shard.finished) shard.iterator = await iteratorFor(shard);
  }

  /** Reads one batch of a shard; true when it had records. */
  const readShard = async (shard: ShardState): Promise<boolean> => {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) {
      shard.finished = true;
      return false;
    }
    let output: GetRecordsCommandOutput;
    try {
      output = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator }), {
        abortSignal: signal,
      });
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        shard.iterator = undefined;
        return false;
      }
      if (error instanceof TrimmedDataAccessException) {
        shard.iterator = undefined;
        shard.lastSequenceNumber = undefined;
        shard.initialPosition = 'TRIM_HORIZON';
        return false;
      }
      throw error;
    }
    const records = output.Records ?? [];
    if (records.length > 0) {
      await options.deliver(
        records.map((record) => toLambdaRecord(record, streamArn, options.region)),
        shard.shardId,
      );
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      // A delivery cut short by stop() may have left records unprocessed: its position is not saved, so
      // the next run reads them again (at least once, as an event source mapping).
      if (signal.aborted) return true;
      if (last !== undefined) {
        shard.lastSequenceNumber = last;
        await options.positions?.save(shard.shardId, last);
      }
    }
    shard.iterator = output.NextShardIterator;
    // No next iterator: the shard is closed and read to its end; its children may start.
    if (!shard.iterator) shard.finished = true;
    return records.length > 0;
  };

  const readable = (shard: ShardState) =>
    !shard.finished && (!shard.parentShardId || shards.get(shard.parentShardId)?.finished !== false);

  const loop = async () => {
    let lastDescribe = Date.now();
    while (!signal.aborted) {
      try {
        if (Date.now() - lastDescribe >= describeEveryMs) {
          lastDescribe = Date.now();
          track(await describeShards(), () => 'TRIM_HORIZON');
        }
        let busy = false;
        for (const shard of [...shards.values()].filter(readable)) {
          if (signal.aborted) break;
          if (await readShard(shard)) busy = true;
        }
        if (!busy) await abortableSleep(idleMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        options.onError?.(error);
        await abortableSleep(Math.max(idleMs, 1_000), signal);
      }
    }
  };
  const running = loop();

  return {
    signal,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
