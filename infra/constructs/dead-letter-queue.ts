import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeNag } from './nag';

/**
 * The on-failure destination of a stream consumer (event source mapping or pipe) or of a schedule:
 * encrypted with the data key, TLS only, kept 14 days (the longest SQS allows) so an operator has time to
 * look. For a DynamoDB stream it receives the batch's shard and sequence range, not the records; for a
 * schedule, the invocation EventBridge Scheduler could not deliver.
 */
export function streamDeadLetterQueue(
  scope: Construct,
  id: string,
  props: {
    queueName: string;
    dataKey: IKey;
    consumer: string;
    /** What the consumer is, for the acknowledgment (default: a stream consumer). */
    consumerKind?: string;
  },
): Queue {
  const queue = new Queue(scope, id, {
    queueName: props.queueName,
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: props.dataKey,
    // Fewer KMS calls per message; the data key is rotated anyway.
    dataKeyReuse: Duration.hours(1),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeNag(
    queue,
    'SQS3',
    `This queue is itself the on-failure destination of ${props.consumer} (${props.consumerKind ?? 'a stream consumer'}, ` +
      'which cdk-nag does not recognise as a DLQ user); a queue behind a dead-letter queue would only move the same messages.',
  );
  return queue;
}
