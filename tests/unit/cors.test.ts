import { describe, expect, it } from 'vitest';
import { corsHeaders, corsPolicy } from '../../infra/definitions/cors';

describe('corsHeaders', () => {
  it('allows any origin under *, exposing the request id', () => {
    expect(corsHeaders('https://portal.example', ['*'], false)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': corsPolicy.exposeHeaders.join(','),
    });
  });

  it('answers a preflight with the methods and headers the API accepts', () => {
    const headers = corsHeaders('https://counter.example', ['https://counter.example'], true);
    expect(headers).toMatchObject({
      'access-control-allow-origin': 'https://counter.example',
      vary: 'origin',
      'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE',
    });
    expect(headers['access-control-allow-headers']).toContain('idempotency-key');
  });

  it('gives nothing to an origin that is not allowed, or to a request without one', () => {
    expect(corsHeaders('https://evil.example', ['https://counter.example'], true)).toEqual({});
    expect(corsHeaders(undefined, ['*'], false)).toEqual({});
  });
});
