import {
  publishedSchedules,
  type YearScheduleData,
  type YearScheduleInput,
} from '../../functions/domain/calendar/schedules';
import { type WorkingDayCalendar, workingDayCalendar } from '../../functions/domain/calendar/working-days';
import type { CaseRecord } from '../../functions/domain/cases/model';
import type { ProcessingClock } from '../../functions/domain/cases/processing-clock';
import { chainEvent, genesisHash, type TrailEvent } from '../../functions/domain/cases/trail';
import notice2026 from '../fixtures/schedule-2026-notice.json';
import sample2027 from '../fixtures/schedule-2027-sample.json';

/**
 * A sample 2027 holiday schedule (illustrative, NOT published by the State Council) and open cases with a
 * processing clock, for the tests of loading schedules and recomputing deadlines.
 */
export const sampleSchedule2027: YearScheduleData = sample2027;

/**
 * The 2026 schedule in the form of the State Council notice (国务院办公厅关于2026年部分节假日安排的通知):
 * each holiday as its published range, weekends included ("春节:2月15日至23日放假调休,共9天"), and the
 * weekend days worked ("2月14日(周六)、2月28日(周六)上班"). The same days as `chinese-days` has for 2026.
 */
export const noticeSchedule2026: YearScheduleInput = notice2026;

/** Without 2027 (weekends only, provisional) and with the sample loaded. */
export const calendarWithout2027: WorkingDayCalendar = workingDayCalendar(publishedSchedules());
export const calendarWith2027: WorkingDayCalendar = workingDayCalendar(publishedSchedules([sample2027]));

/** The pinned-version details of the fixtures' cases (no materials, no review points). */
export const fixtureMatterDetails = async () => ({ reviewPoints: [], materials: [] });

export function openCase(
  caseId: string,
  clock: ProcessingClock | undefined,
  at = '2026-12-18T02:00:00.000Z',
): { record: CaseRecord; event: TrailEvent } {
  const event = chainEvent(
    {
      seq: 1,
      at,
      actor: { userId: 'clerk-1', role: 'clerk', windowId: 'window-1' },
      channel: 'counter',
      action: 'accept',
      changes: [{ field: 'status', new: 'accepted' }],
    },
    genesisHash,
  );
  const record: CaseRecord = {
    caseId,
    status: 'accepted',
    version: 1,
    channel: 'counter',
    matter: {
      code: 'JY-0001',
      version: 1,
      name: '示例事项',
      departmentId: 'water',
      windowId: 'window-1',
      staffingMode: 'entrusted',
      caseType: 'promised',
      promisedDays: clock?.promisedDays ?? 20,
      statutoryDays: clock?.statutoryDays ?? 60,
      reviewPoints: [],
      materials: [],
    },
    applicant: { kind: 'person', name: '张小明', idNumber: '11010519491231002X', phone: '13812345678' },
    createdBy: { userId: 'clerk-1', role: 'clerk' },
    createdAt: at,
    supplementRounds: 0,
    materials: {},
    notices: [],
    phase: 'awaiting-review',
    ...(clock ? { clock } : {}),
    trailHead: { seq: event.seq, hash: event.hash },
  };
  return { record, event };
}
