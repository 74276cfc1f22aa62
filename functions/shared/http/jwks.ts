import http from 'node:http';
import https from 'node:https';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/**
 * The issuer's key set (Cognito's JWKS in AWS, the local issuer's here), fetched with Node's own
 * http(s) client, which the AWS SDK's HTTP handler loads anyway. jose's `createRemoteJWKSet` does the
 * same over `fetch`, and creating it loads undici: about 20 ms of every cold start of every function
 * that checks tokens (measured by `npm run bench`). The behaviour is jose's: the set is kept for
 * `cacheMaxAgeMs`; a token whose key is not in it makes one fetch, at most once per `cooldownMs`
 * (the issuer rotated its keys); callers waiting at once share one fetch; keys are chosen by jose.
 */
export interface RemoteKeySetOptions {
  timeoutMs?: number;
  cacheMaxAgeMs?: number;
  cooldownMs?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

/** The key set could not be fetched: the issuer is down, slow or answered other than 200. */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

const maxKeySetBytes = 256 * 1024;

function fetchJson(url: URL, timeoutMs: number): Promise<unknown> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: { accept: 'application/json' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new KeySetUnavailableError(`the key set answered ${response.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxKeySetBytes) request.destroy(new errors.JWKSInvalid('the key set is too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new errors.JWKSInvalid('the key set is not JSON'));
        }
      });
      response.on('error', reject);
    });
    const timer = setTimeout(
      () => request.destroy(new KeySetUnavailableError(`no key set within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('close', () => clearTimeout(timer));
    request.on('error', (error) =>
      reject(
        error instanceof errors.JOSEError || error instanceof KeySetUnavailableError
          ? error
          : new KeySetUnavailableError(`the key set could not be fetched: ${error.message}`, {
              cause: error,
            }),
      ),
    );
  });
}

export function remoteKeySet(url: URL, options: RemoteKeySetOptions = {}): JWTVerifyGetKey {
  const { timeoutMs = 5_000, cacheMaxAgeMs = 600_000, cooldownMs = 30_000 } = options;
  const now = options.now ?? (() => performance.now());
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<JWTVerifyGetKey> | undefined;
  const reload = (): Promise<JWTVerifyGetKey> => {
    pending ??= fetchJson(url, timeoutMs)
      .then((jwks) => {
        local = createLocalJWKSet(jwks as JSONWebKeySet);
        fetchedAt = now();
        return local;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return async (header, token) => {
    const keys = local && now() - fetchedAt < cacheMaxAgeMs ? local : await reload();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now() - fetchedAt < cooldownMs) throw error;
      return (await reload())(header, token);
    }
  };
}

/**
 * The key set of an OpenID Connect provider found through its discovery document
 * (`<issuer>/.well-known/openid-configuration`): its `issuer` must be the one configured (OIDC Discovery
 * §4.3) and its `jwks_uri` an https URL (http only on loopback, for the local issuer). Read on first use
 * and again after a failure; the keys themselves are cached as by `remoteKeySet`.
 */
export function discoveredKeySet(
  discoveryUrl: URL,
  expectedIssuer: string,
  options: RemoteKeySetOptions = {},
): JWTVerifyGetKey {
  const { timeoutMs = 5_000 } = options;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const document = (await fetchJson(discoveryUrl, timeoutMs)) as { issuer?: unknown; jwks_uri?: unknown };
    if (document?.issuer !== expectedIssuer)
      throw new errors.JWKSInvalid(`the discovery document names issuer ${String(document?.issuer)}`);
    let jwksUri: URL;
    try {
      jwksUri = new URL(String(document.jwks_uri));
    } catch {
      throw new errors.JWKSInvalid('the discovery document has no jwks_uri');
    }
    const loopbackHttp =
      jwksUri.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(jwksUri.hostname);
    if (jwksUri.protocol !== 'https:' && !loopbackHttp)
      throw new errors.JWKSInvalid('the discovery document names a jwks_uri that is not https');
    return remoteKeySet(jwksUri, options);
  };
  return async (header, token) => {
    keys ??= discover().catch((error) => {
      keys = undefined;
      throw error;
    });
    return (await keys)(header, token);
  };
}
