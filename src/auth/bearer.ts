import type { Db } from '../db/client.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { InvalidAccessTokenError, type VerifiedAccessToken } from './access-tokens.ts';
import type { AllAccounts } from './all-accounts.ts';
import { findActiveClient } from './api-clients.ts';
import { isScope, type Principal } from './principal.ts';

export type Authentication =
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string }
  | {
      kind: 'valid';
      principal: Principal;
      /**
       * Set when the principal comes from the client as this process last saw
       * it, not as the database has it now: before the request touches data,
       * either its one statement checks the row is still the same
       * (`clientGuard`) or `confirm` reads it again.
       */
      unconfirmed?: UnconfirmedPrincipal;
    };

/** A principal derived from the client row as last seen, and how to read the row again. */
export interface UnconfirmedPrincipal {
  client: ApiClient;
  confirm(): Promise<Principal | null>;
}

/** Clients recently seen active, by client_id: the last row read, never trusted without a check. */
export type KnownClients = Map<string, ApiClient>;
const KNOWN_CLIENTS_KEPT = 10_000;

function remember(known: KnownClients, client: ApiClient) {
  known.delete(client.clientId);
  if (known.size >= KNOWN_CLIENTS_KEPT) known.delete(known.keys().next().value!);
  known.set(client.clientId, client);
}

/** RFC 6750 §2.1: `Bearer` (any case) and one b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Who sent the request: no credentials, a token that fails any check, or a verified principal. */
export async function authenticateBearer(
  authorization: string | null,
  db: Db,
  verify: (token: string) => Promise<VerifiedAccessToken>,
  known: KnownClients,
  allAccounts: AllAccounts,
): Promise<Authentication> {
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
  // The client is checked on every request, so that revoking it cuts off its live tokens at once: here, or,
  // for a client seen before, in the request's statement or just before it executes (see `unconfirmed`).
  const fresh = async () => {
    const client = await findActiveClient(db, verified.clientId);
    if (client) remember(known, client);
    else known.delete(verified.clientId);
    return client;
  };
  const principalOf = async (client: ApiClient) => principalFrom(client, verified, client.allAccounts && verified.accounts === 'all' ? await allAccounts.ids() : []);
  const seen = known.get(verified.clientId);
  if (seen) {
    return {
      kind: 'valid',
      principal: await principalOf(seen),
      unconfirmed: {
        client: seen,
        confirm: async () => {
          const client = await fresh();
          return client ? principalOf(client) : null;
        },
      },
    };
  }
  const client = await fresh();
  if (!client) return { kind: 'invalid', reason: REVOKED };
  return { kind: 'valid', principal: await principalOf(client) };
}

export const REVOKED = 'The client of this access token was revoked or no longer exists';

/**
 * SQL that is true while `client` is still active and grants what it did
 * when it was read: a compiled read carries it, so the one statement both
 * checks the client and reads the data. `param` adds a statement parameter.
 */
export function clientGuard(client: ApiClient, param: (value: unknown, cast: string) => string): string {
  return `EXISTS (SELECT 1 FROM api_clients WHERE id = ${param(client.id, 'uuid')} AND revoked_at IS NULL AND scopes = ${param(client.scopes, 'text[]')} AND all_accounts = ${param(client.allAccounts, 'boolean')} AND account_ids = ${param(client.accountIds, 'uuid[]')})`;
}

/**
 * A token grants what it says only as far as its client still may: scopes
 * and accounts taken away from the client since issue are not honoured.
 * An all-accounts token of an all-accounts client reaches `everyAccount`
 * (the accounts as they are now); a token listing accounts keeps those
 * listed at issue time, and accounts deleted since simply match no rows.
 */
function principalFrom(client: ApiClient, token: VerifiedAccessToken, everyAccount: string[]): Principal {
  const clientAccounts = client.allAccounts ? everyAccount : client.accountIds;
  const allowed = new Set(clientAccounts);
  return {
    apiClientId: client.id,
    clientId: client.clientId,
    scopes: token.scopes.filter(isScope).filter((scope) => client.scopes.includes(scope)),
    accountIds: token.accounts === 'all' ? clientAccounts : client.allAccounts ? token.accounts : token.accounts.filter((id) => allowed.has(id)),
    allAccounts: client.allAccounts,
  };
}
