import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import type { Principal } from '../../domain/principal';
import { type Clock, clock } from '../clock';
import { parseEnv } from '../env';
import {
  AppError,
  asDependencyFailure,
  internalErrorBody,
  MalformedJsonError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
import { logger } from '../logger';
import { flushMetrics } from '../metrics';
import { parseParts } from '../validation';
import { authenticate } from './auth';
import { matchPath } from './path-template';
import { type HttpResult, json, serviceTimeHeader } from './response';
import { type RouteSpec, routeKey } from './route';

const httpEnv = parseEnv(z.object({ MAX_BODY_BYTES: z.coerce.number().int().positive().default(262_144) }));

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;
type RequestPart<S extends RouteSpec, K extends 'params' | 'query' | 'headers' | 'body'> = Infer<
  NonNullable<S['request']>[K]
>;

export interface ParsedRequest<S extends RouteSpec> {
  params: RequestPart<S, 'params'>;
  query: RequestPart<S, 'query'>;
  headers: RequestPart<S, 'headers'>;
  body: RequestPart<S, 'body'>;
  principal: S['access'] extends 'authenticated' ? Principal : Principal | undefined;
  requestId: string;
  event: APIGatewayProxyEventV2;
}

export interface RouteHandler<S extends RouteSpec = RouteSpec> {
  spec: S;
  handle(request: ParsedRequest<S>): Promise<HttpResult>;
}

/** Pairs a route's spec with its implementation, inferring the parsed request's types from the schemas. */
export const route = <const S extends RouteSpec>(
  spec: S,
  handle: (request: ParsedRequest<S>) => Promise<HttpResult>,
): RouteHandler<S> => ({ spec, handle });

function rawBody(event: APIGatewayProxyEventV2): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.byteLength > httpEnv.MAX_BODY_BYTES) throw new PayloadTooLargeError(httpEnv.MAX_BODY_BYTES);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new MalformedJsonError('请求体不是合法的 UTF-8 文本');
  }
  // A text body reaches the function already decoded: bytes that were not UTF-8 arrive as U+FFFD, which
  // no field of this API has a use for. Refused rather than stored as a replacement character.
  if (text.includes('\uFFFD')) throw new MalformedJsonError('请求体不是合法的 UTF-8 文本');
  return text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  const body = rawBody(event);
  if (body === undefined) return undefined;
  const contentType = event.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(contentType))
    throw new UnsupportedMediaTypeError('application/json');
  try {
    return JSON.parse(body);
  } catch {
    throw new MalformedJsonError();
  }
}

async function dispatch(handler: RouteHandler, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const { spec } = handler;
  // Authentication comes first: an anonymous caller learns nothing about the shape of a protected route.
  const principal =
    spec.access === 'authenticated' ? await authenticate(event.headers.authorization) : undefined;
  const request = spec.request ?? {};
  const body = request.body ? parseJsonBody(event) : rawBody(event);
  const parts = parseParts({
    params: { schema: request.params, value: event.pathParameters ?? {} },
    query: { schema: request.query, value: event.queryStringParameters ?? {} },
    headers: { schema: request.headers, value: event.headers },
    body: { schema: request.body, value: body },
  });
  const parsed: ParsedRequest<RouteSpec> = {
    ...parts,
    principal,
    requestId: event.requestContext.requestId,
    event,
  };
  return handler.handle(parsed);
}

/**
 * middy middleware: errors below 500 are shown to the client; a dependency failure answers 503 with
 * Retry-After; anything else is a 500. The cause of a 5xx is logged, never answered (it may name an
 * internal host and port).
 */
export const errorResponder = (): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> => ({
  onError: async (request) => {
    const { error } = request;
    if (error instanceof AppError) {
      if (error.status >= 500) logger.error('request failed', { code: error.code, error });
      request.response = json(error.status, error.toBody(), error.responseHeaders());
      return;
    }
    const unavailable = asDependencyFailure(error);
    if (unavailable) {
      logger.error('dependency unavailable', { code: unavailable.code, error: error as Error });
      request.response = json(unavailable.status, unavailable.toBody(), unavailable.responseHeaders());
      return;
    }
    logger.error('unexpected error', { error: error as Error });
    request.response = json(500, internalErrorBody);
  },
});

/** middy middleware: tags every log line and the response with API Gateway's request id. */
export const requestTracing = (): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> => ({
  before: async (request) => {
    logger.addContext(request.context);
    logger.appendKeys({ requestId: request.event.requestContext?.requestId, route: request.event.routeKey });
  },
  after: async (request) => {
    const requestId = request.event.requestContext?.requestId;
    if (request.response && requestId) {
      request.response.headers = { ...request.response.headers, 'x-request-id': requestId };
    }
    logger.resetKeys();
    flushMetrics();
  },
  onError: async (request) => {
    const requestId = request.event.requestContext?.requestId;
    if (request.response && requestId) {
      request.response.headers = { ...request.response.headers, 'x-request-id': requestId };
    }
    logger.resetKeys();
    flushMetrics();
  },
});

/**
 * middy middleware: stamps every answer, an error's included, with the instant of the service clock
 * (X-OneWindow-Time), the clock the handler computed deadlines and "today" on.
 */
export const serviceTime = (
  serviceClock: Pick<Clock, 'now'> = clock,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> => {
  const stamp = (response: HttpResult | null | undefined) => {
    if (!response) return;
    response.headers = {
      ...response.headers,
      [serviceTimeHeader]: new Date(serviceClock.now()).toISOString(),
    };
  };
  return {
    after: async (request) => stamp(request.response),
    onError: async (request) => stamp(request.response),
  };
};

/** Method and path of every route of the API, loaded when first needed. */
export type KnownRoutes = () => Promise<readonly Pick<RouteSpec, 'method' | 'path'>[]>;

/**
 * One Lambda handler for a feature's routes. API Gateway (or the local gateway) has matched the route
 * and put it in `routeKey`; the `$default` route is answered with 404, or 405 when only the method is
 * wrong. Only the function behind `$default` needs `knownRoutes` for the whole API: loading every
 * feature's route schemas costs a cold start, so it is a loader, called on the first unmatched request.
 */
export function createHttpHandler(
  handlers: RouteHandler[],
  knownRoutes: KnownRoutes = async () => handlers.map((h) => h.spec),
) {
  const byKey = new Map(handlers.map((h) => [routeKey(h.spec), h]));
  const base = async (event: APIGatewayProxyEventV2, _context: Context): Promise<HttpResult> => {
    const handler = byKey.get(event.routeKey);
    if (handler) return dispatch(handler, event);
    const allowed = (await knownRoutes())
      .filter((r) => matchPath(r.path, event.rawPath) !== undefined)
      .map((r) => r.method);
    if (allowed.length > 0) throw new MethodNotAllowedError(allowed);
    throw new NotFoundError('请求的地址不存在', 'ROUTE_NOT_FOUND');
  };
  // onError runs in reverse order of use: the error responder makes the answer, then the others stamp it.
  return middy<APIGatewayProxyEventV2, HttpResult>(base)
    .use(requestTracing())
    .use(serviceTime())
    .use(errorResponder());
}
