import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCaseStore } from '../../functions/cases/case-store';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import type { Principal } from '../../functions/domain/principal';
import { plannedQualificationAlerts } from '../../functions/domain/staff/qualification-alerts';
import type { Qualification } from '../../functions/domain/staff/staff';
import { checkQualificationAlerts, dynamoStaffAlertStore } from '../../functions/staff/qualification-alerts';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { staffUseCases } from '../../functions/staff/use-cases';
import { createTestTables, testDocumentClient } from '../support/aws';
import { fixtureMatterDetails } from '../support/calendar-fixtures';

/**
 * The daily check of the clerks' qualifications on DynamoDB Local: yellow from 30 days before one ends, red
 * once it has ended, both in the window's, the department's and the centre's alert lists; resolved by a
 * renewal. The check runs at 16:30 UTC, already the next day in Shanghai.
 */
const admin: Principal = { userId: 'admin-1', roles: ['admin'] };
let nowMs = 0;
let tables: Awaited<ReturnType<typeof createTestTables>>;
let staff: ReturnType<typeof staffUseCases>;
let check: () => ReturnType<typeof checkQualificationAlerts>;
let cases: ReturnType<typeof dynamoCaseStore>;

beforeAll(async () => {
  const documents = testDocumentClient();
  tables = await createTestTables();
  const catalogue = dynamoCatalogueStore(documents, tables.catalogue);
  const staffStore = dynamoStaffStore(documents, tables.catalogue);
  await loadSeedCatalogue(catalogue, taoshanSeed, '2026-01-10T00:00:00Z', staffStore);
  nowMs = Date.parse('2026-01-10T00:00:00Z');
  staff = staffUseCases({ staff: staffStore, catalogue, now: () => nowMs });
  const alerts = dynamoStaffAlertStore(documents, tables.cases);
  check = () => checkQualificationAlerts({ staff: staffStore, alerts, now: () => nowMs });
  cases = dynamoCaseStore(documents, { cases: tables.cases, idempotency: '' }, fixtureMatterDetails);
  await staff.putProfile(
    admin,
    'clerk-q',
    { name: '周丽', role: 'clerk', windowId: 'window-2', active: true },
    0,
  );
  await staff.recordQualification(admin, 'clerk-q', 'water', {
    assessedOn: '2026-01-09',
    assessor: '水务局考核组',
    result: 'passed',
    validUntil: '2026-06-30',
  });
});

const listed = async (scope: Parameters<typeof cases.listAlerts>[0], level: 'yellow' | 'red') =>
  (await cases.listAlerts(scope, level, 100)).items.filter((a) => a.userId === 'clerk-q');

describe('qualification alerts', () => {
  it('raise nothing while a qualification has more than 30 days to run', async () => {
    nowMs = Date.parse('2026-05-30T15:59:00Z'); // 2026-05-30 23:59 in Shanghai: 31 days left
    expect(await check()).toMatchObject({ raised: 0, resolved: 0 });
    expect(await listed({ kind: 'centre' }, 'yellow')).toEqual([]);
  });

  it('raise a yellow alert 30 days before the end (16:00 UTC is already the next day) in every list, once', async () => {
    nowMs = Date.parse('2026-05-30T16:30:00Z'); // 2026-05-31 00:30 in Shanghai
    expect((await check()).raised).toBe(1);
    const expected = {
      kind: 'qualification-expiring',
      level: 'yellow',
      audience: 'chief',
      userId: 'clerk-q',
      windowId: 'window-2',
      departmentId: 'water',
      dueDate: '2026-06-30',
      status: 'active',
    };
    expect(await listed({ kind: 'centre' }, 'yellow')).toMatchObject([expected]);
    expect(await listed({ kind: 'window', windowId: 'window-2' }, 'yellow')).toMatchObject([expected]);
    expect(await listed({ kind: 'department', departmentId: 'water' }, 'yellow')).toMatchObject([expected]);
    expect((await listed({ kind: 'centre' }, 'yellow'))[0]?.detail).toContain('周丽');
    expect(await check()).toMatchObject({ raised: 0, resolved: 0 });
  });

  it('turn red when it has ended, and are resolved by a renewal', async () => {
    nowMs = Date.parse('2026-06-30T16:00:00Z'); // 2026-07-01 in Shanghai: ended yesterday
    expect(await check()).toMatchObject({ raised: 1, resolved: 1 });
    expect(await listed({ kind: 'centre' }, 'yellow')).toEqual([]);
    expect(await listed({ kind: 'department', departmentId: 'water' }, 'red')).toMatchObject([
      { kind: 'qualification-expired', dueDate: '2026-06-30' },
    ]);
    await staff.recordQualification(admin, 'clerk-q', 'water', {
      assessedOn: '2026-07-01',
      assessor: '水务局考核组',
      result: 'passed',
      validUntil: '2027-06-30',
    });
    expect(await check()).toMatchObject({ raised: 0, resolved: 1 });
    expect(await listed({ kind: 'centre' }, 'red')).toEqual([]);
  });
});

describe('plannedQualificationAlerts', () => {
  const q = (over: Partial<Qualification>): Qualification => ({
    departmentId: 'water',
    assessedOn: '2026-01-01',
    assessor: 'x',
    result: 'passed',
    validUntil: '2026-06-30',
    recordedAt: '2026-01-01T00:00:00Z',
    recordedBy: 'admin-1',
    ...over,
  });
  const clerk = { role: 'clerk' as const, windowId: 'window-2', active: true };

  it('plan nothing for a revoked or failed qualification, a clerk who left, or department staff', () => {
    const today = '2026-06-20';
    expect(plannedQualificationAlerts(clerk, [q({})], today)).toHaveLength(1);
    expect(
      plannedQualificationAlerts(clerk, [q({ revoked: { at: 'x', by: 'y', reason: 'z' } })], today),
    ).toEqual([]);
    expect(plannedQualificationAlerts(clerk, [q({ result: 'failed' })], today)).toEqual([]);
    expect(plannedQualificationAlerts({ ...clerk, active: false }, [q({})], today)).toEqual([]);
    expect(plannedQualificationAlerts({ role: 'reviewer', active: true }, [q({})], today)).toEqual([]);
  });
});
