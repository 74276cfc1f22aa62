/**
 * Calendar dates as `YYYY-MM-DD` strings (Asia/Shanghai dates, no time of day). Arithmetic goes through
 * UTC midnight, where no daylight saving or zone offset can shift a day.
 */
const pattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const match = pattern.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

const toUtc = (date: string): number => Date.parse(`${date}T00:00:00Z`);

export const addDays = (date: string, days: number): string =>
  new Date(toUtc(date) + days * 86_400_000).toISOString().slice(0, 10);

/** 0 = Sunday … 6 = Saturday. */
export const dayOfWeek = (date: string): number => new Date(toUtc(date)).getUTCDay();

export const yearOf = (date: string): number => Number(date.slice(0, 4));
