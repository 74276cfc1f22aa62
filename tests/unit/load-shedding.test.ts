import { describe, expect, it } from 'vitest';
import { loadShedder } from '../../infra/local/gateway/load-shedding';

/** The local gateway's throttling (the stage's token bucket) and concurrency cap, on a fake clock. */
const clock = () => {
  let at = 1_000_000;
  return { now: () => at, advance: (ms: number) => (at += ms) };
};

describe('loadShedder', () => {
  it('admits a full burst, then answers 429 THROTTLED until the bucket refills at the rate', () => {
    const time = clock();
    const shedder = loadShedder({ throttle: { rateLimit: 10, burstLimit: 5 }, now: time.now });
    for (let i = 0; i < 5; i++) expect(shedder.admit().admitted).toBe(true);
    const refused = shedder.admit();
    expect(refused).toMatchObject({ admitted: false, status: 429, body: { error: { code: 'THROTTLED' } } });
    if (refused.admitted) throw new Error('admitted');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // 10 per second: after 100 ms one token is back, after 1 s the bucket holds 5 again (never more).
    time.advance(100);
    expect(shedder.admit().admitted).toBe(true);
    expect(shedder.admit().admitted).toBe(false);
    time.advance(10_000);
    for (let i = 0; i < 5; i++) expect(shedder.admit().admitted).toBe(true);
    expect(shedder.admit().admitted).toBe(false);
    expect(shedder.counts()).toEqual({ admitted: 11, throttled: 3, overloaded: 0 });
  });

  it('answers 503 with Retry-After beyond the requests in flight, and admits again once one is released', () => {
    const time = clock();
    const shedder = loadShedder({ maxInFlight: 2, now: time.now });
    const first = shedder.admit();
    const second = shedder.admit();
    expect(first.admitted && second.admitted).toBe(true);
    const refused = shedder.admit();
    expect(refused).toMatchObject({
      admitted: false,
      status: 503,
      body: { error: { code: 'SERVICE_UNAVAILABLE' } },
    });
    if (first.admitted) {
      first.release();
      first.release(); // a second release changes nothing
    }
    expect(shedder.inFlight()).toBe(1);
    expect(shedder.admit().admitted).toBe(true);
    expect(shedder.admit().admitted).toBe(false);
  });

  it('gives a crowd it turns away turns spread at the rate it can take, not all the same second', () => {
    const time = clock();
    const shedder = loadShedder({ throttle: { rateLimit: 10, burstLimit: 1 }, now: time.now });
    expect(shedder.admit().admitted).toBe(true);
    const retryAfter = Array.from({ length: 50 }, () => {
      const answer = shedder.admit();
      return answer.admitted ? 0 : answer.retryAfterSeconds;
    });
    // 50 refusals at 10 per second: the last is told to come back about 5 s later, the first within 1 s.
    expect(retryAfter[0]).toBe(1);
    expect(retryAfter.at(-1)).toBe(5);
    expect([...retryAfter].sort((a, b) => a - b)).toEqual(retryAfter);
    // Once the turns have passed, the advice is short again.
    time.advance(10_000);
    const later = shedder.admit();
    expect(later.admitted).toBe(true);
  });

  it('without limits admits everything', () => {
    const shedder = loadShedder({});
    for (let i = 0; i < 1000; i++) expect(shedder.admit().admitted).toBe(true);
    expect(shedder.counts().admitted).toBe(1000);
  });

  it('refuses limits that make no sense', () => {
    expect(() => loadShedder({ throttle: { rateLimit: 0, burstLimit: 5 } })).toThrow(/rateLimit/);
    expect(() => loadShedder({ throttle: { rateLimit: 5, burstLimit: 0 } })).toThrow(/burstLimit/);
    expect(() => loadShedder({ maxInFlight: 0 })).toThrow(/maxInFlight/);
  });
});
