import { errors as joseErrors, jwtVerify } from 'jose';
import * as z from 'zod';
import { InvalidClaimsError, type Principal, principalFromClaims } from '../../domain/principal';
import { parseEnv } from '../env';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors';
import { logger } from '../logger';
import { KeySetUnavailableError, remoteKeySet } from './jwks';

/**
 * Verifies the bearer JWT of a request. The same code runs in AWS (Cognito's issuer and JWKS; the HTTP
 * API's JWT authorizer has already checked it once) and locally (the local issuer's JWKS served by the
 * gateway), so a token that passes locally passes for the same reasons in the cloud.
 */
const authEnv = parseEnv(
  z.object({
    JWT_ISSUER: z.string().min(1),
    JWT_AUDIENCE: z.string().min(1),
    JWT_JWKS_URL: z.url(),
  }),
);

const keySet = remoteKeySet(new URL(authEnv.JWT_JWKS_URL), { cacheMaxAgeMs: 10 * 60_000 });

export async function authenticate(authorization: string | undefined): Promise<Principal> {
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new UnauthenticatedError();
  try {
    const { payload } = await jwtVerify(match[1], keySet, {
      issuer: authEnv.JWT_ISSUER,
      audience: authEnv.JWT_AUDIENCE,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp'],
    });
    if (payload.token_use !== undefined && payload.token_use !== 'id') throw new UnauthenticatedError();
    return principalFromClaims(payload);
  } catch (error) {
    if (error instanceof KeySetUnavailableError) throw new ServiceUnavailableError('身份验证服务暂时不可用');
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('身份令牌已过期,请重新登录');
    if (error instanceof joseErrors.JOSEError || error instanceof InvalidClaimsError) {
      logger.info('token refused', { reason: error.name });
      throw new UnauthenticatedError();
    }
    throw error;
  }
}
