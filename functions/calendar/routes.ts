import * as z from 'zod';
import { isCalendarDate } from '../domain/calendar/dates';
import { maxWorkingDays } from '../domain/calendar/working-days';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';

/** The working-day calendar (工作日) for the portal: when will N working days have passed? */
export const workingDayAnswer = z
  .object({
    date: z.iso.date(),
    provisional: z.boolean().meta({
      description: 'true when a year on the way has no published holiday schedule yet (weekends only)',
    }),
  })
  .meta({ id: 'WorkingDay' });

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
} as const satisfies Record<string, RouteSpec>;
