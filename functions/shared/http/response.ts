import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/**
 * On every answer of the API: the instant (ISO 8601, UTC) of the service clock the answer was computed on.
 * Locally the clock may be virtual and accelerated (functions/shared/clock.ts), so a client that shows
 * deadlines or "today" must take this, not its own wall clock.
 */
export const serviceTimeHeader = 'x-onewindow-time';

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

/** 201 with `Location` (the created resource's path) when `created`, else 200: PUT that creates or changes. */
export function createdOrChanged(created: boolean, body: unknown, location: string): HttpResult {
  return created ? json(201, body, { location }) : json(200, body);
}

export function text(statusCode: number, body: string, contentType: string): HttpResult {
  return { statusCode, headers: { 'content-type': contentType }, body };
}
