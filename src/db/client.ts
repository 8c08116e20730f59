import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;

export interface StatementCounter {
  /** SQL statements sent since the client was created. */
  readonly count: number;
}

/**
 * The one Prisma client of a process. With `countStatements`, every SQL
 * statement is counted, so tests can assert the shape of an operation's cost.
 */
export function createDb(url: string, options: { countStatements?: boolean; poolSize?: number } = {}) {
  const adapter = new PrismaPg({ connectionString: url, max: options.poolSize ?? 10 });
  if (!options.countStatements) {
    return { db: new PrismaClient({ adapter }), statements: undefined };
  }
  const db = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const statements = { count: 0 };
  db.$on('query', () => {
    statements.count += 1;
  });
  return { db, statements: statements as StatementCounter };
}
