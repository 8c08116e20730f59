import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OperationKey } from './operations.ts';

export interface Row {
  operation: OperationKey;
  title: string;
  server: string;
  status: 'ok' | 'not run';
  reason?: string;
  requestsPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Median of sequential requests (one at a time): the latency of a lone caller. */
  sequentialP50Ms?: number;
  statementsPerRequest?: number | 'n/a';
  non2xx?: number;
  errors?: number;
  /** Writes: responses that were the success type. Race: outcome counts. */
  outcomes?: Record<string, number>;
  /** Byte equality with the gateway's response (raw server), or a sanity check (PostGraphile). */
  check?: string;
  /** Gateways: the highest RSS sampled during this row. */
  maxRssMb?: number;
  /** Noisy neighbour (h): the same load's requests per second measured just before, without the neighbour. */
  quietRequestsPerSecond?: number;
  /** Noisy neighbour (h): token requests sent one at a time during the noisy load, and their p99. */
  tokenRequests?: number;
  tokenP99Ms?: number;
  /** Subscribers (j): how many were open, and the gateway's RSS growth per subscriber. */
  subscribers?: number;
  memoryPerSubscriberKb?: number;
}

export interface LinearityPoint {
  members: number;
  days: number;
  sequentialP50Ms: number;
  microsecondsPerMemberDay: number;
}

export interface Results {
  date: string;
  smoke: boolean;
  settings: { connections: number; warmupSeconds: number; durationSeconds: number; sequentialRequests: number; noiseRate: number };
  machine: Record<string, string | number>;
  dataset: { size: Record<string, number>; counts: Record<string, number>; firstMonday: string; weeks: number; seedSeconds: number | null; seedSteps: Record<string, number> };
  servers: Array<{ name: string; started: boolean; reason?: string; maxRssMb?: number }>;
  rows: Row[];
  linearity: LinearityPoint[];
  targets: Array<{ target: string; measured: string; met: boolean | null }>;
  /** What the noisy neighbour of (h) sent. */
  noise: { connections: number; requestsPerSecond: number; tokenProbeIntervalMs: number; requests: string[] };
}

export const GATEWAY = 'gateway (node 22)';
/** The same gateway with QUERY_LIMITS_ENABLED=false, on (a) and (c): what the query-cost analysis costs. */
export const GATEWAY_LIMITS_OFF = 'gateway (node 22, limits off)';
/**
 * The same gateway with its rate limits on, for the noisy neighbour (h): the per-client query-cost budget at its
 * default, the request and token limits raised above what the bench's own client sends.
 */
export const GATEWAY_RATE_LIMITED = 'gateway (node 22, rate limits on)';

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));

/** Gateway throughput as a share of another server's, for one operation. */
export function ratio(rows: Row[], operation: OperationKey, against: string): number | undefined {
  const rps = (server: string) => rows.find((row) => row.operation === operation && row.server === server && row.status === 'ok')?.requestsPerSecond;
  const gateway = rps(GATEWAY);
  const other = rps(against);
  return gateway !== undefined && other ? gateway / other : undefined;
}

/** The share of throughput the query-cost analysis costs on an operation: 1 − (limits on) / (limits off). */
export function analysisOverhead(rows: Row[], operation: OperationKey): number | undefined {
  const rps = (server: string) => rows.find((row) => row.operation === operation && row.server === server && row.status === 'ok')?.requestsPerSecond;
  const on = rps(GATEWAY);
  const off = rps(GATEWAY_LIMITS_OFF);
  return on !== undefined && off ? 1 - on / off : undefined;
}

export function targetsOf(rows: Row[]): Results['targets'] {
  const targets: Results['targets'] = [];
  const ratioTarget = (operation: OperationKey, against: string, label: string, minimum: number) => {
    const value = ratio(rows, operation, against);
    targets.push({ target: `(${operation}) ≥ ${minimum}× ${label}`, measured: value === undefined ? 'not measured' : `${value.toFixed(2)}×`, met: value === undefined ? null : value >= minimum });
  };
  ratioTarget('a', 'raw SQL (node 22)', 'raw', 0.5);
  ratioTarget('a', 'PostGraphile (node 22)', 'PostGraphile', 1);
  ratioTarget('b', 'raw SQL (node 22)', 'raw', 0.5);
  ratioTarget('b', 'PostGraphile (node 22)', 'PostGraphile', 1);
  ratioTarget('c', 'raw SQL (node 22)', 'raw', 0.5);
  const latency = (operation: OperationKey, limitMs: number) => {
    const row = rows.find((candidate) => candidate.operation === operation && candidate.server === GATEWAY && candidate.status === 'ok');
    const value = row?.sequentialP50Ms;
    targets.push({ target: `(${operation}) p50 < ${limitMs} ms (one request at a time)`, measured: value === undefined ? 'not measured' : `${value.toFixed(1)} ms`, met: value === undefined ? null : value < limitMs });
  };
  latency('d', 25);
  latency('g', 300);
  const noisy = rows.find((row) => row.operation === 'h' && row.server === GATEWAY_RATE_LIMITED && row.status === 'ok');
  const share = noisy?.requestsPerSecond !== undefined && noisy.quietRequestsPerSecond ? noisy.requestsPerSecond / noisy.quietRequestsPerSecond : undefined;
  targets.push({ target: '(h) (a) beside a noisy neighbour ≥ 0.8× (a) quiet', measured: share === undefined ? 'not measured' : `${share.toFixed(2)}×`, met: share === undefined ? null : share >= 0.8 });
  const tokenP99 = noisy?.tokenP99Ms;
  targets.push({ target: '(h) token requests beside a noisy neighbour: p99 < 50 ms', measured: tokenP99 === undefined ? 'not measured' : `${tokenP99.toFixed(1)} ms`, met: tokenP99 === undefined ? null : tokenP99 < 50 });
  const subscribers = rows.find((row) => row.operation === 'j' && row.server === GATEWAY && row.status === 'ok');
  targets.push({
    target: `(j) publish-to-receive p99 < 100 ms with ${subscribers?.subscribers ?? 1000} SSE subscribers`,
    measured: subscribers?.p99Ms === undefined ? 'not measured' : `${subscribers.p99Ms.toFixed(1)} ms`,
    met: subscribers?.p99Ms === undefined ? null : subscribers.p99Ms < 100,
  });
  for (const operation of ['a', 'c'] as const) {
    const value = analysisOverhead(rows, operation);
    targets.push({
      target: `(${operation}) query-cost analysis costs ≤ 3 % of throughput`,
      measured: value === undefined ? 'not measured' : `${(value * 100).toFixed(1)} %`,
      met: value === undefined ? null : value <= 0.03,
    });
  }
  return targets;
}

export function table(results: Results): string {
  const header = ['op', 'server', 'req/s', 'p50 ms', 'p99 ms', 'p50 alone ms', 'SQL/op', 'max RSS MB', '× raw', '× PostGraphile', 'notes'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of results.rows) {
    const isGateway = row.server === GATEWAY;
    const versusRaw = isGateway ? ratio(results.rows, row.operation, 'raw SQL (node 22)') : undefined;
    const versusPostgraphile = isGateway ? ratio(results.rows, row.operation, 'PostGraphile (node 22)') : undefined;
    const notes = row.status === 'not run'
      ? `not run: ${row.reason}`
      : [row.check, noisyNotes(row), row.outcomes ? `${row.quietRequestsPerSecond === undefined ? '' : 'noise: '}${Object.entries(row.outcomes).map(([key, count]) => `${key} ${count}`).join(', ')}` : undefined, row.non2xx ? `non-2xx ${row.non2xx}` : undefined, row.errors ? `errors ${row.errors}` : undefined]
          .filter(Boolean)
          .join('; ');
    const statements = row.statementsPerRequest === undefined ? '–' : typeof row.statementsPerRequest === 'number' ? row.statementsPerRequest.toFixed(1) : row.statementsPerRequest;
    lines.push(
      `| ${[`(${row.operation}) ${row.title}`, row.server, fixed(row.requestsPerSecond), fixed(row.p50Ms), fixed(row.p99Ms), fixed(row.sequentialP50Ms), statements, row.maxRssMb === undefined ? '' : String(row.maxRssMb), versusRaw ? `${versusRaw.toFixed(2)}×` : '', versusPostgraphile ? `${versusPostgraphile.toFixed(2)}×` : '', notes.replaceAll('|', '\\|')].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Row (h): its throughput against its quiet figure, and the token probe. */
function noisyNotes(row: Row): string | undefined {
  if (row.quietRequestsPerSecond === undefined) return undefined;
  const share = row.requestsPerSecond === undefined ? '–' : `${(row.requestsPerSecond / row.quietRequestsPerSecond).toFixed(2)}×`;
  return `${share} of ${row.quietRequestsPerSecond.toFixed(1)} req/s quiet; token p99 ${fixed(row.tokenP99Ms)} ms over ${row.tokenRequests ?? 0} requests`;
}

function linearityTable(points: LinearityPoint[]): string {
  const lines = ['| members | days | p50 alone ms | µs per member-day |', '| --- | --- | --- | --- |'];
  for (const point of points) lines.push(`| ${point.members} | ${point.days} | ${point.sequentialP50Ms.toFixed(1)} | ${point.microsecondsPerMemberDay.toFixed(1)} |`);
  const fit = linearFit(points.map((point) => [point.members * point.days, point.sequentialP50Ms]));
  if (fit) {
    lines.push('', `Least-squares fit: p50 ≈ ${fit.intercept.toFixed(1)} ms + ${(fit.slope * 1000).toFixed(1)} µs × members × days (R² = ${fit.r2.toFixed(3)}).`);
  }
  return lines.join('\n');
}

/** y ≈ intercept + slope × x by least squares, with its coefficient of determination. */
function linearFit(samples: Array<[number, number]>): { intercept: number; slope: number; r2: number } | undefined {
  if (samples.length < 3) return undefined;
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const meanX = mean(samples.map(([x]) => x));
  const meanY = mean(samples.map(([, y]) => y));
  const sxx = samples.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const sxy = samples.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const syy = samples.reduce((sum, [, y]) => sum + (y - meanY) ** 2, 0);
  if (sxx === 0 || syy === 0) return undefined;
  const slope = sxy / sxx;
  return { intercept: meanY - slope * meanX, slope, r2: (sxy * sxy) / (sxx * syy) };
}

export function printResults(results: Results): void {
  console.log(`\n${table(results)}\n`);
  if (results.linearity.length) console.log(`Availability (d) by team size and days, gateway node 22:\n${linearityTable(results.linearity)}\n`);
  console.log(results.servers.map((server) => `${server.name}: ${server.started ? `max RSS ${server.maxRssMb ?? '?'} MB` : `not started (${server.reason})`}`).join('\n'));
  console.log(`\nTargets:\n${results.targets.map((target) => `  ${target.met === null ? '?' : target.met ? 'met' : 'MISSED'}  ${target.target}: ${target.measured}`).join('\n')}`);
}

export async function writeResults(results: Results, directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${results.date.slice(0, 10)}${results.smoke ? '-smoke' : ''}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

export async function writeMarkdown(results: Results, file: string, resultsFile: string): Promise<void> {
  const { dataset, machine, settings } = results;
  const gatewayRss = results.servers.filter((server) => server.name.startsWith('gateway')).map((server) => `${server.name} ${server.maxRssMb ?? '?'} MB`).join(', ');
  const text = `# Benchmarks

Issue #5: the gateway side by side with a raw-SQL limit and PostGraphile, on one
PostgreSQL and one seeded dataset. Latest run: ${results.date}${results.smoke ? ' (smoke size — not representative)' : ''}.
Raw figures: [\`${path.relative(path.dirname(file), resultsFile)}\`](${path.relative(path.dirname(file), resultsFile)}).

## Results

${settings.connections} connections, ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured per row, servers alternating per
operation. "p50 alone" is the median of ${settings.sequentialRequests} requests sent one at a time, after the load row (the server
warmed up, its load drained); "SQL/op" counts
statements per request in \`pg_stat_statements\` (BEGIN/COMMIT included). "× raw" and "× PostGraphile"
are the gateway's (Node 22) requests per second divided by theirs. The raw-SQL server prepares the statement of
(c) once per connection, as the gateway prepares its reads by key; both plan lists and the report anew on every
request, since a prepared list or report soon runs on a generic plan that ignores its accounts or dates.

${table(results)}

Gateway max RSS during the run: ${gatewayRss} (target < 300 MB).

### Targets

${results.targets.map((target) => `- ${target.met === null ? '❔' : target.met ? '✅' : '❌'} ${target.target}: ${target.measured}`).join('\n')}

### Fairness (h) and the query-cost analysis' overhead

(h) measures the load of (a) twice, back to back: quiet, then while a second API client (the noisy
neighbour) sends ${results.noise.requestsPerSecond} requests a second on ${results.noise.connections} connections, each in turn: ${results.noise.requests.join('; ')}.
Meanwhile the bench's client asks for a token every ${results.noise.tokenProbeIntervalMs} ms; "token p99" is over those requests.
The noisy client's operations wait for its own share of execution slots and connections (README, "Fairness
between API clients"); what they could still take from (a) is time on the gateway's one thread, which its
query-cost budget bounds: (h) runs on "${GATEWAY_RATE_LIMITED}", whose budget is the default (README, "Rate
limits") and whose request and token limits are raised above what the bench's own client sends. The noise's rate
is 180 requests per minute, the per-client request limit TimeZest documents (\`--noise-rate\` changes it); its
expensive operations are answered with data until the budget is spent, then with 429 ("throttled"). "${GATEWAY_LIMITS_OFF}" is the
same gateway with \`QUERY_LIMITS_ENABLED=false\`, run beside it on (a) and (c): the difference is what the
query-cost analysis costs.

### Calendar feed (i)

(i) GETs the iCalendar feed of one agent (\`/calendar/agents/<secret>.ics\`, README "Calendar feeds"): every booking
of the last 30 and next 365 days it occupies, rendered by ical-generator. The feed costs two statements whatever the
number of bookings (a third when its body changed since the last request); the answer is the whole calendar, so its
cost per request grows with the bookings in the window. Calendar apps poll with \`If-None-Match\`, answered 304 without
the body; the bench asks for the body every time.

### Availability (d) by team size and days

Cost linear in members × days means points on one line, a fixed cost per request
plus a cost per member-day; the fixed part makes the last column fall.

${results.linearity.length ? linearityTable(results.linearity) : 'Not measured.'}

## Dataset

${Object.entries(dataset.size).map(([key, value]) => `${value.toLocaleString('en')} ${key}`).join(', ')}; bookings over ${dataset.weeks} weeks from ${dataset.firstMonday}
(about 13 % of them in the future), 30 minutes each, ten per agent per business day in the account's zone, never overlapping.
Rows: ${Object.entries(dataset.counts).map(([key, value]) => `${key} ${value.toLocaleString('en')}`).join(', ')}.
Seeding took ${dataset.seedSeconds === null ? 'no time (the database was reused)' : `${dataset.seedSeconds} s`}${Object.keys(dataset.seedSteps).length ? ` (${Object.entries(dataset.seedSteps).map(([key, value]) => `${key} ${value} s`).join(', ')})` : ''}.

## Machine

${Object.entries(machine).map(([key, value]) => `- ${key}: ${value}`).join('\n')}

The load generator (autocannon) runs on the same cores as the servers and PostgreSQL, so absolute numbers are
low; the ratios are what to compare.

## Reproduce

\`\`\`sh
npm install
npm run bench                      # default dataset: seeds once into .data/bench/ (embedded PostgreSQL), then reuses it
npm run bench -- --smoke           # tiny dataset, a few seconds per operation (CI)
npm run bench -- --bookings 100000 --duration 5 --connections 10 --ops a,b,g
BENCH_DATABASE_URL=postgres://… npm run bench   # an existing, empty database (needs pg_stat_statements preloaded for SQL counts)
\`\`\`

Flags: \`--accounts --agents --teams --appointment-types --customers --bookings\` (dataset), \`--connections --warmup --duration
--sequential\` (load), \`--noise-rate\` (row h), \`--ops a,b,…\`, \`--reseed\`, \`--markdown\` (rewrite this file after a smoke run). PostGraphile runs
from \`bench/postgraphile/server.mjs\` when present; otherwise its rows say "not run".
`;
  await writeFile(file, text);
}
