import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * Translation between plain HTTP and API Gateway HTTP API payload format 2.0, as AWS does it: lower-case
 * headers, repeated headers and query values joined by commas, cookies apart, binary bodies base64.
 */
export interface IncomingRequest {
  method: string;
  /** Path and query as received, e.g. `/calendar/working-days?from=2026-01-01&days=3`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
}

export interface OutgoingResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const textContentType =
  /^(text\/|application\/(json|xml|x-www-form-urlencoded|[\w.+-]+\+(json|xml))|multipart\/form-data)/i;

export function toApiEvent(
  request: IncomingRequest,
  match: { routeKey: string; pathParameters?: Record<string, string> },
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;

  const hasBody = request.body.byteLength > 0;
  const isText = textContentType.test(headers['content-type'] ?? '');
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match.pathParameters && Object.keys(match.pathParameters).length > 0
      ? { pathParameters: match.pathParameters }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(hasBody
      ? {
          body: isText ? request.body.toString('utf8') : request.body.toString('base64'),
          isBase64Encoded: !isText,
        }
      : { isBase64Encoded: false }),
  };
}

/** API Gateway's reading of a Lambda result: a structured result, or any other value as 200 JSON. */
export function fromApiResult(result: APIGatewayProxyResultV2 | undefined): OutgoingResponse {
  if (
    result !== null &&
    typeof result === 'object' &&
    'statusCode' in result &&
    typeof result.statusCode === 'number'
  ) {
    const body = result.body ?? '';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    return {
      statusCode: result.statusCode,
      headers,
      cookies: result.cookies ?? [],
      body: result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result ?? null), 'utf8'),
  };
}
