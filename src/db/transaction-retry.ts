import { setTimeout as sleep } from 'node:timers/promises';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './client.ts';

/**
 * SQLSTATEs after which PostgreSQL has rolled the whole transaction back and
 * running it again can succeed: 40P01 deadlock_detected (two bookings
 * inserting overlapping time blocks each wait on the other's exclusion
 * check) and 40001 serialization_failure.
 */
const RETRYABLE_STATES = new Set(['40P01', '40001']);

/** How often a transaction runs at most when it keeps ending in a retryable conflict. */
export const TRANSACTION_ATTEMPTS = 4;

interface DriverCause {
  code?: string;
  originalCode?: string;
}

/** The SQLSTATE of a failed statement, however Prisma's driver adapter wrapped it. */
export function sqlStateOf(error: unknown): string | undefined {
  const failure = error as { meta?: { code?: string; driverAdapterError?: { cause?: DriverCause } }; cause?: DriverCause } | null;
  const cause = failure?.meta?.driverAdapterError?.cause ?? failure?.cause;
  return cause?.originalCode ?? cause?.code ?? failure?.meta?.code;
}

export const isRetryableConflict = (error: unknown) => RETRYABLE_STATES.has(sqlStateOf(error) ?? '');

/**
 * An interactive transaction, run again (after a short random pause, so the
 * contenders do not meet again in step) when PostgreSQL aborted it for a
 * deadlock or a serialization failure. Nothing of an aborted attempt was
 * written, so running `work` again is safe; the last failure is thrown.
 */
export async function transaction<T>(
  db: Db,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
  options: { maxWait?: number; timeout?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction(work, options);
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryableConflict(error)) throw error;
      await sleep(attempt * (5 + Math.random() * 20));
    }
  }
}
