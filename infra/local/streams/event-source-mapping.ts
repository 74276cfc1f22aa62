import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamSubscription } from '../../../functions/registry';
import { matchesEventPattern } from '../../definitions/event-patterns';
import { createLambdaContext } from '../lambda-context';
import { abortableSleep } from './stream-poller';

/**
 * The local stand-in of a Lambda event source mapping on a table stream: the registry entry's filters
 * (the very patterns CDK deploys as filter criteria), batches of at most `batchSize`, and partial batch
 * responses handled as Lambda does: the batch is sent again from the lowest reported sequence number (a
 * thrown error or a malformed response counts as the whole batch), after a backoff, until the attempts
 * run out; then the batch is given up and described on the dead-letter sink (the on-failure queue in
 * AWS, which also gets the batch's shard and sequence range, not the records' data).
 */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

export interface DeadLetter {
  time: string;
  consumer: string;
  reason: 'RetryAttemptsExhausted';
  attempts: number;
  streamArn: string | undefined;
  shardId: string;
  startSequenceNumber: string | undefined;
  endSequenceNumber: string | undefined;
  batchSize: number;
  /** Keys only: the images hold personal data, which this file must not collect. */
  records: { eventID: string | undefined; eventName: string | undefined; keys: unknown }[];
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface MappingOptions {
  functionId: string;
  functionName: string;
  subscription: StreamSubscription;
  handler: StreamHandler;
  retry: RetryPolicy;
  deadLetter(entry: DeadLetter): Promise<void>;
  signal: AbortSignal;
}

/** The sequence numbers to send again, or 'all' when the response does not say which (Lambda's rules). */
function failuresOf(response: unknown, batch: DynamoDBRecord[]): Set<string> | 'all' {
  if (response === null || response === undefined) return new Set();
  const failures = (response as Partial<DynamoDBBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const inBatch = new Set(batch.map((record) => record.dynamodb?.SequenceNumber));
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !inBatch.has(id)) return 'all';
    ids.add(id);
  }
  return ids;
}

export function localEventSourceMapping(options: MappingOptions) {
  const { subscription, retry, signal } = options;

  const invoke = async (batch: DynamoDBRecord[]): Promise<Set<string> | 'all'> => {
    try {
      const response = await options.handler({ Records: batch }, createLambdaContext(options.functionName));
      return failuresOf(response, batch);
    } catch {
      return 'all';
    }
  };

  const processBatch = async (batch: DynamoDBRecord[], shardId: string) => {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const failed = await invoke(pending);
      if (failed !== 'all' && failed.size === 0) return;
      const from =
        failed === 'all'
          ? 0
          : pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber as string));
      pending = pending.slice(from);
      if (signal.aborted) return;
      if (attempt > retry.retries) {
        await options.deadLetter({
          time: new Date().toISOString(),
          consumer: options.functionId,
          reason: 'RetryAttemptsExhausted',
          attempts: attempt,
          streamArn: pending[0]?.eventSourceARN,
          shardId,
          startSequenceNumber: pending[0]?.dynamodb?.SequenceNumber,
          endSequenceNumber: pending.at(-1)?.dynamodb?.SequenceNumber,
          batchSize: pending.length,
          records: pending.map((record) => ({
            eventID: record.eventID,
            eventName: record.eventName,
            keys: record.dynamodb?.Keys,
          })),
        });
        return;
      }
      await abortableSleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)), signal);
      if (signal.aborted) return;
    }
  };

  return {
    id: options.functionId,
    table: subscription.table,
    async deliver(records: DynamoDBRecord[], shardId: string): Promise<void> {
      const matching = records.filter((record) =>
        subscription.filters.some((pattern) => matchesEventPattern(pattern, record)),
      );
      for (let start = 0; start < matching.length && !signal.aborted; start += subscription.batchSize) {
        await processBatch(matching.slice(start, start + subscription.batchSize), shardId);
      }
    },
  };
}
