import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';

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
 * The connection URL of an embedded PostgreSQL that another process (a
 * running `npm start`) already serves from `dataDir`, read from the
 * server's own `postmaster.pid`. Credentials are those embedded.ts sets.
 */
async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.resolve(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
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
 * `config.dataDir` — reused when `npm start` already runs it, started
 * (and kept on disk) when not — with its `gateway` database created if missing.
 */
export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, ownsServer: false, stop: async () => undefined };
  }
  const runningAdminUrl = await runningEmbeddedUrl(config.dataDir);
  if (runningAdminUrl) {
    await ensureDatabase(runningAdminUrl, EMBEDDED_DATABASE);
    return { url: withDatabase(runningAdminUrl, EMBEDDED_DATABASE), ownsServer: false, stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, { persistent: true });
  try {
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url: embedded.urlFor(EMBEDDED_DATABASE), ownsServer: true, stop: () => embedded.stop() };
}
