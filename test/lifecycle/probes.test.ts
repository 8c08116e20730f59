import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDb } from '../../src/db/client.ts';
import { migrationNames } from '../../src/db/migrate.ts';
import { createGateway, listen } from '../../src/server.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/** A TCP relay to PostgreSQL that the test can cut: afterwards the database is unreachable through it. */
async function cuttableRelay(target: URL) {
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    cut: () => {
      relay.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

async function probe(url: string) {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, string>) : undefined, headers: response.headers };
}

describe('liveness and readiness probes', () => {
  let gateway: TestGateway;
  let database: pg.Client;
  beforeAll(async () => {
    gateway = await startTestGateway();
    database = new pg.Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await gateway.close();
  });

  it('answers /livez and its alias /health with 200', async () => {
    expect((await probe(`${gateway.url}/livez`)).status).toBe(200);
    expect((await probe(`${gateway.url}/health`)).status).toBe(200);
  });

  it('answers /readyz and its alias /ready with 200 ready on a migrated database', async () => {
    for (const path of ['/readyz', '/ready']) {
      const answer = await probe(`${gateway.url}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ready' });
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers /readyz with 503 naming the migration the database lacks, and 200 again once it is applied', async () => {
    const last = (await migrationNames()).at(-1)!;
    const { rows } = await database.query('DELETE FROM "_prisma_migrations" WHERE migration_name = $1 RETURNING *', [last]);
    try {
      const answer = await probe(`${gateway.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body).toEqual({ status: 'unavailable', reason: expect.stringContaining(`migrations not applied: ${last}`) });
      expect((await probe(`${gateway.url}/livez`)).status).toBe(200);
    } finally {
      const row = rows[0] as Record<string, unknown>;
      await database.query(`INSERT INTO "_prisma_migrations" SELECT * FROM json_populate_record(NULL::"_prisma_migrations", $1)`, [JSON.stringify(row)]);
    }
    expect((await probe(`${gateway.url}/readyz`)).status).toBe(200);
  });

  it('answers /readyz with 503 listing every migration on a database none ever ran on', async () => {
    await database.query('ALTER TABLE "_prisma_migrations" RENAME TO "_prisma_migrations_hidden"');
    try {
      const answer = await probe(`${gateway.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.body!.reason).toContain((await migrationNames()).join(', '));
    } finally {
      await database.query('ALTER TABLE "_prisma_migrations_hidden" RENAME TO "_prisma_migrations"');
    }
  });

  it('answers /readyz with 503 while the database cannot be reached, and /livez with 200', async () => {
    const relay = await cuttableRelay(new URL(gateway.databaseUrl));
    const config = loadConfig({ PORT: '0', RATE_LIMITS: 'false', DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    const { db } = createDb(relay.url, { bounds: config.bounds });
    const unreachable = await createGateway({ db, config });
    const running = await listen(unreachable, 0, '127.0.0.1');
    try {
      expect((await probe(`${running.url}/readyz`)).status).toBe(200);
      relay.cut();
      const answer = await probe(`${running.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ status: 'unavailable', reason: 'the database cannot be reached' });
      expect((await probe(`${running.url}/livez`)).status).toBe(200);
    } finally {
      relay.cut();
      await running.close();
      await unreachable.events.close();
      await unreachable.rateLimits.close();
      await db.$disconnect();
    }
  });

  it('answers /readyz with 503 once the gateway stops accepting work', async () => {
    const own = await startTestGateway();
    try {
      own.gateway.readiness.stopAccepting();
      expect(await probe(`${own.url}/readyz`)).toMatchObject({ status: 503, body: { status: 'unavailable', reason: 'the gateway is shutting down' } });
    } finally {
      await own.close();
    }
  });
});
