import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { matchesEventPattern } from '../../definitions/event-patterns';
import type { EventPipeDefinition } from '../../definitions/event-pipes';

/**
 * The local stand-in of an EventBridge pipe from a table stream to an event bus: records matching the
 * definition's filter become the events the bus would receive (the stream record as `detail`, as a pipe
 * without input template sends it). There is no bus here: the events are recorded.
 */
export interface LocalBusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  /** The bus it was put on (not part of an EventBridge event: where it went). */
  eventBusName: string;
  detail: DynamoDBRecord;
}

export interface PipeOptions {
  definition: EventPipeDefinition;
  eventBusName: string;
  account: string;
  region: string;
  now(): number;
  publish(event: LocalBusEvent): Promise<void>;
}

export function localEventPipe(options: PipeOptions) {
  const { definition } = options;
  return {
    id: definition.id,
    table: definition.table,
    async deliver(records: DynamoDBRecord[]): Promise<void> {
      for (const record of records) {
        if (!matchesEventPattern(definition.filter, record)) continue;
        await options.publish({
          version: '0',
          id: randomUUID(),
          'detail-type': definition.detailType,
          source: definition.source,
          account: options.account,
          // EventBridge times have whole seconds.
          time: new Date(options.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: options.region,
          resources: [],
          eventBusName: options.eventBusName,
          detail: record,
        });
      }
    },
  };
}
