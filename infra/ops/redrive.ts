import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { FunctionDefinition } from '../../functions/registry';
import { matchesEventPattern } from '../definitions/event-patterns';
import { toLambdaRecord } from '../local/streams/lambda-records';

/**
 * Redriving dead-lettered stream batches (operator command `redrive`). When a stream consumer gives up a
 * batch, its on-failure queue gets the batch's shard and sequence range, not the records; the stream keeps
 * them 24 hours. Redriving reads that range from the stream again, keeps the records the consumer's filter
 * lets through, invokes the consumer with them as its event source mapping would, and deletes the dead
 * letter only when the consumer took every record. A consumer is idempotent per record (the workflow
 * start is named by the case), so a batch partly handled before it was given up is safe to send again.
 */
export interface DeadLetteredBatch {
  /** How the source removes it (an SQS receipt handle, or the local file's line). */
  handle: string;
  consumer: string;
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  failedAt?: string;
}

export interface DeadLetterSource {
  list(): Promise<DeadLetteredBatch[]>;
  remove(batch: DeadLetteredBatch): Promise<void>;
}

export interface RedriveDeps {
  deadLetters: DeadLetterSource;
  /** The batch's records still on the stream (fewer when some aged out). */
  readBatch(batch: DeadLetteredBatch): Promise<DynamoDBRecord[]>;
  /** Invokes the consumer with the records; answers the number it reported failed. */
  invoke(consumer: string, records: DynamoDBRecord[]): Promise<number>;
  consumers: readonly Pick<FunctionDefinition, 'id' | 'stream'>[];
}

export interface RedriveOutcome {
  batch: DeadLetteredBatch;
  status: 'redriven' | 'kept' | 'expired';
  records: number;
  detail: string;
}

const describeBatch = (b: DeadLetteredBatch) =>
  `${b.consumer}: ${b.batchSize} record(s) of ${b.shardId} from ${b.startSequenceNumber} to ${b.endSequenceNumber}${b.failedAt ? `, given up ${b.failedAt}` : ''}`;

export async function planRedrive(deps: Pick<RedriveDeps, 'deadLetters'>) {
  const batches = await deps.deadLetters.list();
  const lines = [
    `${batches.length} dead-lettered batch(es)`,
    ...batches.map((batch) => `  ${describeBatch(batch)}`),
  ];
  return { batches, lines };
}

export async function carryOutRedrive(
  deps: RedriveDeps,
  batches: readonly DeadLetteredBatch[],
): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  for (const batch of batches) {
    const subscription = deps.consumers.find((c) => c.id === batch.consumer)?.stream;
    if (!subscription) {
      outcomes.push({ batch, status: 'kept', records: 0, detail: 'no such stream consumer' });
      continue;
    }
    let records: DynamoDBRecord[];
    try {
      records = await deps.readBatch(batch);
    } catch (error) {
      if (error instanceof TrimmedDataAccessException || error instanceof ExpiredIteratorException) {
        outcomes.push({
          batch,
          status: 'expired',
          records: 0,
          detail: 'the records are no longer on the stream (kept 24 hours): resume the cases instead',
        });
        continue;
      }
      throw error;
    }
    const delivered = records.filter((record) =>
      subscription.filters.some((pattern) => matchesEventPattern(pattern, record)),
    );
    const failed = delivered.length === 0 ? 0 : await deps.invoke(batch.consumer, delivered);
    if (failed > 0) {
      outcomes.push({
        batch,
        status: 'kept',
        records: delivered.length,
        detail: `${failed} record(s) failed again; the dead letter stays`,
      });
      continue;
    }
    await deps.deadLetters.remove(batch);
    outcomes.push({
      batch,
      status: 'redriven',
      records: delivered.length,
      detail: `${delivered.length} of ${records.length} record(s) on the stream matched the consumer's filter`,
    });
  }
  return outcomes;
}

export const describeOutcome = (o: RedriveOutcome) => `${o.status}  ${describeBatch(o.batch)}: ${o.detail}`;

const isAfter = (a: string, b: string) => BigInt(a) > BigInt(b);

/** The records of a shard from one sequence number to another (DynamoDB Streams, or DynamoDB Local's). */
export function streamBatchReader(streams: DynamoDBStreamsClient, region: string) {
  return async (batch: DeadLetteredBatch): Promise<DynamoDBRecord[]> => {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: batch.streamArn,
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: batch.startSequenceNumber,
      }),
    );
    const records: DynamoDBRecord[] = [];
    let iterator = ShardIterator;
    // An open shard answers empty pages at its tip: a few in a row mean the range has been read.
    for (let emptyPages = 0; iterator && emptyPages < 3; ) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const found = page.Records ?? [];
      emptyPages = found.length === 0 ? emptyPages + 1 : 0;
      for (const record of found) {
        const sequence = record.dynamodb?.SequenceNumber;
        if (sequence === undefined) continue;
        if (isAfter(sequence, batch.endSequenceNumber)) return records;
        records.push(toLambdaRecord(record, batch.streamArn, region));
      }
      iterator = page.NextShardIterator;
    }
    return records;
  };
}

/** Invokes a stream consumer through Lambda's Invoke API (a deployed function, or the local gateway's). */
export function lambdaConsumerInvoker(lambda: LambdaClient, functionName: (id: string) => string) {
  return async (consumer: string, records: DynamoDBRecord[]): Promise<number> => {
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName(consumer),
        Payload: Buffer.from(JSON.stringify({ Records: records })),
      }),
    );
    const text = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : 'null';
    if (answer.FunctionError) throw new Error(`${functionName(consumer)} failed: ${text}`);
    const response = JSON.parse(text) as Partial<DynamoDBBatchResponse> | null;
    return response?.batchItemFailures?.length ?? 0;
  };
}

/** The on-failure message Lambda puts on a stream consumer's queue (only the fields used here). */
interface StreamFailureMessage {
  timestamp?: string;
  DDBStreamBatchInfo?: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
    streamArn: string;
  };
}

/** The consumers' on-failure SQS queues of a deployed stage. */
export function sqsDeadLetters(
  sqs: SQSClient,
  consumers: readonly string[],
  queueName: (consumer: string) => string,
): DeadLetterSource {
  const queueUrls = new Map<string, string>();
  const queueUrl = async (consumer: string) => {
    const known = queueUrls.get(consumer);
    if (known) return known;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName(consumer) }));
    queueUrls.set(consumer, QueueUrl as string);
    return QueueUrl as string;
  };
  return {
    async list() {
      const batches: DeadLetteredBatch[] = [];
      for (const consumer of consumers) {
        let url: string;
        try {
          url = await queueUrl(consumer);
        } catch (error) {
          if (error instanceof QueueDoesNotExist) continue;
          throw error;
        }
        // Received messages stay hidden for 15 minutes: long enough to redrive them in this run.
        for (;;) {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 900,
              WaitTimeSeconds: 1,
            }),
          );
          if (Messages.length === 0) break;
          for (const message of Messages) {
            const body = JSON.parse(message.Body ?? '{}') as StreamFailureMessage;
            const info = body.DDBStreamBatchInfo;
            if (!info || !message.ReceiptHandle) continue;
            batches.push({
              handle: message.ReceiptHandle,
              consumer,
              ...info,
              ...(body.timestamp ? { failedAt: body.timestamp } : {}),
            });
          }
        }
      }
      return batches;
    },
    async remove(batch) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: await queueUrl(batch.consumer), ReceiptHandle: batch.handle }),
      );
    },
  };
}

/** The local stack's dead letters: `<dataDir>/dead-letters.jsonl`, one batch a line. */
export function fileDeadLetters(file: string): DeadLetterSource {
  const read = async () => {
    try {
      return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  return {
    async list() {
      return (await read()).flatMap((line) => {
        const entry = JSON.parse(line) as Partial<DeadLetteredBatch> & { time?: string };
        if (!entry.consumer || !entry.streamArn || !entry.shardId) return [];
        if (!entry.startSequenceNumber || !entry.endSequenceNumber) return [];
        return [
          {
            handle: line,
            consumer: entry.consumer,
            streamArn: entry.streamArn,
            shardId: entry.shardId,
            startSequenceNumber: entry.startSequenceNumber,
            endSequenceNumber: entry.endSequenceNumber,
            batchSize: entry.batchSize ?? 0,
            ...(entry.time ? { failedAt: entry.time } : {}),
          },
        ];
      });
    },
    async remove(batch) {
      const kept = (await read()).filter((line) => line !== batch.handle);
      // Replaced whole, so a reader never sees half a file.
      await writeFile(`${file}.tmp`, kept.map((line) => `${line}\n`).join(''));
      await rename(`${file}.tmp`, file);
    },
  };
}
