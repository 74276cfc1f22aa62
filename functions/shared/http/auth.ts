import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import * as z from 'zod';
import {
  InvalidClaimsError,
  type PersonClaimNames,
  type Principal,
  personFromClaims,
  principalFromClaims,
  principalFromStaff,
  type StaffStanding,
} from '../../domain/principal';
import { parseEnv } from '../env';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors';
import { logger } from '../logger';
import { discoveredKeySet, KeySetUnavailableError, remoteKeySet } from './jwks';

/**
 * Verifies the bearer JWT of a request. The same code runs in AWS (the HTTP API's JWT authorizer has
 * already checked the token once) and locally (the local issuer), for any OpenID Connect provider: Cognito
 * where it is offered, the province's unified identity (统一身份认证) where it is not (the China regions).
 *
 *   JWT_ISSUER, JWT_AUDIENCE   what the token must say (`iss`, `aud`)
 *   JWT_JWKS_URL               the key set; or JWT_DISCOVERY_URL (default `<issuer>/.well-known/
 *                              openid-configuration` when the issuer is a URL), whose `jwks_uri` is used
 *   JWT_ALGORITHMS             accepted signature algorithms (default RS256)
 *   IDENTITY_ROLES             `token`: roles and scope from the token's claims (Cognito groups and custom
 *                              attributes, which only our administrators assign); `staff-records`: from
 *                              our staff records by the token's subject, everyone else an applicant
 *   IDENTITY_PERSON_CLAIMS     JSON, which claim carries the person's name, ID number and real-name level
 */
const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
const authEnv = parseEnv(
  z
    .object({
      JWT_ISSUER: z.string().min(1),
      JWT_AUDIENCE: z.string().min(1),
      JWT_JWKS_URL: z.url().optional(),
      JWT_DISCOVERY_URL: z.url().optional(),
      JWT_ALGORITHMS: z
        .string()
        .default('RS256')
        .transform((text) => text.split(',').map((a) => a.trim()))
        .pipe(z.array(z.enum(algorithms)).min(1)),
      IDENTITY_ROLES: z.enum(['token', 'staff-records']).default('token'),
      IDENTITY_PERSON_CLAIMS: z
        .string()
        .default('{}')
        .transform((text, context) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            context.addIssue({ code: 'custom', message: 'not JSON' });
            return z.NEVER;
          }
        })
        .pipe(
          z.strictObject({
            name: z.string().min(1).optional(),
            idNumber: z.string().min(1).optional(),
            realNameLevel: z.string().min(1).optional(),
          }),
        ),
      STAFF_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
      CATALOGUE_TABLE: z.string().min(1).optional(),
    })
    .refine((env) => env.JWT_JWKS_URL || env.JWT_DISCOVERY_URL || /^https?:\/\//.test(env.JWT_ISSUER), {
      message: 'JWT_JWKS_URL or JWT_DISCOVERY_URL is needed when JWT_ISSUER is not a URL',
      path: ['JWT_JWKS_URL'],
    })
    .refine((env) => env.IDENTITY_ROLES === 'token' || env.CATALOGUE_TABLE, {
      message: 'IDENTITY_ROLES=staff-records reads the staff records: the function needs the catalogue table',
      path: ['CATALOGUE_TABLE'],
    }),
);

const keySet: JWTVerifyGetKey = authEnv.JWT_JWKS_URL
  ? remoteKeySet(new URL(authEnv.JWT_JWKS_URL), { cacheMaxAgeMs: 10 * 60_000 })
  : discoveredKeySet(
      new URL(
        authEnv.JWT_DISCOVERY_URL ??
          `${authEnv.JWT_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`,
      ),
      authEnv.JWT_ISSUER,
      { cacheMaxAgeMs: 10 * 60_000 },
    );
const personClaims: PersonClaimNames = authEnv.IDENTITY_PERSON_CLAIMS;

/** Staff standings by subject, kept for STAFF_CACHE_SECONDS: a role withdrawn takes at most that long. */
const standings = new Map<string, { at: number; staff: StaffStanding | undefined }>();
async function staffStanding(userId: string): Promise<StaffStanding | undefined> {
  const cached = standings.get(userId);
  if (cached && Date.now() - cached.at < authEnv.STAFF_CACHE_SECONDS * 1000) return cached.staff;
  // Imported here: a function that takes roles from tokens never loads the DynamoDB client for this.
  const { documentClient } = await import('../clients/dynamodb');
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: authEnv.CATALOGUE_TABLE,
      Key: { pk: `STAFF#${userId}`, sk: 'PROFILE' },
      ProjectionExpression: '#role, windowId, departmentId, active',
      ExpressionAttributeNames: { '#role': 'role' },
    }),
  );
  const staff = Item as StaffStanding | undefined;
  if (standings.size > 1_000) standings.clear();
  standings.set(userId, { at: Date.now(), staff });
  return staff;
}

async function principalOf(payload: JWTPayload): Promise<Principal> {
  const principal =
    authEnv.IDENTITY_ROLES === 'token'
      ? principalFromClaims(payload)
      : principalFromStaff(String(payload.sub), await staffStanding(String(payload.sub)));
  const person = personFromClaims(payload, personClaims);
  return Object.keys(person).length > 0 ? { ...principal, person } : principal;
}

export async function authenticate(authorization: string | undefined): Promise<Principal> {
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new UnauthenticatedError();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(match[1], keySet, {
      issuer: authEnv.JWT_ISSUER,
      audience: authEnv.JWT_AUDIENCE,
      algorithms: [...authEnv.JWT_ALGORITHMS],
      requiredClaims: ['sub', 'exp'],
    }));
    // Cognito issues access tokens too: only its ID tokens carry the groups and attributes read here.
    if (payload.token_use !== undefined && payload.token_use !== 'id') throw new UnauthenticatedError();
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidClaimsError('no subject');
  } catch (error) {
    if (error instanceof KeySetUnavailableError) throw new ServiceUnavailableError('身份验证服务暂时不可用');
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('身份令牌已过期,请重新登录');
    if (error instanceof joseErrors.JOSEError || error instanceof InvalidClaimsError) {
      logger.info('token refused', { reason: error.name });
      throw new UnauthenticatedError();
    }
    throw error;
  }
  try {
    return await principalOf(payload);
  } catch (error) {
    if (error instanceof InvalidClaimsError) {
      logger.info('token refused', { reason: error.name });
      throw new UnauthenticatedError();
    }
    throw error;
  }
}
