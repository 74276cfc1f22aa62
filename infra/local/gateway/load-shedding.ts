import type { ApiThrottle } from '../../definitions/throttle';

/**
 * What the local gateway does when more arrives than it should take, the way the deployed API behaves:
 * the stage's token bucket (`rateLimit` per second, `burstLimit` deep) refuses a request with 429 before
 * any function runs, and a cap on requests handled at once (a function's concurrency limit) refuses with
 * 503. Nothing was done for a refused request, so retrying it is always safe.
 *
 * Both answers carry `Retry-After` (API Gateway sends none; clients of the local stack get advice they
 * can follow): the refused requests are given turns one after another at the rate the gateway can take
 * them (the stage rate, and the cap over the time requests take lately), so a crowd turned away comes
 * back spread out instead of all at once a second later.
 */
export interface LoadSheddingOptions {
  throttle?: ApiThrottle;
  /** Requests the functions handle at once; beyond it the gateway answers 503 straight away. */
  maxInFlight?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

export type Admission =
  | { admitted: true; release: () => void }
  | { admitted: false; status: 429 | 503; retryAfterSeconds: number; body: unknown };

export const throttledBody = {
  error: { code: 'THROTTLED', message: '请求过于频繁,请稍后重试' },
};
export const overloadedBody = {
  error: { code: 'SERVICE_UNAVAILABLE', message: '服务繁忙,请稍后重试' },
};

/**
 * Turns handed out one after another at `perSecond` (one schedule for every refusal, whatever its
 * answer: a client given a turn must pass both limits when it comes back); whole seconds, at least one.
 */
function turns(now: () => number) {
  let lastTurnAt = 0;
  return (perSecond: number): number => {
    const at = now();
    lastTurnAt = Math.max(at, lastTurnAt) + 1000 / perSecond;
    return Math.max(1, Math.ceil((lastTurnAt - at) / 1000));
  };
}

export function loadShedder(options: LoadSheddingOptions) {
  const now = options.now ?? (() => performance.now());
  const { throttle, maxInFlight } = options;
  if (throttle && (!(throttle.rateLimit > 0) || !(throttle.burstLimit >= 1))) {
    throw new Error('throttle: rateLimit must be > 0 and burstLimit ≥ 1');
  }
  if (maxInFlight !== undefined && !(maxInFlight >= 1)) throw new Error('maxInFlight must be ≥ 1');
  // The bucket starts full, as a stage that has been idle.
  let tokens = throttle?.burstLimit ?? 0;
  let refilledAt = now();
  let inFlight = 0;
  const counts = { admitted: 0, throttled: 0, overloaded: 0 };
  const turn = turns(now);
  // What the functions take per second: the cap over the time a request takes (Little's law), that time
  // smoothed over recent requests; until one has completed, 100 ms. Turns go a quarter faster than
  // that: a client back too early is only turned away again (cheap), one back too late would leave the
  // functions idle while others wait. The stage rate bounds them too.
  let serviceMs = 100;
  const completed = (tookMs: number) => {
    serviceMs = 0.9 * serviceMs + 0.1 * tookMs;
  };
  const turnsPerSecond = () =>
    Math.min(
      throttle?.rateLimit ?? Number.POSITIVE_INFINITY,
      maxInFlight === undefined
        ? Number.POSITIVE_INFINITY
        : (1.25 * maxInFlight * 1000) / Math.max(1, serviceMs),
    );

  return {
    admit(): Admission {
      if (throttle) {
        const at = now();
        tokens = Math.min(throttle.burstLimit, tokens + ((at - refilledAt) / 1000) * throttle.rateLimit);
        refilledAt = at;
        if (tokens < 1) {
          counts.throttled++;
          const retryAfterSeconds = turn(turnsPerSecond());
          return { admitted: false, status: 429, retryAfterSeconds, body: throttledBody };
        }
        // As in AWS, the stage's token is spent before the function may turn the request away.
        tokens -= 1;
      }
      if (maxInFlight !== undefined && inFlight >= maxInFlight) {
        counts.overloaded++;
        const retryAfterSeconds = turn(turnsPerSecond());
        return { admitted: false, status: 503, retryAfterSeconds, body: overloadedBody };
      }
      inFlight++;
      counts.admitted++;
      const admittedAt = now();
      let released = false;
      return {
        admitted: true,
        release: () => {
          if (released) return;
          released = true;
          inFlight--;
          completed(now() - admittedAt);
        },
      };
    },
    inFlight: () => inFlight,
    counts: () => ({ ...counts }),
  };
}

export type LoadShedder = ReturnType<typeof loadShedder>;
