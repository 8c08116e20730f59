import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';

/** How much data the benchmark runs against. */
export interface DatasetSize {
  accounts: number;
  agents: number;
  teams: number;
  appointmentTypes: number;
  customers: number;
  bookings: number;
}

export const DEFAULT_SIZE: DatasetSize = { accounts: 5, agents: 200, teams: 40, appointmentTypes: 20, customers: 20_000, bookings: 1_000_000 };
export const SMOKE_SIZE: DatasetSize = { accounts: 2, agents: 80, teams: 8, appointmentTypes: 4, customers: 400, bookings: 8_000 };

const ACCOUNT_ZONES = ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Tokyo'];
/** Teams 0–3 of account 0, sized for the availability linearity check; the 20-member one serves operation (d). */
export const LINEARITY_TEAM_SIZES = [5, 10, 20, 40] as const;
/** Bookings an agent has on a business day: 09:00, 09:45 … 15:45 local, 30 minutes each, leaving gaps that stay bookable. */
const BOOKINGS_PER_DAY = 10;
const BOOKING_SPACING_MINUTES = 45;
export const BOOKING_MINUTES = 30;
/** Share of the seeded weeks that lie in the future, so availability sees booked time. */
const FUTURE_SHARE = 0.13;

/** Deterministic ids: every row can be found again from its ordinal, so the runner needs no lookups. */
export const seededId = (kind: 'account' | 'workday' | 'agent' | 'team' | 'type' | 'customer' | 'booking', ordinal: number) => {
  const hex = md5Hex(`${kind}-${ordinal}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export interface DatasetShape {
  size: DatasetSize;
  /** Monday (UTC date) of the first seeded week; bookings run for `weeks` weeks from there. */
  firstMonday: string;
  weeks: number;
}

/** Where the seeded bookings lie in time, relative to `today`. */
export function datasetShape(size: DatasetSize, today: DateTime = DateTime.utc()): DatasetShape {
  const perAgent = Math.ceil(size.bookings / size.agents);
  const weeks = Math.max(1, Math.ceil(perAgent / BOOKINGS_PER_DAY / 5));
  const thisMonday = today.startOf('week');
  const firstMonday = thisMonday.minus({ weeks: weeks - Math.round(weeks * FUTURE_SHARE) });
  return { size, firstMonday: firstMonday.toISODate()!, weeks };
}

export function validateSize(size: DatasetSize): void {
  for (const [key, value] of Object.entries(size)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key} must be a positive integer, got ${value}`);
  }
  if (size.accounts > ACCOUNT_ZONES.length) throw new Error(`--accounts is at most ${ACCOUNT_ZONES.length}`);
  if (size.agents < size.accounts * LINEARITY_TEAM_SIZES[0]) throw new Error(`--agents must be at least ${size.accounts * LINEARITY_TEAM_SIZES[0]}`);
  if (size.appointmentTypes < size.accounts || size.customers < size.accounts) throw new Error('every account needs an appointment type and a customer');
  if (size.teams < LINEARITY_TEAM_SIZES.length) throw new Error(`--teams must be at least ${LINEARITY_TEAM_SIZES.length}`);
}

export const accountZone = (accountOrdinal: number) => ACCOUNT_ZONES[accountOrdinal]!;
/** Agents of an account are the ordinals ≡ account (mod accounts). */
export const agentsOf = (size: DatasetSize, account: number) =>
  Array.from({ length: Math.floor((size.agents - 1 - account) / size.accounts) + 1 }, (_, local) => account + local * size.accounts);

export interface TeamPlan {
  ordinal: number;
  account: number;
  name: string;
  mode: 'ANY' | 'ROUND_ROBIN' | 'COLLECTIVE';
  members: number[];
}

/** Teams of 5–40 members; the first four (account 0) have 5, 10, 20 and 40 members, capped by the account's agents. */
export function teamPlans(size: DatasetSize): TeamPlan[] {
  return Array.from({ length: size.teams }, (_, ordinal) => {
    const linearity = ordinal < LINEARITY_TEAM_SIZES.length;
    const account = linearity ? 0 : ordinal % size.accounts;
    const pool = agentsOf(size, account);
    const wanted = linearity ? LINEARITY_TEAM_SIZES[ordinal]! : 5 + ((ordinal * 7) % 36);
    const count = Math.min(wanted, pool.length);
    const members = Array.from({ length: count }, (_, index) => pool[(ordinal * 3 + index) % pool.length]!);
    const mode = linearity ? 'ROUND_ROBIN' : (['ANY', 'ROUND_ROBIN', 'COLLECTIVE'] as const)[ordinal % 3]!;
    return { ordinal, account, name: linearity ? `Linearity ${count}` : `Team ${ordinal}`, mode, members };
  });
}

const specOf = (shape: DatasetShape) => JSON.stringify({ seed: 1, ...shape });

/** The marker a complete seed leaves on its database, so later runs reuse it. */
async function seededSpec(client: pg.Client): Promise<string | null> {
  const { rows } = await client.query<{ spec: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS spec FROM pg_database WHERE datname = current_database()`,
  );
  return rows[0]?.spec ?? null;
}

export interface SeedResult {
  reused: boolean;
  seconds: number;
  /** Seconds per step, for the report. */
  steps: Record<string, number>;
  counts: Record<string, number>;
}

/**
 * Applies the project's migrations and fills the database with set-based
 * SQL (`INSERT … SELECT generate_series`), so a million bookings take
 * seconds rather than an hour of round trips. A database whose marker
 * matches `shape` is reused, with the migrations made since applied.
 */
export async function seedDataset(url: string, shape: DatasetShape, options: { log: (line: string) => void }): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const spec = specOf(shape);
    if ((await seededSpec(client)) === spec) {
      // Seeded by an earlier version: the migrations made since apply to it as to any deployed database.
      await migrate(url);
      return { reused: true, seconds: 0, steps: {}, counts: await countRows(client) };
    }
    const started = performance.now();
    const steps: Record<string, number> = {};
    const step = async (name: string, work: () => Promise<unknown>) => {
      const at = performance.now();
      await work();
      steps[name] = Math.round(performance.now() - at) / 1000;
      options.log(`  ${name}: ${steps[name]} s`);
    };
    await step('migrate', () => migrate(url));
    const { rows: existing } = await client.query<{ count: string }>('SELECT count(*) FROM accounts');
    if (Number(existing[0]!.count) > 0) {
      throw new Error('The bench database holds data of another dataset; rerun with --reseed (or point BENCH_DATABASE_URL at an empty database)');
    }
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(`SET work_mem = '64MB'`);
    const { size } = shape;
    await step('accounts, workdays, agents, teams, types', () => seedSmallTables(client, size));
    await step('customers', () =>
      client.query(
        `INSERT INTO customers (id, account_id, name, email, phone, time_zone, created_at, updated_at)
         SELECT md5('customer-' || c)::uuid, md5('account-' || (c % $2))::uuid,
                'Customer ' || c, 'customer' || c || '@example.com',
                CASE WHEN c % 3 = 0 THEN NULL ELSE '+44 20 7946 ' || lpad((c % 10000)::text, 4, '0') END,
                CASE WHEN c % 2 = 0 THEN NULL ELSE 'Europe/London' END,
                now() - interval '3 years', now() - interval '3 years'
         FROM generate_series(0, $1 - 1) AS c`,
        [size.customers, size.accounts],
      ),
    );
    // Booking k of agent a: business day k / 10, 09:00 + (k % 10) × 45 min in the account's zone, so no two overlap.
    await step('bookings', () =>
      client.query(
        `INSERT INTO bookings (id, account_id, appointment_type_id, agent_id, customer_id, status, starts_at, ends_at, title, created_at, updated_at)
         SELECT md5('booking-' || b)::uuid, account.id,
                md5('type-' || (acc + $2 * (k % ((($3 - 1 - acc) / $2) + 1))))::uuid,
                md5('agent-' || a)::uuid,
                md5('customer-' || (acc + $2 * ((k * 7919 + a * 31) % ((($4 - 1 - acc) / $2) + 1))))::uuid,
                (CASE WHEN starts_at < now() THEN
                   CASE WHEN h < 80 THEN 'COMPLETED' WHEN h < 88 THEN 'CANCELLED' WHEN h < 92 THEN 'NO_SHOW' WHEN h < 95 THEN 'DECLINED' ELSE 'CONFIRMED' END
                 ELSE
                   CASE WHEN h < 85 THEN 'CONFIRMED' WHEN h < 93 THEN 'TENTATIVE' ELSE 'CANCELLED' END
                 END)::"BookingStatus",
                starts_at, starts_at + make_interval(mins => $7),
                CASE WHEN h % 3 = 0 THEN NULL ELSE 'Ticket #' || (100000 + b) END,
                least(starts_at - make_interval(days => (1 + h2 % 21)::int, mins => (h2 % 600)::int), now() - make_interval(mins => (1 + h2 % 600)::int)),
                least(starts_at - make_interval(days => (1 + h2 % 21)::int, mins => (h2 % 600)::int), now() - make_interval(mins => (1 + h2 % 600)::int))
         FROM generate_series(0, $1 - 1) AS b
         CROSS JOIN LATERAL (SELECT b % $5 AS a, b / $5 AS k) AS position
         CROSS JOIN LATERAL (SELECT a % $2 AS acc, abs(hashint4(b)::bigint) % 100 AS h, abs(hashint4(b + 7919)::bigint) AS h2) AS derived
         JOIN accounts AS account ON account.id = md5('account-' || acc)::uuid
         CROSS JOIN LATERAL (
           SELECT (($6::date + ((k / $8) / 5) * 7 + (k / $8) % 5) + time '09:00' + make_interval(mins => (k % $8)::int * $9))
                  AT TIME ZONE account.time_zone AS starts_at
         ) AS slot`,
        [size.bookings, size.accounts, size.appointmentTypes, size.customers, size.agents, shape.firstMonday, BOOKING_MINUTES, BOOKINGS_PER_DAY, BOOKING_SPACING_MINUTES],
      ),
    );
    await step('booking_agents', () =>
      client.query(`INSERT INTO booking_agents (account_id, booking_id, agent_id) SELECT account_id, id, agent_id FROM bookings`),
    );
    // Only time still to come matters to availability and to the exclusion constraint.
    await step('time_blocks (future bookings)', () =>
      client.query(
        `INSERT INTO time_blocks (account_id, agent_id, booking_id, during)
         SELECT account_id, agent_id, id, tstzrange(starts_at, ends_at, '[)') FROM bookings
         WHERE starts_at >= now() - interval '1 day' AND status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW')`,
      ),
    );
    await step('vacuum analyze', () => client.query('VACUUM ANALYZE'));
    const { rows: name } = await client.query<{ name: string }>('SELECT current_database() AS name');
    await client.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name[0]!.name)} IS ${pg.escapeLiteral(spec)}`);
    return { reused: false, seconds: Math.round(performance.now() - started) / 1000, steps, counts: await countRows(client) };
  } finally {
    await client.end();
  }
}

/** The few hundred rows of reference data, built here and inserted as JSON records. */
async function seedSmallTables(client: pg.Client, size: DatasetSize): Promise<void> {
  const longAgo = DateTime.utc().minus({ years: 3 });
  const insert = (table: string, rows: object[]) =>
    client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1)`, [JSON.stringify(rows)]);
  const stamp = (offsetSeconds = 0) => longAgo.plus({ seconds: offsetSeconds }).toISO();
  const accounts = Array.from({ length: size.accounts }, (_, ordinal) => ordinal);
  await insert(
    'accounts',
    accounts.map((ordinal) => ({
      id: seededId('account', ordinal), name: `Bench Account ${ordinal + 1}`, slug: `bench-${ordinal + 1}`, time_zone: accountZone(ordinal), created_at: stamp(ordinal), updated_at: stamp(ordinal),
    })),
  );
  await insert(
    'workdays',
    accounts.map((ordinal) => ({
      id: seededId('workday', ordinal), account_id: seededId('account', ordinal), name: 'Office hours', time_zone: accountZone(ordinal), created_at: stamp(), updated_at: stamp(),
    })),
  );
  await insert(
    'working_hours',
    accounts.flatMap((ordinal) =>
      [1, 2, 3, 4, 5].map((weekday) => ({
        id: seededId('workday', 1000 + ordinal * 10 + weekday), account_id: seededId('account', ordinal), workday_id: seededId('workday', ordinal), weekday, start_time: '09:00', end_time: '17:00',
      })),
    ),
  );
  const roles = ['AGENT', 'AGENT', 'AGENT', 'MANAGER', 'AGENT', 'ADMIN'];
  await insert(
    'agents',
    Array.from({ length: size.agents }, (_, ordinal) => ({
      id: seededId('agent', ordinal),
      account_id: seededId('account', ordinal % size.accounts),
      name: `Agent ${String(ordinal).padStart(4, '0')}`,
      email: `agent${ordinal}@bench-${(ordinal % size.accounts) + 1}.example`,
      role: roles[ordinal % roles.length],
      schedulable: true,
      time_zone: accountZone(ordinal % size.accounts),
      workday_id: seededId('workday', ordinal % size.accounts),
      created_at: stamp(ordinal),
      updated_at: stamp(ordinal),
    })),
  );
  const teams = teamPlans(size);
  await insert(
    'teams',
    teams.map((team) => ({
      id: seededId('team', team.ordinal), account_id: seededId('account', team.account), internal_name: team.name, external_name: `Support ${team.ordinal}`, scheduling_mode: team.mode, created_at: stamp(team.ordinal), updated_at: stamp(team.ordinal),
    })),
  );
  // Distinct creation times and priorities: the API orders memberships by them, and the raw server must agree on the order.
  await insert(
    'team_memberships',
    teams.flatMap((team) =>
      team.members.map((agent, priority) => ({
        id: seededId('team', 100_000 + team.ordinal * 1000 + priority),
        account_id: seededId('account', team.account),
        team_id: seededId('team', team.ordinal),
        agent_id: seededId('agent', agent),
        priority,
        created_at: stamp(team.ordinal * 100 + priority),
      })),
    ),
  );
  await insert(
    'appointment_types',
    Array.from({ length: size.appointmentTypes }, (_, ordinal) => ({
      id: seededId('type', ordinal),
      account_id: seededId('account', ordinal % size.accounts),
      internal_name: `Type ${ordinal}`,
      external_name: ['Remote session', 'Onsite visit', 'Phone call', 'Consultation'][ordinal % 4],
      description: null,
      duration_minutes: BOOKING_MINUTES,
      buffer_before_minutes: 0,
      buffer_after_minutes: 0,
      slot_interval_minutes: 15,
      minimum_notice_minutes: 0,
      booking_window_days: 730,
      // Types 0 … accounts-1 (the first of each account) are INSTANT: the write operations book them.
      confirmation_flow: ordinal < size.accounts || ordinal % 2 === 0 ? 'INSTANT' : 'CONFIRM_DECLINE',
      reservation_ttl_seconds: 600,
      active: true,
      created_at: stamp(ordinal),
      updated_at: stamp(ordinal),
    })),
  );
}

async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const tables = ['accounts', 'agents', 'teams', 'team_memberships', 'appointment_types', 'customers', 'bookings', 'booking_agents', 'time_blocks'];
  const { rows } = await client.query<Record<string, string>>(`SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(', ')}`);
  return Object.fromEntries(tables.map((table) => [table, Number(rows[0]![table])]));
}
