import { afterEach, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../functions/shared/http/route';
import { type Gateway, startGateway } from '../../infra/local/gateway/http-gateway';

/**
 * The local gateway's load shedding over HTTP: the stage's throttling (429) and the functions'
 * concurrency cap (503), each a clear JSON error with Retry-After, before any function runs.
 */
const slowRoute: RouteSpec = {
  operationId: 'slow',
  method: 'GET',
  path: '/slow',
  access: 'public',
  summary: 'waits until released',
  tags: [],
  responses: { 200: { description: 'ok' } },
};

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

/** A function that holds each request until `release()`; counts its invocations. */
function heldFunction() {
  let waiting: (() => void)[] = [];
  let invocations = 0;
  return {
    fn: {
      id: 'slow',
      routes: [slowRoute],
      handler: async () => {
        invocations++;
        await new Promise<void>((resolve) => waiting.push(resolve));
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
      },
    },
    waiting: () => waiting.length,
    invocations: () => invocations,
    release() {
      for (const resolve of waiting) resolve();
      waiting = [];
    },
  };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('local gateway load shedding', () => {
  it('answers 503 with Retry-After beyond the requests in flight, and serves again once they finish', async () => {
    const held = heldFunction();
    gateway = await startGateway({ port: 0, functions: [held.fn], maxInFlight: 2 });
    const url = `${gateway.url}/slow`;
    const admitted = [fetch(url), fetch(url)];
    await until(() => held.waiting() === 2);
    const refused = await fetch(url);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(held.invocations()).toBe(2);
    held.release();
    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual([200, 200]);
    const again = fetch(url);
    await until(() => held.waiting() === 1);
    held.release();
    expect((await again).status).toBe(200);
  });

  it("applies the stage's rate and burst: 429 THROTTLED with Retry-After, the JWKS never throttled", async () => {
    const held = heldFunction();
    gateway = await startGateway({
      port: 0,
      functions: [held.fn],
      throttle: { rateLimit: 1, burstLimit: 3 },
      staticJson: { '/jwks.json': { keys: [] } },
    });
    const url = `${gateway.url}/slow`;
    const admitted = [fetch(url), fetch(url), fetch(url)];
    await until(() => held.waiting() === 3);
    const refused = await fetch(url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { code: 'THROTTLED', message: expect.any(String) } });
    expect(held.invocations()).toBe(3);
    // The issuer's keys stand in for Cognito's: the handlers must always reach them.
    for (let i = 0; i < 5; i++) expect((await fetch(`${gateway.url}/jwks.json`)).status).toBe(200);
    held.release();
    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('without limits takes everything, as before', async () => {
    const held = heldFunction();
    gateway = await startGateway({ port: 0, functions: [held.fn] });
    const requests = Array.from({ length: 20 }, () => fetch(`${gateway?.url}/slow`));
    await until(() => held.waiting() === 20);
    held.release();
    expect((await Promise.all(requests)).every((r) => r.status === 200)).toBe(true);
  });
});
