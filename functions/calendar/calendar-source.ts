import * as z from 'zod';
import { publishedSchedules, scheduleFromData } from '../domain/calendar/schedules';
import { type WorkingDayCalendar, workingDayCalendar } from '../domain/calendar/working-days';
import { parseOfficeHours } from '../domain/calendar/working-hours';
import { documentClient } from '../shared/clients/dynamodb';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { tableName } from '../shared/resources';
import { dynamoScheduleStore, type StoredSchedule } from './schedule-store';

/**
 * The working-day calendar as it stands: schedules loaded at run time (stored in the catalogue table,
 * the newest load winning) over the project's data files over `chinese-days`. Read once and kept for
 * SCHEDULE_CACHE_SECONDS in this process, so computing a deadline costs no table read; a load in this
 * process replaces it at once, other processes see it within that time. No HTTP here: the case and
 * workflow functions call `currentCalendar()` too (they need the catalogue table's name and read access).
 */
export const calendarEnv = parseEnv(
  z.object({
    SCHEDULE_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    // The centre's office periods, Asia/Shanghai (办公时间): `08:30-12:00,13:30-17:00`.
    OFFICE_HOURS: z
      .string()
      .default('08:30-12:00,13:30-17:00')
      .transform((text, context) => {
        try {
          return parseOfficeHours(text);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  }),
);

export interface CalendarSource {
  current(): Promise<WorkingDayCalendar>;
  /**
   * Right after `loaded` was stored in this process: the stored schedules with `loaded` over them (an
   * index read may not show them yet), cached from now on.
   */
  refreshWith(loaded: StoredSchedule[]): Promise<WorkingDayCalendar>;
  invalidate(): void;
}

/** The calendar of some stored schedules: the newest load of a year wins; a stored item that fails validation is skipped. */
export function calendarOf(stored: StoredSchedule[]): WorkingDayCalendar {
  const valid = [...stored]
    .sort((a, b) => a.loadedAt.localeCompare(b.loadedAt))
    .filter((schedule) => {
      try {
        scheduleFromData(schedule);
        return true;
      } catch (error) {
        logger.error('stored holiday schedule skipped', { year: schedule.year, error: error as Error });
        return false;
      }
    });
  return workingDayCalendar(publishedSchedules(valid));
}

export function cachedCalendarSource(deps: {
  listStored: () => Promise<StoredSchedule[]>;
  ttlMs: number;
  now?: () => number;
}): CalendarSource {
  const now = deps.now ?? Date.now;
  let cached: { calendar: WorkingDayCalendar; expiresAt: number } | undefined;
  let pending: Promise<WorkingDayCalendar> | undefined;
  // A read that started before a load or an invalidation must not overwrite what came after it.
  let generation = 0;

  const keep = (calendar: WorkingDayCalendar) => {
    cached = { calendar, expiresAt: now() + deps.ttlMs };
    return calendar;
  };

  const read = async (started: number, stale: WorkingDayCalendar | undefined) => {
    try {
      const calendar = calendarOf(await deps.listStored());
      if (started === generation) keep(calendar);
      return calendar;
    } catch (error) {
      // The schedules could not be read: the last calendar read is still the best answer there is.
      if (!stale) throw error;
      logger.warn('holiday schedules not refreshed; using the last ones read', { error: error as Error });
      return stale;
    }
  };

  /** One read at a time: concurrent callers share it. */
  const refresh = (): Promise<WorkingDayCalendar> => {
    if (pending) return pending;
    const load = read(generation, cached?.calendar);
    pending = load;
    const settle = () => {
      if (pending === load) pending = undefined;
    };
    load.then(settle, settle);
    return load;
  };

  return {
    async current() {
      if (cached && now() < cached.expiresAt) return cached.calendar;
      return refresh();
    },

    async refreshWith(loaded) {
      generation++;
      pending = undefined;
      cached = undefined;
      const years = new Set(loaded.map((s) => s.year));
      const others = (await deps.listStored()).filter((s) => !years.has(s.year));
      const calendar = calendarOf([...others, ...loaded]);
      generation++;
      return keep(calendar);
    },

    invalidate() {
      generation++;
      pending = undefined;
      cached = undefined;
    },
  };
}

let processSource: CalendarSource | undefined;

/** This process's calendar source over the catalogue table (created on first use). */
export function calendarSource(): CalendarSource {
  processSource ??= cachedCalendarSource({
    listStored: () => dynamoScheduleStore(documentClient, tableName('catalogue')).listSchedules(),
    ttlMs: calendarEnv.SCHEDULE_CACHE_SECONDS * 1000,
  });
  return processSource;
}

/** The working-day calendar under every schedule known now (cached, see above). */
export const currentCalendar = (): Promise<WorkingDayCalendar> => calendarSource().current();

/** Forgets this process's cached calendar: the next `currentCalendar()` reads the stored schedules again. */
export const invalidateCurrentCalendar = (): void => processSource?.invalidate();
