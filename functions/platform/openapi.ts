import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { errorResponses, isErrorSchema } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';

/**
 * The OpenAPI 3.1 document of the API, generated from the same route specs and zod schemas that parse
 * requests, so the document cannot drift from what the handlers accept.
 */
/**
 * Path, query and header parameters, described with zod's own JSON Schema output (the input side, so a
 * cursor that is decoded by a transform shows as the string it is on the wire). Done here rather than by
 * the generator, which would need every schema created after patching zod with `.openapi()`.
 */
type PathParameters = NonNullable<Parameters<OpenAPIRegistry['registerPath']>[0]['parameters']>;

function parameters(object: z.ZodObject | undefined, location: 'path' | 'query' | 'header') {
  if (!object) return [];
  const described = Object.entries(object.shape).map(([name, field]) => {
    const schema = field as z.ZodType;
    const {
      $schema: _,
      description,
      ...json
    } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    return {
      name,
      in: location,
      required: location === 'path' || !schema.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: json,
    };
  });
  return described;
}

function parametersOf(request: NonNullable<RouteSpec['request']>): PathParameters {
  const all = [
    ...parameters(request.params, 'path'),
    ...parameters(request.query, 'query'),
    ...parameters(request.headers, 'header'),
  ];
  // zod's JSON Schema (draft 2020-12) is what OpenAPI 3.1 uses for schema objects.
  return all as unknown as PathParameters;
}

/** What each group of operations is for (the route specs' `tags`). */
const tagDescriptions: Record<string, string> = {
  platform: 'Health, this document, the caller',
  catalogue:
    'The matter catalogue (事项目录): windows, departments, matters, service guides — public reading',
  'catalogue: editing': 'Centre configuration and departments editing their service guides',
  calendar: 'Working days (工作日) and office hours (办公时间) under the State Council holiday schedule',
  'calendar: administration': 'Holiday schedules loaded by the centre admin',
  staff: 'Staff records (工作人员档案) and clerks’ qualifications (上岗资格)',
  cases: 'Intake and acceptance at the front desk (前台综合受理), materials, notices, the trail, alerts',
  'back office':
    'Back-office steps of the responsible department (后台审批): receipt, review, decision, 补正, 特别程序',
  consultations:
    'Consultations (咨询件) between the window and the departments, and applicants’ questions on the portal',
  issuance: 'Results (制证), issuance at the window (出件), delivery (送达) and the public check of results',
};

const shapeOf = (schema: z.ZodType | undefined): Record<string, unknown> =>
  schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : {};

/**
 * An operation's description, from what its route says of itself: who may call it, how it pages, how it
 * guards against lost updates and retries, what a creation answers, and how strict its input is.
 */
export function describeOperation(route: RouteSpec): string {
  const request = route.request ?? {};
  const body = shapeOf(request.body);
  const query = shapeOf(request.query);
  const lines = [`${route.summary}.`];
  lines.push(
    route.access === 'public'
      ? 'Public: no token is needed.'
      : 'Needs a bearer token. A caller the summary does not name gets 403, or 404 where even the existence of the resource is not theirs to know.',
  );
  if ('cursor' in query)
    lines.push(
      'Paginated: at most `limit` items (1–100, default 20); pass the answer’s `nextCursor` as `cursor` for the next page. A cursor that was changed or taken from another list is a 400 on `query.cursor`.',
    );
  if ('version' in body)
    lines.push(
      'Optimistic concurrency: send the `version` you read; if it changed since, nothing is written and the answer is 409 `VERSION_CONFLICT` (read again and retry).',
    );
  if ('revision' in body)
    lines.push(
      'Optimistic concurrency: send the `revision` you read (0 to create); a stale one is 409 and nothing is written.',
    );
  if ('idempotency-key' in shapeOf(request.headers))
    lines.push(
      'Retried with the same `Idempotency-Key`, it answers the first result instead of doing it twice.',
    );
  if (Object.values(route.responses).some((response) => response.location))
    lines.push('A creation answers 201 with the new resource’s path in `Location`.');
  if (request.body || request.query)
    lines.push('Unknown query parameters and body fields are refused with a 400 that names them.');
  return lines.join(' ');
}

export function buildOpenApiDocument(routes: RouteSpec[], info: { version: string; serverUrl?: string }) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Cognito ID token in AWS; `npm run -s token -- --role clerk` locally',
  });
  // Common headers, defined once and referenced from every response.
  const serviceTime = registry.registerComponent('headers', 'X-OneWindow-Time', {
    description:
      'The instant (ISO 8601, UTC) of the service clock the answer was computed on: on every answer, errors ' +
      'included. The local stack may run a virtual, accelerated clock; show deadlines against this time.',
    required: true,
    schema: { type: 'string', format: 'date-time' },
  });
  const retryAfter = registry.registerComponent('headers', 'Retry-After', {
    description: 'Seconds to wait before retrying (a dependency is unavailable, or the API is throttling).',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  });
  const location = registry.registerComponent('headers', 'Location', {
    description: 'The path of the resource the request created (relative to the API).',
    required: true,
    schema: { type: 'string' },
  });
  for (const route of routes) {
    const request = route.request ?? {};
    // What any operation may answer besides its own: a wrong method on its path, throttling, a bug, a
    // dependency unavailable (the health check declares its own 503); with a body, its size and type.
    const responses: RouteSpec['responses'] = {
      ...errorResponses(405, 429, 500, 503),
      ...(request.body ? errorResponses(400, 413, 415) : {}),
      ...route.responses,
    };
    registry.registerPath({
      operationId: route.operationId,
      method: route.method.toLowerCase() as Lowercase<RouteSpec['method']>,
      path: route.path,
      summary: route.summary,
      description: describeOperation(route),
      tags: [...route.tags],
      // Every operation says how it is called: a bearer token, or nothing at all (`[]`: public).
      security: route.access === 'authenticated' ? [{ [bearer.name]: [] }] : [],
      parameters: parametersOf(request),
      request: {
        ...(request.body
          ? {
              body: {
                // Required unless the schema itself takes no body (then the handler answers 400 `body`).
                required: !request.body.safeParse(undefined).success,
                content: { 'application/json': { schema: request.body } },
              },
            }
          : {}),
      },
      responses: Object.fromEntries(
        Object.entries(responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            headers: {
              [serviceTime.name]: serviceTime.ref,
              ...(response.location ? { [location.name]: location.ref } : {}),
              // The API's own 429/503 (error body) carry it; /health's 503 is a report, not a refusal.
              ...((status === '503' || status === '429') && isErrorSchema(response.schema)
                ? { [retryAfter.name]: retryAfter.ref }
                : {}),
            },
            ...(response.schema
              ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
              : response.contentType
                ? { content: { [response.contentType]: { schema: { type: 'string' as const } } } }
                : {}),
          },
        ]),
      ),
    });
  }
  const tags = [...new Set(routes.flatMap((route) => route.tags))].sort();
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'OneWindow (一窗通办) API',
      version: info.version,
      description:
        'Backend of the district government service centre: comprehensive-window intake (前台综合受理), back-office approval (后台分类审批) and issuance at the window (综合窗口出件). Every 4xx/5xx body is `{ "error": { "code", "message", "details" } }`.',
      contact: { name: 'OneWindow team, district government service centre (区政务服务中心)' },
      license: {
        name: 'Proprietary: the district government service centre',
        identifier: 'LicenseRef-Proprietary',
      },
    },
    // Relative to where the document is served from: the stage's API in AWS, the gateway locally.
    servers: [{ url: info.serverUrl ?? '/', description: 'This deployment of the API' }],
    tags: tags.map((name) => ({ name, description: tagDescriptions[name] ?? name })),
  });
}
