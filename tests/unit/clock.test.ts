import { describe, expect, it } from 'vitest';
import { clockSettingsFromEnv, createClock } from '../../functions/shared/clock';
import { ConfigError } from '../../functions/shared/env';

describe('createClock', () => {
  it('is the wall clock at speed 1 with equal origins', () => {
    let real = 1_000;
    const clock = createClock({ speed: 1, originRealMs: 0, originVirtualMs: 0 }, () => real);
    expect(clock.now()).toBe(1_000);
    real = 5_000;
    expect(clock.now()).toBe(5_000);
  });

  it('runs virtual time `speed` times faster from its origin', () => {
    let real = 10_000;
    const clock = createClock({ speed: 3600, originRealMs: 10_000, originVirtualMs: 50_000 }, () => real);
    expect(clock.now()).toBe(50_000);
    real = 11_000; // one real second is one virtual hour
    expect(clock.now()).toBe(50_000 + 3_600_000);
  });

  it('keeps an origin ahead of real time (virtual time never runs backwards across restarts)', () => {
    const clock = createClock({ speed: 1, originRealMs: 100, originVirtualMs: 900 }, () => 150);
    expect(clock.now()).toBe(950);
  });
});

describe('clockSettingsFromEnv', () => {
  it('defaults to the wall clock', () => {
    expect(clockSettingsFromEnv({})).toEqual({ speed: 1, originRealMs: 0, originVirtualMs: 0 });
  });

  it('reads speed and origins', () => {
    expect(
      clockSettingsFromEnv({ CLOCK_SPEED: '86400', CLOCK_ORIGIN_REAL_MS: '5', CLOCK_ORIGIN_VIRTUAL_MS: '7' }),
    ).toEqual({ speed: 86400, originRealMs: 5, originVirtualMs: 7 });
  });

  it('fails fast naming the variable when the speed is not a positive number', () => {
    expect(() => clockSettingsFromEnv({ CLOCK_SPEED: 'fast' })).toThrow(ConfigError);
    expect(() => clockSettingsFromEnv({ CLOCK_SPEED: '-2' })).toThrow(/CLOCK_SPEED/);
  });
});
