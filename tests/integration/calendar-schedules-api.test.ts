import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectSchedules } from '../../functions/calendar/load-project-schedules';
import { dynamoScheduleStore } from '../../functions/calendar/schedule-store';
import { type CaseStore, caseCreation, dynamoCaseStore } from '../../functions/cases/case-store';
import { addDays } from '../../functions/domain/calendar/dates';
import type { CaseRecord } from '../../functions/domain/cases/model';
import { startClock } from '../../functions/domain/cases/processing-clock';
import { verifyChain } from '../../functions/domain/cases/trail';
import { caseKey, openIndexKeys } from '../../functions/workflow/case-keys';
import { createTestTables, testDocumentClient } from '../support/aws';
import {
  calendarWith2027,
  calendarWithout2027,
  fixtureMatterDetails,
  noticeSchedule2026,
  openCase,
  sampleSchedule2027,
} from '../support/calendar-fixtures';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Loading a holiday schedule at run time, over HTTP through the real gateway and handler on DynamoDB
 * Local: the admin loads the (illustrative, unpublished) 2027 sample, the working days of 2027 stop being
 * provisional, and the open cases whose deadlines it moves are recomputed with a trail event each.
 * Also the data-file path the local stack runs at start (`loadProjectSchedules`).
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
const documents = testDocumentClient();
const fieldsOf = (body: Json): string[] => (body.error?.details?.fields ?? []).map((f: Json) => f.field);
const { year: _year, ...sampleBody } = sampleSchedule2027;

/** A case item as intake and acceptance leave it, in the sparse `open` index unless it is closed. */
async function putCase(
  cases: CaseStore,
  table: string,
  record: CaseRecord,
  event = openCase(record.caseId, record.clock).event,
) {
  await cases.write(caseCreation(record, event));
  if (record.phase !== 'closed') {
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: caseKey(record.caseId),
        UpdateExpression: 'SET openPk = :pk, openSk = :sk',
        ExpressionAttributeValues: {
          ':pk': openIndexKeys(record.caseId).openPk,
          ':sk': openIndexKeys(record.caseId).openSk,
        },
      }),
    );
  }
}

const acrossNewYear = () => startClock(calendarWithout2027, '2026-12-20', 20, 60);

describe('PUT /calendar/schedules/{year} and GET /calendar/schedules', () => {
  let api: TestApi;
  let cases: CaseStore;
  const tokens: Record<string, string> = {};
  const ids = { affected: 'C-across-new-year', within2026: 'C-within-2026', closed: 'C-closed' };

  beforeAll(async () => {
    const tables = await createTestTables();
    cases = dynamoCaseStore(documents, tables, fixtureMatterDetails);
    const open = openCase(ids.affected, acrossNewYear());
    await putCase(cases, tables.cases, open.record, open.event);
    await putCase(
      cases,
      tables.cases,
      openCase(ids.within2026, startClock(calendarWithout2027, '2026-03-02', 5, 10)).record,
    );
    await putCase(cases, tables.cases, { ...openCase(ids.closed, acrossNewYear()).record, phase: 'closed' });
    api = await startTestApi(['calendar'], { CATALOGUE_TABLE: tables.catalogue, CASES_TABLE: tables.cases });
    tokens.admin = await api.token('admin');
    tokens.clerk = await api.token('clerk', { windowId: 'window-1' });
  });
  afterAll(async () => api?.stop());

  it('knows 2004 to 2026 from chinese-days and nothing of 2027 before a load', async () => {
    const list = await api.call('GET', '/calendar/schedules');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(23);
    expect(list.body.items.every((item: Json) => item.source === 'chinese-days')).toBe(true);
    expect(list.body.items.at(-1)).toEqual({ year: 2026, source: 'chinese-days' });
    const answer = await api.call('GET', '/calendar/working-days?from=2026-12-20&days=20');
    expect(answer.body).toEqual({ date: acrossNewYear().promisedDueDate, provisional: true });
  });

  it('lets only the centre admin load a schedule (401 without a token, 403 for others)', async () => {
    expect((await api.call('PUT', '/calendar/schedules/2027', { body: sampleBody })).status).toBe(401);
    const clerk = await api.call('PUT', '/calendar/schedules/2027', {
      body: sampleBody,
      token: tokens.clerk,
    });
    expect(clerk.status).toBe(403);
    expect(clerk.body.error.code).toBe('FORBIDDEN');
  });

  it('answers 400 naming every offending field, and stores nothing', async () => {
    const put = (path: string, body: unknown) => api.call('PUT', path, { body, token: tokens.admin });
    const cases: [string, unknown, string[]][] = [
      ['/calendar/schedules/2027', { ...sampleBody, year: 2028 }, ['body.year']],
      [
        '/calendar/schedules/2027',
        {
          ...sampleBody,
          // 2027-01-02 is a Saturday: a weekend day off is accepted (the notice's ranges include them).
          holidays: ['2027-01-01', '2027-01-02', '2028-01-03'],
          makeupWorkdays: ['2027-10-08', '2027-01-02'],
        },
        ['body.holidays.2', 'body.makeupWorkdays.0', 'body.makeupWorkdays.1'],
      ],
      [
        '/calendar/schedules/2027',
        { ...sampleBody, holidays: [{ name: '春节', from: '2027-02-11', to: '2027-02-05' }] },
        ['body.holidays.0.to'],
      ],
      [
        '/calendar/schedules/2027',
        { ...sampleBody, holidays: ['2027-02-30'], source: '' },
        ['body.source', 'body.holidays.0'],
      ],
      ['/calendar/schedules/2027', { holidays: [], makeupWorkdays: [] }, ['body.source', 'body.publishedOn']],
      ['/calendar/schedules/twenty', sampleBody, ['params.year']],
      ['/calendar/schedules/1999', sampleBody, ['params.year']],
    ];
    for (const [path, body, fields] of cases) {
      const response = await put(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(response.body).sort(), JSON.stringify(body)).toEqual([...fields].sort());
      expect(typeof response.body.error.details.fields[0].message).toBe('string');
    }
    expect((await api.call('GET', '/calendar/schedules')).body.items.at(-1).year).toBe(2026);
  });

  it('loads 2027: the year stops being provisional and the open deadlines it moves are recomputed and trailed', async () => {
    const before = (await cases.getCase(ids.affected)) as CaseRecord;
    const loaded = await api.call('PUT', '/calendar/schedules/2027', {
      body: sampleBody,
      token: tokens.admin,
    });
    expect(loaded).toEqual({
      status: 200,
      body: { year: 2027, recomputed: { examined: 2, changed: 1, failed: 0 } },
    });

    const answer = await api.call('GET', '/calendar/working-days?from=2026-12-20&days=20');
    expect(answer.body).toEqual({
      date: calendarWith2027.addWorkingDays('2026-12-20', 20).date,
      provisional: false,
    });
    expect(answer.body.date).not.toBe(before.clock?.promisedDueDate);

    const after = (await cases.getCase(ids.affected)) as CaseRecord;
    expect(after.clock).toEqual(startClock(calendarWith2027, '2026-12-20', 20, 60));
    // A write by the system: the version people edit against does not move, the trail does.
    expect(after.version).toBe(before.version);
    const trail = await cases.trail(ids.affected);
    expect(trail).toHaveLength(2);
    const event = trail[1];
    expect(event).toMatchObject({
      seq: 2,
      action: 'recompute-deadlines',
      actor: { userId: 'test-admin', role: 'admin' },
      channel: 'centre',
    });
    expect(event?.changes).toEqual(
      expect.arrayContaining([
        {
          field: 'clock.promisedDueDate',
          old: before.clock?.promisedDueDate,
          new: after.clock?.promisedDueDate,
        },
        {
          field: 'clock.statutoryDueDate',
          old: before.clock?.statutoryDueDate,
          new: after.clock?.statutoryDueDate,
        },
        { field: 'clock.provisional', old: true, new: false },
      ]),
    );
    expect(verifyChain(trail)).toEqual({ valid: true, events: 2, head: after.trailHead.hash });

    // A case its dates do not reach, and a closed one, are left as they were.
    expect((await cases.getCase(ids.within2026))?.version).toBe(1);
    expect((await cases.getCase(ids.closed))?.clock?.provisional).toBe(true);

    const list = await api.call('GET', '/calendar/schedules');
    expect(list.body.items).toHaveLength(24);
    expect(list.body.items.at(-1)).toMatchObject({
      year: 2027,
      source: 'loaded',
      notice: sampleSchedule2027.source,
      publishedOn: '2026-11-20',
      loadedBy: 'test-admin',
    });
  });

  it('changes nothing when the same schedule is loaded again (dates in another order, year given)', async () => {
    const loadedAt = (await api.call('GET', '/calendar/schedules')).body.items.at(-1).loadedAt;
    const again = await api.call('PUT', '/calendar/schedules/2027', {
      body: { ...sampleSchedule2027, holidays: [...sampleSchedule2027.holidays].reverse() },
      token: tokens.admin,
    });
    expect(again).toEqual({
      status: 200,
      body: { year: 2027, recomputed: { examined: 2, changed: 0, failed: 0 } },
    });
    expect(await cases.trail(ids.affected)).toHaveLength(2);
    expect((await api.call('GET', '/calendar/schedules')).body.items.at(-1).loadedAt).toBe(loadedAt);
  });

  it('recomputes again when a corrected schedule replaces it', async () => {
    const corrected = { ...sampleBody, holidays: sampleBody.holidays.filter((d) => d !== '2027-01-01') };
    const response = await api.call('PUT', '/calendar/schedules/2027', {
      body: corrected,
      token: tokens.admin,
    });
    expect(response.body.recomputed).toEqual({ examined: 2, changed: 1, failed: 0 });
    const after = (await cases.getCase(ids.affected)) as CaseRecord;
    expect(after.clock?.promisedDueDate).toBe(calendarWithout2027.addWorkingDays('2026-12-20', 20).date);
    expect(after.clock?.provisional).toBe(false);
    const trail = await cases.trail(ids.affected);
    expect(trail.map((e) => e.action)).toEqual(['accept', 'recompute-deadlines', 'recompute-deadlines']);
    expect(verifyChain(trail).valid).toBe(true);
  });

  it('loads a schedule as the State Council notice publishes it (2026): ranges with their weekends', async () => {
    const { year: _, ...notice } = noticeSchedule2026;
    const put = (body: unknown) => api.call('PUT', '/calendar/schedules/2026', { body, token: tokens.admin });

    // A day both off and worked is a contradiction: 400 naming the field, nothing stored.
    const contradictory = await put({ ...notice, makeupWorkdays: [...notice.makeupWorkdays, '2026-02-15'] });
    expect(contradictory.status).toBe(400);
    expect(fieldsOf(contradictory.body)).toEqual(['body.makeupWorkdays.6']);
    expect(contradictory.body.error.details.fields[0].message).toContain('2026-02-15');
    expect((await api.call('GET', '/calendar/schedules')).body.items.at(-2)).toEqual({
      year: 2026,
      source: 'chinese-days',
    });

    // The ranges copied out as dates, weekends included (02-15, 02-21, 02-22 of 春节): accepted.
    const asDates = notice.holidays.flatMap((entry) => {
      if (typeof entry === 'string') return [entry];
      const dates: string[] = [];
      for (let d = entry.from; d <= entry.to; d = addDays(d, 1)) dates.push(d);
      return dates;
    });
    const loaded = await put({ ...notice, holidays: asDates });
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    // The same days as the schedule it replaces: no open deadline moves.
    expect(loaded.body).toEqual({ year: 2026, recomputed: { examined: 2, changed: 0, failed: 0 } });
    const listed = (await api.call('GET', '/calendar/schedules')).body.items.at(-2);
    expect(listed).toMatchObject({ year: 2026, source: 'loaded', notice: notice.source });

    // The ranges themselves are the same schedule: nothing new is stored.
    const again = await put(notice);
    expect(again.status).toBe(200);
    expect((await api.call('GET', '/calendar/schedules')).body.items.at(-2).loadedAt).toBe(listed.loadedAt);

    // 春节 2月15日至23日 off; 2月14日(周六) and 2月28日(周六) worked.
    const next = await api.call('GET', '/calendar/working-days?from=2026-02-13&days=2');
    expect(next.body).toEqual({ date: '2026-02-24', provisional: false });
    const saturday = await api.call('GET', '/calendar/working-days?from=2026-02-27&days=1');
    expect(saturday.body).toEqual({ date: '2026-02-28', provisional: false });
  });
});

describe('loadProjectSchedules (the data files, at the start of the local stack)', () => {
  let tables: Awaited<ReturnType<typeof createTestTables>>;
  let cases: CaseStore;
  const now = () => Date.parse('2026-12-21T00:00:00Z');
  const ids = Array.from({ length: 40 }, (_, i) => `C-file-${i}`);

  beforeAll(async () => {
    tables = await createTestTables();
    cases = dynamoCaseStore(documents, tables, fixtureMatterDetails);
    await Promise.all(ids.map((id) => putCase(cases, tables.cases, openCase(id, acrossNewYear()).record)));
  });

  it('stores a year not stored yet after recomputing the open deadlines, then does nothing the next time', async () => {
    const first = await loadProjectSchedules({ client: documents, tables, now, data: [sampleSchedule2027] });
    expect(first).toEqual({
      stored: [2027],
      keptLoaded: [],
      recomputed: { examined: 40, changed: 40, failed: 0 },
    });
    const trail = await cases.trail('C-file-7');
    expect(trail.at(-1)).toMatchObject({
      action: 'recompute-deadlines',
      actor: { userId: 'project-data', role: 'system' },
    });
    expect(verifyChain(trail).valid).toBe(true);
    expect(await dynamoScheduleStore(documents, tables.catalogue).getSchedule(2027)).toMatchObject({
      loadedBy: 'project-data',
      loadedAt: '2026-12-21T00:00:00.000Z',
    });

    expect(
      await loadProjectSchedules({ client: documents, tables, now, data: [sampleSchedule2027] }),
    ).toEqual({
      stored: [],
      keptLoaded: [],
    });
  });

  it('applies a changed data file, but keeps a schedule the admin loaded', async () => {
    const corrected = { ...sampleSchedule2027, holidays: sampleSchedule2027.holidays.slice(1) };
    const changed = await loadProjectSchedules({ client: documents, tables, now, data: [corrected] });
    expect(changed).toEqual({
      stored: [2027],
      keptLoaded: [],
      recomputed: { examined: 40, changed: 40, failed: 0 },
    });

    await dynamoScheduleStore(documents, tables.catalogue).putSchedule({
      ...sampleSchedule2027,
      loadedAt: '2026-12-22T00:00:00.000Z',
      loadedBy: 'admin-1',
    });
    expect(await loadProjectSchedules({ client: documents, tables, now, data: [corrected] })).toEqual({
      stored: [],
      keptLoaded: [2027],
    });
  });
});
