import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySetUnavailableError, remoteKeySet } from '../../functions/shared/http/jwks';

/** The issuer's key set over a loopback HTTP server, as the functions fetch it (no `fetch`, no undici). */
type Answer = { status: number; body: string; delayMs?: number };
let answer: Answer;
let requests = 0;
let server: http.Server;
let url: URL;
const keys: {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  jwk: JWK;
}[] = [];

async function newKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const key = { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  keys.push(key);
  return key;
}
const serve = (...kids: string[]) => {
  answer = {
    status: 200,
    body: JSON.stringify({ keys: keys.filter((k) => kids.includes(k.kid)).map((k) => k.jwk) }),
  };
};
const header = (kid: string) => ({ alg: 'RS256', kid });
const token = async (kid: string) => {
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new Error(kid);
  const jwt = await new SignJWT({}).setProtectedHeader(header(kid)).sign(key.privateKey);
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return { payload: p, signature: s, protected: h };
};
const clock = () => {
  let at = 0;
  return { now: () => at, advance: (ms: number) => (at += ms) };
};

beforeAll(async () => {
  await newKey('one');
  await newKey('two');
  server = http.createServer((_req, res) => {
    requests++;
    const { status, body, delayMs = 0 } = answer;
    setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('remoteKeySet', () => {
  it('fetches once for callers at once and keeps the set until it is stale', async () => {
    serve('one');
    requests = 0;
    const time = clock();
    const getKey = remoteKeySet(url, { cacheMaxAgeMs: 60_000, now: time.now });
    const t = await token('one');
    const found = await Promise.all(Array.from({ length: 5 }, () => getKey(header('one'), t)));
    expect(found.every((key) => key !== undefined)).toBe(true);
    expect(requests).toBe(1);
    time.advance(59_000);
    await getKey(header('one'), t);
    expect(requests).toBe(1);
    time.advance(2_000);
    await getKey(header('one'), t);
    expect(requests).toBe(2);
  });

  it('fetches again for a key it does not know (rotation), at most once per cooldown', async () => {
    serve('one');
    requests = 0;
    const time = clock();
    const getKey = remoteKeySet(url, { cooldownMs: 30_000, now: time.now });
    await getKey(header('one'), await token('one'));
    serve('one', 'two');
    // Within the cooldown an unknown key is refused without asking the issuer again.
    await expect(getKey(header('two'), await token('two'))).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(requests).toBe(1);
    time.advance(30_000);
    expect(await getKey(header('two'), await token('two'))).toBeDefined();
    expect(requests).toBe(2);
    // A key the issuer never had is refused; having just fetched, it does not ask again.
    await expect(getKey(header('three'), await token('two'))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
    expect(requests).toBe(2);
  });

  it('reports an issuer that answers an error, too slowly or not at all as unavailable', async () => {
    answer = { status: 503, body: '{}' };
    await expect(remoteKeySet(url)(header('one'), await token('one'))).rejects.toBeInstanceOf(
      KeySetUnavailableError,
    );
    answer = { status: 200, body: '{"keys":[]}', delayMs: 300 };
    await expect(remoteKeySet(url, { timeoutMs: 50 })(header('one'), await token('one'))).rejects.toThrow(
      /no key set within 50 ms/,
    );
    const closed = new URL('http://127.0.0.1:9/jwks.json');
    await expect(remoteKeySet(closed)(header('one'), await token('one'))).rejects.toBeInstanceOf(
      KeySetUnavailableError,
    );
  });

  it('refuses a body that is not a key set, and recovers once the issuer serves one', async () => {
    answer = { status: 200, body: '<html>' };
    const getKey = remoteKeySet(url);
    await expect(getKey(header('one'), await token('one'))).rejects.toBeInstanceOf(errors.JWKSInvalid);
    answer = { status: 200, body: '{"nokeys":true}' };
    await expect(getKey(header('one'), await token('one'))).rejects.toBeInstanceOf(errors.JWKSInvalid);
    serve('one');
    expect(await getKey(header('one'), await token('one'))).toBeDefined();
  });
});
