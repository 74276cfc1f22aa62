import { describe, expect, it } from 'vitest';
import { corsHeaders, corsPolicy, resolveAllowedOrigins } from '../../infra/definitions/cors';

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

describe('resolveAllowedOrigins', () => {
  it('defaults to * in dev only', () => {
    expect(resolveAllowedOrigins('dev', undefined)).toEqual(['*']);
    expect(() => resolveAllowedOrigins('prod', undefined)).toThrow(/stage prod needs/);
    expect(() => resolveAllowedOrigins('prod', '')).toThrow(/stage prod needs/);
  });

  it('refuses * outside dev', () => {
    expect(() => resolveAllowedOrigins('prod', 'https://a.example,*')).toThrow(/may not allow every origin/);
    expect(() => resolveAllowedOrigins('prod', { prod: ['*'] })).toThrow(/may not allow every origin/);
  });

  it('takes a comma list, an array, or lists by stage', () => {
    expect(resolveAllowedOrigins('prod', ' https://a.example , https://b.example:8443 ')).toEqual([
      'https://a.example',
      'https://b.example:8443',
    ]);
    expect(resolveAllowedOrigins('qa', ['https://qa.example'])).toEqual(['https://qa.example']);
    expect(resolveAllowedOrigins('qa', { qa: 'https://qa.example', prod: ['https://p.example'] })).toEqual([
      'https://qa.example',
    ]);
  });

  it('refuses what is not an origin', () => {
    expect(() => resolveAllowedOrigins('prod', 'https://a.example/portal')).toThrow(/not an origin/);
    expect(() => resolveAllowedOrigins('prod', 'a.example')).toThrow(/not an origin/);
  });

  it('exposes the service clock and Retry-After to browsers', () => {
    expect(corsPolicy.exposeHeaders).toEqual(expect.arrayContaining(['x-onewindow-time', 'retry-after']));
  });
});
