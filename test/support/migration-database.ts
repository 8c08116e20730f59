import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate, migrationsDir } from '../../src/db/migrate.ts';
import { adminQuery } from './admin.ts';
import { databaseUrl } from './database-url.ts';

/**
 * A database of its own as it was just before `migration`: every earlier
 * migration applied, so a test can fill it as a deployment would have been
 * and then apply the rest (`migrate(url)`) to see what `migration` does.
 */
export async function databaseBefore(migration: string): Promise<{ url: string; client: pg.Client; drop(): Promise<void> }> {
  const name = `gateway_migration_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = databaseUrl(inject('adminDatabaseUrl'), name);
  const earlier = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  try {
    for (const entry of await readdir(migrationsDir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name < migration) await cp(path.join(migrationsDir, entry.name), path.join(earlier, entry.name), { recursive: true });
    }
    await migrate(url, earlier);
  } finally {
    await rm(earlier, { recursive: true, force: true });
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    client,
    drop: async () => {
      await client.end();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
