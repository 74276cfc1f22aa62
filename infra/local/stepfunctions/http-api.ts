import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-errors';
import { signingRegion } from './arns';

/**
 * The Step Functions API as AWS JSON 1.0: `POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`, JSON in
 * and out, errors as HTTP 400 `{"__type", "message"}` (client-sfn turns `__type` into `error.name`).
 * Signatures are not checked; the region of their credential scope is what ARNs are written in.
 */
export type OperationHandler = (
  operation: string,
  input: Record<string, unknown>,
  request: { region: string | undefined },
) => unknown;

export interface HttpApi {
  port: number;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
const targetPrefix = 'AWSStepFunctions.';

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new ApiError('ValidationException', 'Request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

async function respond(
  request: IncomingMessage,
  response: ServerResponse,
  handle: OperationHandler,
): Promise<void> {
  try {
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(targetPrefix)) {
      throw new ApiError(
        'UnknownOperationException',
        `Unknown operation: ${request.method} ${String(target)}`,
      );
    }
    const body = await readBody(request);
    let input: unknown;
    try {
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new ApiError('SerializationException', 'The request body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ApiError('SerializationException', 'The request body must be a JSON object');
    }
    const region = signingRegion(request.headers.authorization);
    const output = await handle(target.slice(targetPrefix.length), input as Record<string, unknown>, {
      region,
    });
    send(response, 200, output ?? {});
  } catch (error) {
    if (error instanceof ApiError) send(response, 400, { __type: error.code, message: error.message });
    else
      send(response, 500, {
        __type: 'InternalFailure',
        message: error instanceof Error ? error.message : String(error),
      });
  }
}

export async function startHttpApi(handle: OperationHandler, host: string, port: number): Promise<HttpApi> {
  const server = createServer((request, response) => {
    void respond(request, response, handle);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of SDK clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
