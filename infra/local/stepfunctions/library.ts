import './promise-with-resolvers';
import {
  ExecutionAbortedError,
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';

export type { RunOptions, StateMachineDefinition };
export { ExecutionAbortedError, ExecutionError, StateMachine };

export type LibraryRun = ReturnType<StateMachine['run']>;
export type LibraryEvent = LibraryRun['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
export type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
export type LibraryContext = NonNullable<RunOptions['context']>;

/** Builds a library state machine; `validate` runs the library's ASL validation (asl-validator) on it. */
export function libraryStateMachine(definition: Record<string, unknown>, validate: boolean): StateMachine {
  return new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: validate ? { checkArn: true, checkPaths: true } : { noValidate: true },
  });
}

export type StatesTimeoutErrorFactory = () => Error;

/**
 * The library lets `States.TaskFailed` match every Task error except instances of its own, unexported
 * timeout class, as AWS exempts `States.Timeout`. The runner enforces task timeouts itself, so it needs
 * that class: one task with a 1 ms timeout yields an instance.
 */
export async function loadStatesTimeoutError(): Promise<StatesTimeoutErrorFactory> {
  const probe = libraryStateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: { Type: 'Task', Resource: 'arn:aws:states:::local:probe', TimeoutSeconds: 0.001, End: true },
      },
    },
    false,
  );
  const run = probe.run(null, {
    overrides: { taskResourceLocalHandlers: { Probe: () => new Promise<never>(() => undefined) } },
  });
  try {
    await run.result;
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') {
      const TimeoutError = cause.constructor as new () => Error;
      return () => new TimeoutError();
    }
  }
  throw new Error('aws-local-stepfunctions did not time out its probe task as expected');
}
