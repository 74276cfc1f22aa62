import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { internalErrorBody, NotFoundError, PayloadTooLargeError } from '../../../functions/shared/errors';
import { matchPath } from '../../../functions/shared/http/path-template';
import { type RouteSpec, routeKey } from '../../../functions/shared/http/route';
import { corsHeaders } from '../../definitions/cors';
import type { ApiThrottle } from '../../definitions/throttle';
import { createLambdaContext } from '../lambda-context';
import { assertPortFree, loopback } from '../ports';
import { fromApiResult, type IncomingRequest, toApiEvent } from './api-event';
import { loadShedder } from './load-shedding';

/**
 * The local stand-in for the HTTP API: matches a request against the same route specs CDK deploys,
 * turns it into a payload-2.0 event and invokes the same handler the route's Lambda runs. Unmatched
 * requests go to the `$default` function, as in AWS.
 */
export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface GatewayFunction {
  id: string;
  routes: RouteSpec[];
  defaultRoute?: boolean;
  handler: ApiHandler;
}

export interface GatewayOptions {
  port: number;
  functions: GatewayFunction[];
  /** Extra fixed GET resources, e.g. the local issuer's JWKS. */
  staticJson?: Record<string, unknown>;
  /** Origins allowed by CORS (`*` for any), as the HTTP API's `allowedOrigins` context. */
  allowedOrigins?: string[];
  /** The stage's token bucket, as deployed (429 `THROTTLED` with `Retry-After`); none: unlimited. */
  throttle?: ApiThrottle;
  /** Requests handled at once, as a function's concurrency limit (503 with `Retry-After`); none: unlimited. */
  maxInFlight?: number;
  /**
   * Functions that answer Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`, what the
   * SDK's LambdaClient sends), by function name: the operator commands invoke the local stack's functions
   * as they invoke a deployed stage's. Not part of the HTTP API (no route, no limits, loopback only).
   */
  invocable?: Record<string, (event: unknown, context: Context) => Promise<unknown>>;
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface Gateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** API Gateway's own payload limit. */
const maxPayloadBytes = 10 * 1024 * 1024;

interface CompiledRoute {
  key: string;
  method: string;
  path: string;
  fn: GatewayFunction;
}

/** What the gateway still reads (and discards) of an oversized body before it gives up on the client. */
const maxDrainBytes = 64 * 1024 * 1024;

/**
 * Reads the body up to API Gateway's limit. Beyond it the rest is read and discarded, so that the client,
 * still sending, gets to read the 413 rather than a reset connection; only a body far beyond the limit
 * has its connection cut.
 */
function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxDrainBytes) {
        request.destroy();
        return;
      }
      if (size <= maxPayloadBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () =>
      size > maxPayloadBytes
        ? reject(new PayloadTooLargeError(maxPayloadBytes))
        : resolve(Buffer.concat(chunks)),
    );
    request.on('error', reject);
    request.on('close', () => {
      if (request.complete) return;
      reject(
        size > maxPayloadBytes
          ? new PayloadTooLargeError(maxPayloadBytes)
          : new Error('the client closed the connection before its body ended'),
      );
    });
  });
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  // API Gateway takes the most specific route: literal segments before parameters, greedy ones last.
  const specificity = (path: string) =>
    path
      .split('/')
      .reduce((score, part) => score + (part.endsWith('+}') ? 100 : part.startsWith('{') ? 1 : 0), 0);
  const routes: CompiledRoute[] = options.functions
    .flatMap((fn) => fn.routes.map((r) => ({ key: routeKey(r), method: r.method, path: r.path, fn })))
    .sort((a, b) => specificity(a.path) - specificity(b.path));
  const fallback = options.functions.find((fn) => fn.defaultRoute);
  const allowedOrigins = options.allowedOrigins ?? ['*'];
  const shedder = loadShedder({
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
  });

  // Lambda's answers: the handler's result as JSON, or its error with X-Amz-Function-Error (status 200).
  const invoke = async (name: string, req: http.IncomingMessage, res: http.ServerResponse) => {
    const fn = options.invocable?.[name];
    if (!fn) {
      res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
      return send(res, 404, { Type: 'User', message: `Function not found: ${name}` });
    }
    const payload = (await readBody(req)).toString('utf8');
    try {
      const result = await fn(payload === '' ? {} : JSON.parse(payload), createLambdaContext(name));
      return send(res, 200, result ?? null);
    } catch (error) {
      res.setHeader('x-amz-function-error', 'Unhandled');
      return send(res, 200, { errorType: (error as Error).name, errorMessage: (error as Error).message });
    }
  };

  const server = http.createServer(async (req, res) => {
    let release: (() => void) | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const origin = req.headers.origin;
      if (req.method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
        // A preflight is answered by the API itself, as the HTTP API does; no function runs.
        res.writeHead(204, corsHeaders(origin, allowedOrigins, true));
        return res.end();
      }
      for (const [name, value] of Object.entries(corsHeaders(origin, allowedOrigins, false)))
        res.setHeader(name, value);
      const staticBody = options.staticJson?.[url.pathname];
      // Not the API: the JWKS stands in for Cognito's, which the stage's limits do not cover.
      if (req.method === 'GET' && staticBody !== undefined) return send(res, 200, staticBody);
      const invoked = req.method === 'POST' ? invokePath.exec(url.pathname) : null;
      if (invoked) return await invoke(decodeURIComponent(invoked[1] as string), req, res);

      const admission = shedder.admit();
      if (!admission.admitted) {
        // Refused before the body is read or any function runs; Node discards the unread body.
        res.setHeader('retry-after', String(admission.retryAfterSeconds));
        return send(res, admission.status, admission.body);
      }
      release = admission.release;

      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (error) {
        if (error instanceof PayloadTooLargeError) {
          // The connection is not reused: a client that was cut off mid-body would misread the next reply.
          res.setHeader('connection', 'close');
          return send(res, 413, error.toBody());
        }
        throw error;
      }
      const incoming: IncomingRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress ?? loopback,
      };
      const method = incoming.method.toUpperCase();
      let target:
        | { fn: GatewayFunction; routeKey: string; pathParameters?: Record<string, string> }
        | undefined;
      for (const candidate of routes) {
        if (candidate.method !== method) continue;
        const params = matchPath(candidate.path, url.pathname);
        if (params) {
          target = { fn: candidate.fn, routeKey: candidate.key, pathParameters: params };
          break;
        }
      }
      if (!target && fallback) target = { fn: fallback, routeKey: '$default' };
      if (!target) return send(res, 404, new NotFoundError('请求的地址不存在', 'ROUTE_NOT_FOUND').toBody());

      const event = toApiEvent(incoming, target);
      const result = fromApiResult(
        await target.fn.handler(event, createLambdaContext(`onewindow-local-${target.fn.id}`)),
      );
      const headers: Record<string, string | string[]> = { ...result.headers };
      if (result.cookies.length > 0) headers['set-cookie'] = result.cookies;
      res.writeHead(result.statusCode, headers);
      res.end(result.body);
    } catch (error) {
      // What API Gateway does when the integration fails: a 500 without details.
      process.stderr.write(`gateway: handler failed: ${(error as Error).stack ?? String(error)}\n`);
      if (!res.headersSent) send(res, 500, internalErrorBody);
      else res.end();
    } finally {
      release?.();
    }
  });
  server.keepAliveTimeout = 5_000;

  if (options.port !== 0) await assertPortFree(options.port, 'HTTP gateway');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, loopback, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${loopback}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
