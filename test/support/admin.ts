import pg from 'pg';
import { inject } from 'vitest';

/** Runs one statement on the test server's maintenance database (create or drop a database). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
