import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { createDb } from '../../src/db/client.ts';
import { adminQuery } from '../support/admin.ts';
import { createBookableAccount } from '../support/booking-fixtures.ts';
import { databaseUrl } from '../support/database-url.ts';
import { eventually, fetchToken, startGatewayProcess, waitForBanner, type GatewayProcess } from '../faults/support.ts';

const root = path.resolve(import.meta.dirname, '../..');

const AGENTS = '{ agents(first: 5) { totalCount nodes { name } } }';

/**
 * A read that waits on PostgreSQL for as long as the test holds a lock on
 * the agents table: a slow request the test ends when it likes.
 */
async function holdAgentsLock(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE agents IN ACCESS EXCLUSIVE MODE');
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
}

/** The gateway's log lines (pino's JSON) other than access lines, as level and message; a line that is not JSON as it is. */
function logLines(output: string): Array<{ level: number; msg: string } | string> {
  return output
    .trim()
    .split('\n')
    .map((line) => {
      try {
        const { level, msg } = JSON.parse(line) as { level: number; msg: string };
        return { level, msg };
      } catch {
        return line;
      }
    })
    .filter((line) => typeof line === 'string' || line.msg !== 'request');
}

describe.runIf(process.platform !== 'win32')('graceful shutdown of the gateway process', () => {
  const name = `shutdown_${randomUUID().replaceAll('-', '')}`;
  const url = databaseUrl(inject('adminDatabaseUrl'), name);
  let credentials: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
    const { db } = createDb(url);
    const fixture = await createBookableAccount(db, { agents: 3 });
    credentials = await createApiClient(db, { name: 'shutdown', scopes: ['read'], accounts: [fixture.account.id] });
    await db.$disconnect();
  });
  afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  const graphql = (gateway: GatewayProcess, token: string) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: AGENTS }),
    });

  it('on SIGTERM answers the requests in flight with 200, refuses new connections, and exits 0 with one log line', async () => {
    const gateway = await startGatewayProcess(url, { SHUTDOWN_TIMEOUT_MS: '10000' });
    try {
      const token = await fetchToken(gateway.url, credentials.clientId, credentials.clientSecret);
      expect((await graphql(gateway, token)).status).toBe(200);
      const release = await holdAgentsLock(url);
      const inFlight = Array.from({ length: 4 }, () => graphql(gateway, token));
      // The requests reach PostgreSQL and wait there on the lock.
      await new Promise((resolve) => setTimeout(resolve, 500));

      const before = gateway.output().length;
      const signalled = performance.now();
      gateway.child.kill('SIGTERM');
      await eventually(() => gateway.output().slice(before).includes('SIGTERM received'), 5_000, 'the shutdown line');
      await expect(fetch(`${gateway.url}/livez`)).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await release();

      const answers = await Promise.all(inFlight);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      for (const answer of answers) expect(await answer.json()).toMatchObject({ data: { agents: { totalCount: 3 } } });
      expect(await gateway.exited).toBe(0);
      const elapsedMs = performance.now() - signalled;
      // Besides the requests' own access lines, one line.
      const lines = logLines(gateway.output().slice(before));
      console.log(`shutdown: ${elapsedMs.toFixed(0)} ms after SIGTERM, ${lines.length} line(s) printed`);
      expect(lines).toEqual([{ level: 30, msg: 'SIGTERM received: finishing 4 request(s) in flight (at most 10 s), then stopping' }]);
      expect(elapsedMs).toBeLessThan(10_000);
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('cuts a request still running after SHUTDOWN_TIMEOUT_MS, says so once, and still exits 0', async () => {
    const gateway = await startGatewayProcess(url, { SHUTDOWN_TIMEOUT_MS: '1000' });
    const release = await holdAgentsLock(url);
    try {
      const token = await fetchToken(gateway.url, credentials.clientId, credentials.clientSecret);
      const stuck = graphql(gateway, token).then(
        (response) => response.status,
        () => 'cut',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = gateway.output().length;
      const signalled = performance.now();
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      const elapsedMs = performance.now() - signalled;
      expect(await stuck).toBe('cut');
      expect(elapsedMs).toBeGreaterThanOrEqual(1_000);
      expect(elapsedMs).toBeLessThan(5_000);
      // Besides the requests' own access lines, one line, and one more for the request cut.
      const lines = logLines(gateway.output().slice(before));
      expect(lines.slice(0, 2)).toEqual([
        { level: 30, msg: 'SIGTERM received: finishing 1 request(s) in flight (at most 1 s), then stopping' },
        { level: 40, msg: '1 request(s) still running after 1 s were cut off' },
      ]);
      expect(lines.length).toBeLessThanOrEqual(4);
    } finally {
      await release();
      await gateway.stop();
    }
  }, 60_000);

  it.runIf(process.platform === 'linux')('npm start does not restart a gateway that stopped cleanly on SIGTERM, and exits 0 itself', async () => {
    const launcher = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'shutdown-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    try {
      await waitForBanner(() => output, launcher);
      const gateways = readdirSync(`/proc/${launcher.pid}/task`).flatMap((task) =>
        readFileSync(`/proc/${launcher.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
      );
      expect(gateways).toHaveLength(1);
      process.kill(gateways[0]!, 'SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('the gateway stopped cleanly; so does npm start');
      expect(output).not.toContain('restarting');
    } finally {
      if (launcher.exitCode === null) launcher.kill('SIGTERM');
    }
  }, 60_000);
});
