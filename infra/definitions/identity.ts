import { isChinaRegion } from './regions';

/**
 * Who signs the API's tokens, per stage. `cognito`: the Api stack's own user pool (roles as Cognito groups,
 * window and department as custom attributes that only the centre's administrators assign). `oidc`: any
 * OpenID Connect provider, the province's unified identity (统一身份认证) in the China regions, where Cognito
 * user pools are not offered: the HTTP API's JWT authorizer checks its issuer and audience (API Gateway
 * reads the key set through `<issuer>/.well-known/openid-configuration`), and so do the handlers.
 */
export type IdentityConfig =
  | { kind: 'cognito' }
  | {
      kind: 'oidc';
      /** https URL, exactly the tokens' `iss`. */
      issuer: string;
      /** The tokens' `aud` (the client id the provider issued to the portal and counter app). */
      audience: string;
      /**
       * The key set, when the provider does not publish it through discovery; without it the handlers read
       * `jwks_uri` from `<issuer>/.well-known/openid-configuration`, as the authorizer does.
       */
      jwksUrl?: string;
      /**
       * Where roles and scope come from: `staff-records` (default: our staff records by the token's subject,
       * everyone else an applicant) or `token` (the provider puts our role claims in its tokens).
       */
      roles: 'staff-records' | 'token';
      /** Which claims carry the person's name, ID number and real-name level (IDENTITY_PERSON_CLAIMS). */
      personClaims?: { name?: string; idNumber?: string; realNameLevel?: string };
    };

export interface IdentitySettings {
  /** `"identity": { "<stage>": { "issuer": …, "audience": …, "jwksUrl"?: …, "roles"?: …, "personClaims"?: … } }`, or one such object. */
  identity?: unknown;
  oidcIssuer?: unknown;
  oidcAudience?: unknown;
  oidcJwksUrl?: unknown;
}

const hint = (stage: string) =>
  `-c oidcIssuer=https://… -c oidcAudience=<client id> [-c oidcJwksUrl=https://…], or ` +
  `"identity": { "${stage}": { "issuer": "https://…", "audience": "…" } } in the context of cdk.json`;

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

function parseObject(value: unknown, what: string): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`context ${what} must be an object (or its JSON)`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`context ${what} must be an object (or its JSON)`);
  }
  return parsed as Record<string, unknown>;
}

function isPlainHttpsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.search === '' && url.hash === '' && url.username === '';
  } catch {
    return false;
  }
}

function httpsUrl(value: unknown, what: string, stage: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!isPlainHttpsUrl(text)) {
    throw new Error(
      `the identity provider's ${what} must be an https URL without query or fragment (got ${JSON.stringify(value)}), stage ${stage}: ${hint(stage)}`,
    );
  }
  return text;
}

/**
 * The stage's identity provider. An OIDC provider from the `oidcIssuer`/`oidcAudience`/`oidcJwksUrl` context
 * (command line) or the `identity` context (per stage in cdk.json); otherwise Cognito, which the China regions
 * do not offer: a `cn-*` region without an OIDC provider fails synthesis here.
 */
export function resolveIdentity(
  stage: string,
  settings: IdentitySettings,
  region: string | undefined,
): IdentityConfig {
  let raw: Record<string, unknown> | undefined;
  if (present(settings.oidcIssuer) || present(settings.oidcAudience) || present(settings.oidcJwksUrl)) {
    raw = { issuer: settings.oidcIssuer, audience: settings.oidcAudience, jwksUrl: settings.oidcJwksUrl };
  } else if (present(settings.identity)) {
    const setting = parseObject(settings.identity, 'identity');
    const entry = 'issuer' in setting || 'audience' in setting ? setting : setting[stage];
    if (present(entry)) raw = parseObject(entry, `identity.${stage}`);
  }

  if (!raw) {
    if (isChinaRegion(region)) {
      throw new Error(
        `Amazon Cognito user pools are not available in the China regions (${region}): stage ${stage} needs an ` +
          `OpenID Connect identity provider (the province's unified identity): ${hint(stage)}`,
      );
    }
    return { kind: 'cognito' };
  }

  const known = ['issuer', 'audience', 'jwksUrl', 'roles', 'personClaims'];
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `identity of stage ${stage}: unknown setting ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  }
  const issuer = httpsUrl(raw.issuer, 'issuer', stage);
  const audience = typeof raw.audience === 'string' ? raw.audience.trim() : '';
  if (audience === '' || /[\s,]/.test(audience)) {
    throw new Error(
      `the identity provider's audience must be one non-empty client id (got ${JSON.stringify(raw.audience)}), stage ${stage}: ${hint(stage)}`,
    );
  }
  const roles = raw.roles ?? 'staff-records';
  if (roles !== 'staff-records' && roles !== 'token') {
    throw new Error(
      `identity of stage ${stage}: roles must be staff-records or token (got ${JSON.stringify(roles)})`,
    );
  }
  let personClaims: { name?: string; idNumber?: string; realNameLevel?: string } | undefined;
  if (present(raw.personClaims)) {
    const claims = parseObject(raw.personClaims, `identity.${stage}.personClaims`);
    for (const [key, value] of Object.entries(claims)) {
      if (!['name', 'idNumber', 'realNameLevel'].includes(key) || typeof value !== 'string' || value === '') {
        throw new Error(
          `identity of stage ${stage}: personClaims maps name, idNumber and realNameLevel to claim names (got ${key})`,
        );
      }
    }
    personClaims = claims as typeof personClaims;
  }
  return {
    kind: 'oidc',
    issuer,
    audience,
    ...(present(raw.jwksUrl) ? { jwksUrl: httpsUrl(raw.jwksUrl, 'jwksUrl', stage) } : {}),
    roles,
    ...(personClaims ? { personClaims } : {}),
  };
}
