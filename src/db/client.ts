import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { withEmptySelectionAllowed } from './empty-selection.ts';

export type Db = PrismaClient;

export interface StatementCounter {
  /** SQL statements sent since the client was created. */
  readonly count: number;
}

/** Runs one hand-written statement on a client's pool, returning the first column of its first row. */
type ScalarQuery = (sql: string, params: unknown[], prepare: boolean) => Promise<unknown>;

const scalarQueries = new WeakMap<Db, ScalarQuery>();

/**
 * The one Prisma client of a process, on a pg pool it shares with the
 * statements the read compiler writes by hand. With `countStatements`, every
 * SQL statement is counted, so tests can assert the shape of an operation's
 * cost.
 */
export function createDb(url: string, options: { countStatements?: boolean; poolSize?: number } = {}) {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const counter = { count: 0 };
  let db: Db;
  if (options.countStatements) {
    const logged = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
    logged.$on('query', () => {
      counter.count += 1;
    });
    db = withEmptySelectionAllowed(logged);
  } else {
    db = withEmptySelectionAllowed(new PrismaClient({ adapter }));
  }
  scalarQueries.set(db, async (sql, params, prepare) => {
    if (options.countStatements) counter.count += 1;
    const { rows } = await pool.query({ name: prepare ? statementName(sql) : undefined, text: sql, values: params, rowMode: 'array' });
    return (rows[0] as unknown[] | undefined)?.[0];
  });
  return { db, statements: options.countStatements ? (counter as StatementCounter) : undefined };
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
