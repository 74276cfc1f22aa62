import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/platform/openapi';
import { allRoutes } from '../../functions/registry';
import { errorCodes } from '../../functions/shared/errors';

// biome-ignore lint/suspicious/noExplicitAny: the generated document, read as JSON.
type Json = Record<string, any>;
const document = buildOpenApiDocument(allRoutes, { version: '0.0.0-test' }) as Json;
const operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json).map(([method, operation]) => ({ key: `${method} ${path}`, operation })),
);

describe('OpenAPI document: common response headers', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents X-OneWindow-Time (the service clock) on every response of every operation', () => {
    expect(document.components.headers['X-OneWindow-Time']).toMatchObject({
      required: true,
      schema: { type: 'string', format: 'date-time' },
    });
    expect(operations.length).toBe(allRoutes.length);
    for (const { key, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        expect(response.headers?.['X-OneWindow-Time'], `${key} ${status}`).toEqual({
          $ref: '#/components/headers/X-OneWindow-Time',
        });
      }
    }
  });

  it('documents 503 SERVICE_UNAVAILABLE with Retry-After on every operation that can reach a dependency', () => {
    for (const { key, operation } of operations) {
      const unavailable = operation.responses['503'];
      expect(unavailable, key).toBeDefined();
      if (key === 'get /health') {
        // A report of the dependencies, not a refusal to retry.
        expect(unavailable.headers['Retry-After']).toBeUndefined();
        continue;
      }
      expect(unavailable.headers['Retry-After'], key).toEqual({ $ref: '#/components/headers/Retry-After' });
      expect(unavailable.content['application/json'].schema, key).toEqual({
        $ref: '#/components/schemas/Error503',
      });
    }
  });

  it('documents what any operation may answer (405, 429 with Retry-After, 500) and, with a body, 400, 413 and 415', () => {
    for (const { key, operation } of operations) {
      for (const status of ['405', '429', '500']) {
        expect(operation.responses[status]?.content['application/json'].schema, `${key} ${status}`).toEqual({
          $ref: `#/components/schemas/Error${status}`,
        });
      }
      expect(operation.responses['429'].headers['Retry-After'], key).toBeDefined();
      if (operation.requestBody) {
        for (const status of ['400', '413', '415'])
          expect(operation.responses[status], `${key} ${status}`).toBeDefined();
      }
    }
  });

  it('marks every request body required (each route refuses a missing one with 400 `body`)', () => {
    const withBody = operations.filter(({ operation }) => operation.requestBody);
    expect(withBody.length).toBeGreaterThan(30);
    for (const { key, operation } of withBody) expect(operation.requestBody.required, key).toBe(true);
  });

  it('lists the stable error codes of each status as an enum', () => {
    const schemas = document.components.schemas;
    for (const [status, codes] of Object.entries(errorCodes)) {
      expect(schemas[`Error${status}`].properties.error.properties.code.enum, status).toEqual([...codes]);
    }
    // A code belongs to one status: a client can tell what happened from the code alone.
    const all = Object.values(errorCodes).flat();
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('OpenAPI document: what linters ask of it', () => {
  it('says how every operation is called: a bearer token, or explicitly nothing (public)', () => {
    const publicKeys = new Set(
      allRoutes.filter((r) => r.access === 'public').map((r) => `${r.method.toLowerCase()} ${r.path}`),
    );
    for (const { key, operation } of operations) {
      expect(operation.security, key).toEqual(publicKeys.has(key) ? [] : [{ bearerAuth: [] }]);
    }
  });

  it('declares every tag it uses, each with a description, and names a server, a contact and a licence', () => {
    const declared = new Map((document.tags as Json[]).map((t) => [t.name, t.description]));
    for (const { key, operation } of operations) {
      for (const tag of operation.tags as string[]) {
        expect(declared.has(tag), `${key}: ${tag}`).toBe(true);
        expect(declared.get(tag), tag).not.toBe(tag);
      }
    }
    expect(document.servers).toEqual([{ url: '/', description: 'This deployment of the API' }]);
    expect(document.info.license.name).toMatch(/\S/);
    expect(document.info.contact.name).toMatch(/\S/);
  });
});

describe('OpenAPI document: created resources', () => {
  it('documents Location on the 201 of every operation that creates an addressable resource', () => {
    const creating = operations.filter(({ operation }) => operation.responses['201']?.headers?.Location);
    expect(creating.map(({ key }) => key).sort()).toEqual([
      'post /cases',
      'post /consultations',
      'post /matters',
      'put /departments/{departmentId}',
      'put /staff/{userId}',
      'put /windows/{windowId}',
    ]);
    for (const { operation } of creating)
      expect(operation.responses['201'].headers.Location).toEqual({ $ref: '#/components/headers/Location' });
  });
});
