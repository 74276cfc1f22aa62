import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  type LocalIssuer,
  localAudience,
  localIssuer,
  localJwksPath,
  openLocalIssuer,
} from '../../infra/local/issuer';

/** A local issuer whose JWKS is served on a loopback port, and the env that makes handlers trust it. */
export async function startTestIssuer(): Promise<{
  issuer: LocalIssuer;
  env: Record<string, string>;
  stop(): Promise<void>;
}> {
  const issuer = await openLocalIssuer(mkdtempSync(path.join(os.tmpdir(), 'onewindow-issuer-')));
  const server = http.createServer((req, res) => {
    if (req.url === localJwksPath) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(issuer.jwks));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    issuer,
    env: {
      JWT_ISSUER: localIssuer,
      JWT_AUDIENCE: localAudience,
      JWT_JWKS_URL: `http://127.0.0.1:${port}${localJwksPath}`,
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Changes one character of the signature: a well-formed token that must not verify. */
export function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return `${header}.${payload}.${flipped}`;
}

/** Re-signs nothing: swaps the payload for one claiming admin, keeping the clerk's signature. */
export function forgeRole(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims['cognito:groups'] = ['admin'];
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
