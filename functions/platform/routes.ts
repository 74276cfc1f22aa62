import * as z from 'zod';
import { roles } from '../domain/principal';
import { errorResponses } from '../shared/http/openapi-schemas';
import type { RouteSpec } from '../shared/http/route';
import { docsAssetNames } from './docs-assets';

const dependencyStatus = z.object({
  status: z.enum(['ok', 'unavailable']).meta({
    description: 'Whether the dependency answered in time; why it did not is logged, never answered.',
  }),
  latencyMs: z.number().int().nonnegative(),
});

export const healthResponse = z
  .object({
    status: z.enum(['ok', 'degraded']),
    stage: z.string(),
    time: z.iso.datetime().meta({ description: 'Now, on the service clock (accelerated locally).' }),
    dependencies: z.record(z.string(), dependencyStatus),
  })
  .meta({ id: 'Health' });

export const meResponse = z
  .object({
    userId: z.string(),
    roles: z.array(z.enum(roles)),
    windowId: z.string().optional(),
    departmentId: z.string().optional(),
  })
  .meta({ id: 'Principal' });

export const platformRoutes = {
  health: {
    operationId: 'getHealth',
    method: 'GET',
    path: '/health',
    access: 'public',
    summary: 'Status of the service and of each dependency (DynamoDB, S3, Step Functions)',
    tags: ['platform'],
    responses: {
      200: { description: 'Every dependency is up', schema: healthResponse },
      503: { description: 'At least one dependency is down', schema: healthResponse },
    },
  },
  openapi: {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    summary: 'This API as an OpenAPI 3.1 document, generated from the zod schemas',
    tags: ['platform'],
    responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
  },
  docs: {
    operationId: 'getDocs',
    method: 'GET',
    path: '/docs',
    access: 'public',
    summary:
      'This reference, interactive (Swagger UI from this API, no CDN): Authorize with a bearer token, try it out',
    tags: ['platform'],
    responses: {
      200: {
        description: 'HTML page; its Content-Security-Policy lets it load and call this origin only',
        contentType: 'text/html',
      },
    },
  },
  docsAsset: {
    operationId: 'getDocsAsset',
    method: 'GET',
    path: '/docs/assets/{file}',
    access: 'public',
    summary: 'A file of the docs page: Swagger UI (npm swagger-ui-dist) and the script that starts it',
    tags: ['platform'],
    request: {
      params: z.object({
        // Any other name is a 404 (the file does not exist), not a 400: declared here, checked by the handler.
        file: z.string().meta({ description: 'One of the files the page loads', enum: [...docsAssetNames] }),
      }),
      query: z.object({
        v: z
          .string()
          .regex(/^[0-9a-f]{16}$/)
          .optional()
          .meta({
            description:
              'The version the page links (a hash of the content): the answer for the current one may be cached for a year',
          }),
      }),
    },
    responses: {
      200: {
        description: 'The file (text/javascript or text/css), gzip when accepted',
        contentType: 'text/*',
      },
      ...errorResponses(400, 404),
    },
  },
  me: {
    operationId: 'getMe',
    method: 'GET',
    path: '/me',
    access: 'authenticated',
    summary: 'The caller as the API sees it: user id, roles, window and department',
    tags: ['platform'],
    responses: { 200: { description: 'The verified caller', schema: meResponse }, ...errorResponses(401) },
  },
} as const satisfies Record<string, RouteSpec>;
