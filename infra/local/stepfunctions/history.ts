import type { StateInfo } from './definition';
import type { LibraryEvent } from './library';

/** One GetExecutionHistory event before numbering; `details` holds the AWS `...EventDetails` member. */
export interface HistoryEntry {
  type: string;
  /** Virtual epoch ms. */
  timestamp: number;
  details?: Record<string, Record<string, unknown>>;
}

const json = (value: unknown): string => JSON.stringify(value ?? null);
const text = (value: unknown): string => (typeof value === 'string' ? value : json(value));

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → resourceType `lambda`, resource `invoke.waitForTaskToken`. */
function taskResource(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:[\w-]+:states:::([\w-]+):(.+)$/.exec(resource);
  return integration
    ? { resourceType: integration[1] ?? '', resource: integration[2] ?? '' }
    : { resourceType: 'lambda', resource };
}

/**
 * A reasonable mapping of the library's event log onto AWS history event types. Execution-level events
 * are recorded by the execution itself (it knows why it ended); retries and catches have no AWS event.
 */
export function historyEntryOf(
  event: LibraryEvent,
  states: ReadonlyMap<string, StateInfo>,
): Omit<HistoryEntry, 'timestamp'> | undefined {
  switch (event.type) {
    case 'StateEntered':
    case 'StateExited': {
      const type = states.get(event.state.name)?.type ?? event.state.type;
      return event.type === 'StateEntered'
        ? {
            type: `${type}StateEntered`,
            details: { stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input) } },
          }
        : {
            type: `${type}StateExited`,
            details: {
              stateExitedEventDetails: { name: event.state.name, output: json(event.state.output) },
            },
          };
    }
    case 'StateFailed': {
      const state = states.get(event.state.name);
      const failure = { error: event.Error, cause: text(event.Cause) };
      if (state?.type === 'Parallel' || state?.type === 'Map') return { type: `${state.type}StateFailed` };
      if (state?.type !== 'Task' || !state.resource) return undefined;
      if (!state.resource.startsWith('arn:') || !state.resource.includes(':states:::')) {
        return { type: 'LambdaFunctionFailed', details: { lambdaFunctionFailedEventDetails: failure } };
      }
      return {
        type: 'TaskFailed',
        details: { taskFailedEventDetails: { ...taskResource(state.resource), ...failure } },
      };
    }
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { type: event.type, details: { [key]: { name: event.parentState.name, index: event.index } } };
    }
    default:
      return undefined;
  }
}
