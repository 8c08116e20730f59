import type { Db } from '../db/client.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { issueAccessToken, type TokenSettings } from './access-tokens.ts';
import { authenticateClient, grantableAccounts } from './api-clients.ts';
import type { SigningKeys } from './keys.ts';
import type { Scope } from './principal.ts';
import { jsonResponse } from './responses.ts';
import { OAuthError, readTokenRequest, type TokenRequest } from './token-request.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ERROR_STATUS = { invalid_request: 400, invalid_client: 401, invalid_scope: 400, unsupported_grant_type: 400 } as const;

/** RFC 6749 §5.1: tokens must never be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** POST /oauth/token: the client credentials grant (RFC 6749 §4.4). */
export async function handleTokenRequest(request: Request, db: Db, keys: SigningKeys, settings: TokenSettings): Promise<Response> {
  try {
    const tokenRequest = await readTokenRequest(request);
    if (tokenRequest.grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only the client_credentials grant is supported');
    }
    const { clientId, clientSecret, method } = tokenRequest.credentials;
    const client = await authenticateClient(db, clientId, clientSecret);
    if (!client) {
      throw new OAuthError('invalid_client', 'Unknown client, wrong secret, or revoked client', method === 'client_secret_basic');
    }
    const scopes = grantedScopes(client, tokenRequest.scope);
    const accountIds = await grantedAccounts(db, client, tokenRequest.accounts);
    const accessToken = await issueAccessToken(keys, settings, { clientId: client.clientId, scopes, accountIds });
    return jsonResponse(
      200,
      { access_token: accessToken, token_type: 'Bearer', expires_in: settings.tokenTtlSeconds, scope: scopes.join(' ') },
      NO_STORE,
    );
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return jsonResponse(ERROR_STATUS[error.code], { error: error.code, error_description: error.description }, {
      ...NO_STORE,
      ...(error.challengeBasic && { 'www-authenticate': 'Basic realm="oauth", charset="UTF-8"' }),
    });
  }
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
 * The requested accounts (space- or comma-delimited uuids), which must all
 * be accessible to the client; by default all of them. Accounts narrow a
 * token the way scopes do, so asking for one beyond the client is
 * `invalid_scope`; a value that is not a uuid at all is `invalid_request`.
 */
async function grantedAccounts(db: Db, client: ApiClient, requested: TokenRequest['accounts']): Promise<string[]> {
  const grantable = await grantableAccounts(db, client);
  if (requested === undefined) return grantable;
  const accountIds = [...new Set(requested.split(/[\s,]+/).filter(Boolean).map((id) => id.toLowerCase()))];
  const malformed = accountIds.filter((id) => !UUID.test(id));
  if (malformed.length > 0) throw new OAuthError('invalid_request', `accounts must list account ids; not an id: ${malformed.join(', ')}`);
  const refused = accountIds.filter((id) => !grantable.includes(id));
  if (refused.length > 0) throw new OAuthError('invalid_scope', `This client may not access account ${refused.join(', ')}`);
  return accountIds;
}
