import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { adminQuery } from './support/admin.ts';
import { databaseUrl } from './support/database-url.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database with nothing in it, not even the migrations, as a new production database is. */
async function emptyDatabase(): Promise<string> {
  const name = `gateway_seed_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return databaseUrl(inject('adminDatabaseUrl'), name);
}

/** Runs src/main.ts until its banner is printed, then stops it; what it printed. */
async function start(environment: Record<string, string>): Promise<string> {
  const child = spawn(tsx, ['src/main.ts'], { cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 45 s: ${output}`)), 45_000);
      const poll = setInterval(() => {
        // The banner ends with the curl line for a token.
        if (/curl -s -u/.test(output) || child.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(timer);
          if (child.exitCode === null) resolve();
          else reject(new Error(`exited with ${child.exitCode}: ${output}`));
        }
      }, 50);
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return output;
}

async function accountCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) FROM accounts')).rows[0].count);
  } finally {
    await client.end();
  }
}

describe('demo data', () => {
  it('is not loaded into an empty database given by DATABASE_URL, and no secret is printed', async () => {
    const url = await emptyDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'seed-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const output = await start({ DATABASE_URL: url, DATA_DIR: dataDir });
    expect(output).toContain('listening on');
    expect(output).not.toMatch(/client_secret:|sgs_/);
    expect(output).not.toContain('Seeded demo data');
    expect(await accountCount(url)).toBe(0);
    expect(existsSync(path.join(dataDir, 'demo-client.json'))).toBe(false);
  }, 60_000);

  it('is loaded when asked with SEED_DEMO=true, its secret kept in the data folder rather than printed', async () => {
    const url = await emptyDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'seed-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const output = await start({ DATABASE_URL: url, DATA_DIR: dataDir, SEED_DEMO: 'true' });
    expect(output).toContain('"msg":"seeded demo data"');
    expect(await accountCount(url)).toBeGreaterThan(0);
    const saved = JSON.parse(await readFile(path.join(dataDir, 'demo-client.json'), 'utf8')) as { clientSecret: string };
    expect(output).not.toContain(saved.clientSecret);
    expect(output).toContain('demo-client.json');
  }, 60_000);
});

describe('SEED_DEMO', () => {
  it('defaults to seeding only the embedded database', () => {
    expect(loadConfig({}).seedDemo).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgresql://db.example/prod' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://db.example/prod', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).seedDemo).toBe(false);
  });
});
