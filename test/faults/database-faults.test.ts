import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../src/db/client.ts';
import { databaseFault } from '../../src/db/faults.ts';

/** A port nothing listens on: bound for a moment, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a failure'), (error: unknown) => error);

describe('databaseFault, on errors PostgreSQL, pg and Prisma really raise', () => {
  const { db } = createDb(inject('adminDatabaseUrl'), { poolSize: 1, bounds: { statementTimeoutMs: 50 } });
  afterAll(() => db.$disconnect());

  it('calls a statement cancelled by statement_timeout a timeout, in a transaction or not', async () => {
    expect(databaseFault(await failure(db.$queryRawUnsafe('SELECT pg_sleep(1)')))).toBe('timeout');
    expect(databaseFault(await failure(db.$transaction((tx) => tx.$queryRawUnsafe('SELECT pg_sleep(1)'))))).toBe('timeout');
  });

  it('calls an answer over PostgreSQL’s 1 GB limit exhausted', async () => {
    const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await client.connect();
    try {
      // 54000 before any memory is spent: repeat() checks the size it is asked for.
      expect(databaseFault(await failure(client.query(`SELECT repeat('x', 1073741824)`)))).toBe('exhausted');
    } finally {
      await client.end();
    }
  });

  it('calls an unreachable server unavailable, through Prisma and through pg', async () => {
    const url = `postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`;
    const { db: unreachable } = createDb(url, { bounds: { connectTimeoutMs: 500 } });
    try {
      expect(databaseFault(await failure(unreachable.account.findFirst()))).toBe('unavailable');
      expect(databaseFault(await failure(unreachable.$transaction((tx) => tx.account.findFirst())))).toBe('unavailable');
    } finally {
      await unreachable.$disconnect();
    }
    const client = new pg.Client({ connectionString: url });
    expect(databaseFault(await failure(client.connect()))).toBe('unavailable');
  });

  it('calls a connection terminated by pg_terminate_backend unavailable (only the test’s own connection)', async () => {
    const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    client.on('error', () => undefined);
    await client.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const terminator = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await terminator.connect();
    try {
      const sleeping = failure(client.query('SELECT pg_sleep(5)'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await terminator.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(databaseFault(await sleeping)).toBe('unavailable');
    } finally {
      await terminator.end();
    }
  });

  it('leaves other errors alone: they stay unexpected', async () => {
    expect(databaseFault(await failure(db.$queryRawUnsafe('SELECT 1/0')))).toBeUndefined();
    expect(databaseFault(new Error('something else'))).toBeUndefined();
  });
});
