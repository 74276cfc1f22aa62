import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/**
 * A second OpenID Connect provider on a loopback port, shaped like a province's unified identity
 * (统一身份认证) rather than Cognito: its own issuer URL under a realm, ES256 keys, a discovery document,
 * and tokens with whatever claims a test gives (no Cognito groups unless the test forges them).
 */
export interface TestOidcProvider {
  issuer: string;
  audience: string;
  sign(
    claims: JWTPayload & { sub: string },
    options?: { audience?: string; ttlSeconds?: number },
  ): Promise<string>;
  stop(): Promise<void>;
}

export async function startOidcProvider(audience = 'onewindow-heilongjiang'): Promise<TestOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'hlj-1';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  let issuer = '';
  const server = http.createServer((req, res) => {
    const body =
      req.url === '/realms/heilongjiang/.well-known/openid-configuration'
        ? {
            issuer,
            jwks_uri: `${issuer}/protocol/openid-connect/certs`,
            id_token_signing_alg_values_supported: ['ES256'],
            subject_types_supported: ['public'],
            response_types_supported: ['code'],
          }
        : req.url === '/realms/heilongjiang/protocol/openid-connect/certs'
          ? jwks
          : undefined;
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/heilongjiang`;
  return {
    issuer,
    audience,
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt(now)
        .setExpirationTime(now + (options.ttlSeconds ?? 3600))
        .sign(privateKey);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
