import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Scope } from './principal.ts';
import { SIGNING_ALGORITHM, type SigningKeys } from './keys.ts';

/** RFC 9068 §2.1: the media type that tells an access token apart from an ID token or any other JWT. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Allowed skew between our clock and the clock that issued the token (one of ours, in another process). */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface TokenSettings {
  issuer: string;
  audience: string;
  tokenTtlSeconds: number;
}

export interface AccessTokenGrant {
  clientId: string;
  scopes: Scope[];
  /** 'all': every account, now and later, which the token says in a claim of its own rather than listing ids. */
  accounts: 'all' | string[];
}

export interface VerifiedAccessToken {
  clientId: string;
  /** Space-delimited scopes as granted; not yet checked against the client's current ones. */
  scopes: string[];
  accounts: 'all' | string[];
  /** When the token expires (ms since the epoch). */
  expiresAt: number;
}

export class InvalidAccessTokenError extends Error {
  override name = 'InvalidAccessTokenError';
}

/** Signs an RFC 9068 access token with the current key. */
export async function issueAccessToken(keys: SigningKeys, settings: TokenSettings, grant: AccessTokenGrant): Promise<string> {
  const { kid, privateKey } = await keys.current();
  const accounts = grant.accounts === 'all' ? { all_accounts: true } : { accounts: grant.accounts };
  return new SignJWT({ client_id: grant.clientId, scope: grant.scopes.join(' '), ...accounts })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(grant.clientId)
    .setIssuedAt()
    .setExpirationTime(`${settings.tokenTtlSeconds}s`)
    .setJti(randomUUID())
    .sign(privateKey);
}

/**
 * Checks signature, algorithm, type, issuer, audience and lifetime, and the
 * shape of our claims. Throws InvalidAccessTokenError with a reason safe to
 * show the caller.
 */
export async function verifyAccessToken(keys: SigningKeys, settings: TokenSettings, token: string): Promise<VerifiedAccessToken> {
  let payload;
  try {
    ({ payload } = await jwtVerify(
      token,
      async ({ kid }) => {
        const key = kid ? await keys.verificationKey(kid) : undefined;
        if (!key) throw new InvalidAccessTokenError('The access token was signed with an unknown key');
        return key;
      },
      {
        // Pinning the algorithm is what stops `alg: none` and HS256-signed-with-our-public-key forgeries.
        algorithms: [SIGNING_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      },
    ));
  } catch (error) {
    throw new InvalidAccessTokenError(describeFailure(error));
  }
  const { sub, client_id: clientId, scope, accounts, all_accounts: allAccounts } = payload;
  if (typeof clientId !== 'string' || clientId !== sub) throw new InvalidAccessTokenError('The access token has no valid client_id');
  if (typeof scope !== 'string') throw new InvalidAccessTokenError('The access token has no valid scope claim');
  const listed = Array.isArray(accounts) && accounts.every((id) => typeof id === 'string');
  // Exactly one of the two claims: a token that has both, or neither, was not issued by us.
  if (listed === (allAccounts === true) || (allAccounts !== undefined && allAccounts !== true)) {
    throw new InvalidAccessTokenError('The access token has no valid accounts or all_accounts claim');
  }
  return { clientId, scopes: scope.split(' ').filter(Boolean), accounts: listed ? (accounts as string[]) : 'all', expiresAt: payload.exp! * 1000 };
}

/** Enough for every live token of a busy gateway; the oldest entry goes first when full. */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * `verifyAccessToken` that remembers tokens it has verified until they
 * expire, so a client's requests pay for the ES256 signature check once per
 * token rather than once per request. Only the exact token string is
 * remembered (signature included), so nothing unverified can hit the cache.
 */
export function createAccessTokenVerifier(keys: SigningKeys, settings: TokenSettings): (token: string) => Promise<VerifiedAccessToken> {
  const verified = new Map<string, VerifiedAccessToken>();
  return async (token) => {
    const known = verified.get(token);
    if (known && Date.now() < known.expiresAt) return known;
    verified.delete(token);
    const fresh = await verifyAccessToken(keys, settings, token);
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(token, fresh);
    return fresh;
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof InvalidAccessTokenError) return error.message;
  if (error instanceof errors.JWTExpired) return 'The access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `The access token's "${error.claim}" is not acceptable`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The access token is not signed with an accepted algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature is invalid';
  return 'The access token is malformed';
}
