import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTables } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * GET /calendar/working-days over HTTP through the local gateway and the real handler, with no schedule
 * loaded (loading schedules: calendar-schedules-api.test.ts).
 */
let api: TestApi;
beforeAll(async () => {
  const tables = await createTestTables();
  api = await startTestApi(['calendar'], { CATALOGUE_TABLE: tables.catalogue, CASES_TABLE: tables.cases });
});
afterAll(async () => api?.stop());

describe('GET /calendar/working-days', () => {
  it('answers the N-th working day after a date', async () => {
    const response = await api.call('GET', '/calendar/working-days?from=2026-09-30&days=1');
    expect(response).toEqual({ status: 200, body: { date: '2026-10-08', provisional: false } });
  });

  it('says when the answer rests on a year with no published schedule', async () => {
    const response = await api.call('GET', '/calendar/working-days?from=2026-12-20&days=30');
    expect(response.body.provisional).toBe(true);
  });

  it('answers 400 naming the field for a bad date or a count outside 1..365', async () => {
    for (const [query, field] of [
      ['from=2026-02-30&days=3', 'query.from'],
      ['from=2026-09-30&days=0', 'query.days'],
      ['from=2026-09-30&days=366', 'query.days'],
      ['from=2026-09-30&days=two', 'query.days'],
      ['days=3', 'query.from'],
    ] as const) {
      const response = await api.call('GET', `/calendar/working-days?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
  });
});

describe('GET /calendar/working-hours', () => {
  it('answers the instant N office hours later, across the lunch break and a weekend', async () => {
    const response = await api.call(
      'GET',
      '/calendar/working-hours?from=2026-12-04T16:30:00%2B08:00&hours=4.5',
    );
    expect(response).toEqual({
      status: 200,
      body: {
        from: '2026-12-04T08:30:00.000Z',
        hours: 4.5,
        due: '2026-12-07T06:00:00.000Z',
        dueLocal: '2026-12-07 14:00',
        provisional: false,
        officeHours: [
          { start: '08:30', end: '12:00' },
          { start: '13:30', end: '17:00' },
        ],
      },
    });
  });

  it('counts a make-up Saturday and prints a UTC evening as the next Shanghai day', async () => {
    // 2026-10-09 08:30 UTC is 16:30 in Shanghai on Friday; Saturday 10-10 is worked (调休).
    const response = await api.call('GET', '/calendar/working-hours?from=2026-10-09T08:30:00Z&hours=1');
    expect(response.body).toMatchObject({ due: '2026-10-10T01:00:00.000Z', dueLocal: '2026-10-10 09:00' });
  });

  it('answers 400 naming the field for an instant without offset, or hours it cannot count', async () => {
    for (const [query, field] of [
      ['from=2026-12-04T16:30:00&hours=4', 'query.from'],
      ['from=2026-12-04&hours=4', 'query.from'],
      ['from=2026-12-04T16:30:00Z&hours=0', 'query.hours'],
      ['from=2026-12-04T16:30:00Z&hours=2001', 'query.hours'],
      ['from=2026-12-04T16:30:00Z&hours=0.001', 'query.hours'],
      ['from=2026-12-04T16:30:00Z&hours=4&days=2', 'query.days'],
    ] as const) {
      const response = await api.call('GET', `/calendar/working-hours?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
  });
});
