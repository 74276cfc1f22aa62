/**
 * The API's CORS policy (the portal and the counter app run in browsers on other origins). The HTTP API
 * answers preflights with it in AWS; the local gateway applies the same policy.
 */
export const corsPolicy = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const,
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  exposeHeaders: ['x-request-id', 'etag', 'location'],
  maxAgeSeconds: 3600,
};

/** Headers for a request from `origin` under `allowedOrigins` (`*` allows any), or none. */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: string[],
  preflight: boolean,
): Record<string, string> {
  if (!origin) return {};
  const allowed = allowedOrigins.includes('*') ? '*' : allowedOrigins.includes(origin) ? origin : undefined;
  if (!allowed) return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin': allowed,
    ...(allowed === '*' ? {} : { vary: 'origin' }),
  };
  if (preflight) {
    headers['access-control-allow-methods'] = corsPolicy.allowMethods.join(',');
    headers['access-control-allow-headers'] = corsPolicy.allowHeaders.join(',');
    headers['access-control-max-age'] = String(corsPolicy.maxAgeSeconds);
  } else {
    headers['access-control-expose-headers'] = corsPolicy.exposeHeaders.join(',');
  }
  return headers;
}
