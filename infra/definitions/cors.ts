import { serviceTimeHeader } from '../../functions/shared/http/response';

/**
 * The API's CORS policy (the portal and the counter app run in browsers on other origins). The HTTP API
 * answers preflights with it in AWS; the local gateway applies the same policy.
 */
export const corsPolicy = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const,
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  // x-onewindow-time: the instant of the service clock an answer was computed on (accelerated locally);
  // retry-after: when a 429/503 may be retried. Neither is CORS-safelisted, so browsers hide them unless exposed.
  exposeHeaders: ['x-request-id', 'etag', 'location', serviceTimeHeader, 'retry-after'],
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

/** The only stage where CORS may allow any origin (`*`): a developer's own deployment. */
export const anyOriginStage = 'dev';

/**
 * The browser origins a stage allows (the HTTP API's CORS and the buckets' presigned PUT), from the
 * `allowedOrigins` context: a list (`-c allowedOrigins=https://a,https://b`, or an array) for the stage being
 * synthesised, or an object of lists by stage (`"allowedOrigins": { "prod": ["https://portal.example"] }` in
 * cdk.json). Outside `dev` the stage must name its origins, and `*` is refused: any web page could otherwise
 * call the API with a user's token and upload into the buckets from the user's browser.
 */
export function resolveAllowedOrigins(stage: string, setting: unknown): string[] {
  const forStage =
    setting !== null && typeof setting === 'object' && !Array.isArray(setting)
      ? (setting as Record<string, unknown>)[stage]
      : setting;
  const origins = originList(forStage);
  const hint =
    `-c allowedOrigins=https://portal.example.gov.cn,https://counter.example.gov.cn, or ` +
    `"allowedOrigins": { "${stage}": [...] } in the context of cdk.json`;
  if (origins.length === 0) {
    if (stage === anyOriginStage) return ['*'];
    throw new Error(`stage ${stage} needs the browser origins CORS allows (${hint}); "*" is for dev only`);
  }
  for (const origin of origins) {
    if (origin === '*') {
      if (stage === anyOriginStage) continue;
      throw new Error(`stage ${stage} may not allow every origin ("*") in CORS: name them (${hint})`);
    }
    if (!isOrigin(origin)) {
      throw new Error(
        `allowedOrigins: ${origin} is not an origin (scheme://host[:port], no path), stage ${stage}`,
      );
    }
  }
  return origins;
}

function originList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => item.trim()).filter(Boolean);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}
