import { publishedSchedules } from '../domain/calendar/schedules';
import { workingDayCalendar } from '../domain/calendar/working-days';
import { allRoutes } from '../registry';
import { createHttpHandler, route } from '../shared/http/handler';
import { json } from '../shared/http/response';
import { calendarRoutes } from './routes';

const calendar = workingDayCalendar(publishedSchedules());

export const handler = createHttpHandler(
  [
    route(calendarRoutes.workingDays, async ({ query }) =>
      json(200, calendar.addWorkingDays(query.from, query.days), { 'cache-control': 'public, max-age=3600' }),
    ),
  ],
  allRoutes,
);
