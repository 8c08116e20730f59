import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { readAccountIds } from './account-ids.ts';
import { isScope, type Principal, type Scope } from './principal.ts';

const CLIENT_ID_PREFIX = 'sgc_';
/** A recognisable prefix lets secret scanners (and people) tell a leaked secret from noise. */
const CLIENT_SECRET_PREFIX = 'sgs_';
const SECRET_BYTES = 32;

/**
 * The most accounts a client may list: its tokens list them, and a token
 * must fit in an HTTP header (Node's limit is 16 KB for all headers). 100
 * listed accounts make a token of about 5.5 KB.
 */
export const MAX_LISTED_ACCOUNTS = 100;

/** The input to create a client was refused; the message says why. */
export class ApiClientInputError extends Error {
  override name = 'ApiClientInputError';
}

export interface NewApiClient {
  name: string;
  scopes: Scope[];
  accounts: 'all' | string[];
  /** The api_clients row of the client that created this one, for the audit trail. */
  createdById?: string;
}

export interface IssuedCredentials {
  id: string;
  clientId: string;
  /** Shown once: only its hash is stored. */
  clientSecret: string;
}

export async function createApiClient(db: Db, input: NewApiClient): Promise<IssuedCredentials> {
  const name = input.name.trim();
  if (name === '') throw new ApiClientInputError('An API client needs a name');
  const scopes = [...new Set(input.scopes)];
  const unknownScopes = scopes.filter((scope) => !isScope(scope));
  if (scopes.length === 0 || unknownScopes.length > 0) {
    throw new ApiClientInputError(`Scopes must be a non-empty list of read, write, admin (got ${input.scopes.join(', ') || 'none'})`);
  }
  const accountIds = input.accounts === 'all' ? [] : await existingAccounts(db, input.accounts);
  const clientId = CLIENT_ID_PREFIX + randomBytes(12).toString('base64url');
  const clientSecret = newSecret();
  const row = await db.apiClient.create({
    data: {
      clientId,
      name,
      secretHash: hashSecret(clientSecret),
      scopes,
      allAccounts: input.accounts === 'all',
      accountIds,
      createdById: input.createdById,
    },
    select: { id: true },
  });
  return { id: row.id, clientId, clientSecret };
}

/** Replaces the secret. Tokens already issued stay valid until they expire; revoke the client to stop them at once. */
export async function rotateApiClientSecret(db: Db, id: string): Promise<{ clientSecret: string }> {
  const clientSecret = newSecret();
  const { count } = await db.apiClient.updateMany({
    where: { id, revokedAt: null },
    data: { secretHash: hashSecret(clientSecret), secretRotatedAt: new Date() },
  });
  if (count === 0) throw new ApiClientInputError(`No active API client has id ${id}`);
  return { clientSecret };
}

/** Revokes a client: it can no longer get tokens, and its unexpired tokens are refused from now on. Idempotent. */
export async function revokeApiClient(db: Db, id: string): Promise<ApiClient> {
  await db.apiClient.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  const client = await db.apiClient.findUnique({ where: { id } });
  if (!client) throw new ApiClientInputError(`No API client has id ${id}`);
  return client;
}

/** The active client with these credentials, or null: unknown id, revoked client and wrong secret look alike. */
export async function authenticateClient(db: Db, clientId: string, secret: string): Promise<ApiClient | null> {
  const client = await db.apiClient.findUnique({ where: { clientId } });
  // Hash and compare even for an unknown client, so response time does not reveal which client ids exist.
  const matches = secretMatches(secret, client?.secretHash ?? UNKNOWN_CLIENT_HASH);
  return client && matches && !client.revokedAt ? client : null;
}

/** The active client a verified token names, found by its unique client_id. */
export function findActiveClient(db: Db, clientId: string): Promise<ApiClient | null> {
  return db.apiClient.findFirst({ where: { clientId, revokedAt: null } });
}

/** What a client may grant in a token: its scopes, and its accounts as they are now. */
export async function grantableAccounts(db: Db, client: Pick<ApiClient, 'allAccounts' | 'accountIds'>): Promise<string[]> {
  if (!client.allAccounts) return client.accountIds;
  const accounts = await db.account.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
  return accounts.map((account) => account.id);
}

/**
 * Whether `principal` may see, rotate or revoke `client`: it needs `admin`,
 * and it must already reach every account the client reaches, so managing
 * clients never widens what an admin can touch.
 */
export function canManageApiClient(principal: Principal, client: Pick<ApiClient, 'allAccounts' | 'accountIds'>): boolean {
  if (!principal.scopes.includes('admin')) return false;
  if (principal.allAccounts) return true;
  // A client of no account (created before such clients were refused) belongs to no tenant: only an all-accounts admin manages it.
  if (client.allAccounts || client.accountIds.length === 0) return false;
  const reachable = new Set(principal.accountIds);
  return client.accountIds.every((accountId) => reachable.has(accountId));
}

/**
 * `canManageApiClient` as a Prisma `where`, for lists: the clients within an
 * admin's reach. Subset tests on arrays need SQL, so the ids come first.
 */
export async function manageableClientsWhere(db: Db, principal: Principal): Promise<{ id?: { in: string[] } }> {
  if (!principal.scopes.includes('admin')) return { id: { in: [] } };
  if (principal.allAccounts) return {};
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM api_clients WHERE NOT all_accounts AND cardinality(account_ids) > 0 AND account_ids <@ ${principal.accountIds}::uuid[]`;
  return { id: { in: rows.map((row) => row.id) } };
}

/** The accounts' UUIDs, given as UUIDs or global ids; errors name the ids as they were typed. */
async function existingAccounts(db: Db, requested: string[]): Promise<string[]> {
  const accounts = readAccountIds(requested);
  // A client of no account would be within every admin's reach (see canManageApiClient), and of no use.
  if (accounts.length === 0) throw new ApiClientInputError('A client needs at least one account (or all accounts)');
  if (accounts.length > MAX_LISTED_ACCOUNTS) {
    throw new ApiClientInputError(`A client may list at most ${MAX_LISTED_ACCOUNTS} accounts (got ${accounts.length}); give it all accounts instead`);
  }
  const malformed = accounts.filter((account) => account.id === null).map((account) => account.typed);
  if (malformed.length > 0) throw new ApiClientInputError(`Not an account id: ${malformed.join(', ')}`);
  const accountIds = accounts.map((account) => account.id!);
  const found = await db.account.findMany({ where: { id: { in: accountIds } }, select: { id: true } });
  const foundIds = new Set(found.map((account) => account.id));
  const missing = accounts.filter((account) => !foundIds.has(account.id!)).map((account) => account.typed);
  if (missing.length > 0) throw new ApiClientInputError(`No account has id ${missing.join(', ')}`);
  return accountIds;
}

function newSecret(): string {
  return CLIENT_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * A plain SHA-256 suffices: the secret is 256 random bits, so unlike a
 * password it cannot be guessed from its hash, and a slow KDF (bcrypt,
 * argon2) would only add latency to every token request.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

const UNKNOWN_CLIENT_HASH = hashSecret(newSecret());

function secretMatches(secret: string, storedHash: string): boolean {
  // Both sides are SHA-256 digests, so they always have the same length.
  return timingSafeEqual(Buffer.from(hashSecret(secret), 'base64url'), Buffer.from(storedHash, 'base64url'));
}
