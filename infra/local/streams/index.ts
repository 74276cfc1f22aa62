import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { FunctionDefinition } from '../../../functions/registry';
import {
  type EventBusId,
  type EventPipeDefinition,
  eventPipeDefinitions,
} from '../../definitions/event-pipes';
import type { TableId } from '../../definitions/tables';
import { localAccount } from '../lambda-context';
import { type LocalBusEvent, localEventPipe } from './event-pipe';
import {
  type DeadLetter,
  localEventSourceMapping,
  type RetryPolicy,
  type StreamHandler,
} from './event-source-mapping';
import { type StreamPoller, startStreamPoller } from './stream-poller';
import { openStreamPositions } from './stream-positions';

export type { LocalBusEvent } from './event-pipe';
export type { DeadLetter, StreamHandler } from './event-source-mapping';

/**
 * The local stand-ins of what AWS runs on the tables' streams: the event source mappings of the
 * registry's stream functions and the pipes to the event buses, each reading the stream of DynamoDB Local
 * on its own (as each AWS consumer has its own position), filtered by the same definitions CDK deploys.
 * Bus events are appended to `<dataDir>/events.jsonl` and given to `onEvent` listeners; batches a
 * function gave up on are described in `<dataDir>/dead-letters.jsonl`.
 */
export interface LocalStreamsOptions {
  /** DynamoDB Local (its endpoint serves the Streams API too). */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  tableNames: Record<TableId, string>;
  /** The registry's functions with a `stream`, and the handlers to invoke. */
  functions: { definition: FunctionDefinition; functionName: string; handler: StreamHandler }[];
  pipes?: EventPipeDefinition[];
  eventBusName(id: EventBusId): string;
  dataDir: string;
  /**
   * Keep each consumer's position in `<dataDir>/stream-positions.json` and resume from it after a restart
   * (a data folder that survives restarts); otherwise every start reads from LATEST.
   */
  keepPositions?: boolean;
  /** The time written into bus events (the stack's virtual clock). */
  now?: () => number;
  /** Wait between polls when no shard had records. */
  idleMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Problems worth a line: poll errors, batches given up. Default: stderr. */
  log?: (line: string) => void;
}

export interface LocalStreams {
  /** Calls `listener` with every event put on a bus; returns the unsubscribe. */
  onEvent(listener: (event: LocalBusEvent) => void): () => void;
  onDeadLetter(listener: (entry: DeadLetter) => void): () => void;
  eventsFile: string;
  deadLettersFile: string;
  /** One line for the start-up output. */
  summary: string;
  stop(): Promise<void>;
}

interface Consumer {
  /** Unique among consumers: the position file is keyed by it. */
  key: string;
  id: string;
  table: TableId;
  deliver(records: DynamoDBRecord[], shardId: string): Promise<void>;
}

export async function startLocalStreams(options: LocalStreamsOptions): Promise<LocalStreams> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const eventsFile = path.join(options.dataDir, 'events.jsonl');
  const deadLettersFile = path.join(options.dataDir, 'dead-letters.jsonl');
  await mkdir(options.dataDir, { recursive: true });
  const eventListeners = new Set<(event: LocalBusEvent) => void>();
  const deadLetterListeners = new Set<(entry: DeadLetter) => void>();
  const controller = new AbortController();

  const consumers: Consumer[] = [
    ...options.functions.map(({ definition, functionName, handler }) => {
      const subscription = definition.stream;
      if (!subscription) throw new Error(`function ${definition.id} consumes no stream`);
      const mapping = localEventSourceMapping({
        functionId: definition.id,
        functionName,
        subscription,
        handler,
        retry: {
          retries: options.retry?.retries ?? subscription.retryAttempts,
          baseDelayMs: options.retry?.baseDelayMs ?? 100,
          maxDelayMs: options.retry?.maxDelayMs ?? 2_000,
        },
        signal: controller.signal,
        async deadLetter(entry) {
          await appendFile(deadLettersFile, `${JSON.stringify(entry)}\n`);
          log(
            `streams: ${entry.consumer} gave up ${entry.batchSize} record(s) after ${entry.attempts} attempts (${deadLettersFile})`,
          );
          for (const listener of deadLetterListeners) listener(entry);
        },
      });
      return { ...mapping, key: `function:${definition.id}` };
    }),
    ...(options.pipes ?? eventPipeDefinitions).map((definition) => ({
      key: `pipe:${definition.id}`,
      ...localEventPipe({
        definition,
        eventBusName: options.eventBusName(definition.bus),
        account: localAccount,
        region: options.region,
        now,
        async publish(event) {
          await appendFile(eventsFile, `${JSON.stringify(event)}\n`);
          for (const listener of eventListeners) listener(event);
        },
      }),
    })),
  ];
  const positions = options.keepPositions
    ? openStreamPositions(path.join(options.dataDir, 'stream-positions.json'))
    : undefined;

  const dynamo = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
  });
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
  });
  const pollers: StreamPoller[] = [];
  const stop = async () => {
    controller.abort();
    await Promise.all(pollers.map((poller) => poller.stop()));
    dynamo.destroy();
    streams.destroy();
  };
  try {
    const streamArns = new Map<TableId, string>();
    for (const table of new Set(consumers.map((consumer) => consumer.table))) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: options.tableNames[table] }));
      if (!Table?.LatestStreamArn) throw new Error(`table ${options.tableNames[table]} has no stream`);
      streamArns.set(table, Table.LatestStreamArn);
    }
    for (const consumer of consumers) {
      let lastError = '';
      const streamArn = streamArns.get(consumer.table) as string;
      const consumerPositions = await positions?.forConsumer(consumer.key, streamArn);
      pollers.push(
        await startStreamPoller({
          client: streams,
          streamArn,
          ...(consumerPositions ? { positions: consumerPositions } : {}),
          region: options.region,
          deliver: (records, shardId) => consumer.deliver(records, shardId),
          ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
          onError(error) {
            // Once per distinct problem, not once per poll.
            const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            if (message !== lastError) log(`streams: ${consumer.id}: ${message}`);
            lastError = message;
          },
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const tables = [...new Set(consumers.map((consumer) => consumer.table))];
  return {
    onEvent(listener) {
      eventListeners.add(listener);
      return () => {
        eventListeners.delete(listener);
      };
    },
    onDeadLetter(listener) {
      deadLetterListeners.add(listener);
      return () => {
        deadLetterListeners.delete(listener);
      };
    },
    eventsFile,
    deadLettersFile,
    summary: `${tables.map((t) => `${t} stream`).join(', ')} → ${consumers.map((c) => c.id).join(', ')} (events in ${eventsFile})`,
    stop,
  };
}
