import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { handlePoolErrors } from './faults.ts';
import { withEmptySelectionAllowed } from './empty-selection.ts';
import { defaultLogger, type Logger } from '../observability/logger.ts';

export type Db = PrismaClient;

export interface StatementCounter {
  /** SQL statements sent since the client was created. */
  readonly count: number;
}

/** Runs one hand-written statement on a client's pool, returning the first column of its first row. */
type ScalarQuery = (sql: string, params: unknown[], prepare: boolean) => Promise<unknown>;

const scalarQueries = new WeakMap<Db, ScalarQuery>();

/** Connections of the pool every request shares (`poolSize` overrides it). */
export const POOL_SIZE = 10;
/**
 * Connections kept apart for authentication: the token endpoint and the
 * checks of API clients run on a pool of their own (`reservedDb`), so that
 * reads holding every connection of the shared pool cannot delay them
 * (issue #10: 12 heavy reads took token requests from 9 ms to 2.45 s).
 */
export const RESERVED_CONNECTIONS = 2;

const reserves = new WeakMap<Db, Db>();
const backgrounds = new WeakMap<Db, () => Db>();

/** Connections of the gateway's background work (outbox relay, reservation sweeper, webhook worker). */
export const BACKGROUND_CONNECTIONS = 3;
const pools = new WeakMap<Db, { shared: pg.Pool; reserved: pg.Pool }>();

/**
 * Bounds on the pool's connections (the gateway's: migrations, the CLI and
 * seeding run without). PostgreSQL enforces the two timeouts on every
 * connection of the pool; `connectTimeoutMs` bounds the wait for a connection.
 */
export interface PoolBounds {
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * The one Prisma client of a process, on a pg pool it shares with the
 * statements the read compiler writes by hand, and a second client on the
 * small reserved pool (`reservedDb`), which closes with it. With
 * `countStatements`, every SQL statement of both is counted, so tests can
 * assert the shape of an operation's cost.
 */
export function createDb(url: string, options: { countStatements?: boolean; poolSize?: number; bounds?: PoolBounds; logger?: Logger } = {}) {
  const { statementTimeoutMs, idleInTransactionTimeoutMs, connectTimeoutMs } = options.bounds ?? {};
  const poolOf = (max: number) => {
    const pool = new pg.Pool({
      connectionString: url,
      max,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
      connectionTimeoutMillis: connectTimeoutMs,
    });
    handlePoolErrors(pool, options.logger ?? defaultLogger());
    return pool;
  };
  const counter = { count: 0 };
  const clientOn = (pool: pg.Pool, counted = true): Db => {
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    if (!options.countStatements || !counted) return withEmptySelectionAllowed(new PrismaClient({ adapter }));
    const logged = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
    logged.$on('query', () => {
      counter.count += 1;
    });
    return withEmptySelectionAllowed(logged);
  };
  const pool = poolOf(options.poolSize ?? POOL_SIZE);
  const db = clientOn(pool);
  const reservedPool = poolOf(RESERVED_CONNECTIONS);
  const reserve = clientOn(reservedPool);
  reserves.set(db, reserve);
  pools.set(db, { shared: pool, reserved: reservedPool });
  let background: Db | undefined;
  backgrounds.set(db, () => {
    if (background) return background;
    const backgroundPool = poolOf(BACKGROUND_CONNECTIONS);
    background = clientOn(backgroundPool, false);
    // So that listenTo finds the connection settings.
    pools.set(background, { shared: backgroundPool, reserved: backgroundPool });
    return background;
  });
  const disconnect = db.$disconnect.bind(db);
  db.$disconnect = async () => {
    await Promise.all([disconnect(), reserve.$disconnect(), background?.$disconnect()]);
  };
  scalarQueries.set(db, async (sql, params, prepare) => {
    if (options.countStatements) counter.count += 1;
    const { rows } = await pool.query({ name: prepare ? statementName(sql) : undefined, text: sql, values: params, rowMode: 'array' });
    return (rows[0] as unknown[] | undefined)?.[0];
  });
  return { db, statements: options.countStatements ? (counter as StatementCounter) : undefined };
}

/** The client on `db`'s reserved connections (RESERVED_CONNECTIONS), for authentication; `db` itself when it has none. */
export function reservedDb(db: Db): Db {
  return reserves.get(db) ?? db;
}

/**
 * A client on a small pool of its own for work no request waits for: it
 * neither queues behind requests nor takes their connections, and a
 * statement count of the requests leaves it out.
 */
export function backgroundDb(db: Db): Db {
  return backgrounds.get(db)?.() ?? db;
}

/** Connections of `db`'s two pools, for the metrics: open, of which idle, and callers waiting for one. */
export function poolUsage(db: Db): Array<{ pool: 'shared' | 'reserved'; total: number; idle: number; waiting: number }> {
  const both = pools.get(db);
  if (!both) return [];
  return (['shared', 'reserved'] as const).map((name) => {
    const pool = both[name];
    return { pool: name, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  });
}

/**
 * Reads by key repeat a few statement texts with new parameters: with
 * `prepare`, each connection parses and plans a text once and then only binds
 * and executes it (PostgreSQL soon keeps a generic plan, so only statements
 * whose best plan does not depend on their parameters should ask). A
 * connection keeps what it prepared, so only the first `PREPARED_TEXTS_KEPT`
 * texts get names; any later text runs unnamed, which bounds the memory each
 * connection gives to prepared statements however many distinct operations
 * callers send.
 */
export const PREPARED_TEXTS_KEPT = 500;
const statementNames = new Map<string, string>();

function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < PREPARED_TEXTS_KEPT) statementNames.set(sql, (name = `compiled_${statementNames.size}`));
  return name;
}

/**
 * The first column of the first row of a hand-written statement, straight
 * from pg: no Prisma result mapping for a body PostgreSQL already built.
 */
export async function queryScalar(db: Db, sql: string, params: unknown[], options: { prepare?: boolean } = {}): Promise<unknown> {
  const query = scalarQueries.get(db);
  if (query) return query(sql, params, options.prepare ?? false);
  const rows = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...params);
  return rows[0] ? Object.values(rows[0])[0] : undefined;
}

/**
 * A connection of its own, outside the pools, that LISTENs on `channel` and
 * calls `onNotify` with each notification's payload; it connects again after
 * a failure (`onReconnect` then, since notifications sent meanwhile were missed).
 */
export function listenTo(
  db: Db,
  channel: string,
  onNotify: (payload: string) => void,
  logger: Logger,
  onReconnect: () => void = () => onNotify(''),
): { close(): Promise<void> } {
  const options = pools.get(db)?.shared.options;
  if (!options) throw new Error('listenTo needs a client made by createDb');
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const connection = new pg.Client({ connectionString: options.connectionString, connectionTimeoutMillis: options.connectionTimeoutMillis });
    client = connection;
    connection.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    connection.on('error', (error) => {
      logger.warn({ channel, reason: error.message }, 'lost the LISTEN connection; connecting again');
      void connection.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), 1_000);
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      onReconnect();
    } catch (error) {
      connection.emit('error', error);
    }
  };
  void connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
