import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Role } from '../../functions/domain/principal';
import { functionDefinitions } from '../../functions/registry';
import { repoRoot } from '../../infra/definitions/asl';
import { type ApiHandler, startGateway } from '../../infra/local/gateway/http-gateway';
import { localAudience, localIssuer, localJwksPath, openLocalIssuer } from '../../infra/local/issuer';
import { freePort } from '../../infra/local/ports';

/**
 * The real handlers of some functions behind the real local gateway on a random port, with a local
 * issuer whose JWKS the gateway serves; `env` (table and bucket names…) is set before they load.
 */
export interface TestApi {
  url: string;
  token(role: Role, scope?: { windowId?: string; departmentId?: string; sub?: string }): Promise<string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies loosely and assert their shape.
  call<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  /** As `call`, with the response headers. */
  // biome-ignore lint/suspicious/noExplicitAny: as call.
  send<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Record<string, string> }>;
  stop(): Promise<void>;
}

export async function startTestApi(
  functionIds: string[],
  env: Record<string, string>,
  /** Another identity provider's settings (JWT_*, IDENTITY_*) instead of the local issuer's. */
  identity?: Record<string, string>,
): Promise<TestApi> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  Object.assign(
    process.env,
    env,
    identity ?? {
      JWT_ISSUER: localIssuer,
      JWT_AUDIENCE: localAudience,
      JWT_JWKS_URL: `${url}${localJwksPath}`,
    },
  );
  const issuer = await openLocalIssuer(mkdtempSync(path.join(os.tmpdir(), 'onewindow-api-issuer-')));
  const functions = await Promise.all(
    functionIds.map(async (id) => {
      const definition = functionDefinitions.find((fn) => fn.id === id);
      if (!definition) throw new Error(`no function ${id}`);
      const module = (await import(pathToFileURL(path.join(repoRoot, definition.entry)).href)) as {
        handler: ApiHandler;
      };
      return {
        id,
        routes: definition.routes,
        defaultRoute: definition.defaultRoute ?? false,
        handler: module.handler,
      };
    }),
  );
  const gateway = await startGateway({ port, functions, staticJson: { [localJwksPath]: issuer.jwks } });
  const send: TestApi['send'] = async (method, requestPath, options = {}) => {
    const response = await fetch(`${url}${requestPath}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : {},
      headers: Object.fromEntries(response.headers),
    };
  };
  return {
    url,
    token: (role, scope = {}) =>
      issuer.sign({
        role,
        sub: scope.sub ?? `test-${role}`,
        ...(scope.windowId ? { windowId: scope.windowId } : {}),
        ...(scope.departmentId ? { departmentId: scope.departmentId } : {}),
      }),
    async call(method, requestPath, options = {}) {
      const { status, body } = await send(method, requestPath, options);
      return { status, body };
    },
    send,
    stop: gateway.stop,
  };
}
