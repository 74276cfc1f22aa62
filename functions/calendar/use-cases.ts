import {
  knownSchedules,
  normaliseScheduleData,
  sameSchedule,
  scheduleIssues,
  type YearScheduleInput,
} from '../domain/calendar/schedules';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { type OfficeHours, workingHoursClock } from '../domain/calendar/working-hours';
import { shanghaiDate, shanghaiTime } from '../domain/calendar-date';
import type { TrailActor } from '../domain/cases/trail';
import { hasRole, type Principal } from '../domain/principal';
import { type FieldIssue, ForbiddenError, ValidationError } from '../shared/errors';
import type { CalendarSource } from './calendar-source';
import type { RecomputeSummary } from './recompute-open-deadlines';
import type { ScheduleStore, StoredSchedule } from './schedule-store';

/**
 * The calendar's use cases: working days for the portal, the list of known schedules, and the centre
 * admin loading a year's schedule. A load is stored first (so every process sees it as soon as its cache
 * expires), then the open deadlines are recomputed; loading the same schedule again keeps the stored one
 * and recomputes again, which retries any case that failed the first time.
 */
export interface CalendarDeps {
  schedules: Pick<ScheduleStore, 'getSchedule' | 'listSchedules' | 'putSchedule'>;
  source: CalendarSource;
  recompute: (calendar: WorkingDayCalendar, actor: TrailActor) => Promise<RecomputeSummary>;
  now: () => number;
  /** The centre's office periods (OFFICE_HOURS). */
  officeHours: OfficeHours;
}

/** The notice's form: days off as dates or ranges (weekends included), and the make-up workdays. */
export type ScheduleInput = Omit<YearScheduleInput, 'year'> & { year?: number | undefined };

export function calendarUseCases({ schedules, source, recompute, now, officeHours }: CalendarDeps) {
  return {
    async workingDays(from: string, days: number) {
      return (await source.current()).addWorkingDays(from, days);
    },

    async workingHours(from: string, hours: number) {
      const fromMs = Date.parse(from);
      const answer = workingHoursClock(await source.current(), officeHours).addWorkingHours(fromMs, hours);
      const due = new Date(answer.at).toISOString();
      return {
        from: new Date(fromMs).toISOString(),
        hours,
        due,
        dueLocal: `${shanghaiDate(answer.at)} ${shanghaiTime(answer.at)}`,
        provisional: answer.provisional,
        officeHours: [...officeHours],
      };
    },

    async listSchedules() {
      return { items: knownSchedules(await schedules.listSchedules()) };
    },

    async loadSchedule(principal: Principal, year: number, input: ScheduleInput) {
      if (!hasRole(principal, 'admin')) throw new ForbiddenError('只有中心管理员可以载入节假日安排');
      const issues: FieldIssue[] = [];
      if (input.year !== undefined && input.year !== year) {
        issues.push({ field: 'body.year', message: `应与地址中的年份 ${year} 一致,或省略` });
      }
      for (const issue of scheduleIssues(year, input)) {
        issues.push({ field: `body.${issue.path.join('.')}`, message: issue.message });
      }
      if (issues.length > 0) throw new ValidationError('节假日安排有误,请按提示修改后重试', issues);

      const data = normaliseScheduleData({ ...input, year });
      const existing = await schedules.getSchedule(year);
      let stored: StoredSchedule;
      if (existing && sameSchedule(existing, data)) stored = existing;
      else {
        stored = { ...data, loadedAt: new Date(now()).toISOString(), loadedBy: principal.userId };
        await schedules.putSchedule(stored);
      }
      const calendar = await source.refreshWith([stored]);
      const recomputed = await recompute(calendar, { userId: principal.userId, role: 'admin' });
      return { year, recomputed };
    },
  };
}
