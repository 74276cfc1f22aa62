/**
 * The calendar date (YYYY-MM-DD) of an instant in Asia/Shanghai, where every date of this service lives.
 * China has kept UTC+8 without daylight saving since 1992, so the date is plain arithmetic; an
 * `Intl.DateTimeFormat` with a time zone would load ICU's zone data, about 15 ms of every cold start.
 */
const shanghaiOffsetMs = 8 * 3_600_000;

export const shanghaiDate = (epochMs: number): string =>
  new Date(epochMs + shanghaiOffsetMs).toISOString().slice(0, 10);

/** The wall-clock time (HH:mm) of an instant in Asia/Shanghai. */
export const shanghaiTime = (epochMs: number): string =>
  new Date(epochMs + shanghaiOffsetMs).toISOString().slice(11, 16);
