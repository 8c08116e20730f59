import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { periodStarts } from '../../src/reports/periods.ts';
import { reportSql } from '../../src/reports/scheduling-report.ts';
import { BOOKING_STATUSES } from '../../src/scheduling/booking-lifecycle.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;
let world: Awaited<ReturnType<typeof seedYear>>;

const HOUR_MS = 3_600_000;

/**
 * Two accounts with bookings all through 2026 at every hour of the day, so that every zone's midnights and DST
 * changes fall among them: all statuses, and every fifth booking held by two agents of a collective team.
 */
async function seedYear(db: Db) {
  const make = async (name: string) => {
    const account = await createAccount(db, name);
    const agents = await Promise.all(
      ['Ada', 'Bo', 'Cy'].map((agent) =>
        db.agent.create({ data: { accountId: account.id, name: `${agent} ${name}`, email: `${agent.toLowerCase()}@${account.slug}.example`, timeZone: 'Europe/London' } }),
      ),
    );
    const team = await db.team.create({ data: { accountId: account.id, internalName: `Team ${name}`, externalName: 'Team', schedulingMode: 'COLLECTIVE' } });
    const type = await db.appointmentType.create({ data: { accountId: account.id, internalName: `Call ${name}`, externalName: 'Call', durationMinutes: 45 } });
    const customer = await db.customer.create({ data: { accountId: account.id, name: `Customer ${name}`, email: `customer@${account.slug}.example` } });
    return { account, agents, team, type, customer };
  };
  const sides = [await make('Totals North'), await make('Totals South')];
  const bookings = [];
  const holds = [];
  for (let index = 0; index < 450; index += 1) {
    const side = sides[index % 2]!;
    const startsAt = new Date(Date.parse('2026-01-01T00:00:00Z') + index * 19.5 * HOUR_MS + (index % 4) * 15 * 60_000);
    const collective = index % 5 === 0;
    const agents = collective ? [side.agents[0]!, side.agents[1 + (index % 2)]!] : [side.agents[index % 3]!];
    const id = randomUUID();
    bookings.push({
      id,
      accountId: side.account.id,
      appointmentTypeId: side.type.id,
      agentId: collective ? null : agents[0]!.id,
      teamId: collective ? side.team.id : null,
      customerId: side.customer.id,
      status: BOOKING_STATUSES[index % BOOKING_STATUSES.length]!,
      startsAt,
      endsAt: new Date(startsAt.getTime() + (30 + (index % 3) * 15) * 60_000),
      createdAt: new Date(startsAt.getTime() - (index % 11) * 7 * HOUR_MS - 1234),
    });
    holds.push(...agents.map((agent) => ({ accountId: side.account.id, bookingId: id, agentId: agent.id })));
  }
  await db.booking.createMany({ data: bookings });
  await db.bookingAgent.createMany({ data: holds });
  return { sides, bookingIds: bookings.map((booking) => booking.id) };
}

beforeAll(async () => {
  gateway = await startTestGateway();
  world = await seedYear(gateway.db);
  token = await gateway.tokenFor({ accounts: world.sides.map((side) => side.account.id), scopes: ['read'] });
});

afterAll(() => gateway?.close());

/** Keys whose rows in booking_day_totals do not add up to what the bookings themselves add up to, as text. */
async function totalsOutOfStep(): Promise<string[]> {
  const differences = await gateway.db.$queryRaw<Array<{ difference: string }>>`
    WITH truth AS (
      SELECT (share).account_id, (share).agent_id, (share).day, sum((share).bookings) AS bookings, sum((share).scheduled) AS scheduled,
             sum((share).confirmed) AS confirmed, sum((share).cancelled) AS cancelled, sum((share).declined) AS declined,
             sum((share).no_shows) AS no_shows, sum((share).lead_time) AS lead_time
      FROM (
        SELECT booking_day_totals_of(booking, holder, 1) AS share
        FROM bookings AS booking, booking_day_totals_holders(booking.id) AS holder
        WHERE booking.status <> 'RESCHEDULED'
      ) AS shares
      GROUP BY 1, 2, 3
    ), kept AS (
      SELECT account_id, agent_id, day, sum(bookings) AS bookings, sum(scheduled) AS scheduled, sum(confirmed) AS confirmed,
             sum(cancelled) AS cancelled, sum(declined) AS declined, sum(no_shows) AS no_shows, sum(lead_time) AS lead_time
      FROM booking_day_totals GROUP BY 1, 2, 3 HAVING sum(bookings) <> 0
    )
    SELECT difference::text AS difference FROM (
      (SELECT 'missing' AS problem, * FROM truth EXCEPT SELECT 'missing', * FROM kept)
      UNION ALL
      (SELECT 'extra', * FROM kept EXCEPT SELECT 'extra', * FROM truth)
    ) AS difference`;
  return differences.map((row) => row.difference);
}

const ROW = `account { name } agent { name } period count scheduledMinutes confirmed cancelled declined noShows averageLeadTimeMinutes`;

async function report(input: Record<string, unknown>) {
  const result = await gateway.graphql(`query ($input: SchedulingReportInput!) { schedulingReport(input: $input) { ${ROW} } }`, { input: { subject: 'BOOKINGS', ...input } }, token);
  expect(result.errors).toBeUndefined();
  return result.data.schedulingReport as Array<Record<string, unknown>>;
}

describe('booking_day_totals', () => {
  it('add up, per account, agent and UTC day, to what the bookings do', async () => {
    expect(await totalsOutOfStep()).toEqual([]);
    const [{ rows }] = await gateway.db.$queryRaw<[{ rows: bigint }]>`SELECT count(*) AS rows FROM booking_day_totals`;
    expect(Number(rows)).toBeGreaterThan(0);
  });

  it('stay exact through every change to bookings and the agents they hold', async () => {
    const db = gateway.db;
    const [first, second, third, fourth] = world.bookingIds;
    const north = world.sides[0]!;
    const changes = [
      db.$executeRaw`UPDATE bookings SET status = 'CANCELLED' WHERE id = ${first}::uuid`,
      db.$executeRaw`UPDATE bookings SET starts_at = starts_at + interval '3 days 5 hours', ends_at = ends_at + interval '3 days 5 hours' WHERE id = ${second}::uuid`,
      db.$executeRaw`UPDATE bookings SET status = 'RESCHEDULED' WHERE id = ${third}::uuid`,
      db.$executeRaw`UPDATE bookings SET status = 'COMPLETED' WHERE id = ${third}::uuid`,
      db.$executeRaw`INSERT INTO booking_agents (account_id, booking_id, agent_id)
        SELECT account_id, id, ${north.agents[2]!.id}::uuid FROM bookings WHERE id = ${first}::uuid ON CONFLICT DO NOTHING`,
      db.$executeRaw`DELETE FROM booking_agents WHERE booking_id = ${fourth}::uuid`,
      db.$executeRaw`UPDATE bookings SET status = 'NO_SHOW', created_at = created_at - interval '2 days' WHERE starts_at < '2026-03-01' AND status = 'CONFIRMED'`,
      db.$executeRaw`DELETE FROM bookings WHERE id = ${world.bookingIds[10]}::uuid`,
      db.$executeRaw`DELETE FROM agents WHERE id = ${north.agents[1]!.id}::uuid`,
    ];
    for (const change of changes) {
      await change;
      expect(await totalsOutOfStep()).toEqual([]);
    }
  });

  it('let two transactions change the same account and day without waiting for each other', async () => {
    const [pair] = await gateway.db.$queryRaw<[{ ids: string[] }]>`
      SELECT array_agg(id) AS ids FROM bookings WHERE status <> 'RESCHEDULED'
      GROUP BY account_id, date_trunc('day', starts_at, 'UTC') HAVING count(*) >= 2 LIMIT 1`;
    const [first, second] = pair.ids;
    const [one, other] = [new pg.Client(gateway.databaseUrl), new pg.Client(gateway.databaseUrl)];
    await Promise.all([one.connect(), other.connect()]);
    try {
      await one.query('BEGIN');
      await one.query(`UPDATE bookings SET status = 'DECLINED' WHERE id = $1`, [first]);
      await other.query('BEGIN');
      // Were the day's totals locked until the first transaction ends, this would fail rather than wait.
      await other.query(`SET LOCAL lock_timeout = '1s'`);
      await other.query(`UPDATE bookings SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour' WHERE id = $1`, [second]);
      await other.query('COMMIT');
      await one.query('COMMIT');
    } finally {
      await Promise.all([one.end(), other.end()]);
    }
    expect(await totalsOutOfStep()).toEqual([]);
  });
});

describe('schedulingReport from booking_day_totals', () => {
  // A `where` listing every status changes nothing but makes the report read the bookings themselves.
  const everyStatus = { statuses: [...BOOKING_STATUSES] };

  it('reads booking_day_totals only for what they can answer', () => {
    const base = { subject: 'BOOKINGS' as const, accountIds: [], from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), orderBy: [], limit: 10 };
    const readsTotals = (query: Partial<Parameters<typeof reportSql>[0]>) =>
      reportSql({ ...base, timeZone: 'UTC', groupBy: [], conditions: [], ...query }).sql.includes('booking_day_totals');
    expect(readsTotals({ groupBy: ['MONTH', 'AGENT'] })).toBe(true);
    expect(readsTotals({ groupBy: ['WEEK', 'ACCOUNT'], timeZone: 'America/New_York' })).toBe(true);
    expect(readsTotals({ groupBy: ['DAY'], timeZone: 'Europe/London' })).toBe(false);
    expect(readsTotals({ groupBy: ['STATUS'] })).toBe(false);
    expect(readsTotals({ subject: 'SCHEDULING_REQUESTS', groupBy: ['MONTH'] })).toBe(false);
  });

  it('answers as the bookings themselves do, in any zone, period and range', async () => {
    const ranges = [
      { from: '2026-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      { from: '2026-03-15T12:30:00Z', to: '2026-11-02T06:00:00Z' },
    ];
    const groupings = [[], ['ACCOUNT'], ['AGENT'], ['MONTH', 'AGENT'], ['WEEK'], ['DAY', 'ACCOUNT']];
    for (const timeZone of ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kathmandu']) {
      for (const range of ranges) {
        for (const groupBy of groupings) {
          const input = { ...range, timeZone, groupBy, limit: 10_000 };
          const fromTotals = await report(input);
          expect(fromTotals.length, JSON.stringify(input)).toBeGreaterThan(0);
          expect(fromTotals, JSON.stringify(input)).toEqual(await report({ ...input, where: everyStatus }));
        }
      }
    }
  });

  it('cuts periods where PostgreSQL’s date_trunc does in the report’s zone, across DST changes', async () => {
    for (const [unit, timeZone] of [['DAY', 'Europe/London'], ['WEEK', 'America/New_York'], ['MONTH', 'Australia/Lord_Howe']] as const) {
      const rows = await report({ from: '2026-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z', timeZone, groupBy: [unit], limit: 10_000 });
      const expected = await gateway.db.$queryRaw<Array<{ period: Date; count: bigint }>>`
        SELECT date_trunc(${unit.toLowerCase()}, starts_at, ${timeZone}) AS period, count(*) AS count FROM bookings
        WHERE status <> 'RESCHEDULED' AND starts_at >= '2026-01-01T00:00:00Z' AND starts_at < '2026-12-01T00:00:00Z'
        GROUP BY 1 ORDER BY 1`;
      expect(rows.map((row) => [new Date(row.period as string).toISOString(), row.count])).toEqual(
        expected.map((row) => [row.period.toISOString(), Number(row.count)]),
      );
    }
  });
});

describe('periodStarts', () => {
  it('groups instants as PostgreSQL’s date_trunc does, in zones with DST and with offsets of half and quarter hours', async () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2027-01-01T00:00:00Z');
    for (const timeZone of ['UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham']) {
      for (const unit of ['DAY', 'WEEK', 'MONTH'] as const) {
        const starts = periodStarts(unit, from, to, timeZone).map((start) => start.toISOString());
        const differences = await gateway.db.$queryRaw<unknown[]>`
          SELECT instant FROM generate_series(${from}::timestamptz, ${to}::timestamptz - interval '15 minutes', interval '15 minutes') AS instant
          WHERE date_trunc(${unit.toLowerCase()}, instant, ${timeZone}) IS DISTINCT FROM (${starts}::timestamptz[])[width_bucket(instant, ${starts}::timestamptz[])]
          LIMIT 3`;
        expect(differences, `${unit} in ${timeZone}`).toEqual([]);
      }
    }
  });
});
