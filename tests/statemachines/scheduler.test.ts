import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../functions/shared/clock';
import { createScheduler, maxRealChunkMs, realDelayUntil } from '../../infra/local/stepfunctions/scheduler';

const day = 24 * 60 * 60 * 1000;
const nodeTimerLimitMs = 2 ** 31 - 1;

describe('realDelayUntil', () => {
  it('is 0 once the due time has come', () => {
    expect(realDelayUntil(1_000, 1_000, 1)).toBe(0);
    expect(realDelayUntil(1_000, 5_000, 1)).toBe(0);
  });

  it('divides the remaining virtual time by the speed, rounding up so that a wake-up is never early', () => {
    expect(realDelayUntil(1_000, 0, 1)).toBe(1_000);
    expect(realDelayUntil(30 * day, 0, 1e7)).toBe(260);
    expect(realDelayUntil(1, 0, 1e7)).toBe(1);
  });

  it('never asks Node for a timer beyond its 2^31-1 ms limit', () => {
    const delay = realDelayUntil(30 * day, 0, 1);
    expect(delay).toBe(maxRealChunkMs);
    expect(delay).toBeLessThan(nodeTimerLimitMs);
  });
});

describe('createScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const realTimeClock: Clock = { now: () => Date.now(), speed: 1 };

  it('does not fire a 30-day timer when Node would have overflowed, and fires it at 30 days', () => {
    const scheduler = createScheduler(realTimeClock);
    const fired: number[] = [];
    const due = Date.now() + 30 * day;
    scheduler.at(due, () => fired.push(Date.now()));

    vi.advanceTimersByTime(25 * day);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(5 * day - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([due]);
    expect(scheduler.pendingCount()).toBe(0);
  });

  it('runs on virtual time: a 30-day timer at speed 1e5 fires after about 26 real seconds', () => {
    const origin = Date.now();
    const clock: Clock = { now: () => origin + (Date.now() - origin) * 1e5, speed: 1e5 };
    const scheduler = createScheduler(clock);
    let firedAtVirtual: number | undefined;
    scheduler.at(clock.now() + 30 * day, () => {
      firedAtVirtual = clock.now();
    });
    vi.advanceTimersByTime(25_000);
    expect(firedAtVirtual).toBeUndefined();
    vi.advanceTimersByTime(1_000);
    expect(firedAtVirtual).toBeGreaterThanOrEqual(origin + 30 * day);
  });

  it('re-checks the clock when it wakes and waits on if the clock is behind', () => {
    // The clock claims speed 10 but moves at real speed: every wake-up comes too early.
    const clock: Clock = { now: () => Date.now(), speed: 10 };
    const scheduler = createScheduler(clock);
    const due = Date.now() + 1_000;
    let firedAt: number | undefined;
    scheduler.at(due, () => {
      firedAt = Date.now();
    });
    vi.advanceTimersByTime(999);
    expect(firedAt).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(firedAt).toBe(due);
  });

  it('cancels one timer or all of them', () => {
    const scheduler = createScheduler(realTimeClock);
    const fired: string[] = [];
    const cancel = scheduler.at(Date.now() + 1_000, () => fired.push('one'));
    scheduler.at(Date.now() + 2 * day, () => fired.push('two'));
    scheduler.at(Date.now() + 3 * day, () => fired.push('three'));
    expect(scheduler.pendingCount()).toBe(3);
    cancel();
    expect(scheduler.pendingCount()).toBe(2);
    vi.advanceTimersByTime(2 * day);
    expect(fired).toEqual(['two']);
    scheduler.cancelAll();
    expect(scheduler.pendingCount()).toBe(0);
    vi.advanceTimersByTime(5 * day);
    expect(fired).toEqual(['two']);
  });
});
