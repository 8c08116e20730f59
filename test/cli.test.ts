import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery } from './support/admin.ts';
import { encodeId } from './support/fixtures.ts';
import { databaseUrl } from './support/database-url.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A database of its own (migrated from the template, or empty), a data folder,
 * and `cli(...)` running `src/cli.ts` against them as an operator would.
 */
function cliFixture(label: string, options: { migrated: boolean }) {
  const name = `gateway_${label}_${randomUUID().replaceAll('-', '')}`;
  const fixture = { url: '', dataDir: '', db: undefined as unknown as pg.Client };

  beforeAll(async () => {
    await adminQuery(options.migrated ? `CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}` : `CREATE DATABASE ${name}`);
    fixture.url = databaseUrl(inject('adminDatabaseUrl'), name);
    fixture.dataDir = await mkdtemp(path.join(tmpdir(), `gateway-${label}-`));
    fixture.db = new pg.Client({ connectionString: fixture.url });
    await fixture.db.connect();
  });

  afterAll(async () => {
    await fixture.db?.end();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await rm(fixture.dataDir, { recursive: true, force: true });
  });

  function cli(...args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(
        tsx,
        ['src/cli.ts', ...args],
        { cwd: root, env: { ...process.env, DATABASE_URL: fixture.url, DATA_DIR: fixture.dataDir }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  return { fixture, cli };
}

describe('operator CLI', () => {
  const { fixture, cli } = cliFixture('cli', { migrated: true });

  function lastLineJson(stdout: string): any {
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  async function count(table: string): Promise<number> {
    return (await fixture.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  }

  it('lists its commands with --help', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    for (const command of ['accounts:create', 'clients:create', 'keys:rotate', 'migrate', 'seed']) expect(result.stdout).toContain(command);
  });

  it('reports that an already migrated database has no pending migrations', async () => {
    const result = await cli('migrate');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No pending migrations');
  });

  describe('accounts:create', () => {
    it('creates an account with a slug derived from its name and prints its id as JSON', async () => {
      const result = await cli('accounts:create', '--name', 'Contoso', '--time-zone', 'Europe/London', '--json');
      expect(result.code, result.stderr).toBe(0);
      const { id } = lastLineJson(result.stdout);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const { rows } = await fixture.db.query('SELECT name, slug, time_zone FROM accounts WHERE id = $1', [id]);
      expect(rows).toEqual([{ name: 'Contoso', slug: 'contoso', time_zone: 'Europe/London' }]);
    });

    it('gives a second account of the same name a unique slug', async () => {
      const result = await cli('accounts:create', '--name', 'Contoso', '--time-zone', 'America/New_York', '--json');
      expect(result.code, result.stderr).toBe(0);
      const { rows } = await fixture.db.query('SELECT slug FROM accounts WHERE id = $1', [lastLineJson(result.stdout).id]);
      expect(rows[0].slug).toBe('contoso-2');
    });

    it('prints human text without --json', async () => {
      const result = await cli('accounts:create', '--name', 'Fabrikam Ltd', '--time-zone', 'Australia/Sydney');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Created account "Fabrikam Ltd" (slug fabrikam-ltd, Australia/Sydney)');
    });

    it('rejects an unknown time zone and creates nothing', async () => {
      const before = await count('accounts');
      const result = await cli('accounts:create', '--name', 'Nowhere', '--time-zone', 'Mars/Olympus_Mons', '--json');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Unknown time zone "Mars/Olympus_Mons"');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await count('accounts')).toBe(before);
    });

    it('rejects a missing --name', async () => {
      const result = await cli('accounts:create', '--time-zone', 'Europe/London');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Missing required option --name');
    });
  });

  describe('clients:create', () => {
    it('creates a client for all accounts and prints its credentials as JSON', async () => {
      const result = await cli('clients:create', '--name', 'ci', '--accounts', 'all', '--scopes', 'read,write,admin', '--json');
      expect(result.code, result.stderr).toBe(0);
      const { clientId, clientSecret } = lastLineJson(result.stdout);
      expect(typeof clientId).toBe('string');
      expect(typeof clientSecret).toBe('string');
      const { rows } = await fixture.db.query('SELECT name, scopes, all_accounts, secret_hash FROM api_clients WHERE client_id = $1', [clientId]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: 'ci', scopes: ['read', 'write', 'admin'], all_accounts: true });
      expect(rows[0].secret_hash).not.toContain(clientSecret);
    });

    it('creates a client limited to the listed accounts', async () => {
      const { rows: accounts } = await fixture.db.query<{ id: string }>('SELECT id FROM accounts ORDER BY slug LIMIT 2');
      const ids = accounts.map((account) => account.id);
      const result = await cli('clients:create', '--name', 'reporting', '--accounts', ids.join(','), '--scopes', 'read', '--json');
      expect(result.code, result.stderr).toBe(0);
      const { clientId } = lastLineJson(result.stdout);
      const { rows } = await fixture.db.query('SELECT scopes, all_accounts, account_ids FROM api_clients WHERE client_id = $1', [clientId]);
      expect(rows[0].scopes).toEqual(['read']);
      expect(rows[0].all_accounts).toBe(false);
      expect([...rows[0].account_ids].sort()).toEqual([...ids].sort());
    });

    it('takes the global ids GraphQL hands out as well as UUIDs, in any case', async () => {
      const { rows: accounts } = await fixture.db.query<{ id: string }>('SELECT id FROM accounts ORDER BY slug LIMIT 2');
      const ids = accounts.map((account) => account.id);
      const typed = [encodeId('Account', ids[0]!), ids[1]!.toUpperCase(), ids[0]!];
      const result = await cli('clients:create', '--name', 'both forms', '--accounts', typed.join(','), '--scopes', 'read', '--json');
      expect(result.code, result.stderr).toBe(0);
      const { rows } = await fixture.db.query('SELECT account_ids FROM api_clients WHERE client_id = $1', [lastLineJson(result.stdout).clientId]);
      expect([...rows[0].account_ids].sort()).toEqual([...ids].sort());
    });

    it('names an unknown or malformed account id as it was typed', async () => {
      const unknown = randomUUID().toUpperCase();
      const unknownGlobal = encodeId('Account', randomUUID());
      const missing = await cli('clients:create', '--name', 'ghost', '--accounts', `${unknown},${unknownGlobal}`, '--scopes', 'read');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(`No account has id ${unknown}, ${unknownGlobal}`);
      const agentId = encodeId('Agent', randomUUID());
      const malformed = await cli('clients:create', '--name', 'ghost', '--accounts', `${agentId},Not-An-Id`, '--scopes', 'read');
      expect(malformed.code).not.toBe(0);
      expect(malformed.stderr).toContain(`Not an account id: ${agentId}, Not-An-Id`);
    });

    it('rejects an unknown account id and creates nothing', async () => {
      const before = await count('api_clients');
      const unknown = randomUUID();
      const result = await cli('clients:create', '--name', 'ghost', '--accounts', unknown, '--scopes', 'read', '--json');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(unknown);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await count('api_clients')).toBe(before);
    });

    it('rejects an unknown scope', async () => {
      const result = await cli('clients:create', '--name', 'x', '--accounts', 'all', '--scopes', 'read,superuser');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--scopes');
    });
  });

  it('rejects an unknown command', async () => {
    const result = await cli('accounts:delete');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "accounts:delete"');
  });

  it('refuses to seed a database that already has accounts', async () => {
    const before = await count('agents');
    const result = await cli('seed');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already has accounts');
    expect(await count('agents')).toBe(before);
  });

  it('rotates the token signing key, keeping the old one published but retired', async () => {
    const first = await cli('keys:rotate', '--json');
    expect(first.code).toBe(0);
    const second = await cli('keys:rotate', '--json');
    const { kid } = lastLineJson(second.stdout);
    const keys = (await fixture.db.query('SELECT kid, retired_at FROM signing_keys ORDER BY created_at')).rows;
    expect(keys.filter((key) => key.retired_at === null).map((key) => key.kid)).toEqual([kid]);
    expect(keys.map((key) => key.kid)).toContain(lastLineJson(first.stdout).kid);
  });
});

describe('seed', () => {
  const { fixture, cli } = cliFixture('seed', { migrated: false });

  it('migrates an empty database, loads the demo accounts and saves the demo client credentials', async () => {
    const result = await cli('seed');
    expect(result.code, result.stderr).toBe(0);
    const { rows: accounts } = await fixture.db.query('SELECT slug, time_zone FROM accounts ORDER BY slug');
    expect(accounts).toEqual([
      { slug: 'contoso-support', time_zone: 'America/New_York' },
      { slug: 'northwind-it', time_zone: 'Europe/London' },
      { slug: 'southern-cross', time_zone: 'Australia/Sydney' },
    ]);
    const { rows: flows } = await fixture.db.query('SELECT DISTINCT confirmation_flow::text AS flow FROM appointment_types ORDER BY 1');
    expect(flows.map((row) => row.flow)).toEqual(['CONFIRM_DECLINE', 'INSTANT']);
    const { rows: holidays } = await fixture.db.query(
      'SELECT count(*) FILTER (WHERE agent_id IS NOT NULL)::int AS agent, count(*) FILTER (WHERE workday_id IS NOT NULL)::int AS workday FROM holidays',
    );
    expect(holidays[0].agent).toBeGreaterThan(0);
    expect(holidays[0].workday).toBeGreaterThan(0);

    const saved = JSON.parse(await readFile(path.join(fixture.dataDir, 'demo-client.json'), 'utf8'));
    expect(result.stdout).toContain(saved.clientSecret);
    const { rows: clients } = await fixture.db.query('SELECT all_accounts, scopes FROM api_clients WHERE client_id = $1', [saved.clientId]);
    expect(clients).toEqual([{ all_accounts: true, scopes: ['read', 'write', 'admin'] }]);
  });
});
