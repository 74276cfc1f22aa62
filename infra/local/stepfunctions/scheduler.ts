import type { Clock } from '../../../functions/shared/clock';

/**
 * Node's timers overflow past 2^31-1 ms and fire at once, so a far-off due time is slept in chunks of at
 * most this many real milliseconds and re-checked against the clock after each one.
 */
export const maxRealChunkMs = 60 * 60 * 1000;

/**
 * Real milliseconds to sleep before looking at the virtual clock again: 0 when the due time has come,
 * otherwise at least 1 (rounding up, so a wake-up is never early) and at most `maxChunkMs`.
 */
export function realDelayUntil(
  dueVirtualMs: number,
  nowVirtualMs: number,
  speed: number,
  maxChunkMs: number = maxRealChunkMs,
): number {
  const remaining = dueVirtualMs - nowVirtualMs;
  if (remaining <= 0) return 0;
  return Math.min(maxChunkMs, Math.max(1, Math.ceil(remaining / speed)));
}

export type Cancel = () => void;

export interface Scheduler {
  /** Calls `fire` once, asynchronously, when `clock.now() >= dueVirtualMs`, never before. */
  at(dueVirtualMs: number, fire: () => void): Cancel;
  /** Timers not yet fired nor cancelled. */
  pendingCount(): number;
  cancelAll(): void;
}

/**
 * Timers on the virtual clock. They are unref'd: a pending deadline alone never keeps the process alive
 * (the HTTP server does while the runner is up).
 */
export function createScheduler(clock: Clock, maxChunkMs: number = maxRealChunkMs): Scheduler {
  const handles = new Map<symbol, NodeJS.Timeout>();

  function at(dueVirtualMs: number, fire: () => void): Cancel {
    const id = Symbol('timer');
    const arm = (): void => {
      const delay = realDelayUntil(dueVirtualMs, clock.now(), clock.speed, maxChunkMs);
      const handle = setTimeout(() => {
        if (clock.now() < dueVirtualMs) return arm();
        handles.delete(id);
        fire();
      }, delay);
      handle.unref();
      handles.set(id, handle);
    };
    arm();
    return () => {
      clearTimeout(handles.get(id));
      handles.delete(id);
    };
  }

  return {
    at,
    pendingCount: () => handles.size,
    cancelAll() {
      for (const handle of handles.values()) clearTimeout(handle);
      handles.clear();
    },
  };
}
