import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config.ts';
import { isRunning, lockDataFolder, lockHolder } from './data-folder-lock.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.ts';
import { orphanedPostgres, stopOrphanedPostgres } from './orphaned-postgres.ts';

/** The database the embedded PostgreSQL serves to the gateway. */
export const EMBEDDED_DATABASE = 'gateway';

export interface Database {
  url: string;
  /** True when this process started an embedded PostgreSQL (and must stop it). */
  ownsServer: boolean;
  /** Stops the embedded PostgreSQL this process started; does nothing otherwise. */
  stop(): Promise<void>;
}

/**
 * The connection URL of the embedded PostgreSQL that a running gateway
 * serves from `dataDir`, read from the server's own `postmaster.pid`.
 * Credentials are those embedded.ts sets.
 */
async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  const lines = (await readFile(path.resolve(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isRunning(pid)) return undefined;
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * DATABASE_URL when it is set; otherwise the embedded PostgreSQL under
 * `config.dataDir`, started (and kept on disk) with its `gateway` database
 * created if missing. One process runs it at a time (a lock file in the data
 * folder): a second gateway is refused, while the CLI (`shareRunning`) uses
 * the server of the gateway that runs. A PostgreSQL left running by a
 * gateway that died is stopped first, and the gateway says so.
 */
export async function openDatabase(config: Config, { shareRunning = false }: { shareRunning?: boolean } = {}): Promise<Database> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, ownsServer: false, stop: async () => undefined };
  }
  await mkdir(config.dataDir, { recursive: true });
  const runningAdminUrl = shareRunning && (await lockHolder(config.dataDir)) !== undefined ? await runningEmbeddedUrl(config.dataDir) : undefined;
  if (runningAdminUrl) {
    await ensureDatabase(runningAdminUrl, EMBEDDED_DATABASE);
    return { url: withDatabase(runningAdminUrl, EMBEDDED_DATABASE), ownsServer: false, stop: async () => undefined };
  }
  const lock = await lockDataFolder(config.dataDir);
  let embedded: EmbeddedDatabase | undefined;
  try {
    const orphan = await orphanedPostgres(path.resolve(config.dataDir, 'postgres'));
    if (orphan !== undefined) {
      console.error(`The embedded PostgreSQL (process ${orphan}) of a gateway that did not shut down is still running on ${path.resolve(config.dataDir)}: stopping it and starting it again.`);
      await stopOrphanedPostgres(orphan);
    }
    embedded = await startEmbeddedPostgres(config.dataDir, { persistent: true });
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
  } catch (error) {
    await embedded?.stop();
    lock.release();
    throw error;
  }
  const server = embedded;
  return {
    url: server.urlFor(EMBEDDED_DATABASE),
    ownsServer: true,
    stop: async () => {
      await server.stop();
      lock.release();
    },
  };
}
