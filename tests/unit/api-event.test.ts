import { describe, expect, it } from 'vitest';
import { fromApiResult, toApiEvent } from '../../infra/local/gateway/api-event';

const request = (overrides: Partial<Parameters<typeof toApiEvent>[0]> = {}) => ({
  method: 'post',
  url: '/cases/C1?tag=a&tag=b&x=%E4%B8%AD',
  headers: { 'Content-Type': 'application/json', 'X-Multi': ['1', '2'], cookie: 'a=1; b=2' },
  body: Buffer.from('{"k":"值"}'),
  sourceIp: '127.0.0.1',
  ...overrides,
});

describe('toApiEvent (payload format 2.0)', () => {
  it('builds the event API Gateway would send', () => {
    const event = toApiEvent(request(), {
      routeKey: 'POST /cases/{caseId}',
      pathParameters: { caseId: 'C1' },
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /cases/{caseId}',
      rawPath: '/cases/C1',
      rawQueryString: 'tag=a&tag=b&x=%E4%B8%AD',
      queryStringParameters: { tag: 'a,b', x: '中' },
      pathParameters: { caseId: 'C1' },
      cookies: ['a=1', 'b=2'],
      body: '{"k":"值"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/cases/C1', sourceIp: '127.0.0.1' },
        routeKey: 'POST /cases/{caseId}',
      },
    });
    expect(event.headers).toMatchObject({ 'content-type': 'application/json', 'x-multi': '1,2' });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('base64-encodes binary bodies', () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
    const event = toApiEvent(request({ headers: { 'content-type': 'application/pdf' }, body: pdf }), {
      routeKey: '$default',
    });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body as string, 'base64')).toEqual(pdf);
  });

  it('omits body, query and path parameters when there are none', () => {
    const event = toApiEvent(request({ url: '/health', body: Buffer.alloc(0), headers: {} }), {
      routeKey: 'GET /health',
    });
    expect(event.body).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
  });
});

describe('fromApiResult', () => {
  it('passes a structured result through, decoding base64 bodies', () => {
    const response = fromApiResult({
      statusCode: 201,
      headers: { 'Content-Type': 'application/pdf' },
      body: Buffer.from('%PDF').toString('base64'),
      isBase64Encoded: true,
      cookies: ['s=1'],
    });
    expect(response).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/pdf' },
      cookies: ['s=1'],
      body: Buffer.from('%PDF'),
    });
  });

  it('treats any other value as a 200 JSON body, as API Gateway does', () => {
    const response = fromApiResult({ ok: true } as never);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ ok: true });
  });
});
