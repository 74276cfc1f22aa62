import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../functions/shared/http/route';
import { type Gateway, startGateway } from '../../infra/local/gateway/http-gateway';

/**
 * API Gateway refuses a body over 10 MB with a 413; the local gateway must answer the same, with the
 * project's JSON error body, and the client must be able to read that answer (not a reset connection).
 */
const uploadRoute: RouteSpec = {
  operationId: 'upload',
  method: 'POST',
  path: '/upload',
  access: 'public',
  summary: 'counts the body',
  tags: [],
  responses: { 200: { description: 'ok' } },
};

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

function countingFunction() {
  let invocations = 0;
  return {
    fn: {
      id: 'upload',
      routes: [uploadRoute],
      handler: async (event: { body?: string; isBase64Encoded: boolean }) => {
        invocations++;
        const bytes = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : [];
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ bytes: bytes.length }),
        };
      },
    },
    invocations: () => invocations,
  };
}

/** A plain Node request streaming `size` bytes in 64 KiB chunks, without a content-length. */
function postChunked(url: string, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/octet-stream' } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!request.write(part)) return request.once('drain', write);
      }
      request.end();
    };
    write();
  });
}

describe('local gateway payload limit', () => {
  it('answers an 11 MiB body (with content-length) with 413 and the JSON error body', async () => {
    const counting = countingFunction();
    gateway = await startGateway({ port: 0, functions: [counting.fn] });
    const response = await fetch(`${gateway.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(11 * 1024 * 1024, 0x61),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toMatch(/请求体/);
    expect(counting.invocations()).toBe(0);
  });

  it('answers a streamed 11 MiB body (chunked) with 413 and still serves the next request', async () => {
    const counting = countingFunction();
    gateway = await startGateway({ port: 0, functions: [counting.fn] });
    const refused = await postChunked(`${gateway.url}/upload`, 11 * 1024 * 1024);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(counting.invocations()).toBe(0);

    const accepted = await postChunked(`${gateway.url}/upload`, 1024 * 1024);
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body)).toEqual({ bytes: 1024 * 1024 });
  });
});
