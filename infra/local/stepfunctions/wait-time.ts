import { type PathSegment, readReferencePath } from './reference-path';

/** What a Wait state waits for, as written (one of the four fields). */
export type WaitSpec =
  | { seconds: number }
  | { timestamp: string }
  | { secondsPath: string; segments: PathSegment[] }
  | { timestampPath: string; segments: PathSegment[] };

/** RFC 3339 as Step Functions accepts it (uppercase T and Z), same as the library's own check. */
const rfc3339 =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):([0-5]\d))$/;

export const isRfc3339Timestamp = (value: unknown): value is string =>
  typeof value === 'string' && rfc3339.test(value);

/**
 * A Wait whose path points nowhere or at a wrong value fails the execution with States.Runtime in AWS,
 * which no Retry or Catch can handle; the library honours these two flags for that.
 */
export class StatesRuntimeError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/**
 * The virtual time (epoch ms) at which a Wait entered at `nowMs` with (InputPath-processed) `input` ends.
 * A timestamp in the past ends it at once, as in AWS.
 */
export function waitDueTime(spec: WaitSpec, input: unknown, nowMs: number): number {
  if ('seconds' in spec) return nowMs + spec.seconds * 1000;
  if ('timestamp' in spec) return Date.parse(spec.timestamp);
  const path = 'secondsPath' in spec ? spec.secondsPath : spec.timestampPath;
  const lookup = readReferencePath(input, spec.segments);
  if (!lookup.found) throw new StatesRuntimeError(`Path expression '${path}' does not point to a value`);
  if ('secondsPath' in spec) {
    const seconds = lookup.value;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesRuntimeError(
        `Path expression '${path}' evaluated to ${JSON.stringify(seconds)}, but expected a non-negative integer`,
      );
    }
    return nowMs + seconds * 1000;
  }
  if (!isRfc3339Timestamp(lookup.value)) {
    throw new StatesRuntimeError(
      `Path expression '${path}' evaluated to ${JSON.stringify(lookup.value)}, but expected an RFC 3339 timestamp`,
    );
  }
  return Date.parse(lookup.value);
}
