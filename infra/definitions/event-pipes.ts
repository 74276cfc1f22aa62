import type { EventPattern } from './event-patterns';
import type { TableId } from './tables';

/**
 * Table streams forwarded to an EventBridge bus without code (EventBridge Pipes in AWS; the local stream
 * stand-in records the same events). The event's `detail` is the stream record itself (Lambda's
 * DynamoDBRecord shape, images in AttributeValue form), as a pipe without input template sends it.
 */
export type EventBusId = 'alerts' | 'notifications';

export const eventBusIds: EventBusId[] = ['alerts', 'notifications'];

export interface EventPipeDefinition {
  id: string;
  description: string;
  /** The table whose stream is the source. */
  table: TableId;
  /** Only records matching it are forwarded. */
  filter: EventPattern;
  bus: EventBusId;
  source: string;
  detailType: string;
}

export const eventPipeDefinitions: EventPipeDefinition[] = [
  {
    id: 'case-alerts',
    description: 'Deadline alerts (电子监察预警) raised by the case workflow, to the alerts bus',
    table: 'cases',
    // The workflow writes one `CASE#<id>` / `ALERT#<alertId>` item per alert, once (raising is idempotent);
    // later changes of the item (resolution) are not new alerts.
    filter: { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'ALERT#' }] } } } },
    bus: 'alerts',
    source: 'onewindow.cases',
    detailType: 'CaseAlertRaised',
  },
  {
    id: 'case-notifications',
    description: 'Messages to applicants (result ready, pick-up code) for the SMS and message channels',
    table: 'cases',
    // One `CASE#<id>` / `NOTIFY#…` item per message, written with the change that causes it.
    filter: { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'NOTIFY#' }] } } } },
    bus: 'notifications',
    source: 'onewindow.cases',
    detailType: 'ApplicantNotification',
  },
];
