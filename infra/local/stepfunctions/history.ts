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
      // A Task's failure is written by the runner as TaskFailed / LambdaFunctionFailed (task-events.ts).
      const state = states.get(event.state.name);
      if (state?.type === 'Parallel' || state?.type === 'Map') return { type: `${state.type}StateFailed` };
      return undefined;
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
