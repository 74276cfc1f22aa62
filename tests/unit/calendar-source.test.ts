import { describe, expect, it } from 'vitest';
import { cachedCalendarSource } from '../../functions/calendar/calendar-source';
import type { StoredSchedule } from '../../functions/calendar/schedule-store';
import { sampleSchedule2027 } from '../support/calendar-fixtures';

/** The process cache of the working-day calendar: read once per period, replaced at once after a load. */
const loaded = (overrides: Partial<StoredSchedule> = {}): StoredSchedule => ({
  ...sampleSchedule2027,
  loadedAt: '2026-12-01T00:00:00.000Z',
  loadedBy: 'admin-1',
  ...overrides,
});

function fakeStore(initial: StoredSchedule[] = []) {
  const state = { stored: initial, reads: 0, fail: false };
  return {
    state,
    listStored: async () => {
      state.reads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (state.fail) throw new Error('table down');
      return state.stored;
    },
  };
}

describe('the cached calendar source', () => {
  it('reads the stored schedules once per period; concurrent callers share one read', async () => {
    const store = fakeStore();
    let now = 0;
    const source = cachedCalendarSource({ listStored: store.listStored, ttlMs: 300_000, now: () => now });
    const [a, b] = await Promise.all([source.current(), source.current()]);
    expect(a).toBe(b);
    expect(store.state.reads).toBe(1);
    expect(a.hasSchedule(2027)).toBe(false);

    store.state.stored = [loaded()];
    now = 299_999;
    expect((await source.current()).hasSchedule(2027)).toBe(false);
    now = 300_000;
    expect((await source.current()).hasSchedule(2027)).toBe(true);
    expect(store.state.reads).toBe(2);
  });

  it('takes a load made in this process at once, even before the index shows it', async () => {
    const store = fakeStore();
    const source = cachedCalendarSource({ listStored: store.listStored, ttlMs: 300_000 });
    expect((await source.current()).hasSchedule(2027)).toBe(false);
    const calendar = await source.refreshWith([loaded()]);
    expect(calendar.isWorkingDay('2027-01-01')).toEqual({ working: false, provisional: false });
    expect(await source.current()).toBe(calendar);
  });

  it('lets the newest load of a year win and skips a stored schedule that does not validate', async () => {
    const older = loaded({ loadedAt: '2026-11-01T00:00:00.000Z', holidays: [] });
    const broken = loaded({ year: 2028, loadedAt: '2026-12-02T00:00:00.000Z', holidays: ['2028-01-01'] });
    const store = fakeStore([loaded(), older, broken]);
    const calendar = await cachedCalendarSource({ listStored: store.listStored, ttlMs: 0 }).current();
    expect(calendar.isWorkingDay('2027-01-01').working).toBe(false);
    expect(calendar.hasSchedule(2028)).toBe(false);
  });

  it('keeps answering with the last calendar read when the table cannot be read; fails without one', async () => {
    const store = fakeStore([loaded()]);
    let now = 0;
    const source = cachedCalendarSource({ listStored: store.listStored, ttlMs: 1000, now: () => now });
    const first = await source.current();
    store.state.fail = true;
    now = 5000;
    expect(await source.current()).toBe(first);
    source.invalidate();
    await expect(source.current()).rejects.toThrow('table down');
  });

  it('does not let a read started before a load overwrite the loaded calendar', async () => {
    const store = fakeStore();
    const source = cachedCalendarSource({ listStored: store.listStored, ttlMs: 300_000 });
    const stale = source.current();
    const fresh = await source.refreshWith([loaded()]);
    expect((await stale).hasSchedule(2027)).toBe(false);
    expect(await source.current()).toBe(fresh);
  });
});
