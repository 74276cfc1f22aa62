import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { EventPattern } from '../../infra/definitions/event-patterns';
import type { ExecutionStarter } from './execution-starter';

/**
 * Starts the lifecycle execution of each case that was just accepted, from the cases table's stream:
 * acceptance gives the case item the sparse `open` index keys, and the request that accepted it returns
 * without waiting for Step Functions (intake and acceptance never depend on the workflow start rate).
 */

/**
 * The event filter in front of the function (Lambda filter criteria in AWS, the same pattern locally):
 * case items that gain `openPk`. `selectCaseStarts` applies the same rule exactly, so a record the
 * filter lets through by some difference of the matcher still starts nothing it should not.
 */
export const caseOpenedFilter: EventPattern = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: {
    Keys: { sk: { S: ['CASE'] } },
    NewImage: { openPk: { S: [{ exists: true }] } },
    OldImage: { openPk: { S: [{ exists: false }] } },
  },
};

const casePkPrefix = 'CASE#';

export interface CaseStart {
  caseId: string;
  /** The record's stream sequence number: the item identifier of a batch item failure. */
  sequenceNumber: string;
}

const stringOf = (value: AttributeValue | undefined): string | undefined =>
  typeof value?.S === 'string' ? value.S : undefined;

/**
 * The cases to start: INSERT or MODIFY of a case item (`CASE#<id>` / `CASE`) whose new image has
 * `openPk` and whose old image has not. Everything else on the stream (trail events, alerts, uploads,
 * later changes of an open case, its closing) starts nothing. A case listed twice in one batch is
 * started once, under its first record.
 */
export function selectCaseStarts(records: readonly DynamoDBRecord[]): CaseStart[] {
  const starts = new Map<string, CaseStart>();
  for (const record of records) {
    if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') continue;
    const change = record.dynamodb;
    const pk = stringOf(change?.Keys?.pk);
    if (!change?.SequenceNumber || stringOf(change.Keys?.sk) !== 'CASE' || !pk?.startsWith(casePkPrefix)) {
      continue;
    }
    if (stringOf(change.NewImage?.openPk) === undefined || stringOf(change.OldImage?.openPk) !== undefined) {
      continue;
    }
    const caseId = pk.slice(casePkPrefix.length);
    if (caseId !== '' && !starts.has(caseId)) {
      starts.set(caseId, { caseId, sequenceNumber: change.SequenceNumber });
    }
  }
  return [...starts.values()];
}

/**
 * Errors that depend on the record, not on the moment: Step Functions refuses this name or input every
 * time, so a retry only delays the rest of the shard. Everything else (throttling, 5xx, network, even a
 * missing state machine or permission during a deploy) may pass and is retried.
 */
const permanentErrors = new Set(['InvalidName', 'InvalidExecutionInput']);

export const isTransientStartError = (error: unknown): boolean =>
  !(error instanceof Error && permanentErrors.has(error.name));

export interface StartLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface StartOptions {
  /** Starts in flight at once within a batch (StartExecution is throttled per account). */
  concurrency?: number;
}

/**
 * Starts an execution for every selected case and answers with the records to retry: those whose start
 * failed transiently. Lambda then retries from the lowest failed sequence number, so records after it
 * are started again too; a start is idempotent (named by the case id, same input), so that is harmless.
 * `name-taken` is not a failure: the case's execution has already ended, and retrying cannot change that.
 */
export async function startCaseWorkflows(
  records: readonly DynamoDBRecord[],
  starter: ExecutionStarter,
  log: StartLog,
  options: StartOptions = {},
): Promise<DynamoDBBatchResponse> {
  const starts = selectCaseStarts(records);
  const failed = new Set<string>();
  let next = 0;
  const worker = async () => {
    for (let start = starts[next++]; start !== undefined; start = starts[next++]) {
      const { caseId, sequenceNumber } = start;
      try {
        const outcome = await starter.start(caseId);
        if (outcome === 'name-taken') {
          log.warn('execution name already used by an ended execution; case not started', { caseId });
        }
      } catch (error) {
        const errorName = error instanceof Error ? error.name : typeof error;
        if (isTransientStartError(error)) {
          log.warn('workflow start failed; the record is retried', { caseId, errorName });
          failed.add(sequenceNumber);
        } else {
          // The case keeps its `open` index keys: the operator's resume of open cases finds it.
          log.error('workflow start refused; the record is not retried', { caseId, errorName });
        }
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 10, starts.length));
  await Promise.all(Array.from({ length: workers }, worker));
  log.info('workflow starts', { records: records.length, starts: starts.length, retried: failed.size });
  return {
    batchItemFailures: starts
      .filter((start) => failed.has(start.sequenceNumber))
      .map((start) => ({ itemIdentifier: start.sequenceNumber })),
  };
}

/**
 * How far the consumer is behind: the age of the batch's oldest record (stream records carry their
 * creation time in whole seconds), or undefined for a batch without one.
 */
export function oldestRecordAgeMs(records: readonly DynamoDBRecord[], nowMs: number): number | undefined {
  const created = records
    .map((record) => record.dynamodb?.ApproximateCreationDateTime)
    .filter((seconds): seconds is number => typeof seconds === 'number' && Number.isFinite(seconds));
  if (created.length === 0) return undefined;
  return Math.max(0, nowMs - Math.min(...created) * 1000);
}
