import type { Db } from '../db/client.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { InvalidAccessTokenError, type VerifiedAccessToken } from './access-tokens.ts';
import { findActiveClient } from './api-clients.ts';
import { isScope, type Principal } from './principal.ts';

export type Authentication = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'valid'; principal: Principal };

/** RFC 6750 §2.1: `Bearer` (any case) and one b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Who sent the request: no credentials, a token that fails any check, or a verified principal. */
export async function authenticateBearer(request: Request, db: Db, verify: (token: string) => Promise<VerifiedAccessToken>): Promise<Authentication> {
  const authorization = request.headers.get('authorization');
  if (authorization === null) return { kind: 'none' };
  const token = BEARER.exec(authorization.trim())?.[1];
  if (!token) return { kind: 'invalid', reason: 'The Authorization header must carry a Bearer access token' };
  let verified: VerifiedAccessToken;
  try {
    verified = await verify(token);
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
  // Looked up on every request so that revoking a client cuts off its live tokens at once.
  const client = await findActiveClient(db, verified.clientId);
  if (!client) return { kind: 'invalid', reason: 'The client of this access token was revoked or no longer exists' };
  return { kind: 'valid', principal: principalOf(client, verified) };
}

/**
 * A token grants what it says only as far as its client still may: scopes
 * and accounts taken away from the client since issue are not honoured.
 * An all-accounts client keeps the accounts listed at issue time; accounts
 * deleted since simply match no rows.
 */
function principalOf(client: ApiClient, token: VerifiedAccessToken): Principal {
  const clientAccounts = new Set(client.accountIds);
  return {
    apiClientId: client.id,
    clientId: client.clientId,
    scopes: token.scopes.filter(isScope).filter((scope) => client.scopes.includes(scope)),
    accountIds: client.allAccounts ? token.accountIds : token.accountIds.filter((id) => clientAccounts.has(id)),
    allAccounts: client.allAccounts,
  };
}
