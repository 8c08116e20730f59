import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { databaseFault } from '../db/faults.ts';
import { createAccessTokenVerifier, type TokenSettings } from './access-tokens.ts';
import { createAllAccounts, type AllAccounts } from './all-accounts.ts';
import { authenticateBearer, type Authentication, type KnownClients } from './bearer.ts';
import { authorizationServerMetadata, JWKS_PATH, METADATA_PATH, TOKEN_PATH } from './discovery.ts';
import { createSigningKeys, type SigningKeys } from './keys.ts';
import type { RateLimits } from '../rate-limits/limits.ts';
import { jsonResponse, methodNotAllowed } from './responses.ts';
import type { Logger } from '../observability/logger.ts';
import { handleTokenRequest } from './token-endpoint.ts';

export interface Auth {
  /**
   * Handles POST /oauth/token, GET /.well-known/jwks.json, GET /.well-known/oauth-authorization-server;
   * resolves undefined for any other path. `remoteAddress` is the peer the token endpoint's limits count failures of;
   * `requestId` goes into the log line of a failure.
   */
  handle(request: Request, url: URL, remoteAddress?: string, requestId?: string): Promise<Response | undefined>;
  /** Checks a request's Authorization header. No header (null): {kind:'none'}. Bearer token that fails any check: {kind:'invalid', reason}. */
  authenticate(authorization: string | null): Promise<Authentication>;
  keys: SigningKeys;
  /** Every account's id, for all-accounts tokens; tell it when an account was created or deleted. */
  allAccounts: AllAccounts;
}

/** Short enough that verifiers pick up a rotated key soon, long enough to spare the database. */
const JWKS_MAX_AGE_SECONDS = 60;

export async function createAuth({ db, config, rateLimits, logger }: { db: Db; config: Config; rateLimits: RateLimits; logger: Logger }): Promise<Auth> {
  const settings: TokenSettings = { issuer: config.issuer, audience: config.audience, tokenTtlSeconds: config.tokenTtlSeconds };
  const keys = await createSigningKeys(db, settings);
  const verifyToken = createAccessTokenVerifier(keys, settings);
  const knownClients: KnownClients = new Map();
  const allAccounts = createAllAccounts(db);

  async function route(request: Request, path: string, remoteAddress: string | undefined): Promise<Response | undefined> {
    switch (path) {
      case TOKEN_PATH:
        return request.method === 'POST'
          ? handleTokenRequest(request, { db, keys, settings, limits: rateLimits, remoteAddress })
          : methodNotAllowed('POST');
      case JWKS_PATH:
        return request.method === 'GET'
          ? jsonResponse(200, await keys.publicJwks(), {
              'content-type': 'application/jwk-set+json',
              'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
            })
          : methodNotAllowed('GET');
      case METADATA_PATH:
        return request.method === 'GET' ? jsonResponse(200, authorizationServerMetadata(config.issuer)) : methodNotAllowed('GET');
      default:
        return undefined;
    }
  }

  return {
    keys,
    allAccounts,
    authenticate: (authorization) => authenticateBearer(authorization, db, verifyToken, knownClients, allAccounts),
    async handle(request, url, remoteAddress, requestId) {
      try {
        return await route(request, url.pathname, remoteAddress);
      } catch (error) {
        const fault = databaseFault(error);
        if (fault === 'unavailable' || fault === 'timeout') {
          logger.error({ requestId, path: url.pathname, fault }, 'auth endpoint could not use the database');
          // RFC 6749 §4.1.2.1's error for a server that cannot answer now; clients retry after a while.
          return jsonResponse(503, { error: 'temporarily_unavailable', error_description: 'The database is unavailable; try again shortly' }, { 'cache-control': 'no-store', 'retry-after': '1' });
        }
        // The response says nothing of the cause; the log does.
        logger.error({ err: error, requestId, path: url.pathname }, 'auth endpoint failed');
        return jsonResponse(500, { error: 'server_error', error_description: 'The request could not be processed' }, { 'cache-control': 'no-store' });
      }
    },
  };
}
