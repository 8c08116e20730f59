import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../src/db/client.ts';
import { seedDemoData } from '../src/db/seed.ts';
import { BOOKING_STATUSES, SCHEDULING_REQUEST_STATUSES } from '../src/scheduling/booking-lifecycle.ts';
import { adminQuery } from './support/admin.ts';
import { databaseUrl } from './support/database-url.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A migrated database of its own. */
async function migratedDatabase(): Promise<Db> {
  const name = `gateway_demo_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  const { db } = createDb(databaseUrl(inject('adminDatabaseUrl'), name));
  cleanups.push(async () => {
    await db.$disconnect();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return db;
}

/** What the demo data holds, without the ids that differ between databases. */
async function contents(db: Db) {
  const bookings = await db.$queryRaw<Array<{ line: string }>>`
    SELECT concat_ws(' ', accounts.slug, appointment_types.internal_name, coalesce(teams.internal_name, agents.name), bookings.status,
                     to_char(bookings.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI'), customers.email, bookings.rescheduled_from_id IS NOT NULL) AS line
    FROM bookings JOIN accounts ON accounts.id = bookings.account_id
      JOIN appointment_types ON appointment_types.id = bookings.appointment_type_id
      JOIN customers ON customers.id = bookings.customer_id
      LEFT JOIN teams ON teams.id = bookings.team_id LEFT JOIN agents ON agents.id = bookings.agent_id
    ORDER BY 1`;
  const requests = await db.$queryRaw<Array<{ line: string }>>`
    SELECT concat_ws(' ', status, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI')) AS line FROM scheduling_requests ORDER BY 1`;
  return { bookings: bookings.map((row) => row.line), requests: requests.map((row) => row.line) };
}

describe('demo data', () => {
  // A day in the northern autumn: the months around it cross the end of summer time in London and New York and
  // its start in Sydney.
  const seededAt = new Date('2026-11-02T10:15:00Z');
  let db: Db;

  it('holds bookings of every status and requests of every status, before and after the day it is seeded', async () => {
    db = await migratedDatabase();
    await seedDemoData(db, seededAt);
    const statuses = await db.booking.groupBy({ by: ['status'], _count: true });
    expect(statuses.map((row) => row.status).sort()).toEqual([...BOOKING_STATUSES].sort());
    const requestStatuses = await db.schedulingRequest.groupBy({ by: ['status'], _count: true });
    expect(requestStatuses.map((row) => row.status).sort()).toEqual([...SCHEDULING_REQUEST_STATUSES].sort());
    const past = await db.booking.count({ where: { startsAt: { lt: new Date(seededAt.getTime() - 60 * 86_400_000) } } });
    const coming = await db.booking.count({ where: { startsAt: { gt: new Date(seededAt.getTime() + 30 * 86_400_000) } } });
    expect(past).toBeGreaterThan(50);
    expect(coming).toBeGreaterThan(20);
    // Nothing that holds time is in the future of its own history, and nothing was made after the seed.
    expect(await db.booking.count({ where: { createdAt: { gt: seededAt } } })).toBe(0);
    expect(await db.bookingEvent.count({ where: { occurredAt: { gt: seededAt } } })).toBe(0);
    expect(await db.booking.count({ where: { status: { in: ['COMPLETED', 'NO_SHOW'] }, endsAt: { gt: seededAt } } })).toBe(0);
    // Each request offers one agent or one team; a scheduled one has its booking.
    const [requests] = await db.$queryRaw<Array<{ offering: number; scheduled: number; booked: number }>>`
      SELECT count(*) FILTER (WHERE cardinality(agent_ids) + cardinality(team_ids) = 1)::int AS offering,
             count(*) FILTER (WHERE status = 'SCHEDULED')::int AS scheduled,
             count(*) FILTER (WHERE status = 'SCHEDULED' AND EXISTS (SELECT 1 FROM bookings WHERE scheduling_request_id = scheduling_requests.id))::int AS booked
      FROM scheduling_requests`;
    expect(requests!.offering).toBe(await db.schedulingRequest.count());
    expect(requests!.booked).toBe(requests!.scheduled);
  }, 60_000);

  it('spreads bookings over every account, several appointment types and teams, and customers', async () => {
    const [row] = await db.$queryRaw<Array<{ accounts: number; types: number; teams: number; customers: number; agents: number }>>`
      SELECT count(DISTINCT account_id)::int AS accounts, count(DISTINCT appointment_type_id)::int AS types,
             count(DISTINCT team_id)::int AS teams, count(DISTINCT customer_id)::int AS customers, count(DISTINCT agent_id)::int AS agents
      FROM bookings`;
    expect(row).toMatchObject({ accounts: 3, types: 9, teams: 6, customers: 10 });
    expect(row!.agents).toBeGreaterThan(10);
  });

  it('places every booking in working hours, outside holidays and by its own history', async () => {
    // Each status change follows the lifecycle's rules: the history's last status is the booking's.
    const [mismatch] = await db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM bookings
      WHERE status <> (SELECT to_status FROM booking_events WHERE booking_id = bookings.id ORDER BY occurred_at DESC, type DESC LIMIT 1)`;
    expect(mismatch!.count).toBe(0);
    // Time held by two bookings of one agent would have been refused by the exclusion constraint; held blocks are
    // exactly those of bookings whose status holds time.
    const [held] = await db.$queryRaw<Array<{ wrong: number }>>`
      SELECT count(*)::int AS wrong FROM time_blocks JOIN bookings ON bookings.id = time_blocks.booking_id
      WHERE time_blocks.active <> (bookings.status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW'))`;
    expect(held!.wrong).toBe(0);
    // Local start times in each workday's zone lie within that day's hours (weekly hours; the seed's overrides only shorten days).
    const [outside] = await db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count
      FROM bookings JOIN booking_agents ON booking_agents.booking_id = bookings.id
        JOIN agents ON agents.id = booking_agents.agent_id JOIN workdays ON workdays.id = agents.workday_id
      WHERE NOT EXISTS (
        SELECT 1 FROM working_hours
        WHERE working_hours.workday_id = workdays.id
          AND working_hours.weekday = extract(isodow FROM bookings.starts_at AT TIME ZONE workdays.time_zone)
          AND (bookings.starts_at AT TIME ZONE workdays.time_zone)::time >= working_hours.start_time
          AND (bookings.ends_at AT TIME ZONE workdays.time_zone)::time <= working_hours.end_time
          AND (bookings.ends_at AT TIME ZONE workdays.time_zone)::date = (bookings.starts_at AT TIME ZONE workdays.time_zone)::date)`;
    expect(outside!.count).toBe(0);
    const [onHoliday] = await db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count
      FROM bookings JOIN booking_agents ON booking_agents.booking_id = bookings.id JOIN agents ON agents.id = booking_agents.agent_id
        JOIN holidays ON (holidays.agent_id = agents.id OR holidays.workday_id = agents.workday_id)
      WHERE tstzrange(holidays.starts_at, holidays.ends_at) && tstzrange(bookings.starts_at, bookings.ends_at)`;
    expect(onHoliday!.count).toBe(0);
  });

  it('lays out yearly holidays and overrides for the years around the seed, and leave relative to it', async () => {
    const christmas = await db.holiday.findMany({ where: { name: 'Christmas Day' }, select: { startsAt: true } });
    expect(christmas).toHaveLength(12);
    const thanksgiving = await db.holiday.findMany({ where: { name: 'Thanksgiving' }, orderBy: { startsAt: 'asc' }, select: { startsAt: true } });
    expect(thanksgiving.map((holiday) => holiday.startsAt.toISOString())).toEqual([
      '2025-11-27T05:00:00.000Z',
      '2026-11-26T05:00:00.000Z',
      '2027-11-25T05:00:00.000Z',
    ]);
    // Priya Patel's leave is 32 days after the seed date, whole days in London.
    const leave = await db.holiday.findFirstOrThrow({ where: { agent: { name: 'Priya Patel' } }, select: { startsAt: true, endsAt: true } });
    expect([leave.startsAt.toISOString(), leave.endsAt.toISOString()]).toEqual(['2026-12-04T00:00:00.000Z', '2026-12-09T00:00:00.000Z']);
  });

  it('is the same for the same seed day', async () => {
    const again = await migratedDatabase();
    await seedDemoData(again, new Date(seededAt.getTime() + 60_000));
    expect(await contents(again)).toEqual(await contents(db));
  }, 60_000);
});
