import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { IdempotencyKeyReusedError } from './errors.ts';

/** Stripe's rules: keys are per API client and operation, and kept at least this long. */
export const IDEMPOTENCY_KEY_LIFETIME_HOURS = 24;

export interface IdempotencyScope {
  apiClientId: string;
  operation: string;
  key: string;
  /** The whole input of the call; a replay must send exactly the same. */
  input: unknown;
}

type Client = Pick<Db, '$queryRaw'>;

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined && item !== null)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, item]) => [key, canonical(item)]),
    );
  }
  return value;
}

function requestHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}

/** The stored result of an earlier call with this key, if any; a different input under the same key is an error. */
export async function previousResult<T>(db: Client, scope: IdempotencyScope): Promise<T | undefined> {
  const rows = await db.$queryRaw<Array<{ request_hash: string; response: T | null }>>`
    SELECT request_hash, response FROM idempotency_keys
    WHERE api_client_id = ${scope.apiClientId}::uuid AND operation = ${scope.operation} AND key = ${scope.key}
      AND created_at > now() - make_interval(hours => ${IDEMPOTENCY_KEY_LIFETIME_HOURS})`;
  const row = rows[0];
  if (!row) return undefined;
  if (row.request_hash !== requestHash(scope.input)) throw new IdempotencyKeyReusedError(scope.key);
  return row.response ?? undefined;
}

/**
 * Claims the key inside the transaction that does the work, before the work,
 * so the key and the work commit or vanish together. A concurrent call with
 * the same key waits on the row until the first commits and then gets its
 * result (`claimed: false`); it must not do the work again.
 */
export async function claimKey<T>(tx: Client, scope: IdempotencyScope): Promise<{ claimed: true } | { claimed: false; result: T }> {
  const inserted = await tx.$queryRaw<Array<{ claimed: boolean }>>`
    INSERT INTO idempotency_keys (api_client_id, operation, key, request_hash)
    VALUES (${scope.apiClientId}::uuid, ${scope.operation}, ${scope.key}, ${requestHash(scope.input)})
    ON CONFLICT (api_client_id, operation, key) DO UPDATE
      SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = now()
      WHERE idempotency_keys.created_at <= now() - make_interval(hours => ${IDEMPOTENCY_KEY_LIFETIME_HOURS})
    RETURNING true AS claimed`;
  if (inserted.length > 0) return { claimed: true };
  return { claimed: false, result: (await previousResult<T>(tx, scope)) as T };
}

export async function storeResult(tx: Client, scope: IdempotencyScope, result: unknown): Promise<void> {
  await tx.$queryRaw`
    UPDATE idempotency_keys SET response = ${JSON.stringify(result)}::jsonb
    WHERE api_client_id = ${scope.apiClientId}::uuid AND operation = ${scope.operation} AND key = ${scope.key}
    RETURNING 1`;
}

/** The scope of a call that carries an `idempotencyKey`, or undefined when it does not. */
export function idempotencyScope(actor: Principal, operation: string, input: { idempotencyKey?: string | null }) {
  return input.idempotencyKey ? { apiClientId: actor.apiClientId, operation, key: input.idempotencyKey, input } : undefined;
}

/** Thrown inside a transaction to abandon it when another call with the same key already did the work. */
class Replay {
  constructor(readonly id: string) {}
}

type Tx = Prisma.TransactionClient;

/**
 * Runs `work` at most once per key. An earlier result is returned as it is
 * now (`load`); otherwise `work` gets `claim`, to call first inside its
 * transaction, and `remember`, to record the id it created there.
 */
export async function idempotently<T>(
  db: Db,
  scope: IdempotencyScope | undefined,
  load: (id: string) => Promise<T>,
  work: (claim: (tx: Tx) => Promise<void>, remember: (tx: Tx, id: string) => Promise<void>) => Promise<{ id: string }>,
): Promise<T> {
  if (scope) {
    const previous = await previousResult<{ id: string }>(db, scope);
    if (previous) return load(previous.id);
  }
  const claim = async (tx: Tx) => {
    if (!scope) return;
    const claimed = await claimKey<{ id: string }>(tx, scope);
    if (!claimed.claimed) throw new Replay(claimed.result.id);
  };
  const remember = async (tx: Tx, id: string) => {
    if (scope) await storeResult(tx, scope, { id });
  };
  try {
    return load((await work(claim, remember)).id);
  } catch (error) {
    if (error instanceof Replay) return load(error.id);
    // A concurrent call with this key may have done the work while this one was still checking,
    // and its result is what made this attempt fail (e.g. its booking took the slot).
    const previous = scope ? await previousResult<{ id: string }>(db, scope) : undefined;
    if (previous) return load(previous.id);
    throw error;
  }
}
