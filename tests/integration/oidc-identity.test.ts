import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { staffUseCases } from '../../functions/staff/use-cases';
import { openLocalIssuer } from '../../infra/local/issuer';
import { createTestBuckets, createTestTables, testDocumentClient } from '../support/aws';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * The API behind an identity provider that is not Cognito (the province's unified identity, 统一身份认证):
 * its key set found through its discovery document, ES256 tokens, roles and scope from our staff records by
 * the token's subject — a token that claims a role our records do not give gets applicant rights only —
 * and the person's facts read from the claims the configuration names.
 */
let provider: TestOidcProvider;
let api: TestApi;

beforeAll(async () => {
  provider = await startOidcProvider();
  const documents = testDocumentClient();
  const [tables, buckets] = await Promise.all([createTestTables(), createTestBuckets()]);
  const catalogue = dynamoCatalogueStore(documents, tables.catalogue);
  const staffStore = dynamoStaffStore(documents, tables.catalogue);
  await loadSeedCatalogue(catalogue, taoshanSeed, '2026-01-10T00:00:00Z', staffStore);
  const staff = staffUseCases({ staff: staffStore, catalogue, now: Date.now });
  const bootstrap = { userId: 'setup', roles: ['admin' as const] };
  await staff.putProfile(bootstrap, 'hlj-admin-1', { name: '孙敏', role: 'admin', active: true }, 0);
  await staff.putProfile(
    bootstrap,
    'hlj-clerk-7',
    { name: '吴芳', role: 'clerk', windowId: 'window-2', active: true },
    0,
  );
  await staff.putProfile(
    bootstrap,
    'hlj-reviewer-3',
    { name: '钱亮', role: 'reviewer', departmentId: 'water', active: true },
    0,
  );
  await staff.putProfile(
    bootstrap,
    'hlj-clerk-left',
    { name: '郑伟', role: 'clerk', windowId: 'window-1', active: false },
    0,
  );
  api = await startTestApi(
    ['platform', 'catalogue'],
    {
      CATALOGUE_TABLE: tables.catalogue,
      CATALOGUE_BUCKET: buckets.catalogue,
      // What the platform function's health probes name (never called here).
      CASES_TABLE: tables.cases,
      IDEMPOTENCY_TABLE: tables.idempotency,
      MATERIALS_BUCKET: buckets.materials,
      RESULTS_BUCKET: buckets.results,
      CASE_LIFECYCLE_STATE_MACHINE_ARN:
        'arn:aws-cn:states:cn-north-1:000000000000:stateMachine:onewindow-test',
    },
    {
      JWT_ISSUER: provider.issuer,
      JWT_AUDIENCE: provider.audience,
      JWT_ALGORITHMS: 'ES256',
      IDENTITY_ROLES: 'staff-records',
      IDENTITY_PERSON_CLAIMS: JSON.stringify({
        name: 'name',
        idNumber: 'id_card_no',
        realNameLevel: 'auth_level',
      }),
    },
  );
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await provider?.stop();
});

const me = async (token: string) => api.call('GET', '/me', { token });

describe('an OIDC provider other than Cognito, with roles from the staff records', () => {
  it('takes a staff member’s role and scope from the record, whatever groups the token claims', async () => {
    const clerk = await provider.sign({
      sub: 'hlj-clerk-7',
      'cognito:groups': ['admin'],
      'custom:windowId': 'window-9',
    });
    expect(await me(clerk)).toMatchObject({
      status: 200,
      body: { userId: 'hlj-clerk-7', roles: ['clerk'], windowId: 'window-2' },
    });
    const reviewer = await provider.sign({ sub: 'hlj-reviewer-3' });
    expect((await me(reviewer)).body).toMatchObject({ roles: ['reviewer'], departmentId: 'water' });
    const admin = await provider.sign({ sub: 'hlj-admin-1' });
    expect((await api.call('GET', '/staff', { token: admin })).status).toBe(200);
  });

  it('gives anyone without an active staff record applicant rights only, even with forged role claims', async () => {
    const forged = await provider.sign({
      sub: 'citizen-42',
      'cognito:groups': ['admin', 'chief'],
      'custom:departmentId': 'water',
    });
    const forgedMe = await me(forged);
    expect(forgedMe.body).toMatchObject({ userId: 'citizen-42', roles: ['applicant'] });
    expect(forgedMe.body.departmentId).toBeUndefined();
    expect((await api.call('GET', '/staff', { token: forged })).status).toBe(403);
    const leaver = await provider.sign({ sub: 'hlj-clerk-left', 'cognito:groups': ['clerk'] });
    expect((await me(leaver)).body).toMatchObject({ roles: ['applicant'] });
    expect((await me(leaver)).body.windowId).toBeUndefined();
  });

  it('reads the person’s facts from the claims the configuration names', async () => {
    const citizen = await provider.sign({
      sub: 'citizen-43',
      name: '王芳',
      id_card_no: '11010519491231002X',
      auth_level: 'L3',
      email: 'not-mapped@example.cn',
    });
    expect((await me(citizen)).body).toMatchObject({
      roles: ['applicant'],
      person: { name: '王芳', idNumber: '11010519491231002X', realNameLevel: 'L3' },
    });
  });

  it('refuses a token of another issuer (Cognito-shaped, RS256), for another audience, or expired', async () => {
    const local = await openLocalIssuer((await import('node:os')).tmpdir());
    const cognitoShaped = await local.sign({ role: 'admin', sub: 'hlj-admin-1' });
    expect((await me(cognitoShaped)).status).toBe(401);
    const otherAudience = await provider.sign({ sub: 'hlj-admin-1' }, { audience: 'some-other-app' });
    expect((await me(otherAudience)).status).toBe(401);
    const expired = await provider.sign({ sub: 'hlj-admin-1' }, { ttlSeconds: -60 });
    expect((await me(expired)).status).toBe(401);
  });
});
