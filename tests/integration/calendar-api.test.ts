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
