/**
 * The project's own holiday schedules (YearScheduleData, see ../schedules.ts), for years `chinese-days`
 * does not cover yet. When the State Council publishes a year, add `<year>.json` here and import it:
 *   import y2027 from './2027.json';
 *   export const projectScheduleData: unknown[] = [y2027];
 * Until then such a year counts weekends only and every date in it is provisional.
 */
export const projectScheduleData: unknown[] = [];
