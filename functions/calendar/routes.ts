import * as z from 'zod';
import { isCalendarDate } from '../domain/calendar/dates';
import {
  firstScheduleYear,
  lastScheduleYear,
  scheduleOrigins,
  yearScheduleInput,
} from '../domain/calendar/schedules';
import { maxWorkingDays } from '../domain/calendar/working-days';
import { maxWorkingHours } from '../domain/calendar/working-hours';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';

/**
 * The working-day calendar (工作日) for the portal — when will N working days have passed? — and the
 * holiday schedules (节假日安排) it follows, which the centre admin loads when the State Council publishes
 * a year (the open deadlines it changes are recomputed at once).
 */
export const workingDayAnswer = z
  .object({
    date: z.iso.date(),
    provisional: z.boolean().meta({
      description: 'true when a year on the way has no published holiday schedule yet (weekends only)',
    }),
  })
  .meta({ id: 'WorkingDay' });

export const workingHoursAnswer = z
  .object({
    from: z.iso.datetime().meta({ description: 'The instant counted from (UTC)' }),
    hours: z.number(),
    due: z.iso.datetime().meta({ description: 'The instant `hours` office hours later (UTC)' }),
    dueLocal: z.string().meta({
      description: 'The same instant as the centre reads it, Asia/Shanghai: `YYYY-MM-DD HH:mm`',
      example: '2026-12-07 12:00',
    }),
    provisional: z.boolean().meta({
      description: 'true when a day counted lies in a year with no published holiday schedule yet',
    }),
    officeHours: z
      .array(z.object({ start: z.string(), end: z.string() }))
      .meta({ description: 'The office periods of a working day (Asia/Shanghai) the answer counts' }),
  })
  .meta({ id: 'WorkingHours' });

export const scheduleBody = yearScheduleInput
  .extend({
    year: yearScheduleInput.shape.year
      .optional()
      .meta({ description: 'May be left out; when given it must be the year of the path' }),
  })
  .meta({
    id: 'YearSchedule',
    description:
      'One year of the State Council holiday schedule as the notice publishes it: `holidays` lists the days off, ' +
      'as ranges ("2月15日至23日放假调休") or dates, weekends included or not (a weekend day off is simply a day ' +
      'off); `makeupWorkdays` (调休上班) the weekend days worked. A day both off and worked is refused.',
    example: {
      source: '国务院办公厅关于2026年部分节假日安排的通知',
      publishedOn: '2025-11-04',
      holidays: [
        { name: '元旦', from: '2026-01-01', to: '2026-01-03' },
        { name: '春节', from: '2026-02-15', to: '2026-02-23' },
        { name: '清明节', from: '2026-04-04', to: '2026-04-06' },
        { name: '劳动节', from: '2026-05-01', to: '2026-05-05' },
        { name: '端午节', from: '2026-06-19', to: '2026-06-21' },
        { name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
        { name: '国庆节', from: '2026-10-01', to: '2026-10-07' },
      ],
      makeupWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    },
  });

export const scheduleLoaded = z
  .object({
    year: z.number().int(),
    recomputed: z
      .object({
        examined: z.number().int().meta({ description: 'Open cases read' }),
        changed: z.number().int().meta({ description: 'Cases whose due dates moved (one trail event each)' }),
        failed: z
          .number()
          .int()
          .meta({ description: 'Cases not recomputed; loading the same schedule retries them' }),
      })
      .meta({ description: 'The open deadlines recomputed under the loaded schedule' }),
  })
  .meta({ id: 'ScheduleLoaded' });

export const knownSchedule = z
  .object({
    year: z.number().int(),
    source: z.enum(scheduleOrigins).meta({
      description:
        '`chinese-days`: the package; `project-data`: a data file of this service; `loaded`: loaded by the centre admin',
    }),
    notice: z.string().optional().meta({ description: 'The publication, e.g. the State Council notice' }),
    publishedOn: z.iso.date().optional(),
    loadedAt: z.string().optional(),
    loadedBy: z.string().optional(),
  })
  .meta({ id: 'KnownSchedule' });

const yearParams = z.object({
  year: z.coerce.number().int().min(firstScheduleYear).max(lastScheduleYear).meta({ example: 2027 }),
});

export const calendarRoutes = {
  workingDays: {
    operationId: 'addWorkingDays',
    method: 'GET',
    path: '/calendar/working-days',
    access: 'public',
    summary:
      'The N-th working day after a date (State Council schedule with make-up workdays, Asia/Shanghai)',
    tags: ['calendar'],
    request: {
      query: z.object({
        from: z.string().refine(isCalendarDate, '应为有效日期 YYYY-MM-DD').meta({ example: '2026-09-30' }),
        days: z.coerce.number().int().min(1).max(maxWorkingDays).meta({ example: 1 }),
      }),
    },
    responses: { 200: { description: 'The working day', schema: workingDayAnswer }, ...errorResponses(400) },
  },
  workingHours: {
    operationId: 'addWorkingHours',
    method: 'GET',
    path: '/calendar/working-hours',
    access: 'public',
    summary:
      'The instant N office hours (办公时间) after an instant: working days only, office periods only (default 08:30–12:00 and 13:30–17:00, Asia/Shanghai)',
    tags: ['calendar'],
    request: {
      query: z.object({
        from: z.iso.datetime({ offset: true }).meta({
          description: 'An instant with its offset, e.g. `2026-12-04T16:30:00+08:00`',
          example: '2026-12-04T16:30:00+08:00',
        }),
        hours: z.coerce
          .number()
          .positive()
          .max(maxWorkingHours)
          .refine((hours) => Number.isInteger(hours * 60), '应为整分钟数(小时数乘以 60 为整数)')
          .meta({ example: 4 }),
      }),
    },
    responses: { 200: { description: 'The instant', schema: workingHoursAnswer }, ...errorResponses(400) },
  },
  listSchedules: {
    operationId: 'listHolidaySchedules',
    method: 'GET',
    path: '/calendar/schedules',
    access: 'public',
    summary:
      'The holiday schedule of every known year from 2004 on and where it comes from; later years are provisional',
    tags: ['calendar'],
    responses: {
      200: { description: 'Known years, oldest first', schema: z.object({ items: z.array(knownSchedule) }) },
    },
  },
  putSchedule: {
    operationId: 'loadHolidaySchedule',
    method: 'PUT',
    path: '/calendar/schedules/{year}',
    access: 'authenticated',
    summary:
      "Load a year's holiday schedule (centre admin); the open cases' deadlines it changes are recomputed and trailed",
    tags: ['calendar: administration'],
    request: { params: yearParams, body: scheduleBody },
    responses: {
      200: {
        description: 'Loaded (loading the same schedule again changes nothing)',
        schema: scheduleLoaded,
      },
      ...errorResponses(400, 401, 403),
    },
  },
} as const satisfies Record<string, RouteSpec>;
