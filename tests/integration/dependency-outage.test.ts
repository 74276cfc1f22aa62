import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idNumberCheckCharacter } from '../../functions/domain/id-number';
import type { TestApi } from '../support/test-api';

/**
 * A dependency outage over HTTP: the real gateway and handlers with DynamoDB, S3 and Step Functions
 * pointed at a loopback port nobody listens on. Every route that needs them answers 503
 * SERVICE_UNAVAILABLE with Retry-After, and no answer names the address or the socket error.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, asserted field by field.
type Json = Record<string, any>;
let api: TestApi;
let closedEndpoint: string;
let closedPort: number;

/** A loopback port that was just free: listen on an ephemeral port, then close it. */
async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

beforeAll(async () => {
  closedPort = await closedLoopbackPort();
  closedEndpoint = `http://127.0.0.1:${closedPort}`;
  // Before any handler (and so any SDK client) is loaded: test-env.ts pointed them at the stand-ins.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: closedEndpoint,
    AWS_ENDPOINT_URL_S3: closedEndpoint,
    AWS_ENDPOINT_URL_SFN: closedEndpoint,
  });
  const { startTestApi } = await import('../support/test-api');
  api = await startTestApi(['cases', 'catalogue', 'platform'], {
    CASES_TABLE: 'outage-cases',
    IDEMPOTENCY_TABLE: 'outage-idempotency',
    CATALOGUE_TABLE: 'outage-catalogue',
    MATERIALS_BUCKET: 'outage-materials',
    RESULTS_BUCKET: 'outage-results',
    CATALOGUE_BUCKET: 'outage-catalogue',
    CASE_LIFECYCLE_STATE_MACHINE_ARN: 'arn:aws-cn:states:cn-north-1:000000000000:stateMachine:outage',
  });
});

afterAll(async () => {
  await api?.stop();
});

function expectUnavailable(response: { status: number; body: Json; headers: Record<string, string> }) {
  expect(response.status, JSON.stringify(response.body)).toBe(503);
  expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(response.body).toEqual({
    error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/服务暂时不可用/) },
  });
  expectNoAddress(response.body);
}

function expectNoAddress(body: Json) {
  const text = JSON.stringify(body);
  expect(text).not.toContain(String(closedPort));
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|ECONN|socket|connect /i);
}

describe('DynamoDB unreachable', () => {
  it('POST /cases answers 503 with Retry-After', async () => {
    const token = await api.token('applicant', { sub: 'alice' });
    expectUnavailable(
      await api.send('POST', '/cases', {
        token,
        body: {
          matterCode: 'JY-0001',
          applicant: {
            kind: 'person',
            name: '张小明',
            idNumber: `23090420180305123${idNumberCheckCharacter('23090420180305123')}`,
            phone: '13812345678',
          },
        },
      }),
    );
  });

  it('GET /cases/{id} answers 503 with Retry-After', async () => {
    const token = await api.token('applicant', { sub: 'alice' });
    expectUnavailable(await api.send('GET', '/cases/6f1c7c1e-2d4b-4c3a-9d8e-0a1b2c3d4e5f', { token }));
  });

  it('GET /matters/JY-0001 (public catalogue) answers 503 with Retry-After', async () => {
    expectUnavailable(await api.send('GET', '/matters/JY-0001'));
  });

  it('GET /health answers 503 naming each dependency unavailable, and no address', async () => {
    const health = await api.send('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('degraded');
    const dependencies = Object.values(health.body.dependencies as Record<string, Json>);
    expect(dependencies.length).toBeGreaterThan(0);
    for (const dependency of dependencies) {
      expect(dependency).toEqual({ status: 'unavailable', latencyMs: expect.any(Number) });
    }
    expectNoAddress(health.body);
  });
});
