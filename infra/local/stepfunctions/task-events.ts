import type { Binding } from './definition';
import type { HistoryEntry } from './history';

/**
 * The history events of one Task attempt, as AWS writes them (GetExecutionHistory): for a service
 * integration `TaskScheduled`, `TaskStarted`, `TaskSubmitted` (a callback task whose function returned),
 * then `TaskSucceeded`, `TaskFailed` or `TaskTimedOut`; for a Lambda ARN as Resource the
 * `LambdaFunction…` events. A retry is a new attempt within the same state.
 */
export type TaskAttemptEvent =
  | { type: 'scheduled'; parameters: unknown }
  | { type: 'started' }
  | { type: 'submitted'; output: unknown }
  | { type: 'succeeded'; output: unknown }
  | { type: 'failed'; error: string; cause: string }
  | { type: 'timedOut'; error: string; cause: string };

type TaskBinding = Exclude<Binding, { kind: 'wait' }>;
const json = (value: unknown): string => JSON.stringify(value ?? null);
/** The attempt's timeouts: a TimeoutSecondsPath is resolved into `timeoutSeconds` by then. */
const timeouts = (binding: TaskBinding) => ({
  ...(binding.timeoutSeconds !== undefined ? { timeoutInSeconds: binding.timeoutSeconds } : {}),
  ...(binding.heartbeatSeconds !== undefined ? { heartbeatInSeconds: binding.heartbeatSeconds } : {}),
});

export function taskHistoryEntry(
  binding: TaskBinding,
  region: string,
  event: TaskAttemptEvent,
): Omit<HistoryEntry, 'timestamp'> | undefined {
  if (binding.kind === 'lambda-function') {
    switch (event.type) {
      case 'scheduled': {
        const { heartbeatInSeconds: _heartbeat, ...timeout } = timeouts(binding);
        return {
          type: 'LambdaFunctionScheduled',
          details: {
            lambdaFunctionScheduledEventDetails: {
              resource: binding.functionRef,
              input: json(event.parameters),
              ...timeout,
            },
          },
        };
      }
      case 'started':
        return { type: 'LambdaFunctionStarted' };
      case 'submitted':
        return undefined;
      case 'succeeded':
        return {
          type: 'LambdaFunctionSucceeded',
          details: { lambdaFunctionSucceededEventDetails: { output: json(event.output) } },
        };
      case 'failed':
        return {
          type: 'LambdaFunctionFailed',
          details: { lambdaFunctionFailedEventDetails: { error: event.error, cause: event.cause } },
        };
      case 'timedOut':
        return {
          type: 'LambdaFunctionTimedOut',
          details: { lambdaFunctionTimedOutEventDetails: { error: event.error, cause: event.cause } },
        };
    }
  }
  const resource =
    binding.kind === 'start-execution'
      ? { resourceType: 'states', resource: 'startExecution' }
      : { resourceType: 'lambda', resource: binding.waitForTaskToken ? 'invoke.waitForTaskToken' : 'invoke' };
  switch (event.type) {
    case 'scheduled':
      return {
        type: 'TaskScheduled',
        details: {
          taskScheduledEventDetails: {
            ...resource,
            region,
            parameters: json(event.parameters),
            ...timeouts(binding),
          },
        },
      };
    case 'started':
      return { type: 'TaskStarted', details: { taskStartedEventDetails: resource } };
    case 'submitted':
      return {
        type: 'TaskSubmitted',
        details: { taskSubmittedEventDetails: { ...resource, output: json(event.output) } },
      };
    case 'succeeded':
      return {
        type: 'TaskSucceeded',
        details: { taskSucceededEventDetails: { ...resource, output: json(event.output) } },
      };
    case 'failed':
      return {
        type: 'TaskFailed',
        details: { taskFailedEventDetails: { ...resource, error: event.error, cause: event.cause } },
      };
    case 'timedOut':
      return {
        type: 'TaskTimedOut',
        details: { taskTimedOutEventDetails: { ...resource, error: event.error, cause: event.cause } },
      };
  }
}
