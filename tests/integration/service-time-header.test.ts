import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockEnv } from '../../infra/local/local-clock';
import { createTestBuckets, createTestTables } from '../support/aws';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * X-OneWindow-Time over HTTP: the real gateway and handlers on a virtual clock, as the local stack runs
 * them. The virtual clock starts years from the real one and runs a billion times slower than real time,
 * so during the test it reads its origin to the millisecond: the header can be compared for equality.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
const virtualNow = '2031-02-14T01:30:00.000Z';
let api: TestApi;

beforeAll(async () => {
  const [tables, buckets] = await Promise.all([createTestTables(), createTestBuckets()]);
  api = await startTestApi(['catalogue', 'platform'], {
    ...clockEnv({ speed: 1e-9, originRealMs: Date.now(), originVirtualMs: Date.parse(virtualNow) }),
    CATALOGUE_TABLE: tables.catalogue,
    CATALOGUE_BUCKET: buckets.catalogue,
    CASES_TABLE: tables.cases,
    IDEMPOTENCY_TABLE: tables.idempotency,
    MATERIALS_BUCKET: buckets.materials,
    RESULTS_BUCKET: buckets.results,
    CASE_LIFECYCLE_STATE_MACHINE_ARN: 'arn:aws-cn:states:cn-north-1:000000000000:stateMachine:unused',
  });
});

afterAll(async () => {
  await api?.stop();
});

describe('X-OneWindow-Time', () => {
  it('carries the virtual clock on a successful answer', async () => {
    const listed = await api.send('GET', '/matters');
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.headers['x-onewindow-time']).toBe(virtualNow);
  });

  it('carries it on an error answer of a feature and on an unmatched route', async () => {
    const missing = await api.send<Json>('GET', '/matters/XX-9999');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-onewindow-time']).toBe(virtualNow);
    const unmatched = await api.send<Json>('GET', '/no-such-route');
    expect(unmatched.status).toBe(404);
    expect(unmatched.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(unmatched.headers['x-onewindow-time']).toBe(virtualNow);
  });

  it('is exposed to browsers by CORS', async () => {
    const response = await fetch(`${api.url}/matters`, { headers: { origin: 'https://portal.example' } });
    await response.arrayBuffer();
    expect(response.headers.get('access-control-expose-headers')?.split(',')).toContain('x-onewindow-time');
    expect(response.headers.get('x-onewindow-time')).toBe(virtualNow);
  });
});
