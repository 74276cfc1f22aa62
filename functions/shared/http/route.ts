import type * as z from 'zod';

/**
 * An HTTP route as data: the CDK API stack turns it into an HTTP API route, the local gateway matches
 * requests against it and the OpenAPI document is generated from its zod schemas. It holds no handler
 * code, so infrastructure can import it without loading any function's configuration.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `public`: anyone; `authenticated`: a verified JWT (Cognito authorizer in AWS, same check in the handler). */
export type Access = 'public' | 'authenticated';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
  /** The answer carries `Location`: the URL of the resource it created. */
  location?: true;
}

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** API Gateway path template, e.g. `/cases/{caseId}`. */
  path: string;
  access: Access;
  summary: string;
  tags: readonly string[];
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    headers?: z.ZodObject;
    body?: z.ZodType;
  };
  responses: Record<number, ResponseSpec>;
}

export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
