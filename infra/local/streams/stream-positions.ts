import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { ShardPositions } from './stream-poller';

/**
 * Where each local stream consumer stopped, kept in the data folder (`stream-positions.json`) so that a
 * restart resumes after the last record it processed, as an event source mapping or a pipe does in AWS:
 * without it the consumers would start at LATEST, and a record written just before a crash would never be
 * delivered. Per consumer: the stream it read (a table created again has a new stream, whose positions
 * mean nothing) and the last processed sequence number of each shard.
 *
 * Starting positions: after the saved sequence number; TRIM_HORIZON for a shard without one when the
 * consumer read this stream before (its records may not have been seen); LATEST only for a stream the
 * consumer never read (a new data folder: what the start itself wrote, the seed, is not news).
 */
interface ConsumerPositions {
  streamArn: string;
  shards: Record<string, string>;
}

export interface StreamPositionStore {
  file: string;
  /** The positions of one consumer on one stream; records the stream as read, at once. */
  forConsumer(consumerKey: string, streamArn: string): Promise<ShardPositions>;
}

function load(file: string): Record<string, ConsumerPositions> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, ConsumerPositions>) : {};
  } catch {
    // A file cut short cannot say where anyone stopped: the streams are read again from their start.
    return {};
  }
}

export function openStreamPositions(file: string): StreamPositionStore {
  const positions = load(file);
  const before = structuredClone(positions);
  let writing: Promise<void> = Promise.resolve();
  // Written whole to a temporary file and renamed over the old one: a crash leaves one or the other.
  const persist = () => {
    const text = `${JSON.stringify(positions, null, 2)}\n`;
    writing = writing
      .catch(() => undefined)
      .then(async () => {
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
      });
    return writing;
  };
  return {
    file,
    async forConsumer(consumerKey, streamArn) {
      const previous = before[consumerKey]?.streamArn === streamArn ? before[consumerKey] : undefined;
      const current: ConsumerPositions = { streamArn, shards: { ...(previous?.shards ?? {}) } };
      positions[consumerKey] = current;
      await persist();
      return {
        startAt(shardId) {
          const saved = previous?.shards[shardId];
          if (saved) return { afterSequenceNumber: saved };
          return previous ? 'TRIM_HORIZON' : 'LATEST';
        },
        save(shardId, sequenceNumber) {
          current.shards[shardId] = sequenceNumber;
          return persist();
        },
      };
    },
  };
}
