import * as z from 'zod';
import { parseEnv } from './env';

/**
 * One notion of "now" for handlers and the local workflow runner. In AWS it is the wall clock. Locally
 * `CLOCK_SPEED` accelerates it so that a deadline weeks away can be rehearsed in seconds: virtual time
 * runs `speed` times faster than real time from the origin pair below, which the local stack sets once
 * at start (and persists, so virtual time never runs backwards across restarts).
 */
export interface Clock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  /** How many virtual milliseconds pass per real millisecond. */
  readonly speed: number;
}

export interface ClockSettings {
  speed: number;
  originRealMs: number;
  originVirtualMs: number;
}

export function createClock(settings: ClockSettings, realNow: () => number = Date.now): Clock {
  const { speed, originRealMs, originVirtualMs } = settings;
  if (speed === 1 && originRealMs === originVirtualMs) return { now: realNow, speed };
  return { now: () => originVirtualMs + (realNow() - originRealMs) * speed, speed };
}

const clockEnvSchema = z.object({
  CLOCK_SPEED: z.coerce.number().positive().max(1e9).default(1),
  CLOCK_ORIGIN_REAL_MS: z.coerce.number().int().nonnegative().optional(),
  CLOCK_ORIGIN_VIRTUAL_MS: z.coerce.number().int().nonnegative().optional(),
});

export function clockSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClockSettings {
  const parsed = parseEnv(clockEnvSchema, env);
  const originRealMs = parsed.CLOCK_ORIGIN_REAL_MS ?? 0;
  return {
    speed: parsed.CLOCK_SPEED,
    originRealMs,
    originVirtualMs: parsed.CLOCK_ORIGIN_VIRTUAL_MS ?? originRealMs,
  };
}

let processClock: Clock | undefined;
const current = (): Clock => {
  processClock ??= createClock(clockSettingsFromEnv());
  return processClock;
};

/** The process-wide clock, read from the environment once, on first use. */
export const clock: Clock = {
  now: () => current().now(),
  get speed() {
    return current().speed;
  },
};
