import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { toApiEvent } from '../../infra/local/gateway/api-event';
import { createLambdaContext } from '../../infra/local/lambda-context';
import { forgeRole, startTestIssuer, tamper } from '../support/jwks-server';

/**
 * The shared HTTP shell (middy + zod + JWT) against a real local issuer: status codes and the error body
 * for every kind of bad request.
 */
let issuerStop: () => Promise<void>;
let sign: (role: 'clerk' | 'admin') => Promise<string>;
let invoke: (
  method: string,
  url: string,
  init?: { body?: string | Buffer; headers?: Record<string, string> },
) => Promise<{
  status: number;
  body: { error?: { code: string; message: string; details?: { fields?: { field: string }[] } } } & Record<
    string,
    unknown
  >;
  headers: Record<string, string>;
}>;

beforeAll(async () => {
  const testIssuer = await startTestIssuer();
  Object.assign(process.env, testIssuer.env, { MAX_BODY_BYTES: '1024' });
  issuerStop = testIssuer.stop;
  sign = (role) => testIssuer.issuer.sign({ role, sub: `user-${role}`, windowId: 'W2' });

  const { createHttpHandler, route } = await import('../../functions/shared/http/handler');
  const { json } = await import('../../functions/shared/http/response');
  const { ConflictError } = await import('../../functions/shared/errors');
  const { matchPath } = await import('../../functions/shared/http/path-template');

  const routes = [
    route(
      {
        operationId: 'createThing',
        method: 'POST',
        path: '/things/{thingId}',
        access: 'public',
        summary: 'test',
        tags: ['test'],
        request: {
          params: z.object({ thingId: z.string().regex(/^T\d+$/) }),
          query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
          body: z.object({ name: z.string().min(1), count: z.number().int().min(1) }),
        },
        responses: { 201: { description: 'created' } },
      },
      async ({ params, body, query }) =>
        json(201, { id: params.thingId, name: body.name, dryRun: query.dryRun ?? null }),
    ),
    route(
      {
        operationId: 'whoami',
        method: 'GET',
        path: '/whoami',
        access: 'authenticated',
        summary: 'test',
        tags: ['test'],
        responses: { 200: { description: 'ok' } },
      },
      async ({ principal }) => json(200, principal),
    ),
    route(
      {
        operationId: 'conflict',
        method: 'PUT',
        path: '/conflict',
        access: 'public',
        summary: 't',
        tags: ['t'],
        responses: {},
      },
      async () => {
        throw new ConflictError('办件已被他人修改,请刷新后重试', 'VERSION_CONFLICT', { expected: 3 });
      },
    ),
    route(
      {
        operationId: 'boom',
        method: 'GET',
        path: '/boom',
        access: 'public',
        summary: 't',
        tags: ['t'],
        responses: {},
      },
      async () => {
        throw new Error('secret internal detail');
      },
    ),
  ];
  const handler = createHttpHandler(routes);
  invoke = async (method, url, init = {}) => {
    const pathname = new URL(url, 'http://x').pathname;
    const spec = routes.map((r) => r.spec).find((s) => s.method === method && matchPath(s.path, pathname));
    const event: APIGatewayProxyEventV2 = toApiEvent(
      {
        method,
        url,
        headers: { 'content-type': 'application/json', ...init.headers },
        body: Buffer.from(init.body ?? ''),
        sourceIp: '127.0.0.1',
      },
      spec
        ? { routeKey: `${spec.method} ${spec.path}`, pathParameters: matchPath(spec.path, pathname) ?? {} }
        : { routeKey: '$default' },
    );
    const result = await handler(event, createLambdaContext('test') as Context);
    return {
      status: result.statusCode,
      body: JSON.parse(result.body ?? '{}'),
      headers: result.headers as Record<string, string>,
    };
  };
});

afterAll(async () => issuerStop?.());

describe('shared HTTP handler', () => {
  it('parses params, query and body and answers with the route result', async () => {
    const response = await invoke('POST', '/things/T7?dryRun=true', {
      body: JSON.stringify({ name: '窗口', count: 2 }),
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 'T7', name: '窗口', dryRun: 'true' });
    expect(response.headers['x-request-id']).toMatch(/[0-9a-f-]{36}/);
  });

  it('answers 400 naming every offending field, in Chinese', async () => {
    const response = await invoke('POST', '/things/X1?dryRun=maybe', {
      body: JSON.stringify({ name: '', count: 0 }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('VALIDATION_FAILED');
    expect(response.body.error?.message).toMatch(/[\u4e00-\u9fff]/);
    const fields = response.body.error?.details?.fields?.map((f) => f.field).sort();
    expect(fields).toEqual(['body.count', 'body.name', 'params.thingId', 'query.dryRun']);
  });

  it('answers 400 for a body that is not JSON, 415 for a wrong media type, 413 over the size limit', async () => {
    expect((await invoke('POST', '/things/T1', { body: '{"name":' })).body.error?.code).toBe(
      'MALFORMED_JSON',
    );
    const wrongType = await invoke('POST', '/things/T1', {
      body: 'a=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    const big = await invoke('POST', '/things/T1', {
      body: JSON.stringify({ name: 'x'.repeat(2000), count: 1 }),
    });
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 400 for a body that is not UTF-8, rather than storing replacement characters', async () => {
    const body = Buffer.concat([
      Buffer.from('{"name":"'),
      Buffer.from([0xff, 0xfe, 0x80]),
      Buffer.from('","count":1}'),
    ]);
    const response = await invoke('POST', '/things/T1', { body });
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('MALFORMED_JSON');
    expect(response.body.error?.message).toContain('UTF-8');
  });

  it('names `__proto__` and `constructor` in a body as the unknown fields they are', async () => {
    const response = await invoke('POST', '/things/T1', {
      body: '{"name":"a","count":1,"__proto__":{"admin":true},"constructor":{"prototype":{}}}',
    });
    expect(response.status).toBe(400);
    expect(response.body.error?.details?.fields?.map((f) => f.field).sort()).toEqual([
      'body.__proto__',
      'body.constructor',
    ]);
  });

  it('answers 400 naming the body when a required body is missing', async () => {
    const response = await invoke('POST', '/things/T1');
    expect(response.status).toBe(400);
    expect(response.body.error?.details?.fields?.[0]?.field).toBe('body');
  });

  it('accepts a valid token and exposes the verified principal', async () => {
    const response = await invoke('GET', '/whoami', {
      headers: { authorization: `Bearer ${await sign('clerk')}` },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ userId: 'user-clerk', roles: ['clerk'], windowId: 'W2' });
  });

  it('refuses a missing, malformed, tampered or forged token with 401 and the error body', async () => {
    const token = await sign('clerk');
    for (const authorization of [
      undefined,
      'Bearer',
      'Basic abc',
      `Bearer ${tamper(token)}`,
      `Bearer ${forgeRole(token)}`,
    ]) {
      const response = await invoke('GET', '/whoami', { headers: authorization ? { authorization } : {} });
      expect(response.status, String(authorization)).toBe(401);
      expect(response.body.error?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('maps domain errors to their status and code', async () => {
    const response = await invoke('PUT', '/conflict');
    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      error: { code: 'VERSION_CONFLICT', message: '办件已被他人修改,请刷新后重试', details: { expected: 3 } },
    });
  });

  it('hides unexpected errors behind a generic 500', async () => {
    const response = await invoke('GET', '/boom');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: { code: 'INTERNAL_ERROR', message: '服务器内部错误,请稍后重试' },
    });
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });

  it('answers 404 for an unknown route and 405 for a known path with the wrong method', async () => {
    const missing = await invoke('GET', '/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('ROUTE_NOT_FOUND');
    const wrongMethod = await invoke('DELETE', '/whoami');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error?.details).toEqual({ allowed: ['GET'] });
  });
});
