import type { Db } from '../db/client.ts';
import { readAccountIds } from './account-ids.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { issueAccessToken, type AccessTokenGrant, type TokenSettings } from './access-tokens.ts';
import { authenticateClient, grantableAccounts } from './api-clients.ts';
import type { SigningKeys } from './keys.ts';
import type { Scope } from './principal.ts';
import { jsonResponse } from './responses.ts';
import { rateLimitHeaders } from '../rate-limits/http.ts';
import type { RateLimits, RateLimitState } from '../rate-limits/limits.ts';
import { OAuthError, readTokenRequest, type TokenRequest } from './token-request.ts';


const ERROR_STATUS = { invalid_request: 400, invalid_client: 401, invalid_scope: 400, unsupported_grant_type: 400 } as const;

/** RFC 6749 §5.1: tokens must never be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export interface TokenEndpoint {
  db: Db;
  keys: SigningKeys;
  settings: TokenSettings;
  limits: Pick<RateLimits, 'tokenRequests' | 'tokenFailures' | 'tokenFailuresPerAddress'>;
  /** The peer of the connection; failed requests are limited per address too. */
  remoteAddress: string | undefined;
}

/**
 * POST /oauth/token: the client credentials grant (RFC 6749 §4.4). Failed
 * client authentication is limited more strictly than token requests as a
 * whole: per client_id and per remote address, so that guessing secrets is
 * slow whichever of the two an attacker varies.
 */
export async function handleTokenRequest(request: Request, endpoint: TokenEndpoint): Promise<Response> {
  const { db, keys, settings, limits } = endpoint;
  const address = endpoint.remoteAddress ?? 'unknown';
  let clientId: string | undefined;
  let counted: RateLimitState | undefined;
  let attemptCounted = false;
  try {
    const addressFailures = await limits.tokenFailuresPerAddress?.peek(address);
    if (addressFailures && !addressFailures.allowed) return tooManyRequests(addressFailures, 'too many failed token requests from this address');
    const tokenRequest = await readTokenRequest(request);
    clientId = tokenRequest.credentials.clientId;
    const clientFailures = await limits.tokenFailures?.peek(clientId);
    if (clientFailures && !clientFailures.allowed) return tooManyRequests(clientFailures, 'too many failed token requests for this client');
    counted = await limits.tokenRequests?.consume(clientId);
    if (counted && !counted.allowed) return tooManyRequests(counted, 'too many token requests for this client');
    if (tokenRequest.grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only the client_credentials grant is supported');
    }
    const { clientSecret, method } = tokenRequest.credentials;
    // Counted as failed before the secret is checked, and given back if it matches: concurrent guesses cannot
    // all pass the check above before any of them is counted.
    const [addressAttempt, clientAttempt] = await Promise.all([limits.tokenFailuresPerAddress?.consume(address), limits.tokenFailures?.consume(clientId)]);
    if (addressAttempt && !addressAttempt.allowed) return tooManyRequests(addressAttempt, 'too many failed token requests from this address');
    if (clientAttempt && !clientAttempt.allowed) return tooManyRequests(clientAttempt, 'too many failed token requests for this client');
    const client = await authenticateClient(db, clientId, clientSecret);
    if (!client) {
      attemptCounted = true;
      throw new OAuthError('invalid_client', 'Unknown client, wrong secret, or revoked client', method === 'client_secret_basic');
    }
    await Promise.all([limits.tokenFailuresPerAddress?.refund(address), limits.tokenFailures?.refund(clientId)]);
    const scopes = grantedScopes(client, tokenRequest.scope);
    const accounts = await grantedAccounts(db, client, tokenRequest.accounts);
    const accessToken = await issueAccessToken(keys, settings, { clientId: client.clientId, scopes, accounts });
    return jsonResponse(
      200,
      { access_token: accessToken, token_type: 'Bearer', expires_in: settings.tokenTtlSeconds, scope: scopes.join(' ') },
      { ...NO_STORE, ...(counted && rateLimitHeaders(counted)) },
    );
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    if (error.code === 'invalid_client' && !attemptCounted) {
      await Promise.all([limits.tokenFailuresPerAddress?.consume(address), clientId === undefined ? undefined : limits.tokenFailures?.consume(clientId)]);
    }
    return jsonResponse(ERROR_STATUS[error.code], { error: error.code, error_description: error.description }, {
      ...NO_STORE,
      ...(counted && rateLimitHeaders(counted)),
      ...(error.challengeBasic && { 'www-authenticate': 'Basic realm="oauth", charset="UTF-8"' }),
    });
  }
}

/**
 * 429 with an OAuth-shaped body. `slow_down` is the token endpoint's
 * registered error code for a client asking too often (RFC 8628 §3.5).
 */
function tooManyRequests(state: RateLimitState, what: string): Response {
  return jsonResponse(
    429,
    { error: 'slow_down', error_description: `Rate limit exceeded: ${what} (${state.limit} per ${state.windowSeconds} s); retry in ${state.resetSeconds} s` },
    { ...NO_STORE, ...rateLimitHeaders(state) },
  );
}

/** The requested scopes, which must all be the client's; by default every scope of the client. */
function grantedScopes(client: ApiClient, requested: TokenRequest['scope']): Scope[] {
  const own = client.scopes as Scope[];
  if (requested === undefined) return own;
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  const refused = scopes.filter((scope) => !(own as string[]).includes(scope));
  if (scopes.length === 0 || refused.length > 0) {
    throw new OAuthError('invalid_scope', `This client may not request scope ${refused.join(' ') || '(empty)'}; its scopes are: ${own.join(' ')}`);
  }
  return own.filter((scope) => scopes.includes(scope));
}

/**
 * The requested accounts (space- or comma-delimited uuids or global ids), which must all
 * be accessible to the client; by default all of them, which for an
 * all-accounts client the token says as such rather than listing them (so
 * it stays small however many accounts there are). Accounts narrow a token
 * the way scopes do, so asking for one beyond the client is
 * `invalid_scope`; a value that is not an account id at all is `invalid_request`.
 * Errors name the ids as they were typed.
 */
async function grantedAccounts(db: Db, client: ApiClient, requested: TokenRequest['accounts']): Promise<AccessTokenGrant['accounts']> {
  if (requested === undefined) return client.allAccounts ? 'all' : client.accountIds;
  const grantable = await grantableAccounts(db, client);
  const accounts = readAccountIds(requested.split(/[\s,]+/).filter(Boolean));
  const malformed = accounts.filter((account) => account.id === null).map((account) => account.typed);
  if (malformed.length > 0) throw new OAuthError('invalid_request', `accounts must list account ids; not an id: ${malformed.join(', ')}`);
  const refused = accounts.filter((account) => !grantable.includes(account.id!)).map((account) => account.typed);
  if (refused.length > 0) throw new OAuthError('invalid_scope', `This client may not access account ${refused.join(', ')}`);
  return accounts.map((account) => account.id!);
}
