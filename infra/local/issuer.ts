import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { claimNames, type Role } from '../../functions/domain/principal';

/**
 * The local stand-in for Cognito: an RS256 key pair kept in the local data folder, tokens shaped like
 * Cognito ID tokens (groups for the role, custom attributes for window and department), and the public
 * JWKS that the gateway serves. Handlers verify these tokens with the same code as Cognito's.
 */
export const localIssuer = 'urn:onewindow:local-issuer';
export const localAudience = 'onewindow-local-client';
export const localJwksPath = '/local-issuer/.well-known/jwks.json';
export const localDiscoveryPath = '/local-issuer/.well-known/openid-configuration';

/**
 * The local issuer's OpenID Connect discovery document, as any provider publishes one: the handlers find
 * the key set through it (JWT_DISCOVERY_URL), the path a deployment on the province's identity provider
 * takes. Its issuer stays a URN: tokens minted offline (`npm run token`) need no port.
 */
export function localDiscoveryDocument(baseUrl: string) {
  return {
    issuer: localIssuer,
    jwks_uri: `${baseUrl}${localJwksPath}`,
    id_token_signing_alg_values_supported: ['RS256'],
    subject_types_supported: ['public'],
    response_types_supported: ['id_token'],
    claims_supported: ['sub', 'cognito:groups', 'custom:windowId', 'custom:departmentId', 'name'],
  };
}

export interface LocalIssuer {
  jwks: { keys: JWK[] };
  sign(claims: LocalTokenClaims): Promise<string>;
}

export interface LocalTokenClaims {
  role: Role;
  sub?: string;
  windowId?: string;
  departmentId?: string;
  /** Lifetime in seconds (default 8 hours, one working day at the counter). */
  ttlSeconds?: number;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function loadOrCreateKey(dataDir: string): Promise<StoredKey> {
  const file = path.join(dataDir, 'issuer', 'signing-key.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
  } catch {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `local-${Date.now().toString(36)}`;
    const stored: StoredKey = {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    return stored;
  }
}

export async function openLocalIssuer(dataDir: string, now: () => number = Date.now): Promise<LocalIssuer> {
  const key = await loadOrCreateKey(dataDir);
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  return {
    jwks: { keys: [key.publicJwk] },
    async sign({ role, sub, windowId, departmentId, ttlSeconds = 8 * 3600 }) {
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({
        token_use: 'id',
        [claimNames.groups]: [role],
        ...(windowId ? { [claimNames.windowId]: windowId } : {}),
        ...(departmentId ? { [claimNames.departmentId]: departmentId } : {}),
        auth_time: issuedAt,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setSubject(sub ?? `local-${role}`)
        .setIssuer(localIssuer)
        .setAudience(localAudience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(privateKey);
    },
  };
}
