import type pg from 'pg';
import type { Logger } from '../observability/logger.ts';

/**
 * What went wrong with the database, as far as a request is concerned:
 * - `unavailable`: PostgreSQL cannot be reached, is shutting down, or dropped
 *   the connection; a later attempt may succeed.
 * - `timeout`: the statement ran past `statement_timeout` (or the transaction
 *   sat idle past `idle_in_transaction_session_timeout`) and was cancelled.
 * - `exhausted`: PostgreSQL ran out of memory or hit a size limit building
 *   the answer (out of memory, a text over 1 GB, a statement too complex).
 */
export type DatabaseFault = 'unavailable' | 'timeout' | 'exhausted';

const SQLSTATE_FAULTS: Array<[RegExp, DatabaseFault]> = [
  [/^08/, 'unavailable'], // connection_exception
  [/^57P0[1-4]$/, 'unavailable'], // admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now, database_dropped
  [/^53300$/, 'unavailable'], // too_many_connections
  [/^57014$/, 'timeout'], // query_canceled: only statement_timeout cancels the gateway's statements
  [/^25P03$/, 'timeout'], // idle_in_transaction_session_timeout
  [/^53200$/, 'exhausted'], // out_of_memory
  [/^54/, 'exhausted'], // program_limit_exceeded, statement_too_complex, too_many_columns …
];

/** Driver adapter kinds (@prisma/adapter-pg) and Prisma error codes that mean the server is out of reach. */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** pg's own errors carry no code, only these messages. */
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/;

/**
 * The fault behind an error thrown by pg, by Prisma over the pg adapter, or by
 * GraphQL wrapping either (it follows `originalError` and `cause`); undefined
 * for anything else (a bug, a constraint a caller should have handled).
 */
export function databaseFault(error: unknown): DatabaseFault | undefined {
  for (let current = error, depth = 0; isObject(current) && depth < 8; depth += 1) {
    const adapterCause = (current.meta as { driverAdapterError?: { cause?: Record<string, unknown> } } | undefined)?.driverAdapterError?.cause;
    const sqlState = adapterCause?.originalCode ?? (typeof current.severity === 'string' ? current.code : undefined);
    if (typeof sqlState === 'string') {
      const fault = SQLSTATE_FAULTS.find(([pattern]) => pattern.test(sqlState))?.[1];
      if (fault) return fault;
    }
    if (typeof adapterCause?.kind === 'string' && UNAVAILABLE_KINDS.has(adapterCause.kind)) return 'unavailable';
    if (typeof current.code === 'string' && (UNAVAILABLE_PRISMA_CODES.has(current.code) || UNAVAILABLE_SOCKET_CODES.has(current.code))) return 'unavailable';
    if (typeof current.message === 'string' && UNAVAILABLE_MESSAGES.test(current.message)) return 'unavailable';
    current = current.originalError ?? current.cause;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Listens for every error a pool or its clients emit. pg emits `error` on a
 * client whose connection drops while no query runs on it, and on the pool
 * for an idle client; with no listener Node turns that event into an
 * uncaught exception and the process dies. The request that used the
 * connection learns of the failure from its own query, so here it is only
 * logged.
 */
export function handlePoolErrors(pool: pg.Pool, logger: Logger): void {
  const log = (error: Error) => logger.error({ reason: error.message }, 'Database connection lost');
  pool.on('error', log);
  pool.on('connect', (client) => client.on('error', log));
}
