/**
 * The project's own holiday schedules (YearScheduleInput, see ../schedules.ts), for years `chinese-days`
 * does not cover yet, in the form of the notice: days off as published ranges (`{ "name": "春节", "from":
 * "2027-02-05", "to": "2027-02-11" }`, weekends included) or dates, and the weekend days worked. When the
 * State Council publishes a year, add `<year>.json` here and import it:
 *   import y2027 from './2027.json';
 *   export const projectScheduleData: unknown[] = [y2027];
 * Until then such a year counts weekends only and every date in it is provisional.
 */
export const projectScheduleData: unknown[] = [];
